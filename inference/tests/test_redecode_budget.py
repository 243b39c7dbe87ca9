"""The re-decode budget bounds audio that fools the checks, never speech that got its words back, and a
chunk it leaves unchecked is reported in the JSON (`unchecked`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from conftest import cpu_settings
from wer import normalize

from whisper_server.audio import SAMPLE_RATE, decode
from whisper_server.formats import to_json
from whisper_server.options import TranscribeOptions
from whisper_server.results import Redecodes
from whisper_server.transcriber import Transcriber

# espeak-ng under white noise: tiny.en, decoding without timestamps, loses each one's first sentence
# (test_dropped_speech.py); the first is "It started to rain ...", the second "The bus ...".
PROBLEM_CLIPS = ["problem/dropped-first-sentence-a.flac", "problem/dropped-first-sentence-b.flac"]
PAUSE_SECONDS = 4.0
"""Longer than chunked.MAX_GAP_IN_CHUNK: the two clips become two chunks."""


def _two_clips(audio_bytes: Callable[[str], bytes]) -> np.ndarray:
    first, second = (decode(audio_bytes(name), max_seconds=60) for name in PROBLEM_CLIPS)
    return np.concatenate([first, np.zeros(int(PAUSE_SECONDS * SAMPLE_RATE), np.float32), second])


def test_speech_that_gets_its_words_back_does_not_spend_the_budget(
    model_dir: str, audio_bytes: Callable[[str], bytes]
) -> None:
    # Two chunks and a share of 0.25: a budget of one re-decode, and both chunks lost a sentence.
    transcriber = Transcriber(cpu_settings(model_dir, max_redecode_share=0.25))
    result = transcriber.transcribe(_two_clips(audio_bytes), TranscribeOptions())
    assert result.redecodes == Redecodes(truncated=2)
    assert result.unchecked == ()
    assert {"rain", "bus"} <= set(normalize(result.text))


def test_a_chunk_the_budget_leaves_is_reported_in_the_json(
    model_dir: str, audio_bytes: Callable[[str], bytes]
) -> None:
    transcriber = Transcriber(cpu_settings(model_dir, max_redecode_share=0))
    audio = _two_clips(audio_bytes)
    result = transcriber.transcribe(audio, TranscribeOptions())
    assert result.redecodes == Redecodes(over_budget=2)
    assert [span.check for span in result.unchecked] == ["too_short", "too_short"]
    first_seconds = len(decode(audio_bytes(PROBLEM_CLIPS[0]), max_seconds=60)) / SAMPLE_RATE
    first, second = result.unchecked
    # Each span covers its clip's speech, in the audio's own time (the pause between them left out).
    assert 0 <= first.start < 1.0 and first_seconds - 1.0 < first.end <= first_seconds + 0.5
    assert first_seconds + PAUSE_SECONDS - 0.5 < second.start < second.end <= audio.shape[0] / SAMPLE_RATE
    body = to_json(result, "whisper-tiny.en", 1.0)
    assert body["unchecked"] == [
        {"start": span.start, "end": span.end, "check": "too_short"} for span in result.unchecked
    ]


def test_the_json_has_no_unchecked_key_when_every_chunk_was_checked(
    transcriber: Transcriber, audio_bytes: Callable[[str], bytes]
) -> None:
    result = transcriber.transcribe(
        decode(audio_bytes(PROBLEM_CLIPS[0]), max_seconds=60), TranscribeOptions()
    )
    assert result.unchecked == ()
    assert "unchecked" not in to_json(result, "whisper-tiny.en", 1.0)
