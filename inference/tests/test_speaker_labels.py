"""Speaker labels on a transcription (speaker_labels.py) and how each format shows them (formats.py)."""

from __future__ import annotations

import pytest

from whisper_server import formats
from whisper_server.results import LabelledTurn, Segment, Speaker, SpeakerCount, Transcription, Word
from whisper_server.speaker_labels import SpeakerTurn, label_speakers, speaker_count, speaker_of

# Cluster 7 talks first, then cluster 3: labels follow first appearance, not cluster numbers.
TURNS = [SpeakerTurn(0.0, 2.0, 7), SpeakerTurn(2.2, 4.0, 3), SpeakerTurn(4.1, 6.0, 7)]


def words(*spec: tuple[float, float, str]) -> tuple[Word, ...]:
    return tuple(Word(start, end, text, 0.9) for start, end, text in spec)


def transcription(*segments: Segment) -> Transcription:
    return Transcription(
        text=" ".join(s.text for s in segments),
        language="en",
        language_probability=1.0,
        duration=6.0,
        segments=segments,
    )


def test_speaker_of_prefers_overlap_then_nearest() -> None:
    assert speaker_of(0.5, 1.0, TURNS) == 7
    assert speaker_of(1.9, 2.5, TURNS) == 3  # 0.1 s with 7, 0.3 s with 3
    assert speaker_of(2.05, 2.15, TURNS) == 7  # in the gap, nearer the end of the first turn
    assert speaker_of(6.5, 6.8, TURNS) == 7  # after the last turn
    assert speaker_of(1.0, 2.0, []) == 0  # no turns at all


def test_a_word_in_an_interjection_goes_to_the_interjecting_speaker() -> None:
    # Cluster 1 holds the floor 8.4-13.2 s; cluster 2 says "Okay." over it at 9.9-10.5 s.
    turns = [SpeakerTurn(8.4, 13.2, 1), SpeakerTurn(9.9, 10.5, 2), SpeakerTurn(13.5, 15.8, 2)]
    assert speaker_of(9.95, 10.4, turns) == 2  # inside both turns: the interjection wins
    assert speaker_of(9.7, 10.0, turns) == 1  # mostly before the interjection: most overlap, as before
    assert speaker_of(11.0, 11.4, turns) == 1  # outside the overlap: unchanged
    # Two turns that overlap at a hand-over (neither inside the other): most overlap, as before.
    handover = [SpeakerTurn(0.0, 2.0, 1), SpeakerTurn(1.8, 4.0, 2)]
    assert speaker_of(1.7, 1.95, handover) == 1


def test_segment_split_where_the_speaker_changes() -> None:
    segment = Segment(
        id=0,
        start=0.0,
        end=5.0,
        text="Hello there. Hi! How are you?",
        words=words((0.1, 0.6, "Hello"), (0.7, 1.5, "there."), (2.3, 2.8, "Hi!"), (4.2, 4.5, "How"),
                    (4.5, 4.7, "are"), (4.7, 5.0, "you?")),
    )  # fmt: skip
    labelled = label_speakers(transcription(segment), TURNS, keep_words=True)

    assert [(s.id, s.speaker, s.text, s.start, s.end) for s in labelled.segments] == [
        (0, "S1", "Hello there.", 0.1, 1.5),
        (1, "S2", "Hi!", 2.3, 2.8),
        (2, "S1", "How are you?", 4.2, 5.0),
    ]
    assert [w.speaker for s in labelled.segments for w in s.words or ()] == [
        "S1",
        "S1",
        "S2",
        "S1",
        "S1",
        "S1",
    ]
    assert labelled.speakers == (Speaker("S1", 3.9), Speaker("S2", 1.8))
    assert labelled.text == transcription(segment).text  # the text itself is untouched


