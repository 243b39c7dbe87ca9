"""The speaker timeline: each speaker's turns as the audio has them, marked with whether words were
transcribed in them.

Words are what the transcript labels, but a quarter of the speech in a recorded meeting can have none
(speech Whisper dropped, a language it did not follow, a short answer under someone else's words). The
turns that diarization (or a channel's own speech) found are the speaker timeline even there, so the JSON
gives them (`speaker_turns`), and each speaker's `untranscribed_time` says how much of their speech has no
words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .results import LabelledTurn, Segment

WORD_SLACK = 0.2
"""Seconds a word may lie outside a turn and still count as said in it (word timings are approximate)."""


def timeline(
    turns: Iterable[tuple[float, float, str]], segments: Sequence[Segment]
) -> tuple[LabelledTurn, ...]:
    """The turns (start, end, label) in order of time, each marked transcribed when a word (or, without
    word timings, a segment) of its speaker overlaps it."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for segment in segments:
        if not segment.text or segment.speaker is None:
            continue
        timed = [(w.start, w.end) for w in segment.words or ()] or [(segment.start, segment.end)]
        spans.setdefault(segment.speaker, []).extend(timed)
    return tuple(
        LabelledTurn(
            speaker=label,
            start=round(start, 3),
            end=round(end, 3),
            transcribed=any(s < end + WORD_SLACK and e > start - WORD_SLACK for s, e in spans.get(label, ())),
        )
        for start, end, label in sorted(turns)
    )


def untranscribed_time(turns: Iterable[LabelledTurn], label: str) -> float:
    """Seconds of `label`'s turns with no word of theirs."""
    return round(sum(t.end - t.start for t in turns if t.speaker == label and not t.transcribed), 3)
