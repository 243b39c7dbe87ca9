"""The diarizer in a child process of its own, so that it never holds the server's interpreter.

ONNX Runtime's calls from Python keep the GIL while they run (for seconds on long audio), and so did
sherpa-onnx's: with diarization in the server's process, /ping went unanswered for as long as it ran (20 s
on a 5-minute file) and SIGTERM could not be acted on until it ended. Here the server only sends the audio
down a pipe and waits on it, which releases the GIL; the child runs the models.

One request at a time (the server's single inference worker calls it). A request whose transcription
fails, or a child that dies, costs a restart (the models load again, about a second); the next request
finds a fresh child. The child is a daemon process: it is terminated when the server exits, and it exits
by itself when the server's end of the pipe closes (a server killed with SIGKILL leaves no orphan).

A child that stops answering (stopped, deadlocked, swapping) must not hold the only worker forever while
/ping stays green: each request has a deadline that grows with its audio (`DiarizationDeadline`), counted
from when it was sent. The audio goes down the pipe from a thread of its own, since writing to a child that
reads nothing blocks once the pipe's buffer is full. Past the deadline the child is killed (the next request
starts a new one) and the request fails with `DiarizationFailed`, a retryable 503, as it does when the child
dies: the same request sent again finds a fresh child.
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
from .errors import RequestError
from .speaker_labels import SpeakerTurn

log = logging.getLogger(__name__)
# spawn, not fork: the server has threads (a fork copies their locks in whatever state they are).
_CONTEXT = multiprocessing.get_context("spawn")
STOP_SECONDS = 2.0
"""How long `close` waits for the child after SIGTERM before SIGKILL."""
START_SECONDS = 120.0
"""How long a new child may take to load its models and say it is ready."""


@dataclass(frozen=True)
class DiarizationDeadline:
    """How long the child may take for one request: `base_seconds` plus `seconds_per_audio_second` for each
    second of its audio (WHISPER_DIARIZATION_TIMEOUT_SECONDS and
    WHISPER_DIARIZATION_TIMEOUT_PER_AUDIO_SECOND; defaults 60 and 0.5)."""

    base_seconds: float = 60.0
    seconds_per_audio_second: float = 0.5

    def seconds(self, audio_seconds: float) -> float:
        """The deadline of a request of `audio_seconds`, in seconds from when it is sent."""
        return self.base_seconds + self.seconds_per_audio_second * audio_seconds


class DiarizationFailed(RequestError):
    """The child died or missed its deadline: a retryable 503 (the next request gets a new child)."""

    def __init__(self, what: str) -> None:
        super().__init__(
            503,
            "diarization_failed",
            f"labelling speakers failed: {what}; the diarization process was restarted, send the request "
            "again",
        )


@dataclass(frozen=True)
class _Request:
    samples: int
    speakers: int | None
    min_speakers: int | None
    max_speakers: int | None


class DiarizationProcess:
    """A `Diarizer` running in a child process; `diarize` and `start` as the in-process one."""

    def __init__(self, config: DiarizerConfig, deadline: DiarizationDeadline | None = None) -> None:
        require_models(config.model_dir)
        self.config = config
        self.deadline = deadline or DiarizationDeadline()
        self._lock = threading.Lock()  # one request at a time, from submit to its answer
        self._process: Any = None
        self._pipe: Connection | None = None
        self._sender: threading.Thread | None = None
        self._due = 0.0  # time.monotonic() by which the running request must be answered
        self._allowed = 0.0  # its deadline in seconds, for the message
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
            self._allowed = self.deadline.seconds(samples.size / self.sample_rate)
            self._due = time.monotonic() + self._allowed
            request = _Request(samples.size, speakers, min_speakers, max_speakers)
            assert self._pipe is not None
            self._sender = threading.Thread(
                target=_send, args=(self._pipe, request, samples), name="diarization-send", daemon=True
            )
            self._sender.start()
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
        """The running request's turns and the seconds the child took; releases the request's turn.

        Raises DiarizationFailed when the child dies or misses the deadline (it is then killed), and
        RuntimeError when the diarizer itself raised.
        """
        try:
            assert self._pipe is not None
            if not self._pipe.poll(max(0.0, self._due - time.monotonic())):
                pid = self.pid
                self._stop(force=True)
                log.error(
                    "the diarization process missed its deadline; killed",
                    extra={"pid": pid, "deadline_seconds": round(self._allowed, 1)},
                )
                raise DiarizationFailed(f"no answer within {self._allowed:.0f} s")
            kind, value, seconds = self._pipe.recv()
        except (EOFError, OSError) as e:
            code = self._process.exitcode if self._process is not None else None
            self._stop()
            log.error("the diarization process ended unexpectedly", extra={"exit_code": code})
            raise DiarizationFailed(f"the diarization process ended unexpectedly (exit code {code})") from e
        finally:
            self._end_request()
        if kind == "error":
            raise RuntimeError(f"diarization failed: {value}")
        return value, seconds

    def _abandon(self) -> None:
        """Gives up on the running request: the child is stopped (a new one starts on the next)."""
        self._stop()
        self._end_request()

    def _end_request(self) -> None:
        """Frees the request's turn, once its sending thread has ended."""
        self._join_sender()
        self._lock.release()

    def _join_sender(self) -> None:
        sender, self._sender = self._sender, None
        if sender is not None:
            sender.join()

    def _spawn(self) -> int:
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=_serve, args=(child, self.config), name="diarization", daemon=True)
        process.start()
        child.close()
        try:
            if not parent.poll(START_SECONDS):
                process.kill()
                raise EOFError(f"no answer in {START_SECONDS:g} s")
            kind, value, _ = parent.recv()
        except EOFError as e:
            process.join(STOP_SECONDS)
            raise RuntimeError(f"the diarization process did not start (exit code {process.exitcode})") from e
        if kind == "error":
            process.join(STOP_SECONDS)
            raise RuntimeError(f"the diarization process did not start: {value}")
        self._process, self._pipe = process, parent
        return int(value)

    def _stop(self, force: bool = False) -> None:
        """Stops the child: SIGTERM, then SIGKILL after STOP_SECONDS; `force`: SIGKILL at once (a stopped
        or hung child would not act on SIGTERM)."""
        process, pipe = self._process, self._pipe
        self._process = self._pipe = None
        if process is not None and process.is_alive():
            if not force:
                process.terminate()
                process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        # The child is gone, so a sending thread fails now instead of blocking; the pipe closes after it.
        self._join_sender()
        if pipe is not None:
            pipe.close()


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


def _send(pipe: Connection, request: _Request, samples: np.ndarray) -> None:
    """Sends one request down the pipe (in its own thread: it blocks while the child reads nothing)."""
    try:
        pipe.send(request)
        pipe.send_bytes(memoryview(samples).cast("B"))
    except (OSError, ValueError):
        pass  # the child is gone or was stopped: `_answer` finds out and says so


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
