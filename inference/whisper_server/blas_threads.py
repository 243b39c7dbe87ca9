"""One OpenBLAS thread while the server transcribes on CPU, so that numpy's threads leave the cores to
CTranslate2.

numpy's matrix products run on OpenBLAS, which starts one thread per core and keeps them spinning for a
while after each product, waiting for the next. The decoding path calls a few small ones for every chunk
(the log-mel projection of faster-whisper's feature extractor above all) between CTranslate2's encoder and
decoder calls, which want every core themselves: the spinning threads take those cores from them. On the
2-core VM (tiny.en int8, the 158 benchmark clips packed, alternating in one process), one OpenBLAS thread
took the transcription from 40.5 to 34.2 CPU-seconds (docs/performance.md, "One OpenBLAS thread"); the
feature extractor alone took 5.4 ms a 12 s chunk with one thread against 12.0 ms with two.

OpenBLAS has no Python interface, so its own `*_set_num_threads` is called through ctypes on the copy the
process loaded (numpy's wheels bundle one as `libscipy_openblas64_`); where none is found (another BLAS, or
no /proc) nothing changes. The setting is process-wide: `one_blas_thread` sets it for the time of a block
(or of overlapping blocks) and gives the previous count back when the last one ends.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

_SYMBOLS = (
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
    ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
    ("openblas_get_num_threads", "openblas_set_num_threads"),
)
"""(get, set) pairs of the thread count, as numpy's scipy-openblas wheels and OpenBLAS builds name them."""


@dataclass(frozen=True)
class BlasThreads:
    """One loaded OpenBLAS library's thread count functions."""

    get: Callable[[], int]
    set: Callable[[int], None]


@functools.cache
def loaded_openblas() -> tuple[BlasThreads, ...]:
    """The thread controls of each OpenBLAS library loaded in this process (found in /proc/self/maps);
    empty where there is none or no /proc."""
    import numpy  # noqa: F401  (loads numpy's OpenBLAS, if it bundles one)

    maps = Path("/proc/self/maps")
    if not maps.is_file():
        return ()
    paths = sorted(
        {
            line.split()[-1]
            for line in maps.read_text(encoding="utf-8", errors="replace").splitlines()
            if "openblas" in line.lower() and ".so" in line
        }
    )
    controls = []
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for get_name, set_name in _SYMBOLS:
            if hasattr(library, get_name) and hasattr(library, set_name):
                getter, setter = getattr(library, get_name), getattr(library, set_name)
                getter.restype, setter.restype = ctypes.c_int, None
                setter.argtypes = [ctypes.c_int]
                controls.append(BlasThreads(getter, setter))
                break
    return tuple(controls)


_lock = threading.Lock()
_inside = 0
"""Blocks of `one_blas_thread` running now, in any thread."""
_before: list[int] = []
"""The counts the first of them found, given back when the last one ends."""


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Runs the block with one OpenBLAS thread (every OpenBLAS the process loaded). Blocks may overlap (two
    workers transcribing at once): the counts found by the first are restored when the last one ends."""
    global _inside
    controls = loaded_openblas()
    with _lock:
        if _inside == 0:
            _before[:] = [control.get() for control in controls]
            for control in controls:
                control.set(1)
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                for control, count in zip(controls, _before, strict=True):
                    control.set(count)
