"""Long recordings re-joined from conversations (inference/bench/long_conversations.py), on made-up audio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from long_conversations import blocks, interleave

RATE = 16000


def reference(name: str, turns: list[tuple[float, float, str]]) -> dict[str, object]:
    return {
        "name": name,
        "telephone": False,
        "turns": [{"start": a, "end": b, "speaker": s} for a, b, s in turns],
    }


def test_a_conversation_is_cut_only_in_the_middle_of_silences() -> None:
    """Cut in the 1.0 s pause (at 2.5 s), not in the 0.1 s one (too short) nor inside the overlap."""
    samples = np.arange(6 * RATE, dtype=np.float32)
    turns = [(0.0, 1.0, "a"), (1.1, 2.0, "b"), (3.0, 4.5, "a"), (4.2, 5.5, "b")]
    found = blocks(samples, reference("c", turns))
    assert [b[0].size / RATE for b in found] == [2.5, 3.5]
    assert found[1][0][0] == 2.5 * RATE  # the second block starts where the first ended
    assert [(t["start"], t["end"], t["speaker"]) for t in found[1][1]] == [(0.5, 2.0, "a"), (1.7, 3.0, "b")]


def test_interleaved_blocks_keep_every_turn_where_its_audio_is(tmp_path: Path, monkeypatch) -> None:
    """Each turn's audio (a constant per turn here) lies under the turn in the re-joined recording, and
    blocks with someone outside the chosen people are left out."""
    audio = {}
    parts = []
    for name, turns in {
        "x": [(0.0, 1.0, "a"), (2.0, 3.0, "b"), (4.0, 5.0, "c")],
        "y": [(0.5, 1.5, "b"), (2.5, 3.5, "a")],
    }.items():
        samples = np.zeros(6 * RATE, np.float32)
        for k, (a, b, _) in enumerate(turns):
            samples[int(a * RATE) : int(b * RATE)] = len(audio) * 10 + k + 1
        audio[tmp_path / f"{name}.wav"] = samples
        parts.append((tmp_path / f"{name}.wav", reference(name, turns)))
    monkeypatch.setattr("conversations.read_wav", lambda path: audio[path])
    joined, ref = interleave("long", (parts, frozenset({"a", "b"})), seed=1)
    assert ref["speakers"] == 2 and ref["voices"] == ["a", "b"]
    assert ref["duration"] == pytest.approx(joined.size / RATE)
    assert len(ref["turns"]) == 4  # x's turn of c (and nothing else of its block) is left out
    for turn in ref["turns"]:
        inside = joined[int(turn["start"] * RATE) + 10 : int(turn["end"] * RATE) - 10]
        assert inside.size and np.all(inside == inside[0]) and inside[0] > 0, turn
    assert sorted(ref["sources"]) == ["x", "y"]
