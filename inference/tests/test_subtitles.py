"""Subtitles on speech with known sentence timings (fixtures/audio/subtitles/): cue rules, the same words in
every rendering, Japanese line breaking, the cue options, and sentence-sized JSON segments.

English with the real tiny.en, Japanese with the multilingual Whisper base; one transcription per fixture
(module scope), rendered into every format.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import subtitle_score as ss
from conftest import SharedDecodes, cpu_settings
from fastapi.testclient import TestClient

from whisper_server import formats
from whisper_server.cues import MAX_PAUSE_IN_CUE, MIN_DURATION
from whisper_server.options import TranscribeOptions
from whisper_server.results import Transcription
from whisper_server.transcriber import Transcriber
from whisper_server.writing import NO_BREAK_AFTER, NO_BREAK_BEFORE, is_spaceless, line_width_for

FIXTURES = ss.fixtures()
ENGLISH = [name for name, f in FIXTURES.items() if f["language"] == "en"]
JAPANESE = [name for name, f in FIXTURES.items() if f["language"] == "ja"]


@dataclass(frozen=True)
class Rendered:
    """One fixture's transcription and its renderings."""

    name: str
    language: str
    result: Transcription
    options: TranscribeOptions

    @property
    def plain(self) -> str:
        return formats.to_text(self.result)

    @property
    def srt(self) -> str:
        return formats.to_srt(self.result, self.options)

    @property
    def vtt(self) -> str:
        return formats.to_vtt(self.result, self.options)


@pytest.fixture(scope="module")
def japanese_transcriber(multilingual_transcriber: Transcriber) -> Transcriber:
    return multilingual_transcriber


@pytest.fixture(scope="module")
def rendered(transcriber: Transcriber, japanese_transcriber: Transcriber) -> dict[str, Rendered]:
    out = {}
    for name, fixture in FIXTURES.items():
        language = fixture["language"]
        model = japanese_transcriber if language == "ja" else transcriber
        options = TranscribeOptions(language="ja") if language == "ja" else TranscribeOptions()
        audio = ss.audio(name)
        out[name] = Rendered(name, language, model.transcribe(audio, options), options)
    return out


@pytest.mark.parametrize("name", list(FIXTURES))
def test_one_transcript_four_renderings(rendered: dict[str, Rendered], name: str) -> None:
    """JSON text, text/plain, SRT and WebVTT: the same words in the same order (and none lost)."""
    r = rendered[name]
    body = formats.to_json(r.result, "m", 1.0)
    expected = ss.words(body["text"], r.language)
    assert expected, "nothing transcribed"
    assert ss.plain_words(r.plain, r.language) == expected
    assert ss.cue_words(ss.parse_cues(r.srt), r.language) == expected
    assert ss.cue_words(ss.parse_cues(r.vtt), r.language) == expected
    assert ss.words(" ".join(s["text"] for s in body["segments"]), r.language) == expected


@pytest.mark.parametrize("name", list(FIXTURES))
def test_cues_follow_the_style_and_the_speech(rendered: dict[str, Rendered], name: str) -> None:
    r = rendered[name]
    fixture = FIXTURES[name]
    cues = ss.parse_cues(r.srt)
    score = ss.score(cues, fixture["sentences"], fixture["duration"], line_width_for(r.language), r.language)
    assert score.lines_over == 0 and score.longest_line <= line_width_for(r.language)
    assert score.most_lines <= 2
    assert score.longest_cue <= 7.0
    assert score.overlaps == 0 and score.after_end == 0
    assert all(a.end <= b.start for a, b in itertools.pairwise(cues))
    assert score.missed_sentences == 0
    # No cue stays up through a pause or shows up long before its speech (the word timings are off by
    # a few tenths now and then; a cue held to MIN_DURATION may reach into the pause too).
    assert score.longest_in_a_pause <= MAX_PAUSE_IN_CUE
    assert score.shortest_cue >= min(MIN_DURATION, 0.3) or len(cues) == 1


def test_a_long_pause_is_an_empty_screen(rendered: dict[str, Rendered]) -> None:
    """The 45 s pause of the talk and the 60 s one of the gap file: no cue, no JSON segment across them."""
    for name in ("en_talk.ogg", "en_gap.ogg"):
        sentences = FIXTURES[name]["sentences"]
        gap = max(itertools.pairwise(sentences), key=lambda p: p[1]["start"] - p[0]["end"])
        quiet = (gap[0]["end"] + 1.0, gap[1]["start"] - 1.0)
        for cue in ss.parse_cues(rendered[name].srt):
            assert cue.end <= quiet[0] or cue.start >= quiet[1], (name, cue)
        for segment in rendered[name].result.segments:
            assert segment.end <= quiet[0] or segment.start >= quiet[1], (name, segment)


@pytest.mark.parametrize("name", ENGLISH)
def test_json_segments_are_sentences_timed_by_their_words(rendered: dict[str, Rendered], name: str) -> None:
    result = rendered[name].result
    sentences = FIXTURES[name]["sentences"]
    assert len(result.segments) >= len(sentences) - 2  # tiny.en runs a few sentences together
    for segment in result.segments:
        assert segment.words, segment
        assert (segment.start, segment.end) == (segment.words[0].start, segment.words[-1].end)
        assert segment.end - segment.start <= 12.0, segment
        assert all(b.start - a.end <= 1.5 for a, b in zip(segment.words, segment.words[1:], strict=False))


