"""Several requests decoded together give each the result it gets alone; a bad one fails alone."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from whisper_server.audio import decode
from whisper_server.chunked import Batch, ChunkedDecoder, Request
from whisper_server.options import TranscribeOptions
from whisper_server.results import Transcription
from whisper_server.transcriber import Transcriber

# Mixed lengths (one and two windows), options that share batches and options that do not.
MIXED = [
    ("clips/vm-newuser.ogg", TranscribeOptions()),
    ("meeting/part02.ogg", TranscribeOptions()),
    ("speech.ogg", TranscribeOptions(word_timestamps=True)),
    ("clips/tt-allbusy.ogg", TranscribeOptions(beam_size=2)),
    ("clips/demo-thanks.ogg", TranscribeOptions()),
    ("silence.flac", TranscribeOptions()),
    ("clips/pm-invalid-option.ogg", TranscribeOptions(word_timestamps=True)),
]


@pytest.fixture(scope="module")
def requests(audio_bytes: Callable[[str], bytes]) -> list[Request]:
    long = np.concatenate([decode(audio_bytes(f"meeting/part0{i}.ogg"), 60) for i in range(1, 6)])
    mixed = [Request(decode(audio_bytes(name), 60), options) for name, options in MIXED]
    return [*mixed, Request(long, TranscribeOptions())]


def _content(result: Transcription | Exception) -> object:
    assert isinstance(result, Transcription), result
    return result.text, [(s.start, s.end, s.text, s.words) for s in result.segments]


def test_packed_requests_match_one_by_one(transcriber: Transcriber, requests: list[Request]) -> None:
    alone = [transcriber.transcribe(r.audio, r.options) for r in requests]
    together = transcriber.transcribe_many(requests)
    assert [_content(r) for r in together] == [_content(r) for r in alone]
    assert together[5].text == ""  # silence stays silent in company too
    assert all(result.text for i, result in enumerate(alone) if i != 5)


def test_a_request_that_cannot_be_planned_fails_alone(
    transcriber: Transcriber, requests: list[Request]
) -> None:
    broken = Request(np.zeros((2, 16000), dtype=np.float32), TranscribeOptions())
    results = transcriber.transcribe_many([requests[0], broken, requests[1]])
    assert isinstance(results[1], ValueError)
    assert "1-D float32" in str(results[1])
    assert _content(results[0]) == _content(transcriber.transcribe(requests[0].audio, requests[0].options))
    assert _content(results[2]) == _content(transcriber.transcribe(requests[1].audio, requests[1].options))


def test_a_request_that_breaks_a_shared_batch_fails_alone(
    transcriber: Transcriber, requests: list[Request], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A device error while the poisoned request's chunk is in the batch (say, out of memory on its
    # window); the batch it shared with the others fails as a whole first.
    # (It is raised on the thread that computes the batch ahead, and reaches the request where it is taken.)
    poisoned = Request(requests[4].audio.copy(), TranscribeOptions())
    original = ChunkedDecoder._encode_and_generate

    def failing(self: ChunkedDecoder, batch: Batch) -> tuple[np.ndarray, list]:
        if any(plan.request is poisoned for plan, _ in batch.members):
            raise RuntimeError("CUDA failed with error out of memory")
        return original(self, batch)

    expected = [_content(transcriber.transcribe(r.audio, r.options)) for r in requests[:2]]
    monkeypatch.setattr(ChunkedDecoder, "_encode_and_generate", failing)
    results = transcriber.transcribe_many([requests[0], poisoned, requests[1]])
    assert isinstance(results[1], RuntimeError)
    assert [_content(results[0]), _content(results[2])] == expected
    assert isinstance(transcriber.transcribe_many([poisoned])[0], RuntimeError)
