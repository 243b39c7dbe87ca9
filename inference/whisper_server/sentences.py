"""Sentence-sized segments from timed words: what a JSON segment is when the words are timed.

The decoder returns one piece of text per speech chunk (up to 15 s, several sentences). With word timings
that piece is cut after each sentence end (`.`, `!`, `?` and their full-width forms) and at every pause
longer than MAX_PAUSE_IN_SEGMENT, and each part is timed by its first and last word, so that no segment
spans a long pause and each says one sentence, or part of one.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import writing
from .results import Word

MAX_PAUSE_IN_SEGMENT = 1.5
"""Seconds of pause between two words that always end a segment."""


def split_sentences(words: Sequence[Word]) -> list[list[Word]]:
    """`words` (in order) as runs that end at sentence ends and long pauses."""
    runs: list[list[Word]] = []
    for word in words:
        if (
            runs
            and not writing.ends_sentence(runs[-1][-1].word)
            and word.start - runs[-1][-1].end <= MAX_PAUSE_IN_SEGMENT
        ):
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def words_text(words: Sequence[Word]) -> str:
    """The text of consecutive words: a space where the transcript had one, none next to a character of a
    script written without spaces."""
    return writing.tidy_spaces(
        "".join((" " if word.spaced and index else "") + word.word for index, word in enumerate(words))
    )