def test_one_speaker_segment_kept_as_whisper_wrote_it() -> None:
    segment = Segment(
        id=0,
        start=0.0,
        end=1.9,
        text=" Hello  there.",
        words=words((0.1, 0.6, "Hello"), (0.7, 1.5, "there.")),
    )
    labelled = label_speakers(transcription(segment), TURNS, keep_words=False)
    assert labelled.segments == (Segment(id=0, start=0.0, end=1.9, text=" Hello  there.", speaker="S1"),)


def test_segments_without_words_labelled_whole() -> None:
    first = Segment(id=0, start=2.3, end=3.9, text="Hi!")
    second = Segment(id=1, start=4.2, end=5.0, text="How are you?")
    labelled = label_speakers(transcription(first, second), TURNS, keep_words=False)
    assert [(s.speaker, s.text) for s in labelled.segments] == [("S1", "Hi!"), ("S2", "How are you?")]


def test_languages_without_spaces_join_without_them() -> None:
    segment = Segment(
        id=0, start=0.0, end=3.0, text="你好吗", words=words((0.5, 1.0, "你好"), (2.5, 2.9, "吗"))
    )
    labelled = label_speakers(transcription(segment), TURNS, keep_words=False)
    assert [s.text for s in labelled.segments] == ["你好", "吗"]


def test_no_turns_gives_one_speaker() -> None:
    segment = Segment(id=0, start=0.0, end=1.0, text="Hello.", words=words((0.1, 0.6, "Hello.")))
    labelled = label_speakers(transcription(segment), [], keep_words=True)
    assert [s.speaker for s in labelled.segments] == ["S1"]
    assert labelled.speakers == (Speaker("S1", 0.0),)


def test_silence_gives_empty_speakers() -> None:
    labelled = label_speakers(transcription(), [], keep_words=False)
    assert labelled.segments == ()
    assert labelled.speakers == ()


def test_speaker_without_words_still_listed_with_the_speech_that_has_none() -> None:
    segment = Segment(id=0, start=0.0, end=1.0, text="Hello.", words=words((0.1, 0.6, "Hello.")))
    labelled = label_speakers(transcription(segment), TURNS, keep_words=False)
    # S1's second turn and all of S2's have no words: the timeline keeps them and says so.
    assert labelled.speakers == (Speaker("S1", 3.9, 1.9), Speaker("S2", 1.8, 1.8))
    assert labelled.speaker_turns == (
        LabelledTurn("S1", 0.0, 2.0, transcribed=True),
        LabelledTurn("S2", 2.2, 4.0, transcribed=False),
        LabelledTurn("S1", 4.1, 6.0, transcribed=False),
    )


def test_a_word_of_another_speaker_does_not_make_a_turn_transcribed() -> None:
    # "Hi!" falls mostly in S1's first turn, so it is S1's: S2's turn, which it touches, still has no words.
    segment = Segment(id=0, start=1.5, end=2.3, text="Hi!", words=words((1.5, 2.3, "Hi!")))
    labelled = label_speakers(transcription(segment), TURNS, keep_words=True)
    assert [t.transcribed for t in labelled.speaker_turns or ()] == [True, False, False]


LABELLED = Transcription(
    text="Hello there. Hi! How are you?",
    language="en",
    language_probability=1.0,
    duration=6.0,
    segments=(
        Segment(id=0, start=0.1, end=1.5, text="Hello there.", speaker="S1"),
        Segment(id=1, start=1.6, end=1.9, text="Welcome.", speaker="S1"),
        Segment(id=2, start=2.3, end=2.8, text="Hi!", speaker="S2"),
        Segment(id=3, start=4.2, end=5.0, text="How are you?", speaker="S1"),
    ),
    speakers=(Speaker("S1", 3.9), Speaker("S2", 1.8)),
)