@pytest.mark.parametrize("name", JAPANESE)
def test_japanese_is_never_joined_with_spaces(rendered: dict[str, Rendered], name: str) -> None:
    r = rendered[name]
    texts = [r.result.text, r.plain, *(line for cue in ss.parse_cues(r.srt) for line in cue.lines)]
    texts += [s.text for s in r.result.segments]
    assert any(is_spaceless(character) for character in r.result.text)
    for text in texts:
        for index, character in enumerate(text):
            if character == " ":  # an ASCII space (text/plain's final newline is no join)
                neighbours = text[max(0, index - 1) : index] + text[index + 1 : index + 2]
                assert not any(is_spaceless(c) for c in neighbours), text


@pytest.mark.parametrize("name", JAPANESE)
def test_japanese_lines_break_by_the_rules(rendered: dict[str, Rendered], name: str) -> None:
    """At most 13 characters a line (Netflix's Japanese guide), never starting with closing punctuation
    or ending with an opening bracket."""
    for cue in ss.parse_cues(rendered[name].srt):
        for line in cue.lines:
            assert len(line) <= 13, cue
            assert line[0] not in NO_BREAK_BEFORE, cue
            assert line[-1] not in NO_BREAK_AFTER, cue


def test_the_options_set_the_limits(client: TestClient) -> None:
    body = ss.SUBTITLES.joinpath("en_talk.ogg").read_bytes()
    options = "max_line_width=20;max_line_count=3;max_cue_duration=2.5"
    response = client.post(
        "/invocations",
        content=body,
        headers={"Accept": "text/vtt", "X-Amzn-SageMaker-Custom-Attributes": options},
    )
    assert response.status_code == 200
    cues = ss.parse_cues(response.text)
    assert max(len(line) for cue in cues for line in cue.lines) <= 20
    assert max(len(cue.lines) for cue in cues) == 3
    assert max(cue.end - cue.start for cue in cues) <= 2.5
    default = client.post("/invocations", content=body, headers={"Accept": "text/vtt"}).text
    assert ss.cue_words(ss.parse_cues(default), "en") == ss.cue_words(cues, "en")


@pytest.mark.parametrize(
    ("header", "option"),
    [
        ("max_line_width=0", "max_line_width"),
        ("max_line_width=4", "max_line_width"),
        ("max_line_width=wide", "max_line_width"),
        ("max_line_width=201", "max_line_width"),
        ("max_line_count=0", "max_line_count"),
        ("max_line_count=1.5", "max_line_count"),
        ("max_line_count=11", "max_line_count"),
        ("max_cue_duration=0.5", "max_cue_duration"),
        ("max_cue_duration=61", "max_cue_duration"),
        ("max_cue_duration=-3", "max_cue_duration"),
    ],
)
def test_bad_cue_options_get_400_naming_them(client: TestClient, header: str, option: str) -> None:
    response = client.post(
        "/invocations",
        content=b"not read",
        headers={"Accept": "application/x-subrip", "X-Amzn-SageMaker-Custom-Attributes": header},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_option"
    assert f"'{option}'" in response.json()["message"]


def test_every_format_over_http_has_the_same_words(client: TestClient, shared_decode: SharedDecodes) -> None:
    body = ss.SUBTITLES.joinpath("en_conversation.ogg").read_bytes()
    # Every format of one request, as the server renders it (test_renderings.py: each is what a request for
    # that format alone gets).
    timed = shared_decode(client, body)
    as_json = timed["json"]
    expected = ss.words(as_json["text"], "en")
    assert ss.plain_words(timed["txt"], "en") == expected
    assert ss.cue_words(ss.parse_cues(timed["vtt"]), "en") == expected
    assert ss.cue_words(ss.parse_cues(timed["srt"]), "en") == expected
    assert as_json["model"] == "whisper-tiny.en"


def test_the_model_is_named(multilingual_model_dir: str, japanese_transcriber: Transcriber) -> None:
    assert japanese_transcriber.model_name == "whisper-base"
    assert Transcriber(cpu_settings(multilingual_model_dir, model_name="large-v3")).model_name == "large-v3"


def test_speaker_labels_keep_cues_to_one_speaker(
    speaker_client: TestClient, shared_decode: SharedDecodes
) -> None:
    body = ss.SUBTITLES.joinpath("en_conversation.ogg").read_bytes()
    renderings = shared_decode(speaker_client, body, "diarize=true")
    blocks = renderings["srt"].strip().split("\n\n")
    assert all(block.split("\n")[2].startswith("S") for block in blocks)
    as_json = renderings["json"]
    assert "words" not in as_json["segments"][0]  # kept for the cues, shown only with word_timestamps
    assert ss.cue_words(ss.parse_cues(renderings["srt"]), "en") == ss.words(as_json["text"], "en")


def test_vad_off_finds_the_lost_sentence_again(
    transcriber: Transcriber,
    audio_bytes: Callable[[str], bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With vad=false the decoder still loses the first sentence of the problem clip (as with the VAD);
    the dropped-speech check, fed the VAD's speech seconds of each window, finds it again."""
    from whisper_server import chunked
    from whisper_server.audio import decode

    name = "problem/dropped-first-sentence-a.flac"
    audio = decode(audio_bytes(name), max_seconds=60)
    options = TranscribeOptions(vad=False)
    with monkeypatch.context() as unchecked:
        unchecked.setattr(chunked, "looks_truncated", lambda *_: False)
        lost = transcriber.transcribe(audio, options).text
    assert "rain" not in lost.lower(), f"the clip no longer shows the problem: {lost}"
    before = transcriber.chunked.redecoded_chunks
    kept = transcriber.transcribe(audio, options).text
    assert transcriber.chunked.redecoded_chunks == before + 1
    assert "rain" in kept.lower() and "cold" in kept.lower(), kept
    assert len(kept) > 1.3 * len(lost)
