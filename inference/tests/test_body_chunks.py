"""Bodies sent in 1-byte HTTP chunks cannot hold the event loop: /ping stays fast, and such a body gets
400 `body_chunks_too_small` once it has come in more than 1024 pieces averaging under the floor.

Before the floor, three clients sending 1-byte chunks delayed /ping by 3.7-4.5 s: every chunk is one h11 event
and one append to the buffered body, on the event loop.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from serving import Server

PING_BUDGET_SECONDS = 2.0  # SageMaker's /ping timeout
CLIENTS = 3
ATTACK_SECONDS = 6.0


@pytest.fixture(scope="module")
def server(default_server: Server) -> Server:
    return default_server


def one_byte_chunks(server: Server, stop: threading.Event, answers: list[bytes]) -> None:
    """Sends a chunked body one byte per chunk, as fast as the socket takes it, until `stop` or refused."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        batch = b"1\r\nA\r\n" * 2000
        sock.settimeout(0.05)
        received = b""
        try:
            while not stop.is_set():
                try:
                    sock.sendall(batch)
                except (BrokenPipeError, ConnectionResetError, TimeoutError):
                    break
                try:
                    received += sock.recv(4096)
                except TimeoutError:
                    continue
                if received:
                    break
            sock.settimeout(5)
            while not received.endswith(b"}"):
                more = sock.recv(4096)
                if not more:
                    break
                received += more
        except (ConnectionResetError, TimeoutError, OSError):
            pass
        answers.append(received)


def test_ping_stays_fast_and_tiny_chunks_are_refused(server: Server) -> None:
    stop = threading.Event()
    answers: list[bytes] = []
    clients = [threading.Thread(target=one_byte_chunks, args=(server, stop, answers)) for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    pings: list[float] = []
    deadline = time.monotonic() + ATTACK_SECONDS
    while time.monotonic() < deadline:
        started = time.monotonic()
        assert httpx.get(f"{server.url}/ping", timeout=10).status_code == 200
        pings.append(time.monotonic() - started)
        time.sleep(0.1)
    stop.set()
    for client in clients:
        client.join(10)

    assert max(pings) < PING_BUDGET_SECONDS, f"slowest /ping {max(pings):.2f} s"
    assert len(answers) == CLIENTS
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
        body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
        assert body["error"] == "body_chunks_too_small"
        assert "WHISPER_MIN_BODY_CHUNK_BYTES" in body["message"]


def test_an_upload_in_kilobyte_chunks_is_transcribed(
    server: Server, audio_bytes: Callable[[str], bytes]
) -> None:
    body = audio_bytes("speech.mp3")

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 1024):
            yield body[start : start + 1024]

    response = httpx.post(f"{server.url}/invocations", content=chunks(), timeout=120)
    assert response.status_code == 200, response.text
    assert "weather" in response.json()["text"].lower()
    assert httpx.get(f"{server.url}/ping", timeout=2).status_code == 200
