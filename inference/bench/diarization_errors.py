"""Where the speech time is lost: the diarization errors of a set broken down by kind and by where.

For each conversation (from tune_diarization.py's cache, so a set takes seconds once it is cached) the
default pipeline's turns are scored on a 10 ms grid as der.py scores them (an overlapped stretch counts
for the speaker who started first) and each lost frame of reference speech is put in one bin:

- missed: no hypothesis speaker; confusion: a hypothesis speaker that the optimal mapping gives another
  reference speaker ("wrong voice") or no reference speaker at all ("extra voice": a voice split in two);
- where: in overlapped speech (two reference speakers), in a short turn (a reference turn under
  INTERJECTION seconds), at a turn's edge (within EDGE seconds of its start or end), or inside a turn;
- by the conversation's kind (telephone band, number of speakers) and by the voice that spoke.

Each share is of the set's reference speech time, so the bins add up to 1 - "speech to the right speaker".

Run: `.venv/bin/python inference/bench/diarization_errors.py [--sets dev real-dev]`.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence

import conversations
import tune_diarization
from der import STEP, Turn, _best_mapping, _grid, _sets

from whisper_server.diarizer import Diarizer, DiarizerConfig
from whisper_server.settings import Settings

INTERJECTION = 0.9
"""A reference turn shorter than this (seconds) is a short turn (real_voices.py's interjections)."""
EDGE = 0.3
"""Seconds from a reference turn's start or end that count as its edge."""


def frame_bins(reference: Sequence[Turn], hypothesis: Sequence[Turn]) -> dict[tuple[str, str], int]:
    """Lost frames of reference speech by (kind, where), and ("speech", "all") the reference speech."""
    end = max([t[1] for t in reference] + [t[1] for t in hypothesis] + [0.0])
    frames = round(end / STEP) + 1
    ref, hyp = _grid(reference, frames), _grid(hypothesis, frames)
    together: dict[tuple[object, object], int] = defaultdict(int)
    for r, h in zip(ref, hyp, strict=True):
        if r is not None and h is not None:
            together[(r, h)] += 1
    mapping = _best_mapping(
        sorted({t[2] for t in reference}, key=str), sorted({t[2] for t in hypothesis}, key=str), together
    )
    everyone = _sets(reference, frames)
    short = [False] * frames
    edge = [False] * frames
    for start, stop, _ in reference:
        first, last = round(start / STEP), min(frames, round(stop / STEP))
        for f in range(first, last):
            short[f] |= stop - start < INTERJECTION
            edge[f] |= (f - first) * STEP < EDGE or (last - f) * STEP <= EDGE
    bins: dict[tuple[str, str], int] = defaultdict(int)
    for f, (r, h) in enumerate(zip(ref, hyp, strict=True)):
        if r is None:
            if h is not None:
                bins[("false alarm", "all")] += 1
            continue
        bins[("speech", "all")] += 1
        if h is None:
            kind = "missed"
        elif mapping.get(h) == r:
            continue
        else:
            kind = "extra voice" if mapping.get(h) is None else "wrong voice"
        where = (
            "overlap"
            if len(everyone[f]) > 1
            else "short turn"
            if short[f]
            else "turn edge"
            if edge[f]
            else "inside a turn"
        )
        bins[(kind, where)] += 1
        bins[(kind, "all")] += 1
        bins[("lost", str(r))] += 1
    for f in range(frames):
        if ref[f] is not None:
            bins[("speech", str(ref[f]))] += 1
    return bins


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", nargs="*", default=["dev", "real-dev"], choices=list(conversations.SETS))
    args = parser.parse_args()
    defaults = Settings(model_dir=str(tune_diarization.MODELS))
    diarizer = Diarizer(
        DiarizerConfig(
            tune_diarization.MODELS, 1, defaults.diarization_window_shift, defaults.diarization_threshold
        )
    )
    for split in args.sets:
        kinds = {str(r["name"]): r for _, r in conversations.load(split)}
        for given in (False, True):
            totals: dict[tuple[str, str], int] = defaultdict(int)
            by_kind: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
            for case in tune_diarization.cases(diarizer, split, given):
                turns = tune_diarization.answer(case, diarizer.clustering)
                bins = frame_bins(case.reference, [(t.start, t.end, t.speaker) for t in turns])
                meta = kinds[case.name]
                groups = [
                    "telephone" if meta.get("telephone") else "wideband",
                    f"{case.speakers} speakers",
                ]
                for key, value in bins.items():
                    totals[key] += value
                    for group in groups:
                        by_kind[group][key] += value
            print(f"{split}, count {'given' if given else 'not given'}:")
            report(totals, by_kind)
    return 0


def report(totals: dict[tuple[str, str], int], by_kind: dict[str, dict[tuple[str, str], int]]) -> None:
    speech = totals[("speech", "all")]
    print(
        f"  reference speech {speech * STEP:.0f} s; false alarm {totals[('false alarm', 'all')] / speech:.1%}"
    )
    for kind in ("missed", "wrong voice", "extra voice"):
        parts = ", ".join(
            f"{where} {totals[(kind, where)] / speech:.1%}"
            for where in ("overlap", "short turn", "turn edge", "inside a turn")
        )
        print(f"  {kind} {totals[(kind, 'all')] / speech:.1%}: {parts}")
    voices = sorted(k[1] for k in totals if k[0] == "speech" and k[1] != "all")
    print(
        "  lost per voice (of its own speech): "
        + ", ".join(f"{v} {totals[('lost', v)] / totals[('speech', v)]:.1%}" for v in voices)
    )
    for group, bins in sorted(by_kind.items()):
        own = bins[("speech", "all")]
        shares = ", ".join(
            f"{kind} {bins[(kind, 'all')] / own:.1%}"
            for kind in ("missed", "wrong voice", "extra voice", "false alarm")
        )
        print(f"  {group} ({own * STEP:.0f} s): {shares}")


if __name__ == "__main__":
    sys.exit(main())
