"""Packing in the server: concurrent requests are transcribed together, and a bad one fails alone."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from conftest import wav_bytes
from fastapi.testclient import TestClient
from httpx import Response
from wer import word_error_rate

from whisper_server.audio import decode

GOOD = [
    "clips/vm-newuser.ogg",
    "clips/demo-thanks.ogg",
    "speech.mp3",
    "clips/ss-noservice.ogg",
    "meeting/part04.ogg",
]
UNDECODABLE = "image.png"
OPTIONS = "X-Amzn-SageMaker-Custom-Attributes"


def _send_together(client: TestClient, audio_bytes: Callable[[str], bytes], names: list[str]) -> list:
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        return list(pool.map(lambda name: client.post("/invocations", content=audio_bytes(name)), names))


def test_waiting_requests_are_packed_and_a_bad_one_fails_alone(
    make_client: Callable[..., TestClient],
    audio_bytes: Callable[[str], bytes],
    transcripts: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client()
    names = [GOOD[0], GOOD[1], UNDECODABLE, *GOOD[2:]]
    with caplog.at_level(logging.INFO, logger="whisper_server"):
        responses = _send_together(client, audio_bytes, names)
    for name, response in zip(names, responses, strict=True):
        if name == UNDECODABLE:
            assert response.status_code == 415, response.text
            assert response.json()["error"] == "unsupported_media"
        else:
            assert response.status_code == 200, (name, response.text)
            assert word_error_rate(transcripts[name], response.json()["text"]) <= 0.15, name
    sizes = [
        r.pack_size for r in caplog.records if r.getMessage() == "invocation" and hasattr(r, "pack_size")
    ]
    assert len(sizes) == len(GOOD)
    assert max(sizes) >= 2, f"no request waited long enough to be packed: {sizes}"


def test_packing_off_transcribes_one_at_a_time(
    make_client: Callable[..., TestClient],
    audio_bytes: Callable[[str], bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client(pack_requests=1)
    with caplog.at_level(logging.INFO, logger="whisper_server"):
        responses = _send_together(client, audio_bytes, GOOD[:3])
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [r.pack_size for r in caplog.records if r.getMessage() == "invocation"] == [1, 1, 1]


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_an_earlier_short_request_does_not_wait_for_a_later_long_one(
    make_client: Callable[..., TestClient],
    audio_bytes: Callable[[str], bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A 62 s request runs; a 7 s one queues behind it, then a 124 s one. Both are packed when the first is
    # done. The short one used to be answered only once the long one was transcribed, and its log line
    # accounted for little of that wait.
    client = make_client()
    app = client.app
    meeting = np.concatenate([decode(audio_bytes(f"meeting/part0{i}.ogg"), 60) for i in range(1, 9)])
    bodies = {
        "running": wav_bytes(meeting),
        "short": audio_bytes("speech.ogg"),
        "long": wav_bytes(np.concatenate([meeting, meeting])),
    }
    answered: dict[str, float] = {}

    def send(name: str) -> Response:
        # Two chunks a batch: the long request's chunks fill one place of the short one's batch, the
        # rest of its 9 chunks come after.
        headers = {OPTIONS: "batch_size=2", "X-Amzn-SageMaker-Inference-Id": name}
        response = client.post("/invocations", content=bodies[name], headers=headers)
        answered[name] = time.monotonic()
        return response

    with caplog.at_level(logging.INFO, logger="whisper_server"), ThreadPoolExecutor(max_workers=3) as pool:
        running = pool.submit(send, "running")
        _wait_for(lambda: app.state.jobs._running is not None, "the first job to run")
        time.sleep(0.5)  # its pack has decoded its audio and taken what waited (nothing): it transcribes
        short = pool.submit(send, "short")
        _wait_for(lambda: len(app.state.packer._waiting) == 1, "the short request to queue")
        long = pool.submit(send, "long")
        _wait_for(lambda: len(app.state.packer._waiting) == 2, "the long request to queue")
        assert not running.done(), "the first request ended before the others queued: make it longer"
        responses = {"running": running.result(), "short": short.result(), "long": long.result()}
    for name, response in responses.items():
        assert response.status_code == 200, (name, response.text)
    assert "sunny and warm" in responses["short"].json()["text"].lower()
    lines = {r.request_id: r for r in caplog.records if r.getMessage() == "invocation"}  # type: ignore[attr-defined]
    short_line, long_line = lines["short"], lines["long"]
    assert (short_line.pack_size, long_line.pack_size) == (2, 2)  # type: ignore[attr-defined]
    # Answered once its own chunks were done, well before the long request's 8 other chunks.
    assert answered["long"] - answered["short"] > 0.25 * long_line.pack_seconds  # type: ignore[attr-defined]
    # The log line accounts for its wait: queued behind the running job, then its time in the pack.
    accounted = short_line.queue_seconds + short_line.pack_seconds  # type: ignore[attr-defined]
    assert short_line.total_seconds - accounted < 0.25  # type: ignore[attr-defined]
    # Shares add up to the pack's time.
    shares = short_line.processing_seconds + long_line.processing_seconds  # type: ignore[attr-defined]
    assert shares == pytest.approx(long_line.pack_seconds, abs=0.01)  # type: ignore[attr-defined]
