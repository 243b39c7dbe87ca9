"""Per-request decoding options, parsed from the X-Amzn-SageMaker-Custom-Attributes header.

The header is `key=value;key=value` (SageMaker passes it through unchanged, up to 1024 visible ASCII
characters). Values may be percent-encoded so that a prompt can carry `;`, `=` or non-ASCII text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, fields
from typing import Any, Literal
from urllib.parse import unquote

from .errors import RequestError, bad_option
from .settings import Settings

HEADER = "X-Amzn-SageMaker-Custom-Attributes"
MAX_HEADER_CHARACTERS = 1024
"""SageMaker's limit for the header (CustomAttributes of InvokeEndpoint and InvokeEndpointAsync)."""
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_MAX_TEXT = 1000
LANGUAGE_CODE_PATTERN = "^[A-Za-z]{2,3}$"
"""The shape of a language code (`en`, `haw`; any case, the server lowercases it): the clients refuse
`english` before the upload; the server then checks the code against the loaded model's languages."""
"""Longest `initial_prompt` or `hotwords`, in characters."""
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
    channels: str = "mixed"
    """`mixed`: the channels are mixed into one signal (speaker labels, if asked, come from diarization).
    `separate`: one speaker per channel (call and interview recordings): each channel is transcribed on
    its own and its words labelled with its speaker, S1 = channel 1 (channels.py). Default `mixed`."""
    max_line_width: int | None = None
    """Subtitle cues: most characters per line, 5-200. Default 42 (Japanese 13, Chinese and Korean 16)."""
    max_line_count: int | None = None
    """Subtitle cues: most lines per cue, 1-10. Default 2."""
    max_cue_duration: float | None = None
    """Subtitle cues: longest cue in seconds, 1-60. Default 7."""
    mixed_languages: bool = False
    """Detect the language of each chunk of speech (up to WHISPER_CHUNK_SECONDS) and decode it in that
    language, for recordings whose speakers change language; JSON segments carry their `language`.
    Multilingual models only; not with `language`. Default false (one language per request)."""

    def wants_speakers(self, default: bool) -> bool:
        """Whether to label speakers by diarization: `diarize` when given, else on with a speaker count, else
        `default`; never with `channels=separate`, whose labels are the channels."""
        if self.channels == "separate":
            return False
        if self.diarize is not None:
            return self.diarize
        return default or any(v is not None for v in (self.speakers, self.min_speakers, self.max_speakers))


@dataclass(frozen=True)
class OptionSpec:
    """How one option's value is written in the header; the one declaration both the parser and the
    published contract (contract.py) are derived from."""

    type: Literal["boolean", "integer", "number", "string"]
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    max_length: int | None = None
    pattern: str | None = None
    """A regular expression the whole value matches (published for the clients; the server's own check may be
    stricter, as the language's against the loaded model)."""


def _setting_range(field: str) -> tuple[int, int]:
    """The bounds of a server setting, which the request option of the same name overrides per request."""
    metadata = Settings.model_fields[field].metadata
    low = next(m.ge for m in metadata if hasattr(m, "ge"))
    high = next(m.le for m in metadata if hasattr(m, "le"))
    return int(low), int(high)


_BEAM_SIZE = _setting_range("beam_size")
_BATCH_SIZE = _setting_range("batch_size")

OPTIONS: dict[str, OptionSpec] = {
    "language": OptionSpec("string", pattern=LANGUAGE_CODE_PATTERN),
    "task": OptionSpec("string", choices=("transcribe", "translate")),
    "word_timestamps": OptionSpec("boolean"),
    "beam_size": OptionSpec("integer", *_BEAM_SIZE),
    "batch_size": OptionSpec("integer", *_BATCH_SIZE),
    "vad": OptionSpec("boolean"),
    "initial_prompt": OptionSpec("string", max_length=_MAX_TEXT),
    "hotwords": OptionSpec("string", max_length=_MAX_TEXT),
    "temperature": OptionSpec("number", 0.0, 1.0),
    "diarize": OptionSpec("boolean"),
    "speakers": OptionSpec("integer", 1, MAX_SPEAKERS),
    "min_speakers": OptionSpec("integer", 1, MAX_SPEAKERS),
    "max_speakers": OptionSpec("integer", 1, MAX_SPEAKERS),
    "channels": OptionSpec("string", choices=("mixed", "separate")),
    "max_line_width": OptionSpec("integer", 5, 200),
    "max_line_count": OptionSpec("integer", 1, 10),
    "max_cue_duration": OptionSpec("number", 1.0, 60.0),
    "mixed_languages": OptionSpec("boolean"),
}
"""Every option the header may carry, in the order the unknown-option message lists them. The ranges of
`beam_size` and `batch_size` are the settings' own (WHISPER_BEAM_SIZE, WHISPER_BATCH_SIZE)."""
assert list(OPTIONS) == [f.name for f in fields(TranscribeOptions)], "every option needs a spec"


