"""The benchmark's audio: the long "meeting" and the short clips, with their reference texts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from whisper_server.audio import SAMPLE_RATE, decode

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "audio"
GAP_SECONDS = 0.5


def _transcripts() -> dict[str, str]:
    return json.loads((FIXTURES / "transcripts.json").read_text())


def _load(name: str) -> np.ndarray:
    return decode((FIXTURES / name).read_bytes(), max_seconds=3600)


def meeting(repeat: int) -> tuple[np.ndarray, str]:
    """The eight synthetic meeting parts in order, `repeat` times, with short pauses; and the reference."""
    transcripts = _transcripts()
    names = sorted(name for name in transcripts if name.startswith("meeting/"))
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    parts = [_load(name) for name in names]
    audio = np.concatenate([piece for _ in range(repeat) for part in parts for piece in (part, gap)])
    reference = " ".join(transcripts[name] for _ in range(repeat) for name in names)
    return audio, reference


def clips() -> list[tuple[str, np.ndarray, str]]:
    """Short clips (3-15 s each): the twelve of a real human voice and the eight synthetic meeting
    parts; name, audio, reference."""
    transcripts = _transcripts()
    names = sorted(name for name in transcripts if name.startswith(("clips/", "meeting/")))
    return [(name, _load(name), transcripts[name]) for name in names]
