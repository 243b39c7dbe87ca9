"""Never say speech twice: spot a chunk whose text repeats a sentence, so it can be decoded again.

In windows shorter than Whisper's 30 s, tiny.en now and then said a chunk's last sentence twice when
the speech filled the window ("... press star to cancel this message. Press star to cancel this
message."): 2 of the benchmark's 158 clips with 10 s windows, none with 15 s or 30 s windows. People
seldom say the same sentence twice in a row word for word (none of those 158 references does), so a
chunk whose text does is decoded again in a 30 s window, and the new text is kept only when it no
longer repeats: a real repetition costs one more decode of one chunk, never words.

Sentences end at `. ! ?` followed by a space, or at the full-width ideographic full stop, exclamation and
question marks of Chinese and Japanese, which take no space after them.
"""

from __future__ import annotations

import itertools
import re

from .writing_systems import WITHOUT_SPACES, script_family

MIN_REPEATED_WORDS = 3
"""Shorter sentences ("Yes. Yes.", "Thank you. Thank you.") are said twice often enough to be left alone."""
MIN_REPEATED_CHARACTERS = 6
"""The same for scripts written without spaces, counted in letters: "ありがとう。ありがとう。" (5) is left
alone, "来月から始めます。来月から始めます。" (8) is not."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")  # noqa: RUF001 (full-width on purpose)
"""Where a sentence ends: . ! or ? then a space; the full-width three with or without one."""
_WORD = re.compile(r"[\w']+")


def repeats_a_sentence(text: str) -> bool:
    """Whether `text` holds a long enough sentence (MIN_REPEATED_WORDS words, or MIN_REPEATED_CHARACTERS
    letters in scripts without spaces) twice in a row, case and punctuation aside."""
    sentences = [_WORD.findall(sentence.lower()) for sentence in _SENTENCE_END.split(text.strip())]
    return any(first == second and _long_enough(first) for first, second in itertools.pairwise(sentences))


def _long_enough(words: list[str]) -> bool:
    if script_family("".join(words)) in WITHOUT_SPACES:
        return len("".join(words)) >= MIN_REPEATED_CHARACTERS
    return len(words) >= MIN_REPEATED_WORDS
