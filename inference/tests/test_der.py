"""The benchmark's diarization error rate with and without overlapping speech (inference/bench/der.py)."""

from __future__ import annotations

import pytest
from der import PooledScore, score

# A talks 0-4 s; B says something 2-3 s, at once with A.
REFERENCE = [(0.0, 4.0, "A"), (2.0, 3.0, "B")]


def test_missing_the_second_voice_of_an_overlap_counts_only_with_overlap() -> None:
    result = score(REFERENCE, [(0.0, 4.0, 1)])
    assert result.der == pytest.approx(0.0)  # an overlapped frame counts once, for who started first
    assert result.overlap_der == pytest.approx(1.0 / 5.0, abs=0.01)  # B's second missed of 5 s
    assert result.single_der == pytest.approx(0.0)


def test_both_voices_of_an_overlap_found_is_no_error() -> None:
    result = score(REFERENCE, [(0.0, 4.0, 1), (2.0, 3.0, 2)])
    assert result.overlap_der == pytest.approx(0.0, abs=0.01)


def test_the_overlap_given_to_the_wrong_speaker_outside_it_counts_without_overlap() -> None:
    # The hypothesis gives B's label to A's speech from 3 to 4 s: an error where A talks alone.
    result = score(REFERENCE, [(0.0, 3.0, 1), (2.0, 4.0, 2)])
    assert result.single_der == pytest.approx(1.0 / 3.0, abs=0.01)  # 1 s of the 3 s A talks alone


def test_pooled_scores_weigh_by_speech() -> None:
    pooled = PooledScore()
    pooled.add("a", REFERENCE, [(0.0, 4.0, 1)])
    pooled.add("b", [(0.0, 5.0, "A")], [(0.0, 5.0, 1)])
    assert pooled.overlap_der == pytest.approx(1.0 / 10.0, abs=0.01)
    assert pooled.single_der == pytest.approx(0.0)
