"""The manual's tables of options, error codes and settings say what the server's contract says (docs/ is the
user's manual, so it is the one copy that cannot be generated: this test compares it instead). The server's
tables are in docs/server-api.md, the CLIs' in docs/cli.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from whisper_server.contract import server_contract

DOCS = Path(__file__).resolve().parents[2] / "docs"
SERVER_API = (DOCS / "server-api.md").read_text(encoding="utf-8")
CLI = (DOCS / "cli.md").read_text(encoding="utf-8")
CONTRACT = server_contract()
RANGE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)(?![\w.])")


def table_after(page: str, heading: str) -> list[list[str]]:
    """The cells of the first Markdown table of `page` after the text `heading` (header rows left out)."""
    lines = page[page.index(heading) :].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(
            [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        )  # `\|` is text
    return rows


def row_naming(rows: list[list[str]], name: str) -> list[str]:
    matches = [row for row in rows if name in row[0]]
    assert matches, f"the table has no row for {name}"
    return matches[0]


def stated_range(text: str) -> tuple[float, float] | None:
    found = RANGE.search(text.replace("`", ""))
    return (float(found[1]), float(found[2])) if found else None


def declared_range(schema: dict[str, float]) -> tuple[float, float] | None:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    return None if low is None or high is None else (float(low), float(high))


@pytest.mark.parametrize("key", list(CONTRACT["options"]["properties"]))
def test_server_options_table(key: str) -> None:
    schema = CONTRACT["options"]["properties"][key]
    row = row_naming(table_after(SERVER_API, "Options (an unknown key"), f"`{key}`")
    if declared_range(schema) is not None:
        assert stated_range(row[1]) == declared_range(schema)
    for choice in schema.get("enum", []):
        assert f"`{choice}`" in row[1]


@pytest.mark.parametrize("key", list(CONTRACT["options"]["properties"]))
def test_cli_options_table(key: str) -> None:
    flag = key.replace("_", "-")
    rows = table_after(CLI, "## Transcription options")
    row = next(
        (r for r in rows if f"`--{flag} " in r[0] or f"`--[no-]{flag}`" in r[0] or f"`--{flag}`" in r[0]),
        None,
    )
    assert row is not None, f"docs/cli.md's options table has no row for --{flag}"
    declared = declared_range(CONTRACT["options"]["properties"][key])
    stated = stated_range(row[3])
    if declared is not None and stated is not None:  # a row may leave the range to the server's table
        assert stated == declared


def test_error_table() -> None:
    stated = set()
    for row in table_after(SERVER_API, "Errors are JSON"):
        statuses = re.findall(r"\d{3}", row[0])
        codes = re.findall(r"`([a-z_]+)`", row[1])
        assert len(statuses) == len(codes), row
        stated.update(zip(codes, (int(s) for s in statuses), strict=True))
    assert stated == {(code, error["status"]) for code, error in CONTRACT["errors"].items()}


@pytest.mark.parametrize("variable", list(CONTRACT["settings"]))
def test_settings_table(variable: str) -> None:
    row = row_naming(table_after(SERVER_API, "| Variable | Type | Default | Meaning |"), f"`{variable}`")
    schema = CONTRACT["settings"][variable]
    if declared_range(schema) is not None:
        assert stated_range(row[1]) == declared_range(schema)
    for choice in schema.get("enum", []):
        assert f"`{choice}`" in row[1]


@pytest.mark.parametrize("name", list(CONTRACT["accept"]))
def test_accept_tables(name: str) -> None:
    media = CONTRACT["accept"][name]
    row_naming(table_after(SERVER_API, "## Response"), f"`{media}`")
    cli_format = row_naming(table_after(CLI, "## Transcription options"), "`--format ")
    assert f"`{media}`" in cli_format[3]
    assert name in cli_format[0]
