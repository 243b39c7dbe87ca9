"""Speech for the longer language benchmark, synthesised at bench time and cached, never committed.

The voices Whisper base hears best offline are MBROLA diphone voices (through espeak-ng: `espeak-ng -v
mb-de2`) and RHVoice's Russian voices. Their licences do not allow shipping their audio here: the MBROLA
databases may not be sold or built into a product that is sold, and several RHVoice voices are CC-BY-NC-ND.
So the benchmark makes the audio on the machine that runs it. They are Debian packages of contrib and
non-free: enable those components (`Components: main contrib non-free` in
/etc/apt/sources.list.d/debian.sources, or `contrib non-free` after `main` in /etc/apt/sources.list), then
  apt-get update && apt-get install espeak-ng mbrola rhvoice rhvoice-russian \\
    mbrola-de2 mbrola-de6 mbrola-de7 mbrola-fr1 mbrola-fr2 mbrola-fr4 mbrola-gr1 mbrola-gr2 mbrola-cn1
A language whose voices are missing is skipped with a message naming its packages (missing_packages).

Each language's meeting (language_texts.MEETING, 24 sentences) is spoken in three parts of eight sentences,
each part by another voice, sentence by sentence with 0.5 s of silence between, as
fixtures/make_multilingual.py does. Audio is cached by a hash of the voice and the text, under
local_models.cache_dir()/bench-voices.

Mandarin: espeak-ng's own `cmn` voice comes out as digits to Whisper base, and espeak-ng's `mb-cn1` voice
file is broken in Debian bookworm: it names the language `zh` and the phoneme table `zh_phtrans`, which
espeak-ng has renamed `cmn` ("No such file or directory"); with both names fixed, espeak-ng's phonemes
still miss most of cn1's diphones. So Mandarin is spoken by `mbrola` itself from pinyin (mandarin.py), as
cn1's own examples are.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import language_texts
import numpy as np

from whisper_server import local_models
from whisper_server.audio import SAMPLE_RATE

GAP = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
MBROLA_DIR = Path("/usr/share/mbrola")
RHVOICE_DIR = Path("/usr/share/RHVoice/voices")
SENTENCES_PER_PART = 8


@dataclass(frozen=True)
class Voice:
    """One synthetic speaker: `engine` "espeak" (espeak-ng's own voice `name`), "mbrola" (espeak-ng's
    mb-<name> voice, or mbrola itself from pinyin for Mandarin) or "rhvoice"; `package` the Debian package
    that installs it."""

    engine: str
    name: str
    package: str

    def installed(self) -> bool:
        if self.engine == "espeak":
            return shutil.which("espeak-ng") is not None
        if self.engine == "rhvoice":
            return shutil.which("RHVoice-test") is not None and (RHVOICE_DIR / self.name).is_dir()
        tools = ["mbrola"] + ([] if self.name == "cn1" else ["espeak-ng"])
        return all(shutil.which(tool) for tool in tools) and (MBROLA_DIR / self.name / self.name).is_file()


def _mbrola(name: str) -> Voice:
    return Voice("mbrola", name, f"mbrola-{name}")


VOICES: dict[str, list[Voice]] = {
    "de": [_mbrola("de2"), _mbrola("de6"), _mbrola("de7")],
    # espeak-ng's own Spanish: Whisper base hears the MBROLA es1-es4 voices through espeak-ng far worse
    # (WER 0.38-0.86 against 0.14-0.24 on the first part).
    "es": [Voice("espeak", name, "espeak-ng") for name in ("es+m3", "es", "es-419")],
    "fr": [_mbrola("fr1"), _mbrola("fr2"), _mbrola("fr4")],
    "el": [_mbrola("gr1"), _mbrola("gr2"), _mbrola("gr2")],
    "ru": [Voice("rhvoice", name, "rhvoice-russian") for name in ("aleksandr", "anna", "elena")],
    "zh": [_mbrola("cn1")] * 3,
}
"""The three voices of each language's three parts, in order."""


@dataclass(frozen=True)
class Part:
    """One benchmark clip: `sentences` spoken by `voice`, the `number`th part of its meeting."""

    language: str
    voice: Voice
    sentences: list[str]

    number: int

    @property
    def name(self) -> str:
        return f"{self.language}-{self.number}-{self.voice.name}"


def parts(language: str) -> list[Part]:
    """The three parts of `language`'s meeting, each with its voice."""
    sentences = language_texts.MEETING[language]
    return [
        Part(language, voice, sentences[i * SENTENCES_PER_PART : (i + 1) * SENTENCES_PER_PART], i + 1)
        for i, voice in enumerate(VOICES[language])
    ]


def missing_packages(language: str) -> list[str]:
    """What `language`'s voices need that is not installed: Debian packages, and for Mandarin the PyPI
    package pypinyin (empty: all there)."""
    voices = VOICES[language]
    needed = {voice.package for voice in voices if not voice.installed()}
    tools = {"ffmpeg": "ffmpeg"}
    if any(
        voice.engine == "espeak" or (voice.engine == "mbrola" and voice.name != "cn1") for voice in voices
    ):
        tools["espeak-ng"] = "espeak-ng"
    if any(voice.engine == "mbrola" for voice in voices):
        tools["mbrola"] = "mbrola"
    if any(voice.engine == "rhvoice" for voice in voices):
        tools["RHVoice-test"] = "rhvoice"
    needed |= {package for tool, package in tools.items() if shutil.which(tool) is None}
    if language == "zh" and importlib.util.find_spec("pypinyin") is None:
        needed.add("pypinyin (PyPI)")
    return sorted(needed)


def audio(part: Part) -> np.ndarray:
    """The part's speech at 16 kHz, from the cache or synthesised now."""
    key = hashlib.sha256(repr((part.voice, part.sentences, _speak.__doc__)).encode()).hexdigest()[:20]
    cached = local_models.cache_dir() / "bench-voices" / f"{part.name}-{key}.npy"
    if cached.is_file():
        return np.load(cached)
    pieces = [GAP] + [piece for sentence in part.sentences for piece in (_speak(part.voice, sentence), GAP)]
    samples = np.concatenate(pieces).astype(np.float32)
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial.npy")
    np.save(partial, samples)
    partial.replace(cached)
    return samples


def _speak(voice: Voice, sentence: str) -> np.ndarray:
    """One sentence at 16 kHz mono: espeak-ng -s 150 (an espeak-ng or mb- voice), mbrola from pinyin (cn1),
    or RHVoice-test."""
    with tempfile.TemporaryDirectory() as scratch:
        wav = Path(scratch) / "speech.wav"
        if voice.engine == "rhvoice":
            command = ["RHVoice-test", "-p", voice.name, "-o", str(wav)]
            subprocess.run(command, input=sentence.encode(), check=True, capture_output=True)
        elif voice.name == "cn1":
            import mandarin

            pho = Path(scratch) / "speech.pho"
            pho.write_text(mandarin.pho(sentence))
            command = ["mbrola", "-e", str(MBROLA_DIR / "cn1" / "cn1"), str(pho), str(wav)]
            subprocess.run(command, check=True, capture_output=True)
        else:
            name = voice.name if voice.engine == "espeak" else f"mb-{voice.name}"
            command = ["espeak-ng", "-v", name, "-s", "150", "-w", str(wav), sentence]
            subprocess.run(command, check=True, capture_output=True)
        command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(wav), "-ac", "1"]
        command += ["-ar", str(SAMPLE_RATE), "-f", "s16le", "-"]
        resampled = subprocess.run(command, check=True, capture_output=True).stdout
    return np.frombuffer(resampled, dtype="<i2").astype(np.float32) / 32768
