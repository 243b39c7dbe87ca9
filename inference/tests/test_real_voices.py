"""Reference turns of the real-voice benchmark sets (inference/bench/real_voices.py), on made-up tracks."""

from __future__ import annotations

import numpy as np
from real_voices import RATE, speech_turns


def tone(seconds: float, level: float) -> np.ndarray:
    return (level * np.sin(2 * np.pi * 200 * np.arange(int(seconds * RATE)) / RATE)).astype(np.float32)


def test_turns_are_each_speakers_own_speech_with_short_pauses_closed() -> None:
    rows = np.zeros((2, 6 * RATE), np.float32)
    rows[0, RATE : 2 * RATE] = tone(1.0, 0.3)
    rows[0, int(2.2 * RATE) : 3 * RATE] = tone(0.8, 0.3)  # after a 0.2 s pause: the same turn
    rows[0, int(3.0 * RATE) : int(3.5 * RATE)] = tone(0.5, 0.0003)  # a breath 60 dB down: not speech
    rows[1, int(2.5 * RATE) : 4 * RATE] = tone(1.5, 0.1)  # starts while the first still talks
    turns = speech_turns(rows, ["a", "b"])
    assert [(t["speaker"], t["start"], t["end"]) for t in turns] == [("a", 1.0, 3.0), ("b", 2.5, 4.0)]


def test_a_silent_track_has_no_turns() -> None:
    assert speech_turns(np.zeros((1, RATE), np.float32), ["a"]) == []
