"""Subtitle cues cut from word timings, to a subtitle style guide's limits.

What a cue must be (the usual style guides, e.g. Netflix's):
  - at most `max_line_count` lines (2) of at most `max_line_width` characters (42; Japanese 13, Chinese
    16: writing.py), lasting at most `max_duration` seconds (7) and, where the next cue leaves room, at
    least `MIN_DURATION` (1 s): a short cue is held into the pause after it, never over the next cue;
  - on screen only while its words are said: a pause longer than `MAX_PAUSE_IN_CUE` (1 s) always ends a
    cue, so no cue stays up through a pause or appears long before its speech;
  - one speaker's words; cues in order, never overlapping, never after the audio ends.
Where to cut, among the cuts those limits allow, is chosen for the whole stretch of speech at once (dynamic
programming over the word boundaries, as Knuth and Plass break paragraphs into lines): a sentence end
costs least, then clause punctuation (`,` `;` `、` ...), then a pause between words (the longer the
cheaper), then any other word boundary; each cue costs a little, and a cue shorter than a second a lot,
so sentences get their own cues when they are long enough to read, and short ones share. Lines within a
cue are broken the same way, then balanced. A line never breaks inside a word; Japanese and Chinese lines
break between characters, but never before closing punctuation or after an opening bracket.

Whisper's own writer (openai-whisper's `SubtitlesWriter`) fills lines greedily and starts a new cue after
a 3 s pause; this chooses its cuts for the whole stretch and holds the pause limit to 1 s.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from . import writing
from .results import Segment, Word
from .sentences import words_text

MAX_PAUSE_IN_CUE = 1.0
"""Seconds of pause between two words that always end a cue."""
MIN_DURATION = 1.0
"""Seconds a cue lasts at least, where the pause after it (or the end of the audio) leaves room."""
DEFAULT_MAX_LINE_COUNT = 2
DEFAULT_MAX_DURATION = 7.0

# Costs of the cut search (only their relative sizes matter).
_CUE = 6.0
_CUT_AT_SENTENCE = -7.0  # with _CUE: a sentence that is long enough to read gets its own cue
_CUT_AT_CLAUSE = 1.0
_CUT_AT_PHRASE = 5.0  # Japanese: kana, then a kanji or katakana word (writing.starts_phrase)
_CUT_ANYWHERE = 8.0
_CUT_INSIDE_WORD = 6.0  # added: two katakana or two kanji in a row (writing.inside_word)
_SHORT_CUE = 10.0
_LINE_BREAK = {
    "sentence": 0.0,
    "clause": 1.0,
    "pause": 1.5,
    "phrase": 2.0,
    "word": 3.0,
    "character": 5.0,
    "inside word": 9.0,
}
_INFINITE = float("inf")


@dataclass(frozen=True)
class CueStyle:
    """The limits cues are cut to."""

    max_line_width: int
    """Characters per line (see writing.width)."""
    max_line_count: int = DEFAULT_MAX_LINE_COUNT
    max_duration: float = DEFAULT_MAX_DURATION
    break_by_character: bool = False
    """Whether lines may break between any two characters (Japanese, Chinese)."""

    @classmethod
    def for_language(
        cls,
        language: str,
        max_line_width: int | None = None,
        max_line_count: int | None = None,
        max_duration: float | None = None,
    ) -> CueStyle:
        """The style for `language`; None takes the default (42 characters, Japanese 13, Chinese 16; 2
        lines; 7 s)."""
        return cls(
            max_line_width=max_line_width or writing.line_width_for(language),
            max_line_count=max_line_count or DEFAULT_MAX_LINE_COUNT,
            max_duration=max_duration or DEFAULT_MAX_DURATION,
            break_by_character=language in writing.CHARACTER_BREAK_LANGUAGES,
        )


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]
    speaker: str | None = None

    @property
    def text(self) -> str:
        """The cue's words on one line (what the transcript says for them)."""
        return writing.join_pieces(list(self.lines))


@dataclass(frozen=True)
class _Piece:
    """The smallest unit a line can break around: a word, or one character of it (Japanese, Chinese)."""

    text: str
    width: int
    gap: int
    """Width of the separator before it when it does not start a line (a space, or nothing)."""
    word: int
    """Index of its word in the stretch."""
    breakable: bool
    """Whether a line may start with it."""


def build_cues(segments: Sequence[Segment], duration: float, style: CueStyle) -> list[Cue]:
    """The cues of a transcription's segments, in order; `duration` is the audio's length in seconds."""
    words = _timed_words(segments)
    cues: list[Cue] = []
    for stretch in _stretches(words):
        cues.extend(_cut(stretch, style))
    return _timed(cues, duration, style)


def _timed_words(segments: Sequence[Segment]) -> list[Word]:
    """All the words in order; a segment without word timings gets words spread over its time by their
    length, so that its text is never left out."""
    words: list[Word] = []
    for segment in segments:
        given = [w for w in segment.words or () if w.word]
        if not given or words_text(given) != segment.text:  # the text is what counts, never fewer words
            given = _spread(segment)
        # Segments are separate pieces of text: the first word of one is joined like a new piece.
        given[0] = replace(given[0], spaced=True)
        words.extend(replace(w, speaker=w.speaker or segment.speaker) for w in given)
    return words


