"""Recorded speech of people in five languages: the Asterisk voice prompts, joined into clips at bench time.

Debian's `asterisk-core-sounds-{en,es,fr,it,ru}-g722` packages hold the prompts of the Asterisk PBX, read by
professional voice talents (one voice per language) as 16 kHz G.722, with their texts in
/usr/share/doc/asterisk-core-sounds-XX/core-sounds-XX.txt.gz (CC-BY-SA-3.0 / CC-BY-3.0). Their audio is never
committed: the clips are joined when a bench runs and cached under `build/recorded-speech/`.

Which prompts: those of the top folder whose text has no digits or bracketed notes (`[beep]`: a digit is
spoken as a word, which a text with digits cannot score) and 5 words or more, in the order of their names.
They are dealt alternately into two sets, `dev` (where settings may be chosen) and `test` (held out, where
figures are reported), and each set's prompts are joined, GAP_SECONDS apart, into clips of up to
CLIP_SECONDS; the first `clips` of them are used (default 2, about two minutes of speech a language).

The prompts' texts are often written without accents ("numero", "contrasena"), so `fold` takes the
combining marks off both sides before scoring (a WER here counts words heard wrong, not accents), and it
spells the numbers 0 to 10 that a transcript writes in digits ("4 o 6" for "cuatro o seis") as the
prompts' texts do: how a number is written is no word heard wrong either.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from whisper_server.audio import SAMPLE_RATE

LANGUAGES = ("en", "es", "fr", "it", "ru")
"""The languages Debian packages Asterisk prompts for (with g722 audio)."""
SETS = ("dev", "test")
SOUNDS = Path("/usr/share/asterisk/sounds")
TEXTS = Path("/usr/share/doc")
CACHE = Path(__file__).resolve().parents[2] / "build" / "recorded-speech"
GAP_SECONDS = 0.5
"""Silence between two prompts of a clip (the prompts carry little silence of their own)."""
CLIP_SECONDS = 75.0
"""A clip is cut before the prompt that would take it past this many seconds."""
MIN_WORDS = 5
"""Shorter prompts ("Goodbye", "Agent logged off") are left out: they say too little to score."""
_ENTRY = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")


@dataclass(frozen=True)
class Clip:
    """A joined clip: its name (`es-test-1`), language, 16 kHz mono audio and reference text."""

    name: str
    language: str
    audio: np.ndarray
    reference: str

    @property
    def seconds(self) -> float:
        return self.audio.shape[0] / SAMPLE_RATE


def missing_packages(language: str) -> list[str]:
    """The Debian packages `language`'s prompts need that are not installed."""
    missing = []
    if not (SOUNDS / language).is_dir() or not any((SOUNDS / language).glob("*.g722")):
        missing.append(f"asterisk-core-sounds-{language}-g722")
    if not _texts_path(language).is_file():
        missing.append(f"asterisk-core-sounds-{language}")
    if shutil.which("ffmpeg") is None:
        missing.append("ffmpeg")
    return missing


def prompts(language: str) -> list[tuple[str, str]]:
    """The usable prompts of `language`, (name, text), in the order of their names."""
    found = []
    with gzip.open(_texts_path(language), "rt", encoding="utf-8", errors="replace") as lines:
        for line in lines:
            match = _ENTRY.match(line.strip())
            if not match or line.startswith(";"):
                continue
            name, text = match[1], match[2].strip()
            if re.search(r"[\d\[\]]", text) or len(text.split()) < MIN_WORDS:
                continue
            if (SOUNDS / language / f"{name}.g722").is_file():
                found.append((name, text))
    return sorted(set(found))


def clips(language: str, which: str = "test", count: int = 2, seconds: float = CLIP_SECONDS) -> list[Clip]:
    """The first `count` clips of set `which` (dev or test) in `language`, of up to `seconds` each (default
    CLIP_SECONDS; a clip holds at least one prompt), made from the cached prompts."""
    if which not in SETS:
        raise ValueError(f"set must be one of {SETS}, got {which!r}")
    chosen = prompts(language)[SETS.index(which) :: 2]
    made: list[Clip] = []
    group: list[tuple[str, str, np.ndarray]] = []
    for name, text in [*chosen, ("", "")]:
        audio = prompt_audio(language, name) if name else None
        length = sum(len(a) for _, _, a in group) + GAP_SECONDS * SAMPLE_RATE * len(group)
        if group and (audio is None or length + len(audio) > seconds * SAMPLE_RATE):
            made.append(_joined(f"{language}-{which}-{len(made) + 1}", language, group))
            group = []
            if len(made) == count:
                break
        if audio is not None:
            group.append((name, text, audio))
    return made


NUMBER_WORDS: dict[str, list[str]] = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"],
    "es": ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez"],
    "fr": ["zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"],
    "it": ["zero", "uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove", "dieci"],
    "ru": ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять", "десять"],
}
"""The numbers 0 to 10 as each language's prompts write them (accents folded)."""
_SMALL_NUMBER = re.compile(r"(?<!\w)(?<!\d[.,])(10|[0-9])(?!\w)(?![.,]\d)")


def fold(text: str, language: str) -> str:
    """`text` without combining marks (accents) and with the numbers 0-10 in words, for scoring against the
    prompts' texts, written without them."""
    words = NUMBER_WORDS[language]
    text = _SMALL_NUMBER.sub(lambda match: words[int(match[1])], text)
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _texts_path(language: str) -> Path:
    return TEXTS / f"asterisk-core-sounds-{language}" / f"core-sounds-{language}.txt.gz"


def prompt_audio(language: str, name: str) -> np.ndarray:
    """One prompt as 16 kHz float32 samples (G.722 decoded by ffmpeg, cached as raw float32)."""
    cached = CACHE / language / f"{name}.f32"
    if not cached.is_file():
        cached.parent.mkdir(parents=True, exist_ok=True)
        decoded = subprocess.run(
            [
                *["ffmpeg", "-v", "error", "-f", "g722", "-i", str(SOUNDS / language / f"{name}.g722")],
                *["-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"],
            ],
            check=True,
            capture_output=True,
        ).stdout
        partial = cached.with_suffix(".partial")
        partial.write_bytes(decoded)
        partial.replace(cached)
    return np.fromfile(cached, dtype=np.float32)


def _joined(name: str, language: str, group: list[tuple[str, str, np.ndarray]]) -> Clip:
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    audio = np.concatenate([piece for _, _, a in group for piece in (a, gap)][:-1])
    return Clip(name, language, audio, " ".join(text for _, text, _ in group))
