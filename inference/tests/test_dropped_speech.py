"""Never drop speech: clips on which tiny.en loses a sentence get it back, real recordings lose none."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pytest
from conftest import wav_bytes
from fastapi.testclient import TestClient
from wer import normalize, word_error_rate

from whisper_server import chunked
from whisper_server.audio import decode
from whisper_server.chunked import Request
from whisper_server.dropped_speech import is_clearly_longer, looks_truncated, speech_seconds
from whisper_server.options import TranscribeOptions
from whisper_server.results import Redecodes
from whisper_server.transcriber import Transcriber

# espeak-ng under white noise; decoded without timestamps, tiny.en returns only the last two sentences.
PROBLEM_CLIPS = ["problem/dropped-first-sentence-a.flac", "problem/dropped-first-sentence-b.flac"]


def test_a_chunk_is_judged_by_characters_per_second_of_speech() -> None:
    sentence = "The concert was cancelled because the singer had a cold."  # 56 characters
    assert not looks_truncated(sentence, 4.0, "en")  # 14 a second: normal speech
    assert looks_truncated(sentence, 8.0, "en")  # 7 a second: half of it is missing
    assert looks_truncated("", 3.0, "en")  # speech and no text at all
    assert not looks_truncated("Yes.", 0.8, "en")  # too little speech to judge
    # Other scripts by their own rate (test_languages.py): two Chinese characters are short for 3 s too.
    assert looks_truncated("你好", 3.0, "zh")


def test_speech_seconds_leave_out_the_vad_padding() -> None:
    # Two regions of 2 s and 0.5 s, each padded with 0.4 s a side: 1.2 s and (at most half) 0.25 s of speech.
    assert speech_seconds([32000, 8000], 6400, 16000) == pytest.approx(1.45)
    assert speech_seconds([32000], 0, 16000) == 2.0  # VAD off: no padding


def test_a_re_decode_replaces_the_text_only_when_clearly_longer() -> None:
    first = "The concert was cancelled because the singer had a cold."
    assert is_clearly_longer("He forgot his umbrella. " + first, first)
    assert not is_clearly_longer("The concert was canceled because the singer had a cold!", first)
    assert is_clearly_longer("Anything.", "")
    # tiny.en looped on a re-decode of a 5 s clip whose first text was right: a loop never wins.
    assert not is_clearly_longer(
        "location, " * 18 + "19th to listen to it.", "Location. 19. To listen to it."
    )


def _words_kept(reference: str, text: str) -> float:
    return len(normalize(text)) / len(normalize(reference))


@pytest.mark.parametrize("floor", [15, 30])
@pytest.mark.parametrize("name", PROBLEM_CLIPS)
def test_problem_clips_lose_a_sentence_without_the_check_and_keep_it_with_it(
    model_dir: str,
    transcriber_for: Callable[..., Transcriber],
    audio_bytes: Callable[[str], bytes],
    transcripts: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    floor: int,
) -> None:
    transcriber = transcriber_for(model_dir, min_window_seconds=floor)  # shared: its counters as differences
    audio = decode(audio_bytes(name), max_seconds=60)
    reference = transcripts[name]

    with monkeypatch.context() as unchecked:
        unchecked.setattr(chunked, "looks_truncated", lambda *_: False)
        lost = transcriber.transcribe(audio, TranscribeOptions()).text
    assert _words_kept(reference, lost) < 0.75, f"the clip no longer shows the problem: {lost}"
    assert "rain" not in normalize(lost)  # the first sentence's last word

    redecoded = transcriber.chunked.redecoded_chunks
    kept = transcriber.transcribe(audio, TranscribeOptions()).text
    assert transcriber.chunked.redecoded_chunks == redecoded + 1
    assert _words_kept(reference, kept) >= 0.9, kept
    assert {"rain", "cold"} <= set(normalize(kept)), kept


def test_real_recordings_keep_every_sentence_without_re_decoding(
    transcriber: Transcriber, audio_bytes: Callable[[str], bytes], transcripts: dict[str, str]
) -> None:
    redecoded = transcriber.chunked.redecoded_chunks
    names = sorted(name for name in transcripts if name.startswith("clips/"))
    requests = [Request(decode(audio_bytes(name), max_seconds=60), TranscribeOptions()) for name in names]
    results = transcriber.transcribe_many(requests)
    for name, result in zip(names, results, strict=True):
        assert not isinstance(result, Exception), name
        assert _words_kept(transcripts[name], result.text) >= 0.9, (name, result.text)
        assert word_error_rate(transcripts[name], result.text) <= 0.2, (name, result.text)
    # No false alarm on clean human speech: the check costs nothing there.
    assert transcriber.chunked.redecoded_chunks == redecoded


@pytest.mark.parametrize("kind", ["white noise", "digital silence"])
def test_noise_and_silence_without_the_vad_are_not_re_decoded(transcriber: Transcriber, kind: str) -> None:
    # With vad=false each 30 s window of noise decoded to nothing (or to "you" over silence, which the
    # silence filter drops) and counted as 30 s of speech that lost all its words: every window was decoded
    # again, sequentially, for nothing.
    samples = 60 * 16000
    audio = (
        np.random.default_rng(24).uniform(-1.0, 1.0, samples).astype(np.float32)
        if kind == "white noise"
        else np.zeros(samples, dtype=np.float32)
    )
    before = transcriber.chunked.redecoded_chunks
    result = transcriber.transcribe(audio, TranscribeOptions(vad=False))
    assert result.text == ""
    assert transcriber.chunked.redecoded_chunks == before
    assert result.redecodes == Redecodes()


def test_the_re_decode_budget_bounds_a_request_and_the_log_line_counts(
    model_dir: str,
    transcriber_for: Callable[..., Transcriber],
    client: TestClient,
    audio_bytes: Callable[[str], bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    name = PROBLEM_CLIPS[0]
    spent = transcriber_for(model_dir, max_redecode_share=0).transcribe(
        decode(audio_bytes(name), max_seconds=60), TranscribeOptions()
    )
    assert spent.redecodes == Redecodes(over_budget=1)  # it looked truncated, and was left as it was
    assert "rain" not in normalize(spent.text)

    with caplog.at_level(logging.INFO, logger="whisper_server"):
        for body in (audio_bytes(name), wav_bytes(np.zeros(16000 * 5, dtype=np.float32))):
            assert client.post("/invocations", content=body).status_code == 200
    lines = [r for r in caplog.records if r.getMessage() == "invocation"]
    counts = [(r.redecoded_chunks, r.widened_chunks, r.redecodes_over_budget) for r in lines]  # type: ignore[attr-defined]
    assert counts == [(1, 0, 0), (0, 0, 0)]
