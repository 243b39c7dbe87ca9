"""Batches decoded at once (WHISPER_PARALLEL_BATCHES): two batches' encoder and decoder run side by side on
two replicas of the model, and every request gets the same result as with one batch at a time."""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from whisper_server import chunked, windows
from whisper_server.audio import decode
from whisper_server.chunked import Batch, ChunkedDecoder, Request
from whisper_server.cores import usable_cores
from whisper_server.options import TranscribeOptions
from whisper_server.results import Transcription
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber

# Several batches: the meeting parts make one long request, the clips fill a batch of their own, and one
# request decodes a chunk at a time (batch_size=1).
CLIPS = ["clips/vm-newuser.ogg", "clips/tt-allbusy.ogg", "clips/demo-thanks.ogg", "speech.ogg"]


@pytest.fixture(scope="module")
def requests(audio_bytes: Callable[[str], bytes]) -> list[Request]:
    long = np.concatenate([decode(audio_bytes(f"meeting/part0{i}.ogg"), 60) for i in range(1, 5)])
    clips = [Request(decode(audio_bytes(name), 60), TranscribeOptions()) for name in CLIPS]
    return [Request(long, TranscribeOptions(batch_size=1)), *clips, Request(long, TranscribeOptions())]


@pytest.fixture(scope="module")
def transcriber(model_dir: str, transcriber_for: Callable[..., Transcriber]) -> Transcriber:
    """tiny.en decoding two batches at once, whatever the machine's cores (the default on 2 or more)."""
    return transcriber_for(model_dir, parallel_batches=2)


def _content(result: Transcription | Exception) -> object:
    assert isinstance(result, Transcription), result
    return result.text, [(s.start, s.end, s.text, s.words) for s in result.segments]


def _one_at_a_time(transcriber: Transcriber) -> Transcriber:
    """The same loaded model, its batches decoded one at a time."""
    serial = Transcriber.__new__(Transcriber)
    serial.__dict__.update(transcriber.__dict__)
    chunked = transcriber.chunked
    serial.chunked = ChunkedDecoder(chunked.model, replace(chunked.settings, parallel_batches=1))
    return serial


def test_cpu_decodes_two_batches_at_once_on_two_one_thread_replicas(transcriber: Transcriber) -> None:
    assert transcriber.chunked.settings.parallel_batches == 2
    assert transcriber.model.model.num_workers == 2  # replicas: one per batch decoded at once
    assert transcriber.cpu_threads == max(1, usable_cores() // 2)  # the cores shared out


def test_two_batches_are_encoded_and_decoded_at_once(
    transcriber: Transcriber, requests: list[Request], monkeypatch: pytest.MonkeyPatch
) -> None:
    both_running = threading.Barrier(2, timeout=20)
    threads: set[int] = set()
    alone = ChunkedDecoder._encode_and_generate

    calls = itertools.count()

    def beside_another(self: ChunkedDecoder, batch: Batch) -> Any:
        if next(calls) < 2:  # the first two batches
            threads.add(threading.get_ident())
            both_running.wait()  # passes only while a second batch is computed at the same time
        return alone(self, batch)

    monkeypatch.setattr(ChunkedDecoder, "_encode_and_generate", beside_another)
    result = transcriber.transcribe(requests[0].audio, requests[0].options)  # a chunk a batch: several
    assert len(threads) == 2
    assert "meeting" in result.text.lower()


def test_parallel_batches_give_every_request_what_one_at_a_time_gives(
    transcriber: Transcriber, requests: list[Request]
) -> None:
    serial = _one_at_a_time(transcriber)
    expected = [_content(result) for result in serial.transcribe_many(requests)]
    assert [_content(result) for result in transcriber.transcribe_many(requests)] == expected
    assert _content(transcriber.transcribe(requests[0].audio, requests[0].options)) == expected[0]


def test_the_default_is_two_on_cpu_at_most_the_cores_and_one_on_cuda() -> None:
    settings = Settings()
    assert [settings.resolve_parallel_batches("cpu", cores) for cores in (1, 2, 16)] == [1, 2, 2]
    assert settings.resolve_parallel_batches("cuda", 16) == 1
    assert Settings(parallel_batches=3).resolve_parallel_batches("cuda", 1) == 3
    assert Settings(batched=False).resolve_parallel_batches("cpu", 16) == 1  # one window after another
    # Threads: the cores shared out among the replicas, unless WHISPER_CPU_THREADS says.
    assert [settings.resolve_cpu_threads(2, cores) for cores in (1, 2, 5, 16)] == [1, 1, 2, 8]
    assert Settings(cpu_threads=3).resolve_cpu_threads(2, 16) == 3


def test_a_short_request_alone_is_split_over_both_replicas_with_the_same_result(
    transcriber: Transcriber, requests: list[Request], monkeypatch: pytest.MonkeyPatch
) -> None:
    speech = requests[-1]  # the meeting parts: a few chunks of one window size, one batch
    serial = _one_at_a_time(transcriber)
    expected = _content(serial.transcribe(speech.audio, speech.options))
    sizes: list[int] = []
    alone = ChunkedDecoder._encode_and_generate

    def counted(self: ChunkedDecoder, batch: Batch) -> Any:
        sizes.append(len(batch.members))
        return alone(self, batch)

    monkeypatch.setattr(ChunkedDecoder, "_encode_and_generate", counted)
    assert _content(transcriber.transcribe(speech.audio, speech.options)) == expected
    chunks = sizes[0] + sizes[1]
    assert chunks >= 2 and sizes[:2] == [(chunks + 1) // 2, chunks // 2], sizes


def test_words_timed_from_the_alignment_made_ahead_are_faster_whispers_own(
    transcriber: Transcriber, requests: list[Request]
) -> None:
    # The alignment is made on the thread that decoded the batch and handed to faster-whisper's
    # add_word_timestamps (chunked._AlignedModel): its words must be the ones that method makes itself.
    decoder = transcriber.chunked
    plan = decoder._plan(requests[-1])
    batch = decoder._batch(plan.decoding, [(plan, chunk) for chunk in plan.chunks[:2]])
    generated = decoder._encode_and_generate(batch)
    assert len(generated.alignments) == 2  # on CPU each chunk is aligned on its own
    decoded_pieces = copy.deepcopy(generated.pieces)  # as decoded: taking them times their words in place
    decoder._take_decoded(batch, generated)
    ahead = [
        [(w.start, w.end, w.word, w.probability) for s in chunk.segments for w in s.words or ()]
        for _, chunk in batch.members
    ]
    encoded = windows.encode(
        transcriber.model.model,
        [windows.fit_features(c.features, c.window_seconds) for _, c in batch.members],
    )
    last = 0.0
    own = []
    for index, pieces in enumerate(decoded_pieces):
        last = transcriber.model.add_word_timestamps(
            [pieces],
            batch.tokenizer,
            windows.storage(encoded[[index]]),
            [chunked._frames(batch.members[index][1])],
            chunked.PREPEND_PUNCTUATIONS,
            chunked.APPEND_PUNCTUATIONS,
            last,
        )
        own.append([(w["start"], w["end"], w["word"], w["probability"]) for p in pieces for w in p["words"]])
    assert ahead == own and all(own)
