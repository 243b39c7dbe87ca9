"""Starts the real `serve` command on 127.0.0.1 in a subprocess, as SageMaker starts the container."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
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
