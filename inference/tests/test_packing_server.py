"""Packing in the server: concurrent requests are transcribed together, and a bad one fails alone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from wer import word_error_rate

GOOD = [
    "clips/vm-newuser.ogg",
    "clips/demo-thanks.ogg",
    "speech.mp3",
    "clips/ss-noservice.ogg",
    "meeting/part04.ogg",
]
UNDECODABLE = "image.png"


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