def _spread(segment: Segment) -> list[Word]:
    tokens = segment.text.split() or [segment.text]
    total = sum(writing.width(t) for t in tokens) or 1
    span = max(segment.end - segment.start, 0.0)
    words, at = [], segment.start
    for token in tokens:
        length = span * writing.width(token) / total
        words.append(Word(at, at + length, token, 0.0, segment.speaker))
        at += length
    return words


def _stretches(words: list[Word]) -> list[list[Word]]:
    """Runs of one speaker's words with no pause longer than MAX_PAUSE_IN_CUE inside."""
    stretches: list[list[Word]] = []
    for word in words:
        if (
            stretches
            and stretches[-1][-1].speaker == word.speaker
            and word.start - stretches[-1][-1].end <= MAX_PAUSE_IN_CUE
        ):
            stretches[-1].append(word)
        else:
            stretches.append([word])
    return stretches


def _pieces(words: list[Word], by_character: bool) -> list[_Piece]:
    pieces: list[_Piece] = []
    for index, word in enumerate(words):
        parts = list(word.word) if by_character else [word.word]
        for position, part in enumerate(parts):
            previous = pieces[-1].text if pieces else ""
            spaced = word.spaced and position == 0 and index > 0
            gap = 1 if spaced and not _touches_spaceless(previous, part) else 0
            breakable = writing.may_break_between(previous, part)
            pieces.append(_Piece(part, writing.width(part), gap, index, breakable))
    return pieces


def _touches_spaceless(left: str, right: str) -> bool:
    return bool(left) and (writing.is_spaceless(left[-1]) or writing.is_spaceless(right[0]))


def _cut(words: list[Word], style: CueStyle) -> list[Cue]:
    """One stretch cut into cues at the cheapest cuts within the limits."""
    words = _split_wide_words(words, style)
    pieces = _pieces(words, style.break_by_character)
    first_piece = [0] * (len(words) + 1)
    for position in range(len(pieces) - 1, -1, -1):
        first_piece[pieces[position].word] = position
    first_piece[len(words)] = len(pieces)
    best = [0.0] + [_INFINITE] * len(words)
    cut_from = [0] * (len(words) + 1)
    for begin in range(len(words)):
        if best[begin] == _INFINITE:
            continue
        for end in range(begin + 1, len(words) + 1):
            span = words[end - 1].end - words[begin].start
            lines = _line_count(pieces, first_piece[begin], first_piece[end], style.max_line_width)
            if end > begin + 1 and (lines > style.max_line_count or span > style.max_duration):
                break
            cost = best[begin] + _CUE + _cut_cost(words, end)
            if span < MIN_DURATION and end < len(words):
                cost += _SHORT_CUE
            if cost < best[end]:
                best[end], cut_from[end] = cost, begin
    bounds = [len(words)]
    while bounds[-1] > 0:
        bounds.append(cut_from[bounds[-1]])
    bounds.reverse()
    cues = []
    for begin, end in itertools.pairwise(bounds):
        lines = _layout(pieces[first_piece[begin] : first_piece[end]], words, style)
        cues.append(Cue(words[begin].start, words[end - 1].end, lines, words[begin].speaker))
    return cues


def _cut_cost(words: list[Word], end: int) -> float:
    """The cost of ending a cue after word `end - 1`; nothing at the end of the stretch."""
    if end >= len(words):
        return 0.0
    kind = _boundary(words, end)
    if kind == "sentence":
        return _CUT_AT_SENTENCE
    if kind == "clause":
        return _CUT_AT_CLAUSE
    pause = words[end].start - words[end - 1].end
    cost = _CUT_ANYWHERE - (_CUT_ANYWHERE - _CUT_AT_CLAUSE) * min(max(pause, 0.0) / 0.5, 1.0)
    if kind == "phrase":
        return min(cost, _CUT_AT_PHRASE)
    return cost + _CUT_INSIDE_WORD if kind == "inside word" else cost


def _boundary(words: list[Word], end: int) -> str:
    """What lies between word `end - 1` and word `end`: a sentence end, clause punctuation, a pause
    (0.3 s or more), the start of a Japanese phrase, or just a word boundary."""
    text = words[end - 1].word
    if writing.ends_sentence(text):
        return "sentence"
    if writing.ends_clause(text):
        return "clause"
    if words[end].start - words[end - 1].end >= 0.3:
        return "pause"
    kind = _between_characters(text, words[end].word)
    return "word" if kind == "character" else kind


def _between_characters(left: str, right: str) -> str:
    """Japanese and Chinese: a likely phrase start, a likely word's inside, or just two characters."""
    if writing.starts_phrase(left, right):
        return "phrase"
    return "inside word" if writing.inside_word(left, right) else "character"


def _line_count(pieces: list[_Piece], begin: int, end: int, limit: int) -> int:
    """Fewest lines pieces[begin:end] fit in (see `_line_starts`)."""
    return len(_line_starts(pieces, begin, end, limit))


