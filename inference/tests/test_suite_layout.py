"""How the suite stays fast: every module that starts real `serve` processes is marked `slow`, so that
`npm test` (tools/check.mjs) runs it in a lane with priority over the other lanes' load, and
`pytest -m "not slow"` leaves it out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def _marks_module_slow(tree: ast.Module) -> bool:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        ):
            return "pytest.mark.slow" in ast.unparse(node.value)
    return False


def _starts_serve(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "serving"
        and any(alias.name == "running_serve" for alias in node.names)
        for node in tree.body
    )


def test_every_module_that_starts_serve_is_marked_slow() -> None:
    modules = {path.name: ast.parse(path.read_text()) for path in sorted(TESTS.glob("test_*.py"))}
    starting = [name for name, tree in modules.items() if _starts_serve(tree)]
    assert len(starting) >= 3, starting  # test_server_process, test_server_diarization, test_connections
    assert [name for name in starting if not _marks_module_slow(modules[name])] == []


def test_the_slow_marker_is_registered(pytestconfig: pytest.Config) -> None:
    assert any(line.startswith("slow:") for line in pytestconfig.getini("markers"))
