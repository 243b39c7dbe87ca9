"""On CPU the server transcribes with one OpenBLAS thread (blas_threads.py), and gives numpy its threads back
afterwards, also when a request fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import cpu_settings

from whisper_server.audio import decode
from whisper_server.blas_threads import loaded_openblas, one_blas_thread
from whisper_server.chunked import Request
from whisper_server.options import TranscribeOptions
from whisper_server.transcriber import Transcriber

needs_openblas = pytest.mark.skipif(
    not loaded_openblas(), reason="this numpy uses no OpenBLAS found in /proc/self/maps"
)


def _threads() -> list[int]:
    return [control.get() for control in loaded_openblas()]


@needs_openblas
def test_numpys_openblas_is_found_and_set() -> None:
    before = _threads()
    with one_blas_thread():
        assert _threads() == [1] * len(before)
    assert _threads() == before


@needs_openblas
def test_the_count_comes_back_when_the_block_raises() -> None:
    before = _threads()
    with pytest.raises(RuntimeError), one_blas_thread():
        raise RuntimeError("failed inside")
    assert _threads() == before


class RecordingFeatures:
    """faster-whisper's feature extractor, noting the OpenBLAS thread counts each time it runs."""

    def __init__(self, extractor: Any) -> None:
        self._extractor = extractor
        self.seen: list[list[int]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        self.seen.append(_threads())
        return self._extractor(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._extractor, name)


@needs_openblas
def test_overlapping_blocks_restore_the_count_when_the_last_ends() -> None:
    before = _threads()
    first, second = one_blas_thread(), one_blas_thread()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert _threads() == [1] * len(before), "the second block still runs"
    second.__exit__(None, None, None)
    assert _threads() == before


@needs_openblas
@pytest.mark.parametrize("batched", [True, False])
def test_a_cpu_transcription_runs_with_one_openblas_thread(
    model_dir: str, audio_bytes: Callable[[str], bytes], batched: bool
) -> None:
    transcriber = Transcriber(cpu_settings(model_dir, batched=batched))
    recording = RecordingFeatures(transcriber.model.feature_extractor)
    transcriber.model.feature_extractor = recording  # the chunked path's model is the same one
    found = _threads()
    for control in loaded_openblas():
        control.set(2)  # as numpy starts on 2 cores, also where OMP_NUM_THREADS=1 started it with one
    try:
        audio = decode(audio_bytes("clips/demo-thanks.ogg"), max_seconds=60)
        results = transcriber.transcribe_many([Request(audio, TranscribeOptions())])
        assert not isinstance(results[0], Exception) and "thank you" in results[0].text.lower()
        assert recording.seen and all(threads == [1] * len(found) for threads in recording.seen)
        assert _threads() == [2] * len(found)
    finally:
        for control, count in zip(loaded_openblas(), found, strict=True):
            control.set(count)
