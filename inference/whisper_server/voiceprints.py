"""Speaker embeddings ("voiceprints") of stretches of audio, and the second pass that labels turns by them.

The first pass (diarizer.py) clusters an embedding per 10 s window and local speaker. Those embeddings mix
two voices wherever the segmentation model took two similar voices for one local speaker, and a 10 s
window of a 0.3 s interjection says little. So the turns the first pass finds (over-split: its threshold is
low, so that a change of voice is a turn boundary) are embedded again, each on its own audio in pieces of
at most PIECE_SECONDS, and clustered a second time: this is where the speaker count is decided
(pooled_voices.py then settles it on voiceprints of each speaker's speech put together, and
resegmentation.py gives each piece to the speaker it sounds most like). Pieces too
short for a voiceprint take the second-pass speaker that most of their first-pass cluster got. A voiceprint
is taken only over the stretches where no other first-pass speaker talks at the same time (overlapped
speech mixes two voices), so a short interjection said over a long turn keeps its own speaker.

On the development conversations the second pass took the share of speech given to the right voice from
90% to 95%, and the right count with the count given from 83% to 100% (docs/speakers.md).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from .clustering import ClusteringConfig, cluster
from .speaker_labels import SpeakerTurn

PIECE_SECONDS = 6.0
"""Longest stretch one voiceprint is taken over: a long turn is cut into equal pieces no longer."""
MIN_PIECE_SECONDS = 0.5
"""Shortest stretch that gets a voiceprint of its own."""


class Voiceprints:
    """The speaker embedding model (run by sherpa-onnx, which computes its filterbank features)."""

    def __init__(self, extractor: Any, sample_rate: int) -> None:
        self._extractor = extractor
        self.sample_rate = sample_rate

    def of(self, samples: np.ndarray) -> np.ndarray | None:
        """The embedding of `samples`, or None when they are too short for the model."""
        stream = self._extractor.create_stream()
        stream.accept_waveform(self.sample_rate, samples)
        stream.input_finished()
        if not self._extractor.is_ready(stream):
            return None
        return np.array(self._extractor.compute(stream), dtype=np.float32)


@dataclass(frozen=True)
class Pieces:
    """First-pass turns cut into pieces of at most PIECE_SECONDS, and the voiceprints of those long
    enough for one: what the second clustering works on."""

    pieces: list[SpeakerTurn]
    """Each piece, with its first-pass speaker."""
    embedded: list[int]
    """Indexes of the pieces with a voiceprint, in order."""
    prints: np.ndarray
    """(len(embedded), d) voiceprints."""

    @property
    def seconds(self) -> np.ndarray:
        """Speech time of each embedded piece."""
        return np.array([self.pieces[i].end - self.pieces[i].start for i in self.embedded])


def embed_pieces(turns: list[SpeakerTurn], samples: np.ndarray, voiceprints: Voiceprints) -> Pieces:
    """`turns` cut into pieces, each long enough one with its voiceprint (the costly half of the
    second pass; `piece_labels` and `turns_of` are the other)."""
    rate = voiceprints.sample_rate
    pieces: list[SpeakerTurn] = []
    prints: dict[int, np.ndarray] = {}
    for turn in turns:
        count = max(1, int(np.ceil((turn.end - turn.start) / PIECE_SECONDS)))
        edges = np.linspace(turn.start, turn.end, count + 1)
        for start, end in itertools.pairwise(edges):
            alone = alone_stretches(start, end, turn.speaker, turns)
            if sum(b - a for a, b in alone) >= MIN_PIECE_SECONDS:
                voiceprint = voiceprints.of(
                    np.concatenate([samples[int(a * rate) : int(b * rate)] for a, b in alone])
                )
                if voiceprint is not None:
                    prints[len(pieces)] = voiceprint
            pieces.append(SpeakerTurn(float(start), float(end), turn.speaker))
    embedded = sorted(prints)
    stacked = np.stack([prints[i] for i in embedded]) if embedded else np.zeros((0, 1), np.float32)
    return Pieces(pieces, embedded, stacked)


def alone_stretches(
    start: float, end: float, speaker: int, turns: list[SpeakerTurn]
) -> list[tuple[float, float]]:
    """The stretches of `start`-`end` where no turn of another first-pass speaker overlaps: where two
    people talk at once the audio holds both voices, and a voiceprint taken over it drifts toward the
    louder or longer one (a 0.7 s interjection over a long turn was labelled as the long turn's speaker).
    Without overlap, the whole stretch."""
    cuts = sorted(
        (max(start, t.start), min(end, t.end))
        for t in turns
        if t.speaker != speaker and t.start < end and t.end > start
    )
    alone: list[tuple[float, float]] = []
    at = start
    for cut_start, cut_end in cuts:
        if cut_start > at:
            alone.append((at, cut_start))
        at = max(at, cut_end)
    if end > at:
        alone.append((at, end))
    return alone


def piece_labels(
    embedded: Pieces,
    config: ClusteringConfig,
    speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
) -> dict[int, int]:
    """The speaker of each piece with a voiceprint (piece index -> speaker), from clustering the pieces'
    voiceprints (clustering.py)."""
    labels = cluster(embedded.prints, embedded.seconds, config, speakers, min_speakers, max_speakers)
    return dict(zip(embedded.embedded, (int(label) for label in labels), strict=True))


def turns_of(embedded: Pieces, label_of: dict[int, int]) -> list[SpeakerTurn]:
    """Turns from the speaker of each piece with a voiceprint (`label_of`: piece index -> speaker); a piece
    without one takes the speaker that most of its first-pass cluster got, and adjoining pieces of one
    speaker become one turn."""
    pieces = embedded.pieces
    # Each first-pass cluster's speech time per second-pass speaker, for the pieces without a voiceprint.
    votes: dict[int, dict[int, float]] = {}
    for i, label in label_of.items():
        tally = votes.setdefault(pieces[i].speaker, {})
        tally[label] = tally.get(label, 0.0) + pieces[i].end - pieces[i].start
    relabelled: list[SpeakerTurn] = []
    for i, piece in enumerate(pieces):
        if i in label_of:
            label = label_of[i]
        elif piece.speaker in votes:
            tally = votes[piece.speaker]
            label = max(tally, key=lambda speaker: tally[speaker])
        else:  # a cluster of short pieces only: the speaker of the nearest piece with a voiceprint
            label = label_of[min(label_of, key=lambda j: abs(pieces[j].start - piece.start))]
        previous = relabelled[-1] if relabelled else None
        if previous is not None and previous.speaker == label and abs(previous.end - piece.start) < 1e-6:
            relabelled[-1] = SpeakerTurn(previous.start, piece.end, label)
        else:
            relabelled.append(SpeakerTurn(piece.start, piece.end, label))
    return sorted(relabelled, key=lambda t: (t.start, t.end))
