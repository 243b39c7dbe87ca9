"""Word and character error rates with light normalisation, for the tests and the benchmarks.

Normalises case, punctuation and whitespace only (no spelling or number rewriting), so a WER here is
a conservative figure. Scripts written without spaces (Chinese, Japanese) are scored by characters (CER).
"""

from __future__ import annotations

import re

_NON_WORD = re.compile(r"[^\w\s']+")


def normalize(text: str) -> list[str]:
    """Lower-cased words with punctuation removed (apostrophes inside words kept)."""
    return [w.strip("'") for w in _NON_WORD.sub(" ", text.lower()).split() if w.strip("'")]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words; 0 for two empty texts."""
    return _error_rate(normalize(reference), normalize(hypothesis))


def character_error_rate(reference: str, hypothesis: str) -> float:
    """The same over characters, spaces and punctuation left out: for scripts written without spaces."""
    return _error_rate(list("".join(normalize(reference))), list("".join(normalize(hypothesis))))


def _error_rate(ref: list[str], hyp: list[str]) -> float:
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, hyp_word in enumerate(hyp, start=1):
            current[j] = min(
                previous[j] + 1,  # deletion
                current[j - 1] + 1,  # insertion
                previous[j - 1] + (ref_word != hyp_word),  # substitution or match
            )
        previous = current
    return previous[-1] / len(ref)
