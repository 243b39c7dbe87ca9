"""The decoder's cascade (cascade.py): each chunk greedily first, and with the beam again only where greedy
was unsure; on CPU by default, off on CUDA."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import cpu_settings

from whisper_server import cascade
from whisper_server.audio import decode
from whisper_server.cascade import GreedyText, is_unsure
from whisper_server.chunked import Request
from whisper_server.options import TranscribeOptions
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber

SURE = GreedyText(
    text="The conference is now muted. Please enter your conference number.",
    avg_logprob=-0.05,
    tokens=14,
    max_tokens=445,
    speech_seconds=4.0,
    language="en",
)


def _with(**changes: Any) -> GreedyText:
    return GreedyText(**{**SURE.__dict__, **changes})


def test_a_confident_complete_greedy_text_is_kept() -> None:
    assert not is_unsure(SURE)


@pytest.mark.parametrize(
    "greedy",
    [
        _with(avg_logprob=cascade.MIN_GREEDY_LOGPROB - 0.01),
        _with(text="Please enter your conference number. Please enter your conference number."),
        _with(text="the the the the the the the the the the the the the the the the the the the the"),
        _with(text="Muted.", speech_seconds=4.0),
        _with(tokens=445),
    ],
    ids=["unsure", "a sentence twice", "a loop", "too short for its speech", "never ended"],
)
def test_greedy_is_unsure_of(greedy: GreedyText) -> None:
    assert is_unsure(greedy)


def test_the_threshold_is_a_bound_not_a_point() -> None:
    assert not is_unsure(_with(avg_logprob=cascade.MIN_GREEDY_LOGPROB))
    assert is_unsure(_with(avg_logprob=-0.1), min_logprob=-0.05)


def test_greedy_first_is_the_cpu_default_and_off_on_cuda() -> None:
    assert (Settings().resolve_greedy_first("cpu"), Settings().resolve_greedy_first("cuda")) == (True, False)
    assert Settings(greedy_first=False).resolve_greedy_first("cpu") is False
    assert Settings(greedy_first=True).resolve_greedy_first("cuda") is True


class RecordingModel:
    """The CTranslate2 model with each `generate` call's beam size and batch size recorded."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self.calls: list[tuple[int, int]] = []

    def generate(self, features: Any, prompts: list[list[int]], **kwargs: Any) -> Any:
        self.calls.append((kwargs["beam_size"], len(prompts)))
        return self._model.generate(features, prompts, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def _recorded(model_dir: str, **settings: Any) -> tuple[Transcriber, RecordingModel]:
    transcriber = Transcriber(cpu_settings(model_dir, **settings))
    recording = RecordingModel(transcriber.model.model)
    transcriber.model.model = recording
    return transcriber, recording


def _clips(audio_bytes: Callable[[str], bytes]) -> list[np.ndarray]:
    names = ["clips/demo-thanks.ogg", "clips/ss-noservice.ogg", "meeting/part07.ogg"]
    return [decode(audio_bytes(name), max_seconds=60) for name in names]


def _texts(transcriber: Transcriber, clips: list[np.ndarray]) -> list[str]:
    results = transcriber.transcribe_many([Request(clip, TranscribeOptions()) for clip in clips])
    return [result.text for result in results if not isinstance(result, Exception)]


def test_chunks_greedy_is_sure_of_are_decoded_once_greedily(
    model_dir: str, audio_bytes: Callable[[str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cascade, "is_unsure", lambda greedy: False)
    transcriber, recording = _recorded(model_dir, greedy_first=True)
    _texts(transcriber, _clips(audio_bytes))
    assert recording.calls and {beam for beam, _ in recording.calls} == {1}
    assert transcriber.chunked.greedy_chunks == sum(size for _, size in recording.calls)
    assert transcriber.chunked.beam_chunks == 0


def test_chunks_greedy_is_unsure_of_get_the_beams_text(
    model_dir: str, audio_bytes: Callable[[str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    clips = _clips(audio_bytes)
    beam_only, beam_calls = _recorded(model_dir, greedy_first=False)
    expected = _texts(beam_only, clips)
    assert {beam for beam, _ in beam_calls.calls} == {5}
    monkeypatch.setattr(cascade, "is_unsure", lambda greedy: True)
    transcriber, recording = _recorded(model_dir, greedy_first=True)
    assert _texts(transcriber, clips) == expected
    # Each batch greedily, then the same chunks with the beam.
    assert recording.calls == [
        call for size in [c[1] for c in beam_calls.calls] for call in [(1, size), (5, size)]
    ]
    assert transcriber.chunked.beam_chunks == transcriber.chunked.greedy_chunks > 0


def test_the_cascade_is_not_used_with_a_beam_of_one(
    model_dir: str, audio_bytes: Callable[[str], bytes]
) -> None:
    transcriber, recording = _recorded(model_dir, greedy_first=True, beam_size=1)
    _texts(transcriber, _clips(audio_bytes)[:1])
    assert {beam for beam, _ in recording.calls} == {1}
    assert transcriber.chunked.greedy_chunks == 0
