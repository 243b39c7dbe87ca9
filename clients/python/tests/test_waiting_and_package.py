"""The backoff schedule, and that `pip install ./clients/python` ships the server's contract with the code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from client_support import REPO_ROOT

from whisper_async_client import CONTRACT, option_names
from whisper_async_client.waiting import backoff_delay, poll_until


def test_backoff_doubles_from_one_second_to_fifteen_with_jitter_above_the_floor() -> None:
    assert [backoff_delay(n, rand=lambda: 1.0) for n in (1, 2, 3, 4, 5, 6)] == [1, 2, 4, 8, 15, 15]
    assert backoff_delay(6, rand=lambda: 0.0) == 1


def test_poll_until_checks_once_more_at_the_deadline_then_gives_up() -> None:
    now = [0.0]
    checks: list[float] = []

    def check() -> None:
        checks.append(now[0])

    def sleep(seconds: float) -> None:
        now[0] += seconds

    assert poll_until(check, 10.0, clock=lambda: now[0], sleep=sleep, rand=lambda: 1.0) is None
    assert checks == [0, 1, 3, 7, 10]


def test_the_options_are_the_servers() -> None:
    contract = json.loads((REPO_ROOT / "contract" / "server-contract.json").read_text())
    assert option_names() == list(contract["options"]["properties"])
    assert CONTRACT.accept == contract["accept"]


def test_pip_install_ships_the_contract_as_a_file(tmp_path: Path) -> None:
    # The repository's layout, copied: the package's contract is a link to ../../contract/server-contract.json.
    tree = tmp_path / "repo"
    shutil.copytree(
        REPO_ROOT / "clients" / "python",
        tree / "clients" / "python",
        symlinks=True,
        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache"),
    )
    (tree / "contract").mkdir()
    shutil.copy(REPO_ROOT / "contract" / "server-contract.json", tree / "contract")
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(tree / "clients" / "python"),
        ],
        check=True,
        capture_output=True,
    )
    shipped = target / "whisper_async_client" / "server-contract.json"
    assert shipped.is_file() and not shipped.is_symlink()
    assert shipped.read_text() == (REPO_ROOT / "contract" / "server-contract.json").read_text()
    assert (target / "whisper_async_client" / "py.typed").is_file()
    probe = "import whisper_async_client as w; print(len(w.option_names()))"
    printed = subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target)},
    ).stdout
    assert int(printed) == len(CONTRACT.options)
