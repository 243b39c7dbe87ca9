"""Every script is guarded: dropped and repeated speech in Japanese with the multilingual Whisper base, the
per-script thresholds, and what the JSON says about the model's languages.

The clips are fixtures/audio/multilingual/ja-*.ogg (pyopenjtalk-plus, fixtures/make_multilingual.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import AUDIO_DIR, cpu_settings
from fastapi.testclient import TestClient

from whisper_server import chunked
from whisper_server.app import create_app
from whisper_server.audio import decode
from whisper_server.dropped_speech import MIN_CHARS_PER_SECOND, looks_truncated
from whisper_server.options import TranscribeOptions
from whisper_server.repeated_speech import repeats_a_sentence
from whisper_server.transcriber import Transcriber
from whisper_server.writing_systems import HAN, KANA, LATIN, script_family

REFERENCES = json.loads((AUDIO_DIR / "multilingual" / "references.json").read_text())
OPTIONS = "X-Amzn-SageMaker-Custom-Attributes"


@pytest.fixture(scope="module")
def base(multilingual_transcriber: Transcriber) -> Transcriber:
    return multilingual_transcriber


def _audio(name: str):
    return decode((AUDIO_DIR / name).read_bytes(), max_seconds=60)


def test_each_script_is_judged_by_its_own_rate() -> None:
    # ja-1 says 46 characters in 7.0 s of speech (6.6 a second): complete in Japanese, never in English.
    japanese = REFERENCES["multilingual/ja-1.ogg"]["text"]
    assert not looks_truncated(japanese, 7.0, "ja")
    assert len(japanese) < MIN_CHARS_PER_SECOND[LATIN] * 7.0
    # The same chunk less its middle sentence (27 characters, 3.9 a second) has lost speech.
    sentences = REFERENCES["multilingual/ja-1.ogg"]["sentences"]
    assert looks_truncated(sentences[0] + sentences[2], 7.0, "ja")
    assert looks_truncated("", 3.0, "zh")  # speech and no text at all, in any script
    assert not looks_truncated("今天的会议现在开始。", 3.5, "zh")  # 10 characters: espeak-ng's slow Mandarin
    # A translation is English text, judged as English whatever was spoken.
    assert looks_truncated("Let us start.", 7.0, "ja")


def test_script_families() -> None:
    assert script_family("今日の会議を始めます。") == KANA
    assert script_family("今天的会议现在开始。") == HAN
    assert script_family("Guten Morgen zusammen.") == LATIN
    assert script_family("123 ...") == LATIN


def test_japanese_sentence_ends_split_sentences() -> None:
    assert repeats_a_sentence("今日の会議を始めます。来月から始めます。来月から始めます。")
    assert repeats_a_sentence("来月から始めます！ 来月から始めます？")  # noqa: RUF001
    assert not repeats_a_sentence("ありがとう。ありがとう。")  # short ones are said twice for real
    assert not repeats_a_sentence("来月から始めます。来月から始めません。")


def test_a_japanese_chunk_that_lost_a_sentence_gets_it_back(base: Transcriber) -> None:
    # ja-4 says its last sentence twice, and Whisper base decoding the 9 s chunk without timestamps (the
    # batched path) returns it once: 27 characters for 6.6 s of speech, 4.1 a second. The check spots
    # it and the sequential re-decode with timestamps finds the sentence again.
    name = "multilingual/ja-4.ogg"
    redecoded = base.chunked.redecoded_chunks
    result = base.transcribe(_audio(name), TranscribeOptions())
    assert base.chunked.redecoded_chunks == redecoded + 1
    assert result.text.count("新しい担当者") == 2, result.text
    assert result.text.startswith("今日の会議を始めます")


def test_without_the_check_the_sentence_stays_lost(
    base: Transcriber, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same clip with the dropped-speech checks off: what a Japanese user got when the check skipped
    # Japanese (the language list this replaces). The check for a region of speech without words finds it
    # on its own too (the lost sentence's region holds no word).
    monkeypatch.setattr(chunked, "looks_truncated", lambda *_: False)
    alone = base.transcribe(_audio("multilingual/ja-4.ogg"), TranscribeOptions())
    assert alone.text.count("新しい担当者") == 2, alone.text
    monkeypatch.setattr(chunked, "wordless_regions", lambda *_: 0)
    result = base.transcribe(_audio("multilingual/ja-4.ogg"), TranscribeOptions())
    assert result.text.count("新しい担当者") == 1, f"the clip no longer shows the problem: {result.text}"


def test_japanese_clips_are_not_decoded_twice(base: Transcriber) -> None:
    # No false alarm on complete Japanese transcripts: no second decode of any chunk.
    redecoded, widened = base.chunked.redecoded_chunks, base.chunked.widened_chunks
    for name in ("multilingual/ja-1.ogg", "multilingual/ja-2.ogg", "multilingual/ja-3.ogg"):
        result = base.transcribe(_audio(name), TranscribeOptions())
        assert result.language == "ja"
        assert script_family(result.text) == KANA
    assert (base.chunked.redecoded_chunks, base.chunked.widened_chunks) == (redecoded, widened)


def test_a_japanese_sentence_said_twice_is_decoded_again(
    base: Transcriber, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whisper base said no Japanese sentence twice on these clips, so the repetition is made: decoded in a
    # window shorter than 30 s, ja-1's chunk comes back with its last sentence twice, as tiny.en does in
    # 10 s windows. The check must spot it (full-width sentence ends, no spaces) and the real decode in a
    # 30 s window replace it.
    real_take = chunked.ChunkedDecoder._take_decoded

    def say_the_last_sentence_twice(self, batch, generated):  # type: ignore[no-untyped-def]
        real_take(self, batch, generated)
        for _, chunk in batch.members:
            if chunk.window_seconds < 30:
                last = chunk.segments[-1]
                ends = [i for i, c in enumerate(last.text) if c == "。"]
                last.text += last.text[ends[-2] + 1 :]

    monkeypatch.setattr(chunked.ChunkedDecoder, "_take_decoded", say_the_last_sentence_twice)
    widened = base.chunked.widened_chunks
    result = base.transcribe(_audio("multilingual/ja-1.ogg"), TranscribeOptions())
    assert base.chunked.widened_chunks == widened + 1
    assert result.text.count("来月から") == 1, result.text


def test_a_german_chunk_that_loops_is_decoded_again(
    base: Transcriber, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whisper base looped on a short sentence ("Μέχρι τότε." a dozen times) at the end of a 14.9 s chunk in
    # a 15 s window of the language benchmark's Greek MBROLA voice, whose audio cannot be committed. The
    # loop is made here on a committed German clip, as long as such loops run (until the decoder's length
    # limit): each sentence of it is two words, too short for the sentence check, so only the loop check
    # (compression ratio) spots it; a 30 s window decodes the chunk right.
    real_take = chunked.ChunkedDecoder._take_decoded

    def loop_at_the_end(self, batch, generated):  # type: ignore[no-untyped-def]
        real_take(self, batch, generated)
        for _, chunk in batch.members:
            if chunk.window_seconds < 30:
                chunk.segments[-1].text += " Bis dann." * 40

    monkeypatch.setattr(chunked.ChunkedDecoder, "_take_decoded", loop_at_the_end)
    widened = base.chunked.widened_chunks
    result = base.transcribe(_audio("multilingual/de-1.ogg"), TranscribeOptions())
    assert base.chunked.widened_chunks == widened + 1
    assert "Bis dann" not in result.text, result.text
    assert result.text.startswith("Guten Morgen"), result.text


def test_the_json_says_whether_the_model_is_multilingual(
    client: TestClient, base: Transcriber, multilingual_model_dir: str, audio_bytes: Callable[[str], bytes]
) -> None:
    english = client.post("/invocations", content=audio_bytes("speech.ogg"))
    assert english.status_code == 200, english.text
    assert english.json()["multilingual"] is False
    app = create_app(cpu_settings(multilingual_model_dir), transcriber=base)
    with TestClient(app) as multilingual:
        body = multilingual.post("/invocations", content=audio_bytes("multilingual/ja-1.ogg")).json()
    assert body["multilingual"] is True
    assert body["language"] == "ja" and body["language_probability"] > 0.9


def test_a_hint_the_model_does_not_know_is_refused(
    client: TestClient, audio_bytes: Callable[[str], bytes]
) -> None:
    response = client.post(
        "/invocations", content=audio_bytes("speech.ogg"), headers={OPTIONS: "language=ja"}
    )
    assert response.status_code == 400
    assert "'ja' is not supported by this model; supported: en" in response.json()["message"]


def test_references_list_every_committed_clip() -> None:
    committed = {f"multilingual/{p.name}" for p in Path(AUDIO_DIR / "multilingual").glob("*-*.ogg")}
    assert committed == set(REFERENCES)
