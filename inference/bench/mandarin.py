"""Mandarin for the MBROLA voice cn1, written as mbrola's phoneme file (.pho) from pinyin, as cn1's own
examples (/usr/share/doc/mbrola-cn1/examples) are: each syllable an initial and a final of cn1's diphone
set, the tone a pitch contour over the final. espeak-ng cannot drive cn1 (voices.py says why). The
characters' readings come from PyPI `pypinyin` (MIT; inference/requirements-dev.txt).

cn1's syllables (its README): a final holds one vowel, so the first vowel of a compound final moves to the
initial ("huan" is hu-an, "biao" bi-ao); `i` after zh ch sh r is `ll`, after z c s `ii`; `ü` is `v`.
"""

from __future__ import annotations

INITIALS = (
    "zh",
    "ch",
    "sh",
    "b",
    "p",
    "m",
    "f",
    "d",
    "t",
    "n",
    "l",
    "g",
    "k",
    "h",
    "j",
    "q",
    "x",
    "r",
    "z",
    "c",
    "s",
    "y",
    "w",
)
FINALS = (
    "a",
    "ai",
    "an",
    "ang",
    "ao",
    "e",
    "ei",
    "en",
    "eng",
    "er",
    "o",
    "ou",
    "i",
    "ie",
    "u",
    "v",
    "ong",
    "in",
    "ing",
    "ui",
    "iu",
    "ue",
    "un",
)
"""cn1's finals (its README), less `ll` and `ii`, which only follow particular initials."""
TONES = {
    1: [(0, 290), (100, 290)],
    2: [(0, 215), (100, 300)],
    3: [(0, 210), (50, 175), (100, 200)],
    4: [(0, 310), (100, 190)],
    5: [(0, 230), (100, 215)],
}
"""Pitch (Hz) at points (% of the final) of each tone; 5 is the neutral tone."""
INITIAL_MS, FINAL_MS, NEUTRAL_MS, SYLLABLE_GAP_MS, COMMA_MS = 70, 190, 120, 10, 220
PAUSES = set("，、；：,;:")  # noqa: RUF001 (full-width on purpose)


def syllable(pinyin: str) -> tuple[str, str] | None:
    """A toneless pinyin syllable as cn1's (initial, final); initial "" for a bare final; None if unknown."""
    pinyin = pinyin.replace("ü", "v")
    initial = next((i for i in INITIALS if pinyin.startswith(i) and len(pinyin) > len(i)), "")
    final = pinyin[len(initial) :]
    if initial in ("j", "q", "x", "y") and final.startswith("u"):
        final = "v" + final[1:]  # ju, quan, xue, yuan: the u is ü
    if final == "i" and initial in ("zh", "ch", "sh", "r"):
        return initial, "ll"
    if final == "i" and initial in ("z", "c", "s"):
        return initial, "ii"
    if initial == "y" and final == "e":
        final = "ie"
    if final in ("ve", "vn"):
        final = final.replace("v", "u")
    if final == "van":
        return (initial + "u" if initial else "yu"), "an"
    if final == "iong":
        return initial + "i", "ong"
    if final in FINALS:
        return initial, final
    for medial in ("i", "u"):
        if final.startswith(medial) and final[1:] in FINALS:
            return initial + medial, final[1:]
    return None


def pho(text: str) -> str:
    """`text` (Chinese characters) as an mbrola .pho file for cn1."""
    from pypinyin import Style, lazy_pinyin

    lines = ["_ 100"]
    for reading in lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True):
        if reading[-1:].isdigit() and (parts := syllable(reading[:-1])):
            tone = int(reading[-1])
            initial, final = parts
            if initial:
                lines.append(f"{initial} {INITIAL_MS}")
            contour = " ".join(f"{at} {hz}" for at, hz in TONES[tone])
            lines.append(f"{final} {NEUTRAL_MS if tone == 5 else FINAL_MS} {contour}")
            lines.append(f"_ {SYLLABLE_GAP_MS}")
        elif any(mark in PAUSES for mark in reading):
            lines.append(f"_ {COMMA_MS}")
    lines.append("_ 100")
    return "\n".join(lines) + "\n"
