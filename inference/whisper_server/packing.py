"""Cross-request packing: requests that wait for the worker are transcribed together.

SageMaker sends up to `maxConcurrentInvocationsPerInstance` requests at once. Each request still
runs one job through its JobQueue ticket (so admission, 503s, dropped clients and shutdown are
unchanged), but the job that runs first takes every request waiting at that moment, decodes their audio
and transcribes them with one `Transcriber.transcribe_many` call: their chunks share encoder and decoder
batches. The jobs of the requests it took find nothing left to do and end at once. Results are the same
as one by one, and a request that fails (undecodable audio, or a model error) fails alone. A client that
leaves while its request waits in a pack that already runs costs that pack its share of the work.
"""

from __future__ import annotations

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
    """From queueing until its pack started."""
    share_seconds: float
    """Its share of the pack's decoding and transcription time, in proportion to its audio: the
    shares of a pack add up to the pack's time."""
    pack_size: int


class _Entry:
    """A request waiting for a pack: how to build it (decode its body), then its outcome."""

    def __init__(self, prepare: Callable[[], Request]) -> None:
        self.prepare = prepare
        self.queued = time.perf_counter()
        self.request: Request | None = None
        self.outcome: Packed | Exception | None = None
        self.done = threading.Event()

    def finish(self, outcome: Packed | Exception) -> None:
        self.outcome = outcome
        self.done.set()


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
        entry = _Entry(prepare)
        with self._lock:
            self._waiting.append(entry)
        try:
            await ticket.run(self._run_pack)
        finally:
            with self._lock:  # refused (shutting down) or its client left before any pack took it
                if entry in self._waiting:
                    self._waiting.remove(entry)
        # This request's job has ended, and jobs run one at a time in arrival order: the pack that took
        # it ran in this job or an earlier one, so its outcome is there.
        if not entry.done.is_set():
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
        try:
            results = self.transcriber.transcribe_many([entry.request for entry in pack])  # type: ignore[misc]
        except Exception as e:  # transcribe_many reports failures per request; this is a safety net
            results = [e] * len(pack)
        seconds = time.perf_counter() - started
        audio = sum(entry.request.audio.shape[0] for entry in pack) or 1  # type: ignore[union-attr]
        for entry, result in zip(pack, results, strict=True):
            if isinstance(result, Exception):
                entry.finish(result)
                continue
            share = seconds * entry.request.audio.shape[0] / audio  # type: ignore[union-attr]
            entry.finish(Packed(result, started - entry.queued, share, len(pack)))

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