def _boolean(key: str, raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise bad_option(key, f"expected true or false, got '{_shortened(raw)}'")


def _ranged(integer: bool, low: float, high: float) -> Callable[[str, str], float]:
    """An ASCII integer (or decimal number) from `low` to `high`."""
    pattern = _ASCII_INTEGER if integer else _ASCII_DECIMAL
    convert = int if integer else float
    noun = "an integer" if integer else "a number"
    span = f"{low:g}-{high:g}"

    def parse(key: str, raw: str) -> float:
        if not pattern.fullmatch(raw):
            raise bad_option(key, f"expected {noun} {span}, got '{_shortened(raw)}'")
        # int() refuses strings of more than 4300 digits (a ValueError, not a bad option): a value with more
        # digits than the bound has is out of range whatever its digits are.
        if integer:
            raw = raw.lstrip("0") or "0"
            if len(raw) > len(str(int(high))):
                raise bad_option(key, f"must be {span}, got {_shortened(raw)}")
        value = convert(raw)
        if not low <= value <= high:
            raise bad_option(key, f"must be {span}, got {value if integer else _shortened(raw)}")
        return value

    return parse


def _shortened(raw: str, keep: int = 40) -> str:
    """`raw` for an error message: at most `keep` characters, and how many more there were."""
    return raw if len(raw) <= keep else f"{raw[:keep]}... ({len(raw)} characters)"


def _text(max_length: int) -> Callable[[str, str], str]:
    def parse(key: str, raw: str) -> str:
        if not raw.strip():
            raise bad_option(key, "must not be empty")
        if len(raw) > max_length:
            raise bad_option(key, f"at most {max_length} characters, got {len(raw)}")
        return raw

    return parse


def _choice(choices: tuple[str, ...]) -> Callable[[str, str], str]:
    def parse(key: str, raw: str) -> str:
        if raw not in choices:
            raise bad_option(key, f"expected {' or '.join(choices)}, got '{_shortened(raw)}'")
        return raw

    return parse


def _language(_key: str, raw: str) -> str:
    # Checked against the loaded model's languages once all options are read (parse_options).
    return raw.lower()


def _parser(spec: OptionSpec) -> Callable[[str, str], Any]:
    """The parser a spec calls for."""
    if spec.type == "boolean":
        return _boolean
    if spec.type in ("integer", "number"):
        assert spec.minimum is not None and spec.maximum is not None, "a number needs its range"
        return _ranged(spec.type == "integer", spec.minimum, spec.maximum)
    if spec.choices:
        return _choice(spec.choices)
    if spec.max_length is not None:
        return _text(spec.max_length)
    return _language


_PARSERS: dict[str, Callable[[str, str], Any]] = {key: _parser(spec) for key, spec in OPTIONS.items()}


def options_schema() -> dict[str, Any]:
    """The options as a JSON Schema object (what a client may send, with the ranges the server checks)."""
    defaults = {f.name: f.default for f in fields(TranscribeOptions) if f.default is not None}
    properties: dict[str, Any] = {}
    for key, spec in OPTIONS.items():
        schema: dict[str, Any] = {"type": spec.type}
        if spec.choices:
            schema["enum"] = list(spec.choices)
        if spec.minimum is not None:
            schema["minimum"] = spec.minimum
        if spec.maximum is not None:
            schema["maximum"] = spec.maximum
        if spec.max_length is not None:
            schema["minLength"] = 1
            schema["maxLength"] = spec.max_length
        if spec.pattern is not None:
            schema["pattern"] = spec.pattern
        if key in defaults:
            schema["default"] = defaults[key]
        properties[key] = schema
    return {"type": "object", "properties": properties, "additionalProperties": False}


def single_header(values: list[str]) -> str | None:
    """The one options header of a request (None without one); 400 when it comes more than once, since
    which one wins, or how they would join, is up to each proxy on the way."""
    if len(values) > 1:
        raise RequestError(
            400,
            "bad_option",
            f"header {HEADER} given {len(values)} times; send all options in one, as key=value;key=value",
        )
    return values[0] if values else None


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
        raise bad_option(
            "language", f"'{_shortened(language)}' is not supported by this model; supported: {known}"
        )
    if values.get("mixed_languages") and not multilingual:
        raise bad_option("mixed_languages", "needs a multilingual model; this one is English-only")
    if values.get("mixed_languages") and language is not None:
        raise bad_option("mixed_languages", "not with language, which sets one language for the request")
    if values.get("task") == "translate" and not multilingual:
        raise bad_option("task", "translate needs a multilingual model; this one is English-only")
    _check_speaker_counts(values)
    _check_channels(values)
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


def _check_channels(values: dict[str, Any]) -> None:
    """With one speaker per channel, the channels are the speakers: diarization and counts do not apply."""
    if values.get("channels") != "separate":
        return
    asked = [key for key in ("speakers", "min_speakers", "max_speakers") if key in values]
    if values.get("diarize"):
        asked.insert(0, "diarize")
    if asked:
        raise bad_option(
            asked[0],
            "not with channels=separate, which labels each channel's words with its own speaker (S1 = "
            "channel 1); for a recording whose channels each hold several voices, send diarize without "
            "channels",
        )
