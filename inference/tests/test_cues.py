"""Cue building and line breaking as pure functions, on word lists with chosen timings."""

from __future__ import annotations

import itertools

from whisper_server import writing
from whisper_server.cues import Cue, CueStyle, build_cues
from whisper_server.results import Segment, Word
from whisper_server.sentences import split_sentences, words_text


def spoken(
    text: str, start: float, word_seconds: float = 0.3, gap: float = 0.05, **labels: str
) -> list[Word]:
    """Words of `text` (split at spaces) said one after another from `start`."""
    words, at = [], start
    for token in text.split():
        words.append(Word(round(at, 3), round(at + word_seconds, 3), token, 0.9, labels.get("speaker")))
        at += word_seconds + gap
    return words


def characters(text: str, start: float, seconds: float = 0.12) -> list[Word]:
    """Japanese as Whisper times it: one unit per character, no spaces."""
    return [
        Word(round(start + i * seconds, 3), round(start + (i + 1) * seconds, 3), c, 0.9, spaced=False)
        for i, c in enumerate(text)
    ]


def cues_of(words: list[Word], duration: float = 600.0, language: str = "en", **limits: float) -> list[Cue]:
    segment = Segment(0, words[0].start, words[-1].end, words_text(words), tuple(words))
    return build_cues([segment], duration, CueStyle.for_language(language, **limits))  # type: ignore[arg-type]


def check_invariants(cues: list[Cue], duration: float) -> None:
    for a, b in itertools.pairwise(cues):
        assert a.end <= b.start, (a, b)
    assert all(0 <= c.start < c.end <= duration for c in cues)


def test_lines_and_cues_keep_to_the_limits_and_break_at_punctuation() -> None:
    text = (
        "Today we will look at three things: hiring, the new office, and the budget for next year, "
        "which is the longest part of the meeting because there is a lot to say about it."
    )
    cues = cues_of(spoken(text, 1.0))
    check_invariants(cues, 600)
    assert all(len(line) <= 42 for c in cues for line in c.lines)
    assert all(len(c.lines) <= 2 and c.end - c.start <= 7.0 for c in cues)
    assert " ".join(c.text for c in cues) == text
    # The first cut falls at clause punctuation, not between two plain words.
    assert cues[0].text.endswith((",", ":"))


def test_a_sentence_gets_its_own_cue_when_it_is_long_enough_to_read() -> None:
    words = spoken("The library opens at nine. Please return your books on time.", 0.5)
    assert [c.text for c in cues_of(words)] == [
        "The library opens at nine.",
        "Please return your books on time.",
    ]


def test_a_pause_over_a_second_ends_the_cue_and_no_cue_spans_it() -> None:
    first = spoken("Thank you all", 0.5)
    second = spoken("for coming", first[-1].end + 45.0)
    cues = cues_of(first + second)
    assert [c.text for c in cues] == ["Thank you all", "for coming"]
    assert cues[0].end <= first[-1].end + 1.0
    assert cues[1].start == second[0].start


def test_a_short_cue_is_held_a_second_but_never_over_the_next() -> None:
    cues = cues_of(spoken("Yes.", 1.0) + spoken("I will send it over now.", 2.5))
    assert [(c.text, c.start, c.end) for c in cues] == [
        ("Yes.", 1.0, 2.0),
        ("I will send it over now.", 2.5, 4.55),
    ]
    answer = spoken("Yes.", 1.0, speaker="S1") + spoken("Then send it over now.", 1.65, speaker="S2")
    cues = build_cues(
        [Segment(0, 1, 3, words_text(answer), tuple(answer))], 10.0, CueStyle.for_language("en")
    )
    assert cues[0].text == "Yes." and cues[0].end == cues[1].start == 1.65
    alone = cues_of(spoken("Thanks.", 2.0), duration=2.6)
    assert alone[0].end == 2.6  # held, but not past the audio's end


def test_a_word_wider_than_a_line_stays_whole() -> None:
    word = "Donaudampfschifffahrtsgesellschaftskapitaenswitwenrentenversicherung"
    cues = cues_of(spoken(f"The {word} pays.", 0.0), max_line_width=20)
    assert any(word in line for c in cues for line in c.lines)
    assert all(len(line) <= 20 for c in cues for line in c.lines if word not in line)


def test_speakers_never_share_a_cue() -> None:
    words = spoken("Did you finish?", 0.0, speaker="S1") + spoken("Almost.", 1.2, speaker="S2")
    cues = build_cues([Segment(0, 0, 2, words_text(words), tuple(words))], 10.0, CueStyle.for_language("en"))
    assert [(c.speaker, c.text) for c in cues] == [("S1", "Did you finish?"), ("S2", "Almost.")]


