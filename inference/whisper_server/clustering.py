"""Which voice is which: agglomerative clustering of speaker embeddings, with a speaker count obeyed.

Items are speaker embeddings of (window, local speaker) pairs, each weighted by the seconds of speech it
stands for. Average-linkage clustering on cosine distance builds the whole merge tree once (nearest-
neighbour chain, O(n^2)); a cut of that tree is then a partition. A cluster with less speech than
`min_speech` is "small": an interjection or a stray embedding, not a speaker of its own; its items go to the
nearest large cluster, and a speaker count counts large clusters only. Without that rule, asking for N
speakers gives N-1 voices plus one cluster of a few stray embeddings (the failure of clustering straight
to N), and asking for more speakers than there are voices gives one voice split into fragments.

How the cut is chosen:
- no count, plain (the first pass): merge while the distance is below `threshold`;
- no count, by separation (the second pass, `separation_floor` set): every group closer than
  `separation_floor` is merged; among the cuts above it, one per count of large clusters, the one whose
  clusters are best separated (the silhouette: how much nearer each item is to its own cluster than to
  the next, weighted by speech) is taken, and one speaker when no cut separates its groups by
  `min_separation` or more; with `extra_speakers`, the cut with that many more large clusters than the
  best one is taken instead when it reaches `min_separation` too (the merging on pooled voiceprints,
  pooled_voices.py, then decides whether the extra speaker is a person of their own). A fixed
  threshold cannot serve recorded people and synthetic voices alike: one recorded person's voiceprints lie
  as far apart (cosine 0.34-0.39 on average for an actor) as two similar voices do (0.32), while synthetic
  voices keep within 0.1-0.2; the silhouette compares each voice's spread with its distance to the others in
  the recording itself;
- `speakers=N`: the cut with N large clusters nearest the `threshold`'s; if no cut gives N, the same with
  `min_speech` halved, and halved again, never below MIN_SPEECH_ASKED (a voice with a few short answers
  is still a voice when N are asked); if that gives no N either, the cut with the most large clusters
  among cuts that split nothing closer than `same_voice` (two groups that close are one voice): never
  fewer than the threshold would have found;
- `min_speakers`/`max_speakers`: the cut without a count, moved to the nearest bound when outside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_SPEECH_ASKED = 0.5
"""Least speech (seconds) a cluster may have to count as a speaker when that is what reaches an asked
count: `min_speech` is halved down to this while the count is not reached."""


MAX_SEPARATED = 32
"""Most speakers the count by separation considers (a request may ask for at most 32); each count
considered costs a silhouette, so this also bounds the time on long recordings."""


@dataclass(frozen=True)
class ClusteringConfig:
    threshold: float
    """Cosine distance below which two clusters are merged when no count is given and `separation_floor`
    is None; an asked count is reached from this cut."""
    same_voice: float
    """Cosine distance below which two clusters are never kept apart, even to reach an asked count."""
    min_speech: float
    """Seconds of speech a cluster needs to count as a speaker."""
    separation_floor: float | None = None
    """Without a count: None cuts at `threshold`; a distance makes the count the one with the highest
    silhouette among the cuts above this distance."""
    min_separation: float = 0.0
    """With `separation_floor`: the silhouette a cut needs for more than one speaker."""
    extra_speakers: int = 0
    """With `separation_floor`: take the cut with this many more large clusters than the best separated
    one, when it too reaches `min_separation` (0: the best separated cut). The silhouette's best cut
    merges two similar people more often than it splits one; the extra speaker is for a later step to
    merge back (pooled_voices.merge_close_speakers) when it is one person's."""


