"""Diarization error rate (DER) and its parts, for the tests and the benchmark.

Scored on a 10 ms grid over the whole audio, without a forgiveness collar around turn boundaries. The
hypothesis speakers are first mapped one-to-one onto the reference speakers so that they agree as long as
possible (the standard optimal mapping; counts here are small enough to try every assignment).
DER = (missed speech + false alarm + speaker confusion) / reference speech time. `correct_share` is the
share of reference speech time given to the right speaker (1 - (missed + confusion) / speech).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from itertools import permutations

STEP = 0.01
"""Grid step in seconds."""
MAX_EXHAUSTIVE = 7

Turn = tuple[float, float, Hashable]
"""(start, end, speaker) in seconds."""


@dataclass(frozen=True)
class DiarizationScore:
    der: float
    missed: float
    """Share of reference speech time that the hypothesis leaves without a speaker."""
    false_alarm: float
    """Hypothesis speech time outside the reference speech, as a share of reference speech time."""
    confusion: float
    """Share of reference speech time given to the wrong speaker."""
    correct_share: float
    """Share of reference speech time given to the right speaker."""
    speakers_found: int
    speakers_expected: int
    overlap_der: float = 0.0
    """DER with overlapping speech scored for every speaker in it (NIST's: in each frame, the larger of the
    reference and hypothesis speaker counts, less the speakers both agree on), over the overlap-counted
    reference speech time. `der` counts an overlapped frame once, for the speaker who started first."""
    single_der: float = 0.0
    """DER over the frames where at most one reference speaker talks (overlapping speech left out)."""
    overlap_speech: float = 0.0
    """Reference speech time with every speaker counted, in grid frames (`overlap_der`'s denominator)."""
    single_speech: float = 0.0
    """Reference speech time where one speaker talks alone, in grid frames (`single_der`'s denominator)."""


def _grid(turns: Sequence[Turn], frames: int) -> list[Hashable | None]:
    """The speaker of each frame; where turns overlap, the one that started first keeps the frame."""
    labels: list[Hashable | None] = [None] * frames
    for start, end, speaker in sorted(turns, key=lambda t: (t[0], t[1])):
        for frame in range(max(0, round(start / STEP)), min(frames, round(end / STEP))):
            if labels[frame] is None:
                labels[frame] = speaker
    return labels


def score(reference: Sequence[Turn], hypothesis: Sequence[Turn]) -> DiarizationScore:
    """Scores `hypothesis` turns against `reference` turns (speaker names need not match)."""
    end = max([t[1] for t in reference] + [t[1] for t in hypothesis] + [0.0])
    frames = round(end / STEP) + 1
    ref, hyp = _grid(reference, frames), _grid(hypothesis, frames)
    ref_speakers = sorted({t[2] for t in reference}, key=str)
    hyp_speakers = sorted({t[2] for t in hypothesis}, key=str)
    together: dict[tuple[Hashable, Hashable], int] = {}
    for r, h in zip(ref, hyp, strict=True):
        if r is not None and h is not None:
            together[(r, h)] = together.get((r, h), 0) + 1

    best = _best_mapping(ref_speakers, hyp_speakers, together)

    speech = sum(r is not None for r in ref)
    missed = sum(r is not None and h is None for r, h in zip(ref, hyp, strict=True))
    false_alarm = sum(r is None and h is not None for r, h in zip(ref, hyp, strict=True))
    confusion = sum(
        r is not None and h is not None and best.get(h) != r for r, h in zip(ref, hyp, strict=True)
    )
    total = max(speech, 1)
    everyone = _overlap_errors(reference, hypothesis, frames, best)
    return DiarizationScore(
        der=(missed + false_alarm + confusion) / total,
        missed=missed / total,
        false_alarm=false_alarm / total,
        confusion=confusion / total,
        correct_share=(speech - missed - confusion) / total,
        speakers_found=len(hyp_speakers),
        speakers_expected=len(ref_speakers),
        overlap_der=everyone[0] / max(everyone[1], 1),
        single_der=everyone[2] / max(everyone[3], 1),
        overlap_speech=everyone[1],
        single_speech=everyone[3],
    )


def _sets(turns: Sequence[Turn], frames: int) -> list[set[Hashable]]:
    """The speakers of each frame (several where turns overlap)."""
    active: list[set[Hashable]] = [set() for _ in range(frames)]
    for start, end, speaker in turns:
        for frame in range(max(0, round(start / STEP)), min(frames, round(end / STEP))):
            active[frame].add(speaker)
    return active


def _overlap_errors(
    reference: Sequence[Turn], hypothesis: Sequence[Turn], frames: int, best: dict[Hashable, Hashable]
) -> tuple[int, int, int, int]:
    """(errors, speech) counting every speaker of an overlap, then (errors, speech) over the frames with at
    most one reference speaker; `best` maps hypothesis speakers to reference speakers."""
    errors = speech = single_errors = single_speech = 0
    for ref, hyp in zip(_sets(reference, frames), _sets(hypothesis, frames), strict=True):
        mapped = {best.get(h) for h in hyp}
        wrong = max(len(ref), len(hyp)) - len(ref & mapped)
        errors += wrong
        speech += len(ref)
        if len(ref) <= 1:
            single_errors += wrong
            single_speech += len(ref)
    return errors, speech, single_errors, single_speech


@dataclass
class PooledScore:
    """Scores pooled over a set of recordings: error and right-speaker time in seconds, count hits, and
    the recordings whose speaker count was wrong (name, found, expected)."""

    speech: float = 0.0
    errors: float = 0.0
    correct: float = 0.0
    right_count: int = 0
    conversations: int = 0
    miscounted: list[tuple[str, int, int]] = field(default_factory=list)
    overlap_errors: float = 0.0
    overlap_speech: float = 0.0
    single_errors: float = 0.0
    single_speech: float = 0.0

    def add(self, name: str, reference: Sequence[Turn], hypothesis: Sequence[Turn]) -> None:
        result = score(reference, hypothesis)
        speech = sum(end - start for start, end, _ in reference)
        self.speech += speech
        self.errors += result.der * speech
        self.correct += result.correct_share * speech
        self.right_count += result.speakers_found == result.speakers_expected
        self.conversations += 1
        self.overlap_errors += result.overlap_der * result.overlap_speech
        self.overlap_speech += result.overlap_speech
        self.single_errors += result.single_der * result.single_speech
        self.single_speech += result.single_speech
        if result.speakers_found != result.speakers_expected:
            self.miscounted.append((name, result.speakers_found, result.speakers_expected))

    @property
    def der(self) -> float:
        return self.errors / max(self.speech, 1e-9)

    @property
    def overlap_der(self) -> float:
        """Pooled DER with every speaker of an overlap counted (NIST's)."""
        return self.overlap_errors / max(self.overlap_speech, 1e-9)

    @property
    def single_der(self) -> float:
        """Pooled DER with overlapping speech left out."""
        return self.single_errors / max(self.single_speech, 1e-9)

    @property
    def correct_share(self) -> float:
        return self.correct / max(self.speech, 1e-9)

    def line(self) -> str:
        return (
            f"DER {self.der:.3f}, right speaker count {self.right_count}/{self.conversations} "
            f"({self.right_count / max(self.conversations, 1):.0%}), speech time to the right speaker "
            f"{self.correct_share:.1%}; DER with overlap {self.overlap_der:.3f}, "
            f"without {self.single_der:.3f}"
        )

    def misses(self) -> str:
        """The wrong counts as found/true: over- or under-splitting at a glance."""
        return ", ".join(f"{name} {found}/{expected}" for name, found, expected in self.miscounted)


def _best_mapping(
    ref_speakers: list[Hashable], hyp_speakers: list[Hashable], together: dict[tuple[Hashable, Hashable], int]
) -> dict[Hashable, Hashable | None]:
    """The one-to-one hypothesis -> reference mapping with the most shared frames (exhaustive up to
    `MAX_EXHAUSTIVE` speakers a side, greedy beyond); padding with None lets either side have extras."""
    size = max(len(ref_speakers), len(hyp_speakers))
    if size > MAX_EXHAUSTIVE:
        mapping: dict[Hashable, Hashable | None] = dict.fromkeys(hyp_speakers)
        used: set[Hashable] = set()
        for (r, h), _ in sorted(together.items(), key=lambda item: -item[1]):
            if mapping[h] is None and r not in used:
                mapping[h] = r
                used.add(r)
        return mapping
    padded_ref: list[Hashable | None] = [*ref_speakers, *[None] * (size - len(ref_speakers))]
    best: dict[Hashable, Hashable | None] = {}
    best_agreement = -1
    for order in permutations(padded_ref, size):
        mapping = dict(zip(hyp_speakers, order, strict=False))
        agreement = sum(together.get((r, h), 0) for h, r in mapping.items() if r is not None)
        if agreement > best_agreement:
            best, best_agreement = mapping, agreement
    return best
