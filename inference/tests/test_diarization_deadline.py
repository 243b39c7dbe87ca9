"""A diarization process that stops answering costs one request a retryable 503, never the worker.

Before the deadline, `DiarizationProcess._answer()` waited on the pipe forever: a child stopped with SIGSTOP
(or hung) held the only inference worker, every later request waited behind it, and /ping stayed 200 so
SageMaker never replaced the instance.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from conftest import DIARIZATION_DIR, cpu_settings, two_voices_briefly, wav_bytes
from fastapi.testclient import TestClient

from whisper_server.app import create_app
from whisper_server.audio import decode
from whisper_server.diarization_process import (
    DiarizationDeadline,
    DiarizationFailed,
    DiarizationProcess,
    PendingTurns,
)
from whisper_server.diarizer import DiarizerConfig
from whisper_server.errors import RETRYABLE
from whisper_server.transcriber import Transcriber

CONFIG = DiarizerConfig(DIARIZATION_DIR / "models", threads=1, window_shift=0.25, threshold=0.25)
SHORT = DiarizationDeadline(base_seconds=3.0, seconds_per_audio_second=0.0)
"""The deadline of the requests whose child is stopped."""
GENEROUS = DiarizationDeadline(base_seconds=120.0, seconds_per_audio_second=0.0)
"""The deadline of the requests that must succeed (a new child loads its models first, on a busy machine)."""


def audio_of(name: str) -> np.ndarray:
    return decode((DIARIZATION_DIR / name).read_bytes(), max_seconds=3600)


@pytest.fixture(scope="module")
def process() -> Iterator[DiarizationProcess]:
    child = DiarizationProcess(CONFIG, GENEROUS)
    yield child
    child.close()


def start_stopped(process: DiarizationProcess, audio: np.ndarray) -> PendingTurns:
    """Stops the child with SIGSTOP, then sends it `audio` under the SHORT deadline."""
    stop(process.pid)
    process.deadline = SHORT
    try:
        return process.start(audio)
    finally:
        process.deadline = GENEROUS


def stop(pid: int | None) -> None:
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)


def assert_gone(pid: int) -> None:
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.05)


def test_the_deadline_grows_with_the_audio() -> None:
    deadline = DiarizationDeadline(base_seconds=60, seconds_per_audio_second=0.5)
    assert deadline.seconds(0) == 60
    assert deadline.seconds(3600) == 60 + 1800


@pytest.mark.slow  # times the deadline: other lanes' load would stretch it
def test_a_stopped_child_fails_its_request_at_the_deadline_and_is_replaced(
    process: DiarizationProcess,
) -> None:
    audio = two_voices_briefly()
    pid = process.pid
    started = time.monotonic()
    pending = start_stopped(process, audio)
    with pytest.raises(DiarizationFailed) as failed:
        pending.result()
    assert time.monotonic() - started < SHORT.base_seconds + 2
    assert (failed.value.status, failed.value.code) == (503, "diarization_failed")
    assert "no answer within 3 s" in failed.value.message and "send the request again" in failed.value.message
    assert failed.value.code in RETRYABLE
    assert_gone(pid)  # type: ignore[arg-type]
    assert len({t.speaker for t in process.diarize(audio)}) == 2
    assert process.pid not in (None, pid)


def test_audio_larger_than_the_pipe_cannot_block_a_stopped_child_s_request(
    process: DiarizationProcess,
) -> None:
    """Writing 20 MB to a child that reads nothing blocks once the pipe is full: the sending is its own
    thread, so both `start` and the deadline still hold."""
    started = time.monotonic()
    pending = start_stopped(process, np.zeros(5_000_000, dtype=np.float32))
    assert time.monotonic() - started < 1
    with pytest.raises(DiarizationFailed):
        pending.result()
    assert time.monotonic() - started < SHORT.base_seconds + 2
    assert len({t.speaker for t in process.diarize(two_voices_briefly())}) == 2


def test_a_killed_child_is_a_retryable_503(process: DiarizationProcess) -> None:
    audio = audio_of("two_speakers.flac")
    pending = process.start(np.concatenate([audio] * 4))
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    with pytest.raises(DiarizationFailed, match="diarization process ended unexpectedly") as failed:
        pending.result()
    assert failed.value.code in RETRYABLE
    assert len({t.speaker for t in process.diarize(two_voices_briefly())}) == 2


@pytest.fixture
def stoppable_client(
    model_dir: str, transcriber: Transcriber
) -> Iterator[tuple[TestClient, DiarizationProcess]]:
    child = DiarizationProcess(CONFIG, SHORT)
    app = create_app(cpu_settings(model_dir), transcriber=transcriber, diarizer=child)
    with TestClient(app) as client:
        yield client, child
    child.close()


def test_the_server_answers_503_and_serves_the_next_requests(
    stoppable_client: tuple[TestClient, DiarizationProcess], audio_bytes: Callable[[str], bytes]
) -> None:
    client, child = stoppable_client
    body = wav_bytes(two_voices_briefly())
    diarized = {"X-Amzn-SageMaker-Custom-Attributes": "diarize=true"}
    stop(child.pid)
    answers: dict[str, int] = {}

    def send_plain() -> None:
        answers["plain"] = client.post("/invocations", content=audio_bytes("speech.mp3")).status_code

    def send_diarized() -> None:
        answers["stuck"] = client.post("/invocations", content=body, headers=diarized).status_code

    started = time.monotonic()
    stuck = threading.Thread(target=send_diarized)
    stuck.start()
    time.sleep(0.5)
    behind = threading.Thread(target=send_plain)  # a request without speakers, queued behind it
    behind.start()
    assert client.get("/ping").status_code == 200
    stuck.join(60)
    behind.join(60)
    assert answers == {"stuck": 503, "plain": 200}
    assert time.monotonic() - started < 30
    child.deadline = GENEROUS
    response = client.post("/invocations", content=body, headers=diarized)
    assert response.status_code == 200, response.text
    assert [s["speaker"] for s in response.json()["speakers"]] == ["S1", "S2"]