def merge_tree(embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average-linkage merges of `embeddings` (n, d) on cosine distance, sorted by distance.

    Returns (pairs, heights): merge i joins the clusters holding items pairs[i, 0] and pairs[i, 1] at
    distance heights[i]; applying the first n - k merges leaves k clusters.
    """
    n = embeddings.shape[0]
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    unit = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    distance = np.clip(1.0 - unit @ unit.T, 0.0, 2.0).astype(np.float64)
    np.fill_diagonal(distance, np.inf)
    size = np.ones(n)
    active = np.ones(n, dtype=bool)
    pairs: list[tuple[int, int]] = []
    heights: list[float] = []
    chain: list[int] = []
    for _ in range(n - 1):
        if not chain:
            chain.append(int(np.flatnonzero(active)[0]))
        while True:
            a = chain[-1]
            row = np.where(active, distance[a], np.inf)
            b = int(np.argmin(row))
            if len(chain) > 1 and row[chain[-2]] <= row[b]:
                b = chain[-2]
            if len(chain) > 1 and b == chain[-2]:
                break
            chain.append(b)
        b, a = chain.pop(), chain.pop()
        pairs.append((a, b))
        heights.append(float(distance[a, b]))
        # Lance-Williams for average linkage; cluster b lives on in row a.
        merged = (size[a] * distance[a] + size[b] * distance[b]) / (size[a] + size[b])
        distance[a], distance[:, a] = merged, merged
        distance[a, a] = np.inf
        active[b] = False
        distance[b], distance[:, b] = np.inf, np.inf
        size[a] += size[b]
    order = np.argsort(heights, kind="stable")
    return np.array(pairs, dtype=np.int64)[order], np.array(heights)[order]


def cut(pairs: np.ndarray, n: int, merges: int) -> np.ndarray:
    """Cluster number of each of `n` items after the first `merges` merges (numbered 0.. by first item)."""
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    for a, b in pairs[:merges]:
        parent[root(int(a))] = root(int(b))
    roots = [root(i) for i in range(n)]
    numbers: dict[int, int] = {}
    return np.array([numbers.setdefault(r, len(numbers)) for r in roots], dtype=np.int64)


def cluster(
    embeddings: np.ndarray,
    weights: np.ndarray,
    config: ClusteringConfig,
    speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
) -> np.ndarray:
    """The speaker (0..k-1) of each item; small clusters joined to their nearest large one."""
    n = embeddings.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    pairs, heights = merge_tree(embeddings)
    large_at = _large_counts(pairs, weights, config.min_speech)  # large clusters after m merges
    by_threshold = int(np.searchsorted(heights, config.threshold))  # merges below the threshold
    by_count = by_threshold  # the cut when no count is given
    if speakers is None and config.separation_floor is not None:
        by_floor = int(np.searchsorted(heights, config.separation_floor))
        by_count = _best_separated(embeddings, weights, pairs, large_at, by_floor, config)
    wanted = speakers
    if wanted is None:
        found = large_at[by_count]
        if min_speakers is not None and found < min_speakers:
            wanted = min_speakers
        elif max_speakers is not None and found > max_speakers:
            wanted = max_speakers
    min_speech = config.min_speech
    if wanted is None:
        merges = by_count
    else:
        merges = _merges_for(wanted, large_at, heights, by_threshold, config.same_voice)
        # A voice that says little (a few short answers) has too little speech to count as a speaker;
        # asked for, it may: less speech is enough, as long as that reaches the count asked.
        relaxed = min_speech / 2
        while large_at[merges] < wanted and relaxed >= MIN_SPEECH_ASKED:
            relaxed_at = _large_counts(pairs, weights, relaxed)
            relaxed_merges = _merges_for(wanted, relaxed_at, heights, by_threshold, config.same_voice)
            if relaxed_at[relaxed_merges] >= wanted:
                merges, min_speech = relaxed_merges, relaxed
                break
            relaxed /= 2
    labels = cut(pairs, n, merges)
    return _join_small(labels, embeddings, weights, min_speech, wanted)


def _best_separated(
    embeddings: np.ndarray,
    weights: np.ndarray,
    pairs: np.ndarray,
    large_at: np.ndarray,
    by_floor: int,
    config: ClusteringConfig,
) -> int:
    """The merges, at or after `by_floor`, whose large clusters have the highest silhouette (the lowest
    cut for each count of them); all merges (one speaker) when none reaches `config.min_separation`.
    With `config.extra_speakers`, the cut with that many more large clusters when it reaches
    `config.min_separation` as well (else the best one)."""
    n = weights.size
    unit = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    distance = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    best, best_score, best_count = n - 1, config.min_separation, 1
    separated: dict[int, int] = {}  # count of large clusters -> merges, for cuts reaching min_separation
    for merges in range(by_floor, n):
        count = int(large_at[merges])
        if count < 2 or count > MAX_SEPARATED or count in separated:
            continue
        labels = _join_small(cut(pairs, n, merges), embeddings, weights, config.min_speech, None)
        score = silhouette(distance, labels, weights)
        separated[count] = merges if score >= config.min_separation else -1
        if score >= best_score:
            best, best_score, best_count = merges, score, count
    extra = separated.get(best_count + config.extra_speakers, -1) if best_count > 1 else -1
    return extra if extra >= 0 else best


def silhouette(distance: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> float:
    """The weighted mean silhouette of `labels` over a (n, n) `distance` matrix: for each item, (b - a) /
    max(a, b) with a its mean distance to its own cluster and b to the nearest other one (means weighted by
    `weights`; an item's own cluster includes itself, which matters only for clusters of one item)."""
    clusters = np.unique(labels)
    members = (labels[None, :] == clusters[:, None]) * weights[None, :]
    mean = (distance @ members.T) / members.sum(axis=1)
    own = np.searchsorted(clusters, labels)
    rows = np.arange(labels.size)
    a = mean[rows, own]
    mean[rows, own] = np.inf
    b = mean.min(axis=1)
    score = (b - a) / np.maximum(np.maximum(a, b), 1e-12)
    return float((score * weights).sum() / weights.sum())


def _large_counts(pairs: np.ndarray, weights: np.ndarray, min_speech: float) -> np.ndarray:
    """Number of clusters with at least `min_speech` after 0, 1, ... n-1 merges."""
    n = weights.size
    parent = np.arange(n)
    mass = weights.astype(np.float64).copy()

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    large = int((mass >= min_speech).sum())
    counts = [large]
    for a, b in pairs:
        ra, rb = root(int(a)), root(int(b))
        large -= int(mass[ra] >= min_speech) + int(mass[rb] >= min_speech)
        parent[ra] = rb
        mass[rb] += mass[ra]
        large += int(mass[rb] >= min_speech)
        counts.append(large)
    return np.array(counts)


def _merges_for(
    wanted: int, large_at: np.ndarray, heights: np.ndarray, by_threshold: int, same_voice: float
) -> int:
    """Merges that leave at least `wanted` large clusters, as close to the threshold's cut as can be
    (`_join_small` keeps the `wanted` largest); when splitting cannot reach `wanted` without keeping
    apart groups closer than `same_voice`, the cut with the most large clusters that does not."""
    found = int(large_at[by_threshold])
    if found == wanted:
        return by_threshold
    if found > wanted:  # merge on while the count stays reached
        return max(m for m in range(by_threshold, large_at.size) if large_at[m] >= wanted)
    floor = int(np.searchsorted(heights, same_voice))
    allowed = range(min(floor, by_threshold), by_threshold + 1)
    enough = [m for m in allowed if large_at[m] >= wanted]
    if enough:
        return enough[-1]
    return max(allowed, key=lambda m: (int(large_at[m]), m))


def _join_small(
    labels: np.ndarray, embeddings: np.ndarray, weights: np.ndarray, min_speech: float, wanted: int | None
) -> np.ndarray:
    """Relabels items so that only large clusters remain (at most `wanted` of them, the ones with most
    speech), each item of a small cluster going to the large centroid nearest its own embedding."""
    mass = np.bincount(labels, weights=weights)
    large = [int(c) for c in np.argsort(-mass, kind="stable") if mass[c] >= min_speech]
    if wanted is not None:
        large = large[:wanted]
    if not large:  # too little speech for any speaker of its own: all one speaker
        return np.zeros_like(labels)
    unit = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    centroids = np.stack([unit[labels == c].mean(axis=0) for c in large])
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    number = {c: i for i, c in enumerate(large)}
    nearest = np.argmax(unit @ centroids.T, axis=1)
    return np.array([number.get(int(c), int(k)) for c, k in zip(labels, nearest, strict=True)])
