"""The server's request contract as data, for the clients: contract/server-contract.json is generated from it.

The server owns every fact in it (the options header and its options with their ranges, the output media
types, the error codes, its settings' names and bounds); the TypeScript program and clients read the
generated file instead of restating them, and a test fails when the committed file is not what this module
generates.

    python -m whisper_server.contract          # prints the contract
    python -m whisper_server.contract FILE     # writes it (what `npm run contract` does)
"""

from __future__ import annotations

import json
import sys
from typing import Any

from . import formats
from .errors import ERROR_CODES, RETRYABLE
from .options import HEADER, MAX_HEADER_CHARACTERS, options_schema
from .settings import ENV_NAMES, Settings

GENERATED_BY = "npm run contract"


def server_contract() -> dict[str, Any]:
    """Everything a client needs to build a request the server accepts and to read its errors."""
    return {
        "$comment": f"Generated from inference/whisper_server by `{GENERATED_BY}`; do not edit by hand.",
        "optionsHeader": {"name": HEADER, "maxLength": MAX_HEADER_CHARACTERS},
        "options": options_schema(),
        "accept": dict(formats.BY_NAME),
        "defaultFormat": next(name for name, media in formats.BY_NAME.items() if media == formats.JSON),
        "renderings": {"mediaType": formats.RENDERINGS, "formats": list(formats.BY_NAME)},
        "settings": settings_schema(),
        "errors": {
            code: {"status": status, "retryable": code in RETRYABLE} for code, status in ERROR_CODES.items()
        },
    }


def settings_schema() -> dict[str, dict[str, Any]]:
    """Each server setting by its environment variable, with its type and bounds (a null-able setting as its
    non-null type: unset means the server's default). What a deployment may set, and within which range."""
    properties = Settings.model_json_schema()["properties"]
    published: dict[str, dict[str, Any]] = {}
    for field, env_name in ENV_NAMES.items():
        schema = properties.get(field) or properties[env_name]
        declared = next((s for s in schema.get("anyOf", []) if s.get("type") != "null"), schema)
        published[env_name] = {
            key: declared[key]
            for key in ("type", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
            if key in declared
        }
    return published


def render() -> str:
    """The contract file's text (stable key order, two-space indent, final newline)."""
    return json.dumps(server_contract(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if not argv:
        sys.stdout.write(render())
        return 0
    with open(argv[0], "w", encoding="utf-8") as file:
        file.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