def test_overlapping_or_instant_word_timings_still_give_ordered_cues() -> None:
    words = [
        Word(1.0, 1.5, "One.", 0.9),
        Word(1.4, 1.4, "Two.", 0.9),
        Word(1.4, 9.9, "Three", 0.9),
        Word(9.8, 10.4, "four.", 0.9),
    ]
    cues = cues_of(words, duration=10.2)
    check_invariants(cues, 10.2)
    assert " ".join(c.text for c in cues) == "One. Two. Three four."


def test_a_segment_without_word_timings_is_spread_over_its_time() -> None:
    segment = Segment(
        0, 2.0, 12.0, "A sentence that has no word timings at all, so it is spread evenly over."
    )
    cues = build_cues([segment], 20.0, CueStyle.for_language("en", max_line_width=30))
    assert " ".join(c.text for c in cues) == segment.text
    assert cues[0].start == 2.0 and cues[-1].end == 12.0
    check_invariants(cues, 20.0)


JAPANESE = "今日は、とても良い天気ですね。「明日」も晴れるでしょう！私はプロジェクトの説明をします。"  # noqa: RUF001


def test_japanese_lines_count_characters_and_keep_kinsoku() -> None:
    cues = cues_of(characters(JAPANESE, 0.5), language="ja")
    lines = [line for c in cues for line in c.lines]
    assert "".join(lines) == JAPANESE  # no space anywhere
    assert all(len(line) <= 13 for line in lines)
    assert all(
        line[0] not in writing.NO_BREAK_BEFORE and line[-1] not in writing.NO_BREAK_AFTER for line in lines
    )
    assert not any(line.endswith("プロジェ") or line.startswith("クト") for line in lines)


def test_kinsoku_holds_even_with_narrow_lines() -> None:
    text = "「はい」、そうです。（笑）"  # noqa: RUF001
    cues = cues_of(characters(text, 0.0), language="ja", max_line_width=5, max_line_count=10)
    for line in (line for c in cues for line in c.lines):
        assert line[0] not in writing.NO_BREAK_BEFORE, line
        assert line[-1] not in writing.NO_BREAK_AFTER, line


def test_chinese_defaults_to_sixteen_characters() -> None:
    text = "我们今天讨论三个问题第一是招聘第二是新的办公室第三是明年的预算"
    cues = cues_of(characters(text, 0.0, 0.2), language="zh")
    assert max(len(line) for c in cues for line in c.lines) == 16
    assert "".join(line for c in cues for line in c.lines) == text


def test_spaces_are_never_put_next_to_spaceless_scripts() -> None:
    assert writing.tidy_spaces(" 今日は 晴れです。 Tomorrow rain ") == "今日は晴れです。Tomorrow rain"
    assert writing.join_pieces(["おはよう。", "今日は。"]) == "おはよう。今日は。"
    assert writing.join_pieces(["Good morning.", "Hello."]) == "Good morning. Hello."
    # Pieces of one number (Whisper's tokens "20" "23") join without a space: the `spaced` flag.
    assert (
        words_text([Word(0, 1, "In", 1), Word(1, 2, "20", 1), Word(2, 3, "23", 1, spaced=False)]) == "In 2023"
    )


def test_segments_end_at_sentences_and_long_pauses() -> None:
    words = spoken("One sentence here. And another", 0.0) + spoken("after a pause.", 5.0)
    assert [words_text(run) for run in split_sentences(words)] == [
        "One sentence here.",
        "And another",
        "after a pause.",
    ]


def test_a_japanese_word_wider_than_the_line_starts_a_new_cue_when_one_line_is_allowed() -> None:
    """`ござい / ます。` at width 5 used to be one cue of two lines although max_line_count was 1."""
    words = [
        Word(0.0, 0.6, "本日は", 0.9, spaced=False),
        Word(0.6, 1.8, "ございます。", 0.9, spaced=False),
        Word(1.8, 2.4, "よろしく", 0.9, spaced=False),
    ]
    cues = cues_of(words, language="ja", max_line_width=5, max_line_count=1)
    check_invariants(cues, 600)
    assert all(len(c.lines) == 1 and writing.width(c.lines[0]) <= 5 for c in cues), cues
    assert "".join(c.text for c in cues) == "本日はございます。よろしく"
    # Cut where its line would break (kinsoku keeps 。 off a line's start), each part timed by its share
    # of the word's characters.
    assert [(c.text, c.start, c.end) for c in cues[1:3]] == [("ございま", 0.6, 1.4), ("す。", 1.4, 1.8)]


def test_wide_words_are_split_only_where_the_limits_need_it() -> None:
    words = [Word(0.0, 1.2, "ございます。", 0.9, spaced=False)]
    # Two lines allowed: one cue, its lines balanced as before.
    assert [c.lines for c in cues_of(words, language="ja", max_line_width=5, max_line_count=2)] == [
        ("ござい", "ます。")
    ]
    assert [c.text for c in cues_of(words, language="ja", max_line_width=13)] == ["ございます。"]
