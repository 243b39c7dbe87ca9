"""The queue and processing times a pack reports for each request are never negative, including for a
request that arrived while the pack was decoding the ones before it (it joined a running pack)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import numpy as np

from whisper_server.chunked import Request
from whisper_server.options import TranscribeOptions
from whisper_server.packing import RequestPacker, _Entry
from whisper_server.results import Transcription


class _EchoTranscriber:
    """Stands in for the model: the packer's bookkeeping is under test here, not the decoding."""

    def transcribe_many(
        self, requests: list[Request], finished: Callable[[int, Transcription | Exception], None]
    ) -> None:
        for index, _ in enumerate(requests):
            finished(
                index,
                Transcription(text="", language="en", language_probability=1.0, duration=1.0, segments=()),
            )


def test_a_request_that_joins_a_running_pack_waited_zero_seconds() -> None:
    loop = asyncio.new_event_loop()
    try:
        packer = RequestPacker(_EchoTranscriber(), max_requests=4)  # type: ignore[arg-type]
        second: list[_Entry] = []

        def prepare_second() -> Request:
            return Request(np.zeros(16000, dtype=np.float32), TranscribeOptions())

        def prepare_first() -> Request:
            # The second request arrives while the pack decodes the first one.
            time.sleep(0.05)
            entry = _Entry(prepare_second, loop)
            second.append(entry)
            with packer._lock:
                packer._waiting.append(entry)
            return Request(np.zeros(16000, dtype=np.float32), TranscribeOptions())

        first = _Entry(prepare_first, loop)
        packer._waiting.append(first)
        packer._run_pack()
        outcomes = [first.outcome, second[0].outcome]
        for outcome in outcomes:
            assert not isinstance(outcome, Exception) and outcome is not None, outcome
            assert outcome.queue_seconds >= 0, outcome.queue_seconds
            assert outcome.pack_seconds >= 0, outcome.pack_seconds
        assert outcomes[1].queue_seconds == 0  # type: ignore[union-attr]
        assert outcomes[0].pack_size == outcomes[1].pack_size == 2  # type: ignore[union-attr]
    finally:
        loop.close()