def _line_starts(pieces: list[_Piece], begin: int, end: int, limit: int) -> list[int]:
    """Where each line of pieces[begin:end] starts, lines filled greedily, each broken at the last place
    allowed before it overflows (a piece wider than a line overflows alone)."""
    starts, start, used = [begin], begin, 0
    position = begin
    while position < end:
        piece = pieces[position]
        added = piece.width + (piece.gap if position > start else 0)
        if position > start and used + added > limit:
            cut = next((p for p in range(position, start, -1) if pieces[p].breakable), None)
            if cut is not None:
                starts.append(cut)
                start, position = cut, cut
                used = 0
                continue
        used += added
        position += 1
    return starts


def _split_wide_words(words: list[Word], style: CueStyle) -> list[Word]:
    """Scripts broken by character: a word that takes more lines than `max_line_count` is split where its
    lines break, each part timed in proportion to its characters, so that a cue can end inside it instead
    of holding more lines than allowed (`ございます。` at width 5 with one line a cue). Words are split only
    for cutting cues; the JSON keeps them whole."""
    if not style.break_by_character:
        return words
    split: list[Word] = []
    for word in words:
        pieces = _pieces([word], by_character=True)
        starts = _line_starts(pieces, 0, len(pieces), style.max_line_width)
        if len(starts) <= style.max_line_count:  # fits a cue whole: laid out as before
            split.append(word)
            continue
        seconds = (word.end - word.start) / len(pieces)
        for number, (begin, end) in enumerate(itertools.pairwise([*starts, len(pieces)])):
            split.append(
                replace(
                    word,
                    start=round(word.start + begin * seconds, 3),
                    end=round(word.start + end * seconds, 3),
                    word="".join(piece.text for piece in pieces[begin:end]),
                    spaced=word.spaced and number == 0,
                )
            )
    return split


def _layout(pieces: list[_Piece], words: list[Word], style: CueStyle) -> tuple[str, ...]:
    """A cue's lines: as few as fit, broken at the cheapest places, then balanced."""
    limit = style.max_line_width
    count = _line_count(pieces, 0, len(pieces), limit)
    if count == 1:
        return (_line_text(pieces),)
    widths = [0]
    for position, piece in enumerate(pieces):
        widths.append(widths[-1] + piece.width + (piece.gap if position else 0))

    def line_width(begin: int, end: int) -> int:
        return widths[end] - widths[begin] - (pieces[begin].gap if begin else 0)

    def line_cost(begin: int, end: int) -> float:
        used = line_width(begin, end)
        if used > limit and end - begin > 1:
            return _INFINITE
        cost = 10.0 * ((limit - min(used, limit)) / limit) ** 2
        if end < len(pieces):
            if pieces[end].word != pieces[end - 1].word:
                kind = _boundary(words, pieces[end].word)
            else:
                kind = _between_characters(pieces[end - 1].text, pieces[end].text)
            cost += _LINE_BREAK[kind]
        return cost

    # best[k][end]: cheapest way to set pieces[:end] on k lines.
    n = len(pieces)
    best = [[_INFINITE] * (n + 1) for _ in range(count + 1)]
    came_from = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0.0
    for k in range(1, count + 1):
        for end in range(1, n + 1):
            if end < n and not pieces[end].breakable:
                continue
            for begin in range(end - 1, -1, -1):
                if best[k - 1][begin] == _INFINITE:
                    continue
                cost = best[k - 1][begin] + line_cost(begin, end)
                if cost < best[k][end]:
                    best[k][end], came_from[k][end] = cost, begin
    if best[count][n] == _INFINITE:  # cannot happen with count from _line_count; kept as a safe fallback
        return (_line_text(pieces),)
    ends = [n]
    for k in range(count, 0, -1):
        ends.append(came_from[k][ends[-1]])
    ends.reverse()
    return tuple(_line_text(pieces[begin:end]) for begin, end in itertools.pairwise(ends))


def _line_text(pieces: list[_Piece]) -> str:
    return "".join(
        (" " * piece.gap if position else "") + piece.text for position, piece in enumerate(pieces)
    )


def _timed(cues: list[Cue], duration: float, style: CueStyle) -> list[Cue]:
    """Times rounded to milliseconds and made consistent: in order, no overlap, within the audio, no
    longer than the style allows, and held to MIN_DURATION where the next cue leaves room."""
    end_of_audio = round(duration, 3)
    timed: list[Cue] = []
    for index, cue in enumerate(cues):
        following = round(cues[index + 1].start, 3) if index + 1 < len(cues) else end_of_audio
        start = min(max(round(cue.start, 3), timed[-1].end if timed else 0.0), end_of_audio)
        end = min(max(round(cue.end, 3), start), start + style.max_duration)
        if end - start < MIN_DURATION:
            end = max(end, min(start + MIN_DURATION, following))
        end = round(min(end, end_of_audio), 3)
        if end <= start:  # words timed at one instant (or after the audio): a cue still needs a length
            start = max(round(end - 0.001, 3), timed[-1].end if timed else 0.0)
            end = max(end, round(start + 0.001, 3))
        timed.append(replace(cue, start=start, end=end))
    return timed
