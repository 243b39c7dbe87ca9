"""Clustering of speaker embeddings (clustering.py) on made-up embeddings with known voices: the count asked
is obeyed, stray embeddings never count as a speaker, and asking for more voices than there are never
collapses the answer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from whisper_server.clustering import ClusteringConfig, cluster, cut, merge_tree, silhouette
from whisper_server.diarizer import DiarizerConfig, final_turns, second_pass_clustering
from whisper_server.settings import Settings
from whisper_server.speaker_labels import SpeakerTurn
from whisper_server.voiceprints import Pieces

CONFIG = ClusteringConfig(threshold=0.5, same_voice=0.1, min_speech=1.0)


def voices(
    spread: float, per_voice: int = 12, count: int = 3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`count` voices, `per_voice` embeddings each scattered by `spread` around it; 1 s of speech each."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(count, 64))
    truth = np.repeat(np.arange(count), per_voice)
    embeddings = centres[truth] + spread * rng.normal(size=(truth.size, 64))
    return embeddings, np.ones(truth.size), truth


def same_partition(labels: np.ndarray, truth: np.ndarray) -> bool:
    pairs = {(int(a), int(b)) for a, b in zip(labels, truth, strict=True)}
    return len(pairs) == len(set(labels.tolist())) == len(set(truth.tolist()))


def test_merge_tree_cuts_into_any_number_of_clusters() -> None:
    embeddings, _, truth = voices(0.2)
    pairs, heights = merge_tree(embeddings)
    assert len(pairs) == embeddings.shape[0] - 1
    assert list(heights) == sorted(heights)
    for k in (1, 3, 7, embeddings.shape[0]):
        assert len(set(cut(pairs, embeddings.shape[0], embeddings.shape[0] - k).tolist())) == k
    assert same_partition(cut(pairs, truth.size, truth.size - 3), truth)


def test_threshold_finds_well_separated_voices() -> None:
    embeddings, weights, truth = voices(0.2)
    assert same_partition(cluster(embeddings, weights, CONFIG), truth)


def test_count_given_separates_voices_the_threshold_merges() -> None:
    embeddings, weights, truth = voices(0.2)
    loose = ClusteringConfig(threshold=1.9, same_voice=0.05, min_speech=1.0)
    assert set(cluster(embeddings, weights, loose).tolist()) == {0}
    assert same_partition(cluster(embeddings, weights, loose, speakers=3), truth)
    assert len(set(cluster(embeddings, weights, loose, min_speakers=2).tolist())) == 2
    assert same_partition(cluster(embeddings, weights, loose, min_speakers=3, max_speakers=5), truth)


def test_count_given_merges_down_to_it() -> None:
    embeddings, weights, truth = voices(0.2, count=4)
    assert len(set(cluster(embeddings, weights, CONFIG, speakers=2).tolist())) == 2
    assert len(set(cluster(embeddings, weights, CONFIG, max_speakers=3).tolist())) == 3
    assert same_partition(cluster(embeddings, weights, CONFIG, max_speakers=6), truth)


def test_stray_embeddings_are_not_a_speaker() -> None:
    """Clustering straight to N makes an outlier one of the N and merges two real voices; here it joins
    its nearest voice and the N are the real ones."""
    embeddings, weights, truth = voices(0.2)
    outlier = np.random.default_rng(5).normal(size=(1, 64)) * 3
    embeddings = np.vstack([embeddings, outlier])
    weights = np.append(weights, 0.3)
    labels = cluster(embeddings, weights, ClusteringConfig(1.9, 0.05, 1.0), speakers=3)
    assert same_partition(labels[:-1], truth)
    assert len(set(labels.tolist())) == 3


@pytest.mark.parametrize("asked", [4, 8, 20, 32])
def test_more_speakers_than_voices_gives_the_voices_and_never_fewer(asked: int) -> None:
    embeddings, weights, truth = voices(0.02)  # tight voices: splitting one is below same_voice
    labels = cluster(embeddings, weights, CONFIG, speakers=asked)
    assert same_partition(labels, truth)
    assert same_partition(cluster(embeddings, weights, CONFIG, min_speakers=asked), truth)


def test_little_speech_is_one_speaker() -> None:
    embeddings, _, _ = voices(0.2, per_voice=2)
    assert set(cluster(embeddings, np.full(6, 0.1), CONFIG).tolist()) == {0}
    assert cluster(np.zeros((0, 64)), np.zeros(0), CONFIG).size == 0


def test_a_voice_that_says_little_is_a_speaker_when_asked_for() -> None:
    """Three voices, one with 1.5 s of speech in all: without the count it joins the nearest voice (too
    little speech for a speaker of its own); with speakers=3 it is the third speaker."""
    embeddings, weights, truth = voices(0.2)
    weights = np.where(truth == 2, 0.125, 1.0)  # 12 pieces of 0.125 s: 1.5 s, under min_speech 2 s
    config = ClusteringConfig(threshold=0.5, same_voice=0.1, min_speech=2.0)
    assert len(set(cluster(embeddings, weights, config).tolist())) == 2
    assert same_partition(cluster(embeddings, weights, config, speakers=3), truth)
    assert same_partition(cluster(embeddings, weights, config, min_speakers=3), truth)


def recording(spread: float, closeness: float, count: int, seed: int, per_voice: int = 12):
    """`count` voices whose centres lie `closeness` apart (around one base voice), each with `per_voice`
    embeddings scattered by `spread`; 1 s of speech each."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=64)
    base /= np.linalg.norm(base)
    centres = []
    for _ in range(count):
        offset = rng.normal(size=64)
        centre = base + closeness * offset / np.linalg.norm(offset)
        centres.append(centre / np.linalg.norm(centre))
    truth = np.repeat(np.arange(count), per_voice)
    embeddings = np.stack(centres)[truth] + spread * rng.normal(size=(truth.size, 64)) / 8.0
    return embeddings, np.ones(truth.size), truth


