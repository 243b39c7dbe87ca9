"""The server's request contract as data, for the clients: contract/server-contract.json is generated from it.

The server owns every fact in it (the options header and its options with their ranges, the output media
types, the error codes); the TypeScript clients read the generated file instead of restating them, and a test
fails when the committed file is not what this module generates.

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

GENERATED_BY = "npm run contract"


def server_contract() -> dict[str, Any]:
    """Everything a client needs to build a request the server accepts and to read its errors."""
    return {
        "$comment": f"Generated from inference/whisper_server by `{GENERATED_BY}`; do not edit by hand.",
        "optionsHeader": {"name": HEADER, "maxLength": MAX_HEADER_CHARACTERS},
        "options": options_schema(),
        "accept": dict(formats.BY_NAME),
        "defaultFormat": next(name for name, media in formats.BY_NAME.items() if media == formats.JSON),
        "errors": {
            code: {"status": status, "retryable": code in RETRYABLE} for code, status in ERROR_CODES.items()
        },
    }


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
