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
    parts = [_load(name) for name in names]
    audio = np.concatenate([_joined(parts * repeat), np.zeros(int(GAP_SECONDS * SAMPLE_RATE), np.float32)])
    reference = " ".join(transcripts[name] for _ in range(repeat) for name in names)
    return audio, reference


def clips() -> list[tuple[str, np.ndarray, str]]:
    """158 short clips (3-15 s each), name, audio and reference: the eight synthetic meeting parts and
    150 of a real human voice, the twelve of clips/, 68 single prompts and 70 joins of two or three
    prompts (GAP_SECONDS apart) from prompts/ (fixtures/make_fixtures.py says how they were chosen)."""
    transcripts = _transcripts()
    names = sorted(name for name in transcripts if name.startswith(("clips/", "meeting/")))
    found = [(name, _load(name), transcripts[name]) for name in names]
    sets = json.loads((FIXTURES / "prompts" / "sets.json").read_text())
    found += [
        prompt_clip(prompts, transcripts) for prompts in [[name] for name in sets["single"]] + sets["joined"]
    ]
    return found


def prompt_clip(prompts: list[str], transcripts: dict[str, str]) -> tuple[str, np.ndarray, str]:
    """The clip that the prompts named `prompts` (files of prompts/) make, GAP_SECONDS apart, as the
    benchmark joins them; name, audio, reference (from `transcripts`, transcripts.json)."""
    paths = [f"prompts/{prompt}.ogg" for prompt in prompts]
    audio = _joined([_load(path) for path in paths])
    return "+".join(paths), audio, " ".join(transcripts[path] for path in paths)


def _joined(pieces: list[np.ndarray]) -> np.ndarray:
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    return np.concatenate([piece for part in pieces for piece in (part, gap)][:-1])
