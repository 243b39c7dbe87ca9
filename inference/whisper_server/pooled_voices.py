"""Reaching an asked speaker count on voiceprints of pooled speech, not of single pieces.

The second pass (voiceprints.py) clusters one voiceprint per piece of a turn, at most 6 s and often
under 2 s. On recorded people such a voiceprint is noisy: pieces of 1.5 s of one person and of two
people cannot be told apart by distance on 18% of pairs on the real-voice development set (none for
pieces of 5 s). So when a count is asked, the pieces are first cut into groups so tight that each is one
person (the pieces' merge tree cut at GROUP_DISTANCE: 99% of the speech time of a group is one person's
on both development sets), and the groups are then merged, closest first, on a voiceprint of all their
speech together (up to POOL_SECONDS of it, longest stretches first), taken again after each merge,
until the count asked is left. Groups with less than MIN_GROUP_SECONDS of speech are not merged on
their own (their pooled voiceprint is no better than a piece's): each of their pieces then goes to the
speaker whose pooled voiceprint is nearest its own.

When fewer groups than asked have that much speech, nothing is decided here and the clustering of the
pieces (clustering.py, which can count a voice with less speech) stands. Chosen on the development
sets (dev and real-dev, inference/bench/tune_diarization.py); figures in docs/speakers.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .clustering import cut, merge_tree
from .speaker_labels import SpeakerTurn
from .voiceprints import Pieces, alone_stretches

GROUP_DISTANCE = 0.25
"""Cosine distance at which the pieces' merge tree is cut into the starting groups (one person each)."""
MIN_GROUP_SECONDS = 1.75
"""Least speech (seconds) a group needs to be merged on its pooled voiceprint."""
POOL_SECONDS = 10.0
"""Most speech (seconds) one pooled voiceprint is taken over: its longest stretches first."""
SPREAD_FACTOR = 2.0
"""Without a count, two speakers are merged only when their pooled voiceprints are closer than this times
the spread of the wider one (merge_close_speakers)."""
MAX_EXCESS = 0.09
"""Without a count, two speakers are merged only when their pieces lie less than this much further (mean
cosine distance) from the other speaker's pieces than from their own speaker's (merge_close_speakers)."""

Stretch = tuple[float, float]


@dataclass(frozen=True)
class PooledAudio:
    """The recording and the voiceprint model, for voiceprints of pooled speech."""

    samples: np.ndarray
    """16 kHz mono float32 audio."""
    voiceprint: Callable[[np.ndarray], np.ndarray | None]
    """The voiceprint of some samples (voiceprints.Voiceprints.of), None when too short."""
    sample_rate: int = 16000

    def of(self, stretches: list[Stretch]) -> np.ndarray | None:
        """Unit voiceprint of `stretches` pooled: the longest first, up to POOL_SECONDS, in time order."""
        taken: list[Stretch] = []
        total = 0.0
        for start, end in sorted(stretches, key=lambda s: s[0] - s[1]):
            if total >= POOL_SECONDS:
                break
            end = min(end, start + POOL_SECONDS - total)
            taken.append((start, end))
            total += end - start
        rate = self.sample_rate
        audio = [self.samples[int(a * rate) : int(b * rate)] for a, b in sorted(taken)]
        print_ = self.voiceprint(np.concatenate(audio)) if audio else None
        if print_ is None:
            return None
        return print_ / max(float(np.linalg.norm(print_)), 1e-12)


def pooled_labels(
    embedded: Pieces, rough: list[SpeakerTurn], audio: PooledAudio, speakers: int
) -> dict[int, int] | None:
    """The speaker (0..speakers-1) of each piece with a voiceprint (piece index -> speaker), the groups
    merged on pooled voiceprints until `speakers` are left; None when fewer than `speakers` groups have
    MIN_GROUP_SECONDS of speech (or a pooled voiceprint cannot be taken)."""
    if len(embedded.embedded) < speakers:
        return None
    pairs, heights = merge_tree(embedded.prints)
    groups = cut(pairs, len(embedded.embedded), int(np.searchsorted(heights, GROUP_DISTANCE)))
    pool = _Pool(embedded, rough, audio, groups)
    for small in [g for g in pool.members if pool.seconds(g) < MIN_GROUP_SECONDS]:
        del pool.members[small]
    if len(pool.members) < speakers or not pool.take_prints():
        return None
    while len(pool.members) > speakers:
        keep, gone, _ = pool.closest()
        if not pool.merge(keep, gone):
            return None
    speaker_of = pool.speakers()
    nearest = pool.nearest()
    # The pieces of small groups go to the nearest speaker.
    return {piece: speaker_of.get(j, nearest[j]) for j, piece in enumerate(embedded.embedded)}


