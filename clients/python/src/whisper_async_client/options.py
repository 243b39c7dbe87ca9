"""Request options: checked against the server's contract and encoded as SageMaker custom attributes
(`key=value;key=value`, values percent-encoded; the server decodes them).

The same rules, and the same string, as the TypeScript client (clients/typescript/src/decoding-check.ts): both
are tested on the cases of clients/option-cases.json."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Union
from urllib.parse import quote

from .contract import CONTRACT
from .errors import OptionError

OptionValue = Union[str, int, float, bool]
"""A value of one option: its type is the contract's (boolean, integer, number or string)."""


def option_names() -> list[str]:
    """The options the server accepts, in the contract's order."""
    return list(CONTRACT.options)


def _checked(name: str, value: Any) -> OptionValue:
    spec = CONTRACT.options[name]
    kind = spec["type"]
    if kind == "boolean":
        if not isinstance(value, bool):
            raise OptionError(f"option {name} must be true or false, got {value!r}")
        return value
    if kind in ("integer", "number"):
        numeric = isinstance(value, int) if kind == "integer" else isinstance(value, (int, float))
        if isinstance(value, bool) or not numeric:
            raise OptionError(
                f"option {name} must be {'an integer' if kind == 'integer' else 'a number'}, got {value!r}"
            )
        low, high = spec.get("minimum"), spec.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            raise OptionError(f"option {name} must be from {low} to {high}, got {value!r}")
        return value
    if not isinstance(value, str):
        raise OptionError(f"option {name} must be a string, got {value!r}")
    if "enum" in spec and value not in spec["enum"]:
        raise OptionError(f"option {name} must be one of {', '.join(spec['enum'])}, got {value!r}")
    if len(value) < spec.get("minLength", 1) or len(value) > spec.get("maxLength", len(value)):
        raise OptionError(f"option {name} must be {spec.get('minLength', 1)} to {spec.get('maxLength')} characters")
    if "pattern" in spec and not re.fullmatch(spec["pattern"], value):
        raise OptionError(f"option {name} must match {spec['pattern']}, got {value!r}")
    return value


def _check_speakers(options: dict[str, OptionValue]) -> None:
    """The speaker options' combinations (with each other and with channels='separate'), as the server checks
    them (so a bad one fails before the upload)."""
    speakers, low, high = options.get("speakers"), options.get("min_speakers"), options.get("max_speakers")
    counted = speakers is not None or low is not None or high is not None
    if counted and options.get("diarize") is False:
        raise OptionError("speakers, min_speakers and max_speakers need speaker labels; drop diarize=False")
    if speakers is not None and (low is not None or high is not None):
        raise OptionError("give either speakers or min_speakers/max_speakers, not both")
    if low is not None and high is not None and low > high:
        raise OptionError(f"min_speakers ({low}) must not exceed max_speakers ({high})")
    if options.get("channels") == "separate" and (counted or options.get("diarize")):
        raise OptionError(
            "channels='separate' labels each channel's speech with its own speaker; drop diarize and the speaker counts"
        )
    if counted:
        options.setdefault("diarize", True)


def validate_options(options: Mapping[str, Any] | None) -> dict[str, OptionValue]:
    """The options checked against the contract, None values dropped (the server's default applies).

    Raises OptionError naming the option for an unknown name, a wrong type or a value out of range.
    """
    checked: dict[str, OptionValue] = {}
    for name, value in (options or {}).items():
        if name not in CONTRACT.options:
            raise OptionError(f"unknown option {name!r}; the server accepts: {', '.join(option_names())}")
        if value is not None:
            checked[name] = _checked(name, value)
    _check_speakers(checked)
    return checked


def custom_attributes(options: Mapping[str, Any] | None) -> str | None:
    """The CustomAttributes string for `options`, or None when none is set.

    Raises OptionError when the encoded string is longer than SageMaker allows (1024 characters).
    """
    checked = validate_options(options)
    if not checked:
        return None

    def encode(value: OptionValue) -> str:
        # As JavaScript writes them (the TypeScript client's encodeURIComponent and String): 1.0 as 1, and
        # !'()* left as they are.
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return quote(str(value), safe="!'()*")

    attributes = ";".join(f"{name}={encode(value)}" for name, value in checked.items())
    limit = CONTRACT.options_header_max_length
    if len(attributes) > limit:
        raise OptionError(
            f"the options make {len(attributes)} characters of custom attributes (percent-encoded); SageMaker "
            f"allows {limit}: shorten initial_prompt or hotwords"
        )
    return attributes
