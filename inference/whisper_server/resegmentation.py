"""Resegmentation: once the speakers are known, each piece goes back to the speaker it sounds most like.

Clustering (clustering.py) and the merging on pooled voiceprints (pooled_voices.py) decide speakers by
groups; a piece that clustering put with the wrong group stays there, and on recorded people the
lines of one actor said in another tone (shouted, whispered) can end up as a small speaker of their own.
As VBx resegments frames against speaker models after clustering, each piece here is compared with every
speaker's model (the mean of the unit voiceprints of that speaker's pieces, weighted by their speech)
and goes to the nearest; the models are taken again and this repeats until nothing moves (at most
MAX_ROUNDS times).

A piece is compared with its own speaker's model taken without it (leave one out): taken with it, a
small speaker's model is mostly the piece itself, and no piece of a small split-off speaker would ever
leave it. A speaker with fewer than MIN_PIECES_LEFT_OUT pieces keeps its pieces in its model: the model of
one or two other pieces is too noisy to judge by, and on synthetic voices a real speaker with one or two
lines was otherwise absorbed (dev: 18/24 right counts to 16/24 left out always, 17/24 from two pieces).
Without a count, a speaker left with less speech than the smallest speaker is dropped (its pieces go to
the nearest other model); with a count, no speaker is dropped and nothing is moved that would leave
fewer speakers than asked.

A penalty for changing speaker between adjoining pieces of one turn (VBx's HMM over frames) was tried
and left out: 0.1 changed nothing on the development sets, 0.3 cost real-dev a right count.
Chosen on the development sets (dev, real-dev, long-dev, long-real-dev; figures in docs/speakers.md).
"""

from __future__ import annotations

import numpy as np

from .voiceprints import Pieces

MIN_PIECES_LEFT_OUT = 3
"""Least pieces a speaker needs for its pieces to be compared with its model taken without them."""
MAX_ROUNDS = 5
"""Most rounds of moving pieces and taking the models again."""


def resegment(
    embedded: Pieces,
    label_of: dict[int, int],
    min_speech: float | None = None,
    min_speakers: int = 1,
) -> dict[int, int]:
    """`label_of` (piece index -> speaker) with each piece moved to the speaker whose model is nearest
    its voiceprint, repeated until nothing moves; speakers numbered 0.. in order of their first piece.

    `min_speech` (seconds; None: none is dropped, as with an asked count) drops a speaker left with less
    speech; no round that would leave fewer than `min_speakers` speakers is taken.
    """
    if not label_of:
        return label_of
    unit = embedded.prints / np.maximum(np.linalg.norm(embedded.prints, axis=1, keepdims=True), 1e-12)
    seconds = embedded.seconds
    labels = np.array([label_of[piece] for piece in embedded.embedded])
    for _ in range(MAX_ROUNDS):
        moved = _nearest(unit, seconds, labels, min_speech)
        if np.array_equal(moved, labels) or np.unique(moved).size < min_speakers:
            break
        labels = moved
    numbers: dict[int, int] = {}
    return {
        piece: numbers.setdefault(int(label), len(numbers))
        for piece, label in zip(embedded.embedded, labels, strict=True)
    }


def _nearest(
    unit: np.ndarray, seconds: np.ndarray, labels: np.ndarray, min_speech: float | None
) -> np.ndarray:
    """Each piece's nearest speaker model, a speaker left with under `min_speech` seconds dropped."""
    speakers = np.unique(labels)
    similarity = _similarity(unit, seconds, labels, speakers)
    nearest = speakers[np.argmax(similarity, axis=1)]
    if min_speech is not None:
        mass = np.array([seconds[nearest == s].sum() for s in speakers])
        small = mass < min_speech
        if small.any() and not small.all():
            similarity[:, small] = -np.inf
            nearest = speakers[np.argmax(similarity, axis=1)]
    return nearest


def _similarity(
    unit: np.ndarray, seconds: np.ndarray, labels: np.ndarray, speakers: np.ndarray
) -> np.ndarray:
    """(pieces, speakers) cosine similarity of each piece to each speaker's model, its own speaker's taken
    without the piece when that speaker has MIN_PIECES_LEFT_OUT pieces or more."""
    weighted = unit * seconds[:, None]
    similarity = np.empty((unit.shape[0], speakers.size))
    for column, speaker in enumerate(speakers):
        own = labels == speaker
        model = np.broadcast_to(weighted[own].sum(axis=0), unit.shape).copy()
        if own.sum() >= MIN_PIECES_LEFT_OUT:
            model[own] -= weighted[own]
        norm = np.linalg.norm(model, axis=1)
        similarity[:, column] = (unit * model).sum(axis=1) / np.maximum(norm, 1e-12)
    return similarity
