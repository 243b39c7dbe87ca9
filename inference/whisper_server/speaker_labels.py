"""Puts speaker labels on a transcription, given the speaker turns that diarization found.

Each word goes to the speaker whose turns overlap it most, except a word inside an interjection (a
turn said over another speaker's longer turn), which goes to the interjecting speaker; a word that no
turn overlaps (diarization drops very short or quiet stretches) goes to the nearest turn. Segments are
then split where the speaker changes, so that every segment is one speaker's consecutive words, as
Amazon Transcribe's speaker segments are. Labels are `S1`, `S2` ... in order of first appearance in the
transcript.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .results import Segment, Speaker, SpeakerCount, Transcription, Word
from .sentences import words_text
from .speaker_timeline import timeline, untranscribed_time


@dataclass(frozen=True)
class SpeakerTurn:
    """A stretch of audio in which one speaker talks; `speaker` is the diarizer's cluster number."""

    start: float
    end: float
    speaker: int


def label_speakers(
    result: Transcription,
    turns: Sequence[SpeakerTurn],
    keep_words: bool,
    speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
) -> Transcription:
    """`result` with a speaker on every segment and word, segments split at speaker changes, the
    speakers list, and the count found against the one asked (`speakers`, `min_speakers`,
    `max_speakers` as the request gave them). `keep_words` false drops the word lists (used for the
    split only) from the output.

    With no turns at all (silence, or speech too short for diarization) every segment gets `S1` when there
    is text, so the output keeps one shape whatever the audio.
    """
    turns = sorted(turns, key=lambda t: (t.start, t.end))
    pieces = split_at_speaker_changes(result.segments, turns)

    labels: dict[int, str] = {}
    for cluster, _ in pieces:
        labels.setdefault(cluster, f"S{len(labels) + 1}")
    for turn in turns:  # speakers that talk but got no words (noise, or words Whisper missed)
        labels.setdefault(turn.speaker, f"S{len(labels) + 1}")

    segments = []
    for index, (cluster, piece) in enumerate(pieces):
        label = labels[cluster]
        words = None
        if keep_words and piece.words is not None:
            words = tuple(replace(w, speaker=label) for w in piece.words)
        segments.append(replace(piece, id=index, speaker=label, words=words))

    talk_time: dict[int, float] = {}
    for turn in turns:
        talk_time[turn.speaker] = talk_time.get(turn.speaker, 0.0) + turn.end - turn.start
    speaker_turns = timeline(((t.start, t.end, labels[t.speaker]) for t in turns), segments)
    found = tuple(
        Speaker(
            label=label,
            talk_time=round(talk_time.get(cluster, 0.0), 3),
            untranscribed_time=untranscribed_time(speaker_turns, label),
        )
        for cluster, label in sorted(labels.items(), key=lambda item: int(item[1][1:]))
    )
    count = speaker_count(len(found), speakers, min_speakers, max_speakers)
    return replace(
        result, segments=tuple(segments), speakers=found, speaker_count=count, speaker_turns=speaker_turns
    )


def speaker_count(
    found: int, speakers: int | None, min_speakers: int | None, max_speakers: int | None
) -> SpeakerCount:
    """`found` against the count asked. Silence (no speaker found) meets any request."""
    asked = [
        f"{key}={value}"
        for key, value in (
            ("speakers", speakers),
            ("min_speakers", min_speakers),
            ("max_speakers", max_speakers),
        )
        if value is not None
    ]
    met = found == 0 or (
        (speakers is None or found == speakers)
        and (min_speakers is None or found >= min_speakers)
        and (max_speakers is None or found <= max_speakers)
    )
    return SpeakerCount(found=found, requested=";".join(asked) or None, met=met)


def split_at_speaker_changes(
    segments: Iterable[Segment], turns: Sequence[SpeakerTurn]
) -> list[tuple[int, Segment]]:
    """Each segment as runs of one speaker's consecutive words, with the speaker (cluster number) of each:
    a segment splits at the word where the speaker changes (word timings decide). Segments without
    words stay whole. `turns` sorted by start."""
    pieces: list[tuple[int, Segment]] = []
    for segment in segments:
        pieces.extend(_split_by_speaker(segment, turns))
    return pieces


def speaker_of(start: float, end: float, turns: Sequence[SpeakerTurn]) -> int:
    """The speaker (cluster number) of the span `start`-`end`: the interjection it lies in where two
    speakers' turns overlap (`_interjection`), else most overlap, else the nearest turn, else 0."""
    overlap: dict[int, float] = {}
    touching: list[tuple[SpeakerTurn, float]] = []
    for turn in turns:
        shared = min(end, turn.end) - max(start, turn.start)
        if shared > 0:
            overlap[turn.speaker] = overlap.get(turn.speaker, 0.0) + shared
            touching.append((turn, shared))
    if len(overlap) > 1:
        inner = _interjection(end - start, touching)
        if inner is not None:
            return inner
    if overlap:
        return max(overlap, key=lambda speaker: overlap[speaker])
    if not turns:
        return 0
    middle = (start + end) / 2
    nearest = min(turns, key=lambda t: max(t.start - middle, middle - t.end, 0.0))
    return nearest.speaker


def _interjection(span: float, touching: Sequence[tuple[SpeakerTurn, float]]) -> int | None:
    """Where a word lies mostly (over half its time) in a turn that starts after and ends before a turn of
    another speaker (an interjection said over someone who holds the floor), the interjecting speaker:
    the word overlaps both turns about equally, so "most overlap" gave it to whoever holds the floor, yet
    a turn that short exists only because the segmentation model heard a second voice there, and the word
    Whisper timed inside it is most likely that voice's. The shortest such turn when there are several;
    None when the word is in no interjection."""
    inside = [
        turn
        for turn, shared in touching
        if shared > span / 2
        and any(
            other.speaker != turn.speaker and other.start <= turn.start and turn.end <= other.end
            for other, _ in touching
        )
    ]
    if not inside:
        return None
    return min(inside, key=lambda t: t.end - t.start).speaker


def _split_by_speaker(segment: Segment, turns: Sequence[SpeakerTurn]) -> Iterable[tuple[int, Segment]]:
    """The segment as runs of one speaker's consecutive words; a segment without words stays whole."""
    if not segment.words:
        yield speaker_of(segment.start, segment.end, turns), segment
        return
    runs: list[tuple[int, list[Word]]] = []
    for word in segment.words:
        speaker = speaker_of(word.start, word.end, turns)
        if runs and runs[-1][0] == speaker:
            runs[-1][1].append(word)
        else:
            runs.append((speaker, [word]))
    if len(runs) == 1:  # one speaker: the segment as Whisper timed and wrote it
        yield runs[0][0], segment
        return
    for speaker, words in runs:
        yield (
            speaker,
            replace(
                segment,
                start=words[0].start,
                end=words[-1].end,
                text=words_text(words),
                words=tuple(words),
            ),
        )
