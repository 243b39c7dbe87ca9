"""Idle connections cannot exhaust the server's file descriptors or lock out /ping."""

from __future__ import annotations

import resource
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from serving import Server, running_serve

FILE_LIMIT = 256
IDLE_CONNECTIONS = 300


def low_file_limit() -> None:
    """Runs in the child: a hard limit of 256 open files, which the server cannot raise."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))


@pytest.fixture(scope="module")
def server(model_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"WHISPER_IDLE_TIMEOUT_SECONDS": "2"}
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
