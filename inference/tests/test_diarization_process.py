"""The diarizer in its child process (diarization_process.py): the same turns as in-process, and a child
that dies or is given up on costs one request at most."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import DIARIZATION_DIR, two_voices_briefly

from whisper_server.audio import decode
from whisper_server.diarization_process import DiarizationFailed, DiarizationProcess
from whisper_server.diarizer import Diarizer, DiarizerConfig

CONFIG = DiarizerConfig(DIARIZATION_DIR / "models", threads=1, window_shift=0.25, threshold=0.25)


def audio_of(name: str) -> np.ndarray:
    return decode((DIARIZATION_DIR / name).read_bytes(), max_seconds=3600)


@pytest.fixture(scope="module")
def process() -> Iterator[DiarizationProcess]:
    child = DiarizationProcess(CONFIG)
    yield child
    child.close()


def test_same_turns_as_in_process(process: DiarizationProcess) -> None:
    audio = audio_of("three_speakers.flac")
    # In this process, one analysis clustered twice: `diarize` is `turns(analyse(audio), ...)`.
    in_process = Diarizer(CONFIG)
    analysis = in_process.analyse(audio)
    assert process.diarize(audio) == in_process.turns(analysis)
    assert process.diarize(audio, speakers=2) == in_process.turns(analysis, speakers=2)


@pytest.mark.slow  # times a ticker thread: other lanes' load would stall it
def test_the_server_thread_keeps_running_meanwhile(process: DiarizationProcess) -> None:
    """The models hold the GIL while they run; in the child they cannot stop this process's threads."""
    audio = np.concatenate([audio_of("three_speakers.flac")] * 2)
    ticks: list[float] = []
    done = threading.Event()

    def tick() -> None:
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.01)

    ticker = threading.Thread(target=tick)
    ticker.start()
    started = time.perf_counter()
    process.diarize(audio)
    elapsed = time.perf_counter() - started
    done.set()
    ticker.join()
    assert elapsed > 1.0
    assert max(np.diff(ticks)) < 0.5, f"a 10 ms ticker paused {max(np.diff(ticks)):.2f} s"


def test_a_child_that_dies_fails_its_request_and_the_next_gets_a_new_one(process: DiarizationProcess) -> None:
    audio = audio_of("two_speakers.flac")
    pending = process.start(np.concatenate([audio] * 4))
    pid = process.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(DiarizationFailed, match="diarization process ended unexpectedly"):
        pending.result()
    assert len({t.speaker for t in process.diarize(two_voices_briefly())}) == 2
    assert process.pid not in (None, pid)


def test_a_cancelled_request_stops_the_child(process: DiarizationProcess) -> None:
    audio = audio_of("two_speakers.flac")
    process.start(np.concatenate([audio] * 4)).cancel()
    assert process.pid is None
    assert len({t.speaker for t in process.diarize(two_voices_briefly())}) == 2


def test_close_stops_the_child() -> None:
    child = DiarizationProcess(CONFIG)
    pid = child.pid
    child.close()
    assert child.pid is None
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(pid, 0)  # type: ignore[arg-type]
            time.sleep(0.05)


def test_models_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"does not hold segmentation\.onnx"):
        DiarizationProcess(DiarizerConfig(tmp_path, 1, 0.25, 0.25))
