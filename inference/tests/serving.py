"""Starts the real `serve` command on 127.0.0.1 in a subprocess, as SageMaker starts the container."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx


@dataclass
class Server:
    url: str
    port: int
    log_path: Path
    temp_dir: Path
    process: subprocess.Popen[bytes]
    seen_ids: list[str] = field(default_factory=list)

    def log_lines(self) -> list[dict[str, object]]:
        lines = self.log_path.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_serve(
    model_dir: str, base: Path, env: dict[str, str], preexec_fn: Callable[[], None] | None = None
) -> Iterator[Server]:
    """`serve serve` with MODEL_DIR, HOST, PORT, CPU and `env`; healthy when yielded, stopped after."""
    temp_dir = base / "tmp"
    temp_dir.mkdir()
    port = free_port()
    full_env = {
        **os.environ,
        "MODEL_DIR": model_dir,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WHISPER_DEVICE": "cpu",
        # Anything that writes a temp file (Python's tempfile, FFmpeg) would put it here.
        "TMPDIR": str(temp_dir),
        **env,
    }
    serve = Path(sys.executable).parent / "serve"
    log_path = base / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(serve), "serve"], env=full_env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=preexec_fn
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{url}/ping", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not become healthy in 60 s"
            time.sleep(0.2)
        yield Server(url, port, log_path, temp_dir, process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Shutdown:
    """What a SIGTERM with one request running and one waiting came to (times from `time.monotonic`)."""

    answered: dict[str, float]
    signalled: float
    exited_after: float


Post = Callable[[Server, bytes, str, dict[str, httpx.Response]], None]


def sigterm_while_busy(
    server: Server, post: Post, running: bytes, waiting: bytes, head_start: float, exit_timeout: float
) -> Shutdown:
    """Sends `running` as request "cut-short", `head_start` s later `waiting` as "never-started", then
    SIGTERM; asserts that the server exits (status 0 or SIGTERM) within `exit_timeout` and that both
    requests got the retryable 503 `shutting_down`."""
    results: dict[str, httpx.Response] = {}
    answered: dict[str, float] = {}

    def send(body: bytes, request_id: str) -> None:
        post(server, body, request_id, results)
        answered[request_id] = time.monotonic()

    first = threading.Thread(target=send, args=(running, "cut-short"))
    first.start()
    time.sleep(head_start)
    second = threading.Thread(target=send, args=(waiting, "never-started"))
    second.start()
    time.sleep(0.5)
    assert first.is_alive() and second.is_alive()

    signalled = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=exit_timeout) in (0, -signal.SIGTERM)
    exited_after = time.monotonic() - signalled
    first.join(5)
    second.join(5)
    for request_id in ("cut-short", "never-started"):
        response = results[request_id]
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "shutting_down"
    return Shutdown(answered, signalled, exited_after)