def merge_close_speakers(
    embedded: Pieces,
    rough: list[SpeakerTurn],
    audio: PooledAudio,
    label_of: dict[int, int],
    min_speakers: int = 1,
) -> dict[int, int]:
    """`label_of` (piece index -> speaker, as clustering.py found them without a count) with speakers
    merged, closest pooled voiceprints first, while the two are one person by both of these, never below
    `min_speakers`:

    - their pooled voiceprints are closer than SPREAD_FACTOR times the spread of the wider one (the mean
      distance of its pieces' voiceprints to its pooled one, weighted by speech): one person's lines cut
      in two lie about as close as that person's pieces are to them, two people's further apart;
    - their pieces lie less than MAX_EXCESS further from the other speaker's pieces than from their own
      (`_Pool.excess`): the recording's own measure of how far apart one person's pieces lie, which
      differs from one recording to the next (channel, telephone band, voice). A speaker of one piece
      has no distance among its own pieces, so the other's stands; two such speakers stay apart.

    Taken on the development sets (dev, real-dev, real-dev-more, long-dev, long-real-dev): the spread
    alone at 1.3 merged two people whose pooled voiceprints lie close but whose pieces do not, and kept
    apart one person's two halves that the pieces show to be one (docs/speakers.md)."""
    index = {piece: j for j, piece in enumerate(embedded.embedded)}
    groups = np.array([label_of[piece] for piece in embedded.embedded])
    pool = _Pool(embedded, rough, audio, groups)
    if len(pool.members) < 2 or not pool.take_prints():
        return label_of
    while len(pool.members) > max(min_speakers, 1):
        keep, gone, distance = pool.closest()
        if distance >= SPREAD_FACTOR * max(pool.spread(keep), pool.spread(gone)):
            break
        if not pool.excess(keep, gone) < MAX_EXCESS:  # NaN (two speakers of one piece): apart
            break
        if not pool.merge(keep, gone):
            return label_of
    speaker_of = pool.speakers()
    return {piece: speaker_of[index[piece]] for piece in label_of}


class _Pool:
    """Groups of pieces (by their index among the pieces with a voiceprint), each with the pooled
    voiceprint of its speech."""

    def __init__(self, embedded: Pieces, rough: list[SpeakerTurn], audio: PooledAudio, groups: np.ndarray):
        self.audio = audio
        self.unit = embedded.prints / np.maximum(
            np.linalg.norm(embedded.prints, axis=1, keepdims=True), 1e-12
        )
        self.weights = embedded.seconds
        self.stretches = []
        for i in embedded.embedded:
            piece = embedded.pieces[i]
            self.stretches.append(alone_stretches(piece.start, piece.end, piece.speaker, rough))
        self.members: dict[int, list[int]] = {}
        for j, group in enumerate(groups):
            self.members.setdefault(int(group), []).append(j)
        self.prints: dict[int, np.ndarray] = {}

    def speech(self, group: int) -> list[Stretch]:
        return [s for j in self.members[group] for s in self.stretches[j]]

    def seconds(self, group: int) -> float:
        return sum(b - a for a, b in self.speech(group))

    def take_prints(self) -> bool:
        """Each group's pooled voiceprint; False when one cannot be taken."""
        for group in self.members:
            pooled = self.audio.of(self.speech(group))
            if pooled is None:
                return False
            self.prints[group] = pooled
        return True

    def closest(self) -> tuple[int, int, float]:
        """The two groups with the closest pooled voiceprints, and their cosine distance."""
        keys = list(self.members)
        stacked = np.stack([self.prints[k] for k in keys])
        distance = 1.0 - stacked @ stacked.T
        np.fill_diagonal(distance, np.inf)
        a, b = np.unravel_index(int(np.argmin(distance)), distance.shape)
        return keys[int(a)], keys[int(b)], float(distance[a, b])

    def spread(self, group: int) -> float:
        """Mean cosine distance of the group's pieces' voiceprints to its pooled one, weighted by speech."""
        items = self.members[group]
        return float(np.average(1.0 - self.unit[items] @ self.prints[group], weights=self.weights[items]))

    def excess(self, a: int, b: int) -> float:
        """How much further (mean cosine distance, weighted by speech) the pieces of groups `a` and `b`
        lie from each other's than from their own group's other pieces (the mean of the two groups'
        own distances; a group of one piece has none and the other's stands; NaN when neither has)."""
        between = self._mean_distance(self.members[a], self.members[b])
        own = [self._mean_distance(items, items) for items in (self.members[a], self.members[b])]
        known = [d for d in own if not np.isnan(d)]
        return between - float(np.mean(known)) if known else float("nan")

    def _mean_distance(self, first: list[int], second: list[int]) -> float:
        """Mean cosine distance between the pieces of `first` and of `second`, weighted by the product of
        their speech; a piece is not paired with itself (NaN when no pair is left)."""
        distance = 1.0 - self.unit[first] @ self.unit[second].T
        weight = np.outer(self.weights[first], self.weights[second])
        weight[np.equal.outer(np.array(first), np.array(second))] = 0.0
        total = float(weight.sum())
        return float((distance * weight).sum() / total) if total > 0 else float("nan")

    def merge(self, keep: int, gone: int) -> bool:
        """`gone` joins `keep`, whose pooled voiceprint is taken again; False when it cannot be."""
        self.members[keep] = self.members[keep] + self.members.pop(gone)
        del self.prints[gone]
        pooled = self.audio.of(self.speech(keep))
        if pooled is None:
            return False
        self.prints[keep] = pooled
        return True

    def speakers(self) -> dict[int, int]:
        """Speaker (0..) of each piece in a group, numbered by group."""
        return {j: n for n, items in enumerate(self.members.values()) for j in items}

    def nearest(self) -> list[int]:
        """For every piece, the speaker whose pooled voiceprint is nearest its own voiceprint."""
        centroids = np.stack([self.prints[k] for k in self.members])
        return [int(n) for n in np.argmax(self.unit @ centroids.T, axis=1)]
