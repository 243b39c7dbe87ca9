"""Never say speech twice: spot a chunk whose text repeats itself, so it can be decoded again.

In windows shorter than Whisper's 30 s, the model now and then repeats itself at the end of a chunk whose
speech fills the window (no silence after the last word tells it the speech is over):
- tiny.en said the last sentence twice ("... press star to cancel this message. Press star to cancel this
  message."): 2 of the benchmark's 158 clips with 10 s windows, none with 15 s or 30 s windows;
- Whisper base, on 14.9 s chunks in 15 s windows of the language benchmark's MBROLA voices, said the last
  clause twice ("Als nächstes sprechen wir, als nächstes sprechen wir,") or looped on a short sentence
  ("Μέχρι τότε." a dozen times), where a 20 s or 30 s window decodes the same chunk right.
People seldom say the same sentence or clause twice in a row word for word (none of those 158 references,
nor the languages' references, does), so a chunk whose text does, or whose text is a loop (it compresses
better than faster-whisper's own loop threshold), is decoded again in a 30 s window, and the new text is
kept only when it no longer repeats itself: a real repetition costs one more decode of one chunk, never
words.

Sentences end at `. ! ?` followed by a space, or at the full-width ideographic full stop, exclamation and
question marks of Chinese and Japanese, which take no space after them; clauses end there and at `, ; :`
(and the full-width `、，；：`).
"""  # noqa: RUF002 (full-width on purpose)

from __future__ import annotations

import itertools
import re

from faster_whisper.transcribe import get_compression_ratio

from .writing_systems import WITHOUT_SPACES, script_family

MIN_REPEATED_WORDS = 3
"""Shorter sentences ("Yes. Yes.", "Thank you. Thank you.") are said twice often enough to be left alone."""
MIN_REPEATED_CHARACTERS = 6
"""The same for scripts written without spaces, counted in letters: "ありがとう。ありがとう。" (5) is left
alone, "来月から始めます。来月から始めます。" (8) is not."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")  # noqa: RUF001 (full-width on purpose)
"""Where a sentence ends: . ! or ? then a space; the full-width three with or without one."""
_CLAUSE_END = re.compile(r"(?<=[.!?,;:])\s+|(?<=[。！？、，；：])\s*")  # noqa: RUF001 (full-width on purpose)
"""Where a clause ends: a sentence end, or , ; : then a space; the full-width ones with or without one."""
_WORD = re.compile(r"[\w']+")
MAX_COMPRESSION_RATIO = 2.4
"""Text that gzip compresses better than this is a repetition loop: faster-whisper's own threshold (its
sequential path decodes such a window again at a higher temperature)."""


def repeats_itself(text: str) -> bool:
    """Whether `text` says a long enough sentence or clause twice in a row, or is a loop."""
    return repeats_a_sentence(text) or _repeats(_CLAUSE_END.split(text.strip())) or is_a_loop(text)


def is_a_loop(text: str) -> bool:
    """Whether `text` compresses better than MAX_COMPRESSION_RATIO: the same words over and over."""
    text = text.strip()
    return bool(text) and get_compression_ratio(text) > MAX_COMPRESSION_RATIO


def repeats_a_sentence(text: str) -> bool:
    """Whether `text` holds a long enough sentence (MIN_REPEATED_WORDS words, or MIN_REPEATED_CHARACTERS
    letters in scripts without spaces) twice in a row, case and punctuation aside."""
    return _repeats(_SENTENCE_END.split(text.strip()))


def _repeats(pieces: list[str]) -> bool:
    said = [_WORD.findall(piece.lower()) for piece in pieces]
    return any(first == second and _long_enough(first) for first, second in itertools.pairwise(said))


def _long_enough(words: list[str]) -> bool:
    if script_family("".join(words)) in WITHOUT_SPACES:
        return len("".join(words)) >= MIN_REPEATED_CHARACTERS
    return len(words) >= MIN_REPEATED_WORDS
