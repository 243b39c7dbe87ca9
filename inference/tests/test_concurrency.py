"""Concurrent requests against one app: all succeed, each with its own result."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from wer import word_error_rate

# (fixture, Accept) pairs sent at once; more than one job waits, none is refused (default queue 16).
REQUESTS = [
    ("speech.mp3", "application/json"),
    ("meeting/part03.ogg", "application/json"),
    ("speech.webm", "text/plain"),
    ("meeting/part05.ogg", "*/*"),
    ("silence.flac", "application/json"),
    ("speech.m4a", "text/plain"),
]


def test_concurrent_requests_all_succeed(
    client: TestClient, audio_bytes: Callable[[str], bytes], transcripts: dict[str, str]
) -> None:
    def send(request: tuple[str, str]) -> tuple[int, str]:
        name, accept = request
        response = client.post("/invocations", content=audio_bytes(name), headers={"Accept": accept})
        text = response.text.strip() if accept == "text/plain" else response.json()["text"]
        return response.status_code, text

    with ThreadPoolExecutor(max_workers=len(REQUESTS)) as pool:
        results = list(pool.map(send, REQUESTS))

    for (name, _), (status, text) in zip(REQUESTS, results, strict=True):
        assert status == 200, name
        assert word_error_rate(transcripts[name], text) <= 0.15, (name, text)
    assert client.get("/ping").status_code == 200
