"""Clustering of speaker embeddings (clustering.py) on made-up embeddings with known voices: the count asked
is obeyed, stray embeddings never count as a speaker, and asking for more voices than there are never
collapses the answer."""

from __future__ import annotations

import numpy as np
import pytest

from whisper_server.clustering import ClusteringConfig, cluster, cut, merge_tree

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
