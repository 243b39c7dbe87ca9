"""The breakdown of lost speech by kind and place (inference/bench/diarization_errors.py)."""

from __future__ import annotations

import pytest
from diarization_errors import frame_bins

FRAMES_A_SECOND = 100  # der.py scores on a 10 ms grid


def seconds(bins: dict[tuple[str, str], int], kind: str, where: str = "all") -> float:
    return bins.get((kind, where), 0) / FRAMES_A_SECOND


def test_missed_wrong_and_extra_voices_are_told_apart_and_placed() -> None:
    reference = [(0.0, 10.0, "a"), (10.0, 20.0, "b"), (20.0, 20.5, "a"), (21.0, 25.0, "b")]
    hypothesis = [
        (0.0, 9.0, 0),  # a's last second missed (its edge: 0.3 s of it, then inside the turn)
        (10.0, 15.0, 1),
        (15.0, 20.0, 2),  # b's second half split off as a third speaker
        (20.0, 20.5, 1),  # a's short turn given to b
        (21.0, 25.0, 1),
    ]
    bins = frame_bins(reference, hypothesis)
    assert seconds(bins, "speech") == pytest.approx(24.5)
    assert seconds(bins, "missed") == pytest.approx(1.0)
    assert seconds(bins, "missed", "turn edge") == pytest.approx(0.3)
    assert seconds(bins, "missed", "inside a turn") == pytest.approx(0.7)
    assert seconds(bins, "extra voice") == pytest.approx(5.0)
    assert seconds(bins, "wrong voice", "short turn") == pytest.approx(0.5)
    assert seconds(bins, "false alarm") == 0


def test_overlapped_speech_is_its_own_place_and_false_alarm_is_counted() -> None:
    reference = [(0.0, 5.0, "a"), (4.0, 8.0, "b")]
    hypothesis = [(0.0, 4.0, 0), (5.0, 9.0, 1)]  # the overlap 4-5 s heard as nobody; 8-9 s is no one's
    bins = frame_bins(reference, hypothesis)
    assert seconds(bins, "missed", "overlap") == pytest.approx(1.0)
    assert seconds(bins, "false alarm") == pytest.approx(1.0)
