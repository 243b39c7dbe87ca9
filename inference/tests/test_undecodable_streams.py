"""Streams no decoder exists for are refused with 415 before any decoding, and the server lives on.

PyAV opens such a stream (a WAV whose format chunk names no codec, a WebM whose codec id is renamed) without
a codec context; decoding it dereferenced NULL in PyAV 17.1 (its issue #2344), and one 9.6 KB upload killed
the whole server with every request in flight. Each body goes to the real `serve` process here, so a crash
shows as a dead process, not as a lost test session.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from hostile_media import undecodable_wavs, webm_with_renamed_codec
from serving import Server

BODIES: dict[str, bytes] = {**undecodable_wavs(), "webm with a renamed codec id": webm_with_renamed_codec()}


@pytest.fixture(scope="module")
def server(default_server: Server) -> Server:
    return default_server


@pytest.mark.parametrize("case", BODIES)
def test_a_stream_without_a_decoder_is_415(server: Server, case: str) -> None:
    response = httpx.post(f"{server.url}/invocations", content=BODIES[case], timeout=60)
    assert response.status_code == 415, response.text
    assert response.json()["error"] == "unsupported_media"
    assert "no decoder for the codec of its audio track" in response.json()["message"]


def test_the_server_still_serves_after_them(server: Server, audio_bytes: Callable[[str], bytes]) -> None:
    for body in BODIES.values():
        httpx.post(f"{server.url}/invocations", content=body, timeout=60)
    assert server.process.poll() is None, server.log_path.read_text()[-2000:]
    assert httpx.get(f"{server.url}/ping", timeout=2).status_code == 200
    response = httpx.post(f"{server.url}/invocations", content=audio_bytes("speech.mp3"), timeout=120)
    assert response.status_code == 200, response.text
    assert response.json()["text"].strip()
