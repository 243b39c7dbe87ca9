"""The server's request contract, as the server generates it (`npm run contract`): the options with their types
and ranges, the output formats and their media types, the options header's limit and the error codes. Read from
the file shipped in this package (a link to the repository's contract/server-contract.json), never restated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class ServerContract:
    """What the client needs from contract/server-contract.json."""

    options: dict[str, dict[str, Any]]
    """Each request option as a JSON Schema property (type, minimum, maximum, enum, minLength, maxLength)."""
    accept: dict[str, str]
    """Output format (json, txt, srt, vtt) -> the media type sent as Accept."""
    default_format: str
    options_header_max_length: int
    """SageMaker's limit on CustomAttributes, in characters."""
    errors: dict[str, dict[str, Any]]
    """Error code -> {"status": HTTP status, "retryable": whether the same request may succeed later}."""


def load_contract() -> ServerContract:
    """Reads the contract shipped with the package."""
    raw = json.loads(resources.files(__package__).joinpath("server-contract.json").read_text("utf-8"))
    return ServerContract(
        options=raw["options"]["properties"],
        accept=raw["accept"],
        default_format=raw["defaultFormat"],
        options_header_max_length=raw["optionsHeader"]["maxLength"],
        errors=raw["errors"],
    )


CONTRACT = load_contract()