SEPARATION = ClusteringConfig(
    threshold=0.32, same_voice=0.05, min_speech=3.0, separation_floor=0.1, min_separation=0.33
)
# Three synthetic-like voices: tight (cosine 0.06 within) and close to each other (0.30 apart), and two
# recorded-people-like voices: each spread as wide (0.48 within) as the first three are apart.
CLOSE_TIGHT = recording(0.25, 0.6, 3, seed=1)
FAR_WIDE = recording(0.9, 5.0, 2, seed=2)


def test_no_threshold_serves_tight_and_wide_voices() -> None:
    """Why the count is chosen by separation: the thresholds that find the tight voices split the wide
    ones, and those that keep the wide ones whole merge the tight ones."""
    for threshold in np.arange(0.05, 1.5, 0.05):
        config = ClusteringConfig(threshold=float(threshold), same_voice=0.05, min_speech=3.0)
        both = [same_partition(cluster(e, w, config), t) for e, w, t in (CLOSE_TIGHT, FAR_WIDE)]
        assert not all(both), threshold


@pytest.mark.parametrize("voices_of", [CLOSE_TIGHT, FAR_WIDE], ids=["close-tight", "far-wide"])
def test_separation_finds_tight_and_wide_voices(voices_of) -> None:
    embeddings, weights, truth = voices_of
    assert same_partition(cluster(embeddings, weights, SEPARATION), truth)


@pytest.mark.parametrize("spread", [0.25, 0.9])
@pytest.mark.parametrize("seed", [3, 4, 5])
def test_one_voice_however_wide_is_one_speaker_by_separation(spread: float, seed: int) -> None:
    embeddings, weights, _ = recording(spread, 5.0, 1, seed=seed, per_voice=24)
    assert set(cluster(embeddings, weights, SEPARATION).tolist()) == {0}


def test_separation_leaves_asked_counts_and_bounds_to_the_threshold() -> None:
    embeddings, weights, truth = CLOSE_TIGHT
    assert same_partition(cluster(embeddings, weights, SEPARATION, speakers=3), truth)
    assert len(set(cluster(embeddings, weights, SEPARATION, speakers=2).tolist())) == 2
    assert len(set(cluster(embeddings, weights, SEPARATION, max_speakers=2).tolist())) == 2
    embeddings, weights, truth = FAR_WIDE
    assert len(set(cluster(embeddings, weights, SEPARATION, min_speakers=3).tolist())) == 3


