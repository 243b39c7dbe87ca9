"""The diarizer in a child process of its own, so that it never holds the server's interpreter.

ONNX Runtime's calls from Python keep the GIL while they run (for seconds on long audio), and so did
sherpa-onnx's: with diarization in the server's process, /ping went unanswered for as long as it ran (20 s
on a 5-minute file) and SIGTERM could not be acted on until it ended. Here the server only sends the audio
down a pipe and waits on it, which releases the GIL; the child runs the models.

One request at a time (the server's single inference worker calls it). A request whose transcription
fails, or a child that dies, costs a restart (the models load again, about a second); the next request
finds a fresh child. The child is a daemon process: it is terminated when the server exits, and it exits
by itself when the server's end of the pipe closes (a server killed with SIGKILL leaves no orphan).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from .diarizer import Diarizer, DiarizerConfig, require_models
from .speaker_labels import SpeakerTurn

log = logging.getLogger(__name__)
# spawn, not fork: the server has threads (a fork copies their locks in whatever state they are).
_CONTEXT = multiprocessing.get_context("spawn")
STOP_SECONDS = 2.0
"""How long `close` waits for the child after SIGTERM before SIGKILL."""


@dataclass(frozen=True)
class _Request:
    samples: int
    speakers: int | None
    min_speakers: int | None
    max_speakers: int | None


class DiarizationProcess:
    """A `Diarizer` running in a child process; `diarize` and `start` as the in-process one."""

    def __init__(self, config: DiarizerConfig) -> None:
        require_models(config.model_dir)
        self.config = config
        self._lock = threading.Lock()  # one request at a time, from submit to its answer
        self._process: Any = None
        self._pipe: Connection | None = None
        self.sample_rate = self._spawn()

    @property
    def pid(self) -> int | None:
        """The child's process id (None while none runs)."""
        return self._process.pid if self._process is not None else None

    def start(
        self,
        audio: np.ndarray,
        speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
    ) -> PendingTurns:
        """Sends `audio` to the child and returns at once; `result()` of the answer waits for the turns."""
        self._lock.acquire()
        try:
            if self._process is None or not self._process.is_alive():
                self._spawn()
            samples = np.ascontiguousarray(audio, dtype=np.float32)
            assert self._pipe is not None
            self._pipe.send(_Request(samples.size, speakers, min_speakers, max_speakers))
            self._pipe.send_bytes(memoryview(samples).cast("B"))
        except BaseException:
            self._stop()
            self._lock.release()
            raise
        return PendingTurns(self)

    def diarize(
        self,
        audio: np.ndarray,
        speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
    ) -> list[SpeakerTurn]:
        """Speaker turns of `audio` (see `Diarizer.diarize`)."""
        return self.start(audio, speakers, min_speakers, max_speakers).result()

    def close(self) -> None:
        """Stops the child (a running request's answer is lost)."""
        self._stop()

    def _answer(self) -> tuple[list[SpeakerTurn], float]:
        """The running request's turns and the seconds the child took; releases the request's turn."""
        try:
            assert self._pipe is not None
            kind, value, seconds = self._pipe.recv()
        except (EOFError, OSError) as e:
            code = self._process.exitcode if self._process is not None else None
            self._stop()
            raise RuntimeError(f"the diarization process ended unexpectedly (exit code {code})") from e
        finally:
            self._lock.release()
        if kind == "error":
            raise RuntimeError(f"diarization failed: {value}")
        return value, seconds

    def _abandon(self) -> None:
        """Gives up on the running request: the child is stopped (a new one starts on the next)."""
        self._stop()
        self._lock.release()

    def _spawn(self) -> int:
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=_serve, args=(child, self.config), name="diarization", daemon=True)
        process.start()
        child.close()
        try:
            kind, value, _ = parent.recv()
        except EOFError as e:
            process.join(STOP_SECONDS)
            raise RuntimeError(f"the diarization process did not start (exit code {process.exitcode})") from e
        if kind == "error":
            process.join(STOP_SECONDS)
            raise RuntimeError(f"the diarization process did not start: {value}")
        self._process, self._pipe = process, parent
        return int(value)

    def _stop(self) -> None:
        process, pipe = self._process, self._pipe
        self._process = self._pipe = None
        if pipe is not None:
            pipe.close()
        if process is not None and process.is_alive():
            process.terminate()
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()


class PendingTurns:
    """The answer to one `DiarizationProcess.start`: call `result()` or `cancel()` exactly once."""

    def __init__(self, owner: DiarizationProcess) -> None:
        self._owner = owner
        self.seconds = 0.0
        """Seconds the child spent on the request, once `result()` returned."""

    def result(self) -> list[SpeakerTurn]:
        turns, self.seconds = self._owner._answer()
        return turns

    def cancel(self) -> None:
        self._owner._abandon()


def _serve(pipe: Connection, config: DiarizerConfig) -> None:
    """The child: loads the models, then answers requests until the pipe closes."""
    # Ctrl-C in a terminal signals the whole process group; the server decides when the child stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        diarizer = Diarizer(config)
    except Exception as e:
        pipe.send(("error", str(e), 0.0))
        return
    pipe.send(("ready", diarizer.sample_rate, 0.0))
    while True:
        try:
            request: _Request = pipe.recv()
            audio = np.frombuffer(pipe.recv_bytes(), dtype=np.float32, count=request.samples)
        except (EOFError, OSError):
            return
        started = time.perf_counter()
        try:
            turns = diarizer.diarize(audio, request.speakers, request.min_speakers, request.max_speakers)
            answer: tuple[str, Any, float] = ("turns", turns, time.perf_counter() - started)
        except Exception as e:  # the server answers 500 and logs it
            answer = ("error", f"{type(e).__name__}: {e}", time.perf_counter() - started)
        try:
            pipe.send(answer)
        except (EOFError, OSError):
            return
