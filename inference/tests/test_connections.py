"""Idle connections cannot exhaust the server's file descriptors or lock out /ping, and stalled uploads
cannot hold the queue or the body budget."""

from __future__ import annotations

import resource
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import httpx
import pytest
from serving import Server, running_serve

# Real `serve` processes, timed under load: run last and alone by `npm test` (see conftest.py).
pytestmark = pytest.mark.slow

FILE_LIMIT = 256
IDLE_CONNECTIONS = 300
BODY_TIMEOUT_SECONDS = 2
SLACK_SECONDS = 3
"""How much later than the bound the server may act on a loaded test machine."""


def low_file_limit() -> None:
    """Runs in the child: a hard limit of 256 open files, which the server cannot raise."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))


@pytest.fixture(scope="module")
def server(model_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"WHISPER_IDLE_TIMEOUT_SECONDS": "2", "WHISPER_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT_SECONDS)}
    with running_serve(model_dir, tmp_path_factory.mktemp("conn"), env, preexec_fn=low_file_limit) as server:
        yield server


def test_ping_answers_while_hundreds_of_connections_sit_idle(server: Server) -> None:
    with ExitStack() as stack:
        for _ in range(IDLE_CONNECTIONS):
            stack.enter_context(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        time.sleep(0.5)
        started = time.monotonic()
        response = httpx.get(f"{server.url}/ping", timeout=5)
        assert response.status_code == 200
        assert time.monotonic() - started < 1.5
    time.sleep(1)
    errors = [line for line in server.log_lines() if line["level"] in ("error", "critical")]
    assert errors == []
    assert server.log_path.stat().st_size < 20_000


def test_a_connection_that_never_sends_a_request_is_closed(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as idle:
        started = time.monotonic()
        assert idle.recv(1) == b""  # the server closed it
        assert time.monotonic() - started < 5


def start_upload(server: Server, declared: int, sent: bytes) -> socket.socket:
    """A raw POST /invocations that declares `declared` bytes and sends only `sent`."""
    upload = socket.create_connection(
        ("127.0.0.1", server.port), timeout=BODY_TIMEOUT_SECONDS + SLACK_SECONDS
    )
    upload.sendall(
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: audio/ogg\r\n"
        + f"Content-Length: {declared}\r\n\r\n".encode()
        + sent
    )
    return upload


def answer_of(upload: socket.socket) -> bytes:
    """What the server sent on `upload` until it closed it."""
    received = b""
    while chunk := upload.recv(65536):
        received += chunk
    return received


def transcribe(server: Server, audio: bytes) -> httpx.Response:
    return httpx.post(f"{server.url}/invocations", content=audio, timeout=60)


@pytest.mark.parametrize(
    ("uploads", "declared", "refusal"),
    [(2, 1024**3, "server_busy"), (17, 1000, "queue_full")],
    ids=["two-stalled-1GiB-bodies", "seventeen-stalled-small-bodies"],
)
def test_stalled_uploads_time_out_and_free_their_places(
    server: Server, audio_bytes: Callable[[str], bytes], uploads: int, declared: int, refusal: str
) -> None:
    audio = audio_bytes("speech.ogg")
    with ExitStack() as stack:
        started = time.monotonic()
        stalled = [stack.enter_context(start_upload(server, declared, b"OggS")) for _ in range(uploads)]
        time.sleep(0.5)
        # While they hold the body budget (two 1 GiB declarations) or every place (1 running + 16 waiting).
        assert transcribe(server, audio).json()["error"] == refusal
        for upload in stalled:
            answer = answer_of(upload)
            assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
            assert b'"error":"body_timeout"' in answer
            assert b"the body stalled: 4 of " in answer
        assert time.monotonic() - started < BODY_TIMEOUT_SECONDS + SLACK_SECONDS
        served = transcribe(server, audio)
        assert served.status_code == 200, served.text
        assert "sunny and warm" in served.json()["text"].lower()
    outcomes = [line.get("outcome") for line in server.log_lines() if line["message"] == "invocation"]
    assert outcomes.count("body_timeout") >= uploads


def test_a_body_that_trickles_below_the_minimum_rate_times_out(server: Server) -> None:
    # One byte every half second never pauses long, but averages 2 bytes a second.
    with start_upload(server, 1000, b"O") as upload:
        started = time.monotonic()
        for byte in b"ggS\x00\x02\x00\x00":
            time.sleep(0.5)
            try:
                upload.sendall(bytes([byte]))
            except OSError:
                break  # closed by the server already
        answer = answer_of(upload)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b" of 1000 bytes in " in answer
    assert b"none in the last 0." in answer  # no long pause: the rate it kept stopped it
    assert time.monotonic() - started < BODY_TIMEOUT_SECONDS + SLACK_SECONDS