def test_silhouette_of_a_known_partition() -> None:
    distance = np.array(
        [[0.0, 0.1, 0.9, 0.9], [0.1, 0.0, 0.9, 0.9], [0.9, 0.9, 0.0, 0.3], [0.9, 0.9, 0.3, 0.0]]
    )
    labels = np.array([0, 0, 1, 1])
    # Own-cluster means include the item itself: a = 0.05 (first two) and 0.15 (last two), b = 0.9.
    expected = np.mean([(0.9 - 0.05) / 0.9] * 2 + [(0.9 - 0.15) / 0.9] * 2)
    assert silhouette(distance, labels, np.ones(4)) == pytest.approx(expected)
    # Weighted: the last two stand for three times the speech (their own means keep a = 0.15).
    weighted = (2 * (0.9 - 0.05) / 0.9 + 6 * (0.9 - 0.15) / 0.9) / 8
    assert silhouette(distance, labels, np.array([1.0, 1.0, 3.0, 3.0])) == pytest.approx(weighted)


def default_second_pass() -> ClusteringConfig:
    """The server's second-pass clustering with its default settings (no models needed)."""
    settings = Settings()
    return second_pass_clustering(
        DiarizerConfig(Path("."), 1, settings.diarization_window_shift, settings.diarization_threshold)
    )


def test_two_wide_voices_of_a_long_recording_are_two_speakers_by_default() -> None:
    """A long recording's many pieces lower its silhouettes: two voices as widely spread as recorded
    people, 100 pieces each, score 0.31 at their best cut (long real recordings of two people did the
    same, docs/speakers.md), which the earlier bar for "one speaker" (0.33) took for one person."""
    embeddings, weights, truth = recording(0.9, 0.7, 2, seed=11, per_voice=100)
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    assert silhouette(np.clip(1 - unit @ unit.T, 0, 2), truth, weights) == pytest.approx(0.31, abs=0.01)
    assert len(set(cluster(embeddings, weights, default_second_pass()).tolist())) == 2


@pytest.mark.parametrize("spread", [0.25, 0.9, 1.2])
@pytest.mark.parametrize("seed", [3, 4, 5])
def test_one_wide_voice_of_a_long_recording_is_one_speaker_by_default(spread: float, seed: int) -> None:
    embeddings, weights, _ = recording(spread, 5.0, 1, seed=seed, per_voice=200)
    assert set(cluster(embeddings, weights, default_second_pass()).tolist()) == {0}


def two_close_voices_and_a_far_one(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three voices: two close to each other (0.3 apart around one base voice), the third far from both."""
    embeddings, weights, truth = recording(0.25, 0.3, 3, seed=seed)
    embeddings[truth == 2] += 3 * np.random.default_rng(99).normal(size=64) / 8
    return embeddings, weights, truth


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_extra_speaker_is_cut_beyond_the_best_separated_count(seed: int) -> None:
    """The silhouette's best cut takes the two close voices for one; one speaker more than that cut
    separates them (pooled_voices.py merges such an extra speaker back when it is one person's)."""
    embeddings, weights, truth = two_close_voices_and_a_far_one(seed)
    assert len(set(cluster(embeddings, weights, SEPARATION).tolist())) == 2
    extra = replace(SEPARATION, extra_speakers=1)
    assert same_partition(cluster(embeddings, weights, extra), truth)
    # No cut with two more speakers clears the bar: the best separated cut stands.
    assert len(set(cluster(embeddings, weights, replace(SEPARATION, extra_speakers=2)).tolist())) == 2


@pytest.mark.parametrize("spread", [0.25, 0.9])
def test_an_extra_speaker_never_splits_one_voice(spread: float) -> None:
    embeddings, weights, _ = recording(spread, 5.0, 1, seed=3, per_voice=24)
    assert set(cluster(embeddings, weights, replace(SEPARATION, extra_speakers=1)).tolist()) == {0}


def test_without_pooled_voiceprints_no_extra_speaker_is_cut() -> None:
    """final_turns without the audio has nothing to merge an extra speaker back: the best cut stands."""
    embeddings, weights, _ = two_close_voices_and_a_far_one(0)
    turns = [SpeakerTurn(float(n), float(n) + 1.0, n) for n in range(len(weights))]
    pieces = Pieces(turns, list(range(len(turns))), embeddings.astype(np.float32))
    extra = replace(SEPARATION, extra_speakers=1)
    assert len({t.speaker for t in final_turns(pieces, turns, extra)}) == 2
