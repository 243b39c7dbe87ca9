"""An exception raised while a request's result is reported (`on_result`, or turning what was decoded into
a Transcription) fails that request with its own error; the other requests of the pack keep theirs."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import AUDIO_DIR

from whisper_server.audio import decode
from whisper_server.chunked import Request
from whisper_server.options import TranscribeOptions
from whisper_server.results import Transcription
from whisper_server.transcriber import Transcriber


class CallbackBroke(RuntimeError):
    pass


def _requests() -> list[Request]:
    speech = decode((AUDIO_DIR / "clips" / "demo-thanks.ogg").read_bytes(), max_seconds=60)
    return [Request(speech, TranscribeOptions()) for _ in range(3)]


@pytest.mark.parametrize("batched", [True, False])
def test_an_exception_in_on_result_fails_that_request_alone(
    model_dir: str, transcriber_for: object, batched: bool
) -> None:
    transcriber: Transcriber = transcriber_for(model_dir, batched=batched)  # type: ignore[operator]
    heard: list[tuple[int, object]] = []

    def on_result(index: int, outcome: Transcription | Exception) -> None:
        heard.append((index, outcome))
        if index == 0:
            raise CallbackBroke("the listener of request 0 broke")

    results = transcriber.transcribe_many(_requests(), on_result)
    assert isinstance(results[0], CallbackBroke)
    assert str(results[0]) == "the listener of request 0 broke"
    assert [type(result) for result in results[1:]] == [Transcription, Transcription]
    assert results[1].text == results[2].text and "thank" in results[1].text.lower()  # type: ignore[union-attr]
    # Each request's outcome is reported once, in order.
    assert [index for index, _ in heard] == [0, 1, 2]


def test_a_result_that_fails_to_assemble_fails_that_request_alone(
    transcriber: Transcriber, monkeypatch: pytest.MonkeyPatch
) -> None:
    assemble = Transcriber._result
    calls = []

    def first_fails(self: Transcriber, audio: np.ndarray, decoded: object) -> Transcription:
        calls.append(audio)
        if len(calls) == 1:
            raise CallbackBroke("assembling request 0 failed")
        return assemble(self, audio, decoded)  # type: ignore[arg-type]

    monkeypatch.setattr(Transcriber, "_result", first_fails)
    heard: list[tuple[int, object]] = []
    results = transcriber.transcribe_many(_requests(), lambda i, outcome: heard.append((i, outcome)))
    assert isinstance(results[0], CallbackBroke)
    assert [type(result) for result in results[1:]] == [Transcription, Transcription]
    assert [(index, type(outcome)) for index, outcome in heard] == [
        (0, CallbackBroke),
        (1, Transcription),
        (2, Transcription),
    ]
