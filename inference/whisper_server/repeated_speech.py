"""Never say speech twice: spot a chunk whose text repeats a sentence, so it can be decoded again.

In windows shorter than Whisper's 30 s, tiny.en now and then said a chunk's last sentence twice when
the speech filled the window ("... press star to cancel this message. Press star to cancel this
message."): 2 of the benchmark's 158 clips with 10 s windows, none with 15 s or 30 s windows. People
seldom say the same sentence twice in a row word for word (none of those 158 references does), so a
chunk whose text does is decoded again in a 30 s window, and the new text is kept only when it no
longer repeats: a real repetition costs one more decode of one chunk, never words.
"""

from __future__ import annotations

import itertools
import re

MIN_REPEATED_WORDS = 3
"""Shorter sentences ("Yes. Yes.", "Thank you. Thank you.") are said twice often enough to be left alone."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
"""Where a sentence ends: . ! or ? then a space. Scripts written without spaces are not split, so not
checked."""
_WORD = re.compile(r"[\w']+")


def repeats_a_sentence(text: str) -> bool:
    """Whether `text` holds a sentence of MIN_REPEATED_WORDS words or more twice in a row (case and
    punctuation aside)."""
    sentences = [_WORD.findall(sentence.lower()) for sentence in _SENTENCE_END.split(text.strip())]
    return any(
        first == second and len(first) >= MIN_REPEATED_WORDS
        for first, second in itertools.pairwise(sentences)
    )
