"""The per-device defaults of decoding are what docs/performance.md's "Defaults per device" table states, and
the server resolves them by device (decision: a default holds only where it was measured)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_readme_contract import row_naming, table_after

from whisper_server.settings import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CHUNK_SECONDS,
    DEFAULT_COMPUTE_TYPE,
    DEFAULT_MIN_WINDOW_SECONDS,
    DEFAULT_PARALLEL_BATCHES,
    DEFAULT_SHORT_WINDOW_SECONDS,
    Settings,
)

PERFORMANCE = (Path(__file__).resolve().parents[2] / "docs" / "performance.md").read_text(encoding="utf-8")
TABLE = table_after(PERFORMANCE, "## Defaults per device")
DEFAULTS = {
    "WHISPER_CHUNK_SECONDS": DEFAULT_CHUNK_SECONDS,
    "WHISPER_MIN_WINDOW_SECONDS": DEFAULT_MIN_WINDOW_SECONDS,
    "WHISPER_SHORT_WINDOW_SECONDS": DEFAULT_SHORT_WINDOW_SECONDS,
    "WHISPER_BATCH_SIZE": DEFAULT_BATCH_SIZE,
    "WHISPER_COMPUTE_TYPE": DEFAULT_COMPUTE_TYPE,
    "WHISPER_PARALLEL_BATCHES": DEFAULT_PARALLEL_BATCHES,
}


@pytest.mark.parametrize("variable", list(DEFAULTS))
def test_the_table_states_each_device_default(variable: str) -> None:
    row = row_naming(TABLE, f"`{variable}`")
    assert (row[1].strip("`"), row[2].strip("`")) == (
        str(DEFAULTS[variable]["cuda"]),
        str(DEFAULTS[variable]["cpu"]),
    )


def test_cuda_keeps_faster_whispers_batched_chunking_until_a_gpu_measurement_says_otherwise() -> None:
    # No GPU measurement of shorter chunks or windows is in the repository (docs/performance.md).
    assert (DEFAULT_CHUNK_SECONDS["cuda"], DEFAULT_MIN_WINDOW_SECONDS["cuda"]) == (30, 30)
    assert Settings().resolve_short_window_seconds("cuda") == 30, "no window shorter than 30 s on CUDA"


def test_an_explicit_setting_wins_on_either_device() -> None:
    settings = Settings(chunk_seconds=20, min_window_seconds=10)
    for device in ("cuda", "cpu"):
        assert (settings.resolve_chunk_seconds(device), settings.resolve_min_window_seconds(device)) == (
            20,
            10,
        )
    unset = Settings()
    assert (unset.resolve_chunk_seconds("cpu"), unset.resolve_min_window_seconds("cpu")) == (15, 15)
    assert (unset.resolve_chunk_seconds("cuda"), unset.resolve_min_window_seconds("cuda")) == (30, 30)


def test_the_short_window_is_10_s_on_cpu_unless_a_floor_is_set_without_it() -> None:
    assert Settings().resolve_short_window_seconds("cpu") == 10
    assert Settings(min_window_seconds=20).resolve_short_window_seconds("cpu") == 20
    assert Settings(min_window_seconds=20, short_window_seconds=10).resolve_short_window_seconds("cuda") == 10
    assert Settings(short_window_seconds=15).resolve_short_window_seconds("cpu") == 15


def test_a_short_window_above_the_floor_is_refused_naming_both_settings() -> None:
    with pytest.raises(
        ValueError, match=r"WHISPER_SHORT_WINDOW_SECONDS \(20\) must not be above WHISPER_MIN"
    ):
        Settings(min_window_seconds=15, short_window_seconds=20)
    with pytest.raises(ValueError, match=r"WHISPER_MIN_WINDOW_SECONDS \(15\)"):
        Settings(short_window_seconds=20).resolve_short_window_seconds("cpu")
