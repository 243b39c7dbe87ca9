"""The one-command GPU benchmark (inference/bench/bench_gpu.py) runs end to end, here on CPU with tiny.en
and a few short clips, so that it still works the day someone has a GPU."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_gpu.py"


def test_it_prints_and_writes_every_paths_figures(model_dir: str, tmp_path: Path) -> None:
    report = tmp_path / "gpu.json"
    command = [sys.executable, str(BENCH), "--model-dir", model_dir, "--device", "cpu", "--runs", "1"]
    command += ["--recorded", "1", "--clip-seconds", "8", "--synthetic", "1", "--price", "ml.g6.xlarge=0.9"]
    done = subprocess.run([*command, "--json", str(report)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    figures = json.loads(report.read_text())
    assert (figures["model"], figures["device"]) == ("whisper-tiny.en", "cpu")
    assert figures["prices"] == {"ml.g4dn.xlarge": 0.7364, "ml.g5.xlarge": 1.408, "ml.g6.xlarge": 0.9}
    # The recorded set needs the Asterisk packages; without them it is skipped, saying which to install.
    recorded = "recorded en" in figures["sets"]
    assert recorded or "asterisk-core-sounds-en" in done.stdout
    for name, paths in figures["sets"].items():
        # CPU: the default is the 15 s chunking already, so no second variant of our path.
        assert set(paths) == {"default", "sequential", "seed"}, name
        for path in paths.values():
            assert len(path["wer"]) == 1 and 0 <= path["wer"][0] < 0.5
            assert path["x_realtime"] > 0
            assert path["dollars_per_audio_hour"]["ml.g4dn.xlarge"] == pytest.approx(
                0.7364 / path["x_realtime"]
            )
    assert "synthetic en" in figures["sets"]
    if shutil.which("nvidia-smi") is None:
        assert figures["peak_gpu_memory_mib"] is None
        assert "peak GPU memory: n/a (no GPU)" in done.stdout
