"""Which writing system a text is in, by the Unicode names of its letters.

The dropped-speech check (dropped_speech.py) expects a different number of characters per second of speech
in each family: a CJK character carries a syllable or a word, a Latin letter a fraction of one. The
benchmark scores scripts written without spaces by characters (CER) instead of words.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

LATIN = "latin"
HAN = "han"
"""Chinese characters alone (Chinese): a syllable per character."""
KANA = "kana"
"""Japanese: kana (a mora each) mixed with Chinese characters."""
HANGUL = "hangul"
CYRILLIC = "cyrillic"
GREEK = "greek"
OTHER = "other"
"""Letters of any other script (Arabic, Devanagari, Thai ...)."""

_PREFIXES = (
    ("LATIN", LATIN),
    ("CJK", HAN),
    ("HIRAGANA", KANA),
    ("KATAKANA", KANA),
    ("HALFWIDTH KATAKANA", KANA),
    ("HANGUL", HANGUL),
    ("CYRILLIC", CYRILLIC),
    ("GREEK", GREEK),
)
WITHOUT_SPACES = frozenset({HAN, KANA})
"""Families written without spaces between words: their error rate is counted in characters."""


def family_of(character: str) -> str | None:
    """The family of one letter (or kana/ideograph), None for digits, punctuation and spaces."""
    if not (character.isalpha() or unicodedata.category(character) == "Lo"):
        return None
    name = unicodedata.name(character, "")
    return next((family for prefix, family in _PREFIXES if name.startswith(prefix)), OTHER)


def script_family(text: str) -> str:
    """The family most of the letters of `text` belong to (Chinese characters with kana count as KANA);
    LATIN for a text without letters."""
    counts = Counter(family for family in map(family_of, text) if family is not None)
    if not counts:
        return LATIN
    # Japanese writes Chinese characters among its kana: any kana makes a Chinese-character text Japanese.
    han_and_kana = counts.pop(HAN, 0) + counts[KANA]
    counts[KANA if counts[KANA] else HAN] = han_and_kana
    return counts.most_common(1)[0][0]


_LANGUAGE_FAMILIES = {
    **dict.fromkeys(("zh", "yue"), HAN),
    "ja": KANA,
    "ko": HANGUL,
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr", "kk", "tt", "ba", "mn", "tg"), CYRILLIC),
    "el": GREEK,
    **dict.fromkeys(
        ("ar", "fa", "ur", "ps", "sd", "he", "yi", "hi", "mr", "ne", "sa", "bn", "as", "pa", "gu"), OTHER
    ),
    **dict.fromkeys(("ta", "te", "kn", "ml", "si", "th", "lo", "my", "km", "bo", "ka", "hy", "am"), OTHER),
}
"""The family each of Whisper's languages is usually written in, where it is not Latin."""


def language_family(language: str) -> str:
    """The family `language` (a Whisper code) is usually written in: LATIN unless listed otherwise."""
    return _LANGUAGE_FAMILIES.get(language, LATIN)
