"""Giving freed memory back to the system after each job.

Decoding leaves many small arrays (one per decoded frame) on the C heap; once freed, glibc keeps those
pages for the process unless told otherwise, so an hour of audio left some 200 MB resident after its request
had ended. `malloc_trim(0)` returns the free pages at the heap's top and inside it. It is glibc's (the
image's and the dev machines' C library); elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def give_back_memory() -> bool:
    """Returns the C heap's free pages to the system; whether it could (glibc only)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
