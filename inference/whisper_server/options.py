"""Per-request decoding options, parsed from the X-Amzn-SageMaker-Custom-Attributes header.

The header is `key=value;key=value` (SageMaker passes it through unchanged, up to 1024 visible ASCII
characters). Values may be percent-encoded so that a prompt can carry `;`, `=` or non-ASCII text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import unquote

from .errors import bad_option

HEADER = "X-Amzn-SageMaker-Custom-Attributes"
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_MAX_TEXT = 1000
# Python's int() and float() also take other scripts' digits (e.g. Arabic-Indic five, U+0665) and
# underscores ("1_0"): a header value is plain ASCII decimal or it is wrong.
_ASCII_INTEGER = re.compile(r"[0-9]+")
_ASCII_DECIMAL = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
MAX_SPEAKERS = 32
"""Largest speaker count a request may give (speakers, min_speakers, max_speakers)."""


@dataclass(frozen=True)
class TranscribeOptions:
    """Options of one request. None means: the server's default (see Settings)."""

    language: str | None = None
    """Language code (e.g. `en`, `de`). Default: detected (English-only models: `en`)."""
    task: str = "transcribe"
    """`transcribe`, or `translate` (to English; multilingual models only). Default `transcribe`."""
    word_timestamps: bool = False
    """Add per-word timings to JSON segments. Default false."""
    beam_size: int | None = None
    """Beam width, 1-20. Default WHISPER_BEAM_SIZE."""
    batch_size: int | None = None
    """Chunks per batch in the batched pipeline, 1-128. Default WHISPER_BATCH_SIZE."""
    vad: bool | None = None
    """Skip non-speech with the VAD. Default WHISPER_VAD."""
    initial_prompt: str | None = None
    """Text that primes the decoder (spelling, names, style). Default none."""
    hotwords: str | None = None
    """Words or phrases to favour. Default none."""
    temperature: float = 0.0
    """Sampling temperature, 0-1; 0 is deterministic. Default 0."""
    diarize: bool | None = None
    """Label speakers (`S1`, `S2` ...) on segments and words. Default WHISPER_DIARIZE (false); on when a
    speaker count is given."""
    speakers: int | None = None
    """Exact number of speakers, 1-32. Default: found by clustering."""
    min_speakers: int | None = None
    """Fewest speakers to find, 1-32. Default none."""
    max_speakers: int | None = None
    """Most speakers to find, 1-32. Default none."""

    def wants_speakers(self, default: bool) -> bool:
        """Whether to label speakers: `diarize` when given, else on with a speaker count, else `default`."""
        if self.diarize is not None:
            return self.diarize
        return default or any(v is not None for v in (self.speakers, self.min_speakers, self.max_speakers))


def _boolean(key: str, raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise bad_option(key, f"expected true or false, got '{raw}'")


def _integer(low: int, high: int) -> Callable[[str, str], int]:
    def parse(key: str, raw: str) -> int:
        if not _ASCII_INTEGER.fullmatch(raw):
            raise bad_option(key, f"expected an integer {low}-{high}, got '{raw}'")
        value = int(raw)
        if not low <= value <= high:
            raise bad_option(key, f"must be {low}-{high}, got {value}")
        return value

    return parse


def _temperature(key: str, raw: str) -> float:
    if not _ASCII_DECIMAL.fullmatch(raw):
        raise bad_option(key, f"expected a number 0-1, got '{raw}'")
    value = float(raw)
    if not 0.0 <= value <= 1.0:
        raise bad_option(key, f"must be 0-1, got {raw}")
    return value


def _text(key: str, raw: str) -> str:
    if not raw.strip():
        raise bad_option(key, "must not be empty")
    if len(raw) > _MAX_TEXT:
        raise bad_option(key, f"at most {_MAX_TEXT} characters, got {len(raw)}")
    return raw


def _task(key: str, raw: str) -> str:
    if raw not in ("transcribe", "translate"):
        raise bad_option(key, f"expected transcribe or translate, got '{raw}'")
    return raw


_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "language": lambda key, raw: raw.lower(),
    "task": _task,
    "word_timestamps": _boolean,
    "beam_size": _integer(1, 20),
    "batch_size": _integer(1, 128),
    "vad": _boolean,
    "initial_prompt": _text,
    "hotwords": _text,
    "temperature": _temperature,
    "diarize": _boolean,
    "speakers": _integer(1, MAX_SPEAKERS),
    "min_speakers": _integer(1, MAX_SPEAKERS),
    "max_speakers": _integer(1, MAX_SPEAKERS),
}
assert set(_PARSERS) == {f.name for f in fields(TranscribeOptions)}, "every option needs a parser"


def parse_options(
    header: str | None, supported_languages: Collection[str], multilingual: bool
) -> TranscribeOptions:
    """Parses the custom-attributes header; raises a 400 RequestError naming the first bad key.

    `supported_languages` and `multilingual` describe the loaded model, so that a language or task it
    cannot honour is refused instead of silently ignored.
    """
    values: dict[str, Any] = {}
    for pair in (header or "").split(";"):
        if not pair.strip():
            continue
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep:
            raise bad_option(key, "expected key=value")
        if key not in _PARSERS:
            raise bad_option(key, f"unknown option; known options: {', '.join(_PARSERS)}")
        if key in values:
            raise bad_option(key, "given twice")
        values[key] = _PARSERS[key](key, unquote(raw.strip()))

    language = values.get("language")
    if language is not None and language not in supported_languages:
        known = ", ".join(sorted(supported_languages))
        raise bad_option("language", f"'{language}' is not supported by this model; supported: {known}")
    if values.get("task") == "translate" and not multilingual:
        raise bad_option("task", "translate needs a multilingual model; this one is English-only")
    _check_speaker_counts(values)
    return TranscribeOptions(**values)


def _check_speaker_counts(values: dict[str, Any]) -> None:
    """A speaker count needs diarization, and the exact count excludes the bounds."""
    counts = [key for key in ("speakers", "min_speakers", "max_speakers") if key in values]
    if counts and values.get("diarize") is False:
        raise bad_option(counts[0], "needs diarize=true")
    if "speakers" in values and len(counts) > 1:
        raise bad_option("speakers", "give either speakers or min_speakers/max_speakers, not both")
    low, high = values.get("min_speakers"), values.get("max_speakers")
    if low is not None and high is not None and low > high:
        raise bad_option("min_speakers", f"must not exceed max_speakers ({low} > {high})")
