"""Cross-request packing: requests that wait for the worker are transcribed together.

SageMaker sends up to `maxConcurrentInvocationsPerInstance` requests at once. Each request still
runs one job through its JobQueue ticket (so admission, 503s, dropped clients and shutdown are
unchanged), but the job that runs first takes every request waiting at that moment, decodes their audio
and transcribes them with one `Transcriber.transcribe_many` call: their chunks share encoder and decoder
batches. Results are the same as one by one, and a request that fails (undecodable audio, or a model error)
fails alone. A client that leaves while its request waits in a pack that already runs costs that pack its
share of the work.

A pack is worked through in arrival order and each request is answered as soon as its own chunks are done
(chunked.py): an earlier short request never waits for a later long one, only for the later chunks that
fill its batches. Its job, if it still waits, is dropped then; the jobs of the others end at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .audio import SAMPLE_RATE
from .chunked import Request
from .jobs import Ticket
from .results import Transcription
from .transcriber import Transcriber

PACK_MAX_AUDIO_SECONDS = 600.0
"""A pack stops growing once it holds this much audio: long requests gain nothing from company (they
fill batches on their own) and each holds its samples in memory until the pack is done."""


@dataclass
class Packed:
    """What a request gets back: its transcription, its times, and the size of its pack."""

    transcription: Transcription
    queue_seconds: float
    """From queueing until its pack started (0 for a request that joined a pack already running)."""
    pack_seconds: float
    """From its pack's start (or its arrival, when it joined a running pack) until its result was ready:
    the audio decoding of the pack, its own chunks and those that shared their batches."""
    share_seconds: float
    """Its share of the pack's time: from the previous request of the pack being done (or the pack's
    start) until it was, so that the shares of a pack add up to the pack's time."""
    pack_size: int


class _Entry:
    """A request waiting for a pack: how to build it (decode its body), then its outcome."""

    def __init__(self, prepare: Callable[[], Request], loop: asyncio.AbstractEventLoop) -> None:
        self.prepare = prepare
        self.queued = time.perf_counter()
        self.request: Request | None = None
        self.outcome: Packed | Exception | None = None
        self.done = threading.Event()
        self.ready: asyncio.Future[None] = loop.create_future()
        """Set on the event loop once `outcome` is there."""

    def finish(self, outcome: Packed | Exception, wake: bool = True) -> None:
        """Called once, from the worker thread. Without `wake` the request learns of it when its job ends
        (which, for the last of a pack, is after the pack's place in the queue is free again)."""
        self.outcome = outcome
        self.done.set()
        if not wake:
            return

        def wake() -> None:
            if not self.ready.done():
                self.ready.set_result(None)

        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            self.ready.get_loop().call_soon_threadsafe(wake)


class RequestPacker:
    """Packs waiting requests for one Transcriber, at most `max_requests` at a time."""

    def __init__(self, transcriber: Transcriber, max_requests: int) -> None:
        self.transcriber = transcriber
        self.max_requests = max_requests
        self._waiting: list[_Entry] = []
        self._lock = threading.Lock()  # the event loop adds entries, the worker thread takes them

    async def transcribe(self, prepare: Callable[[], Request], ticket: Ticket) -> Packed:
        """Transcribes the request `prepare` builds (in the worker thread), through the request's queue
        `ticket`; raises what failed it."""
        entry = _Entry(prepare, asyncio.get_running_loop())
        with self._lock:
            self._waiting.append(entry)
        job = asyncio.ensure_future(ticket.run(self._run_pack))
        try:
            await asyncio.wait({job, entry.ready}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not job.done():
                # Answered by a pack that goes on for later requests (or its client left): a job that still
                # waits is dropped, a running one goes on for the others.
                job.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await job
            with self._lock:  # refused (shutting down) or its client left before any pack took it
                if entry in self._waiting:
                    self._waiting.remove(entry)
        if not entry.done.is_set():
            job.result()  # raises what refused the job (shutting down)
            # Jobs run one at a time in arrival order: a pack took this request in this job or an earlier
            # one, which set its outcome before the job ended.
            raise RuntimeError("request was not transcribed")
        if isinstance(entry.outcome, Exception):
            raise entry.outcome
        assert entry.outcome is not None
        return entry.outcome

    def _run_pack(self) -> None:
        """The worker's job: takes the waiting requests, decodes them, transcribes them together."""
        started = time.perf_counter()
        pack = self._take()
        if not pack:
            return  # an earlier pack took this job's request
        last_done = started
        left = len(pack)

        def finished(index: int, result: Transcription | Exception) -> None:
            # The last of the pack is answered once the job has ended, as a request alone is: a client that
            # has its answer finds the pack's place in the queue free (jobs.py).
            nonlocal last_done, left
            entry, now = pack[index], time.perf_counter()
            left -= 1
            if isinstance(result, Exception):
                entry.finish(result, wake=left > 0)
                return
            share, last_done = now - last_done, now
            # A request that arrived while the pack was taking (decoding) the ones before it joined a
            # running pack: it waited for nothing, and its processing began when it arrived.
            began = max(started, entry.queued)
            entry.finish(Packed(result, began - entry.queued, now - began, share, len(pack)), wake=left > 0)

        try:
            self.transcriber.transcribe_many([entry.request for entry in pack], finished)  # type: ignore[misc]
        except Exception as e:  # transcribe_many reports failures per request; this is a safety net
            for entry in pack:
                if not entry.done.is_set():
                    entry.finish(e, wake=False)

    def _take(self) -> list[_Entry]:
        """Waiting entries with their audio decoded, up to `max_requests` and about
        PACK_MAX_AUDIO_SECONDS of audio; one whose audio cannot be decoded finishes with its error."""
        pack: list[_Entry] = []
        audio_seconds = 0.0
        while len(pack) < self.max_requests:
            with self._lock:
                if not self._waiting:
                    break
                entry = self._waiting.pop(0)
            if entry.request is None:
                try:
                    entry.request = entry.prepare()
                except Exception as e:
                    entry.finish(e)
                    continue
            seconds = entry.request.audio.shape[0] / SAMPLE_RATE
            if pack and audio_seconds + seconds > PACK_MAX_AUDIO_SECONDS:
                with self._lock:  # first in line for the next pack, its audio already decoded
                    self._waiting.insert(0, entry)
                break
            pack.append(entry)
            audio_seconds += seconds
        return pack
