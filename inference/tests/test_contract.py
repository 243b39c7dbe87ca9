"""The published contract (contract/server-contract.json) is what the server generates, and the server keeps
to it: every error code it answers with is declared, and each option's declared range is the range the parser
enforces."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from whisper_server import contract, errors
from whisper_server.errors import ERROR_CODES, RequestError
from whisper_server.options import OPTIONS, parse_options
from whisper_server.settings import Settings

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "contract" / "server-contract.json"
CODE = re.compile(r"[a-z]+(_[a-z]+)*")
SERVER_SOURCES = sorted((REPO / "inference" / "whisper_server").glob("*.py"))


def test_committed_contract_is_what_the_server_generates() -> None:
    # Stale after a change to the options, formats or error codes: run `npm run contract` and commit the file.
    assert COMMITTED.read_text(encoding="utf-8") == contract.render()


def test_contract_is_valid_json_naming_the_header_and_default() -> None:
    published = json.loads(contract.render())
    assert published["optionsHeader"]["name"] == "X-Amzn-SageMaker-Custom-Attributes"
    assert published["accept"][published["defaultFormat"]] == "application/json"


def _used_error_codes(source: str) -> set[tuple[int | None, str]]:
    """(status, code) of each `RequestError(status, "code", ...)`, `{"error": "code"}` and `{404: "code"}`
    (a status-keyed dict whose values are code-like names, not messages)."""
    used: set[tuple[int | None, str]] = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "RequestError"
            and len(node.args) >= 2
        ):
            status, code = node.args[0], node.args[1]
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                used.add((status.value if isinstance(status, ast.Constant) else None, code.value))
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if not (isinstance(key, ast.Constant) and isinstance(value, ast.Constant)):
                    continue
                if key.value == "error" and isinstance(value.value, str):
                    used.add((None, value.value))
                elif (
                    isinstance(key.value, int) and 400 <= key.value < 600 and CODE.fullmatch(str(value.value))
                ):
                    used.add((key.value, value.value))
    return used


def test_every_error_code_the_server_answers_with_is_declared() -> None:
    used = set().union(*(_used_error_codes(p.read_text(encoding="utf-8")) for p in SERVER_SOURCES))
    assert {code for _, code in used} >= {"bad_option", "queue_full", "internal_error", "not_found"}
    undeclared = sorted(code for _, code in used if code not in ERROR_CODES)
    assert undeclared == []
    wrong_status = sorted(code for status, code in used if status is not None and ERROR_CODES[code] != status)
    assert wrong_status == []


def test_the_checker_finds_an_undeclared_code() -> None:
    assert _used_error_codes('RequestError(400, "typo_code", "m")\nx = {"error": "other"}') == {
        (400, "typo_code"),
        (None, "other"),
    }


def test_an_undeclared_error_cannot_be_raised() -> None:
    with pytest.raises(ValueError, match="undeclared error code"):
        RequestError(400, "no_such_code", "message")
    with pytest.raises(ValueError, match="undeclared error code"):
        RequestError(500, "bad_option", "declared as 400")
    assert errors.bad_option("vad", "x").status == 400


@pytest.mark.parametrize("key", [k for k, spec in OPTIONS.items() if spec.type in ("integer", "number")])
def test_declared_ranges_are_the_ranges_the_parser_enforces(key: str) -> None:
    schema = contract.server_contract()["options"]["properties"][key]
    low, high = schema["minimum"], schema["maximum"]
    step = 1 if schema["type"] == "integer" else 0.5
    for value in (low, high):
        assert getattr(parse_options(f"{key}={value:g}", ["en"], False), key) == value
    for value in (low - step, high + step):
        if value < 0:
            continue  # not an ASCII number at all; test_options covers that refusal
        with pytest.raises(RequestError, match=f"option '{key}': must be"):
            parse_options(f"{key}={value:g}", ["en"], False)


@pytest.mark.parametrize("key", ["beam_size", "batch_size"])
def test_request_options_that_override_a_setting_have_its_bounds(key: str) -> None:
    setting = Settings.model_json_schema()["properties"][key]
    bounds = [setting, *setting.get("anyOf", [])]
    server = (
        next(b["minimum"] for b in bounds if "minimum" in b),
        next(b["maximum"] for b in bounds if "maximum" in b),
    )
    option = contract.server_contract()["options"]["properties"][key]
    assert (option["minimum"], option["maximum"]) == server


def test_the_language_pattern_admits_every_whisper_language() -> None:
    """The clients refuse a language that does not match the contract's pattern before the upload: it must
    admit every code a Whisper model knows, in either case (the server lowercases it)."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    pattern = re.compile(contract.server_contract()["options"]["properties"]["language"]["pattern"])
    assert all(pattern.fullmatch(code) and pattern.fullmatch(code.upper()) for code in _LANGUAGE_CODES)
    assert not any(pattern.fullmatch(name) for name in ("english", "en-US", "e", ""))
