"""Short pauses inside one person's speech belong to their turn.

The segmentation model ends a turn at every pause it hears, down to a breath between two sentences, and
it misses the soft ends of lines (on recorded people 12% of the reference speech of the development
conversations was given to no one, most of it in stretches of 0.2-1 s). A person who pauses and goes on
while nobody else speaks still holds the floor, so two turns of one speaker less than MAX_PAUSE_SECONDS
apart become one turn, unless another speaker's turn starts or ends in the pause (then the pause is where
the floor changed hands). pyannote's pipelines call this `min_duration_off`.

Chosen on the development sets (dev and real-dev together, inference/bench/tune_diarization.py, DER
summed over both): no closing 0.059 + 0.217, 0.3 s 0.041 + 0.210, 0.5 s 0.036 + 0.200, 0.8 s 0.040 +
0.193, 1.0 s 0.043 + 0.191.
"""

from __future__ import annotations

from .speaker_labels import SpeakerTurn

MAX_PAUSE_SECONDS = 0.8
"""Longest pause within one speaker's speech that is closed into their turn."""


def close_pauses(turns: list[SpeakerTurn], max_pause: float = MAX_PAUSE_SECONDS) -> list[SpeakerTurn]:
    """`turns` with each speaker's pauses of at most `max_pause` seconds (default MAX_PAUSE_SECONDS)
    closed where no other speaker's turn lies (even partly) in the pause, and a speaker's overlapping turns
    joined; sorted by start."""
    ordered = sorted(turns, key=lambda t: (t.start, t.end))
    closed: list[SpeakerTurn] = []
    last_of: dict[int, int] = {}  # speaker -> index in `closed` of their latest turn
    latest_end: dict[int, float] = {}  # speaker -> the latest end of their turns seen so far
    for turn in ordered:
        previous = last_of.get(turn.speaker)
        if previous is not None:
            held = closed[previous]
            pause = turn.start - held.end
            # Another speaker's turn in the pause started before this one (turns come by start) and
            # ends after the held turn did.
            others = max((end for s, end in latest_end.items() if s != turn.speaker), default=-1.0)
            # Overlapping turns of one speaker (two first-pass voices found to be one) are one turn.
            if pause <= 0 or (pause <= max_pause and others <= held.end):
                closed[previous] = SpeakerTurn(held.start, max(held.end, turn.end), turn.speaker)
                latest_end[turn.speaker] = max(latest_end[turn.speaker], turn.end)
                continue
        last_of[turn.speaker] = len(closed)
        closed.append(turn)
        latest_end[turn.speaker] = max(latest_end.get(turn.speaker, turn.end), turn.end)
    return sorted(closed, key=lambda t: (t.start, t.end))