@pytest.mark.parametrize(
    ("render", "expected"),
    [
        (formats.to_text, "S1: Hello there. Welcome.\nS2: Hi!\nS1: How are you?\n"),
        (
            formats.to_vtt,
            "WEBVTT\n\n00:00:00.100 --> 00:00:01.500\n<v S1>Hello there.\n\n"
            # Held to a second, into the pause before the next cue (cues.MIN_DURATION).
            "00:00:01.600 --> 00:00:02.300\n<v S1>Welcome.\n\n"
            "00:00:02.300 --> 00:00:03.300\n<v S2>Hi!\n\n"
            "00:00:04.200 --> 00:00:05.200\n<v S1>How are you?\n",
        ),
        (
            formats.to_srt,
            "1\n00:00:00,100 --> 00:00:01,500\nS1: Hello there.\n\n"
            "2\n00:00:01,600 --> 00:00:02,300\nS1: Welcome.\n\n"
            "3\n00:00:02,300 --> 00:00:03,300\nS2: Hi!\n\n"
            "4\n00:00:04,200 --> 00:00:05,200\nS1: How are you?\n",
        ),
    ],
)
def test_text_formats_show_speakers(render: formats.Callable[[Transcription], str], expected: str) -> None:
    assert render(LABELLED) == expected


def test_json_has_speakers() -> None:
    body = formats.to_json(LABELLED, "tiny", 1.0)
    assert body["speakers"] == [
        {"speaker": "S1", "talk_time": 3.9, "untranscribed_time": 0.0},
        {"speaker": "S2", "talk_time": 1.8, "untranscribed_time": 0.0},
    ]
    assert "speaker_turns" not in body  # only what the labelling gave: LABELLED has no timeline
    assert [s["speaker"] for s in body["segments"]] == ["S1", "S1", "S2", "S1"]


def test_json_has_the_speaker_timeline() -> None:
    segment = Segment(id=0, start=0.0, end=1.0, text="Hello.", words=words((0.1, 0.6, "Hello.")))
    body = formats.to_json(label_speakers(transcription(segment), TURNS, keep_words=False), "tiny", 1.0)
    assert body["speaker_turns"] == [
        {"speaker": "S1", "start": 0.0, "end": 2.0, "transcribed": True},
        {"speaker": "S2", "start": 2.2, "end": 4.0, "transcribed": False},
        {"speaker": "S1", "start": 4.1, "end": 6.0, "transcribed": False},
    ]
    assert body["speakers"][1] == {"speaker": "S2", "talk_time": 1.8, "untranscribed_time": 1.8}


def test_formats_unchanged_without_speakers() -> None:
    plain = Transcription(
        text="Hello there.",
        language="en",
        language_probability=1.0,
        duration=2.0,
        segments=(Segment(id=0, start=0.1, end=1.5, text="Hello there.", words=words((0.1, 1.5, "Hello"))),),
    )
    body = formats.to_json(plain, "tiny", 1.0, words=True)
    assert "speakers" not in body
    assert "speaker" not in body["segments"][0]
    assert "speaker" not in body["segments"][0]["words"][0]
    assert formats.to_text(plain) == "Hello there.\n"
    assert formats.to_srt(plain) == "1\n00:00:00,100 --> 00:00:01,500\nHello there.\n"
    assert formats.to_vtt(plain) == "WEBVTT\n\n00:00:00.100 --> 00:00:01.500\nHello there.\n"


@pytest.mark.parametrize(
    ("found", "asked", "requested", "met"),
    [
        (2, {}, None, True),
        (2, {"speakers": 2}, "speakers=2", True),
        (2, {"speakers": 3}, "speakers=3", False),
        (3, {"min_speakers": 2, "max_speakers": 4}, "min_speakers=2;max_speakers=4", True),
        (1, {"min_speakers": 2}, "min_speakers=2", False),
        (5, {"max_speakers": 4}, "max_speakers=4", False),
        (0, {"speakers": 3}, "speakers=3", True),  # silence: nobody to count
    ],
)
def test_speaker_count_against_the_request(
    found: int, asked: dict[str, int], requested: str | None, met: bool
) -> None:
    assert speaker_count(
        found, asked.get("speakers"), asked.get("min_speakers"), asked.get("max_speakers")
    ) == (SpeakerCount(found=found, requested=requested, met=met))
