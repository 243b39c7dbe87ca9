"""Subtitles scored against speech with known sentence timings (fixtures/audio/subtitles/, made by
fixtures/make_subtitle_fixtures.py): shared by bench_subtitles.py and the subtitle tests.

A cue is scored by what a viewer sees: how long it stays on screen while nobody speaks (in a pause
between sentences, before the first or after the last), how far the cues of each sentence start and end
from the sentence, its line lengths and line count, its duration, and whether it overlaps the next or
outlasts the audio. The same-words rule compares the words of the four renderings of one transcript.
"""

from __future__ import annotations

import itertools
import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from whisper_server.audio import decode
from whisper_server.writing import SPACELESS_LANGUAGES, width

SUBTITLES = Path(__file__).resolve().parents[2] / "fixtures" / "audio" / "subtitles"
_TIMING = re.compile(r"(\d+):(\d\d):(\d\d)[.,](\d{3}) --> (\d+):(\d\d):(\d\d)[.,](\d{3})")
_VOICE = re.compile(r"^<v [^>]+>")
_SPEAKER = re.compile(r"^S\d+: ")


def fixtures() -> dict[str, dict[str, Any]]:
    """Each fixture's language, duration and sentences (text, speaker, start, end), by file name."""
    return json.loads((SUBTITLES / "timings.json").read_text(encoding="utf-8"))


def audio(name: str) -> np.ndarray:
    return decode((SUBTITLES / name).read_bytes(), max_seconds=3600)


@dataclass(frozen=True)
class ShownCue:
    start: float
    end: float
    lines: tuple[str, ...]


def _seconds(groups: tuple[str, ...]) -> float:
    hours, minutes, seconds, millis = (int(g) for g in groups)
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def parse_cues(text: str) -> list[ShownCue]:
    """The cues of an SRT or WebVTT file: times and lines, speaker labels (`S1: `, `<v S1>`) and WebVTT's
    character references taken off."""
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        timing = next((i for i, line in enumerate(lines) if _TIMING.fullmatch(line)), None)
        if timing is None:
            continue  # the WEBVTT header
        match = _TIMING.fullmatch(lines[timing])
        assert match
        shown = [line for line in lines[timing + 1 :] if line]
        if shown:
            shown[0] = _SPEAKER.sub("", _VOICE.sub("", shown[0]))
        shown = [line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") for line in shown]
        cues.append(ShownCue(_seconds(match.groups()[:4]), _seconds(match.groups()[4:]), tuple(shown)))
    return cues


def words(text: str, language: str) -> list[str]:
    """The words of a rendering, to compare renderings: whitespace-separated words, or for scripts
    written without spaces every character but whitespace."""
    if language in SPACELESS_LANGUAGES:
        return [character for character in text if not character.isspace()]
    return text.split()


def plain_words(text: str, language: str) -> list[str]:
    """The words of a text/plain body, speaker labels (`S1: ` at a line's start) left out."""
    return words(" ".join(_SPEAKER.sub("", line) for line in text.splitlines()), language)


def cue_words(cues: list[ShownCue], language: str) -> list[str]:
    return [w for cue in cues for line in cue.lines for w in words(line, language)]


@dataclass(frozen=True)
class Score:
    cues: int
    on_screen_in_pauses: float
    """Seconds any cue is on screen while no sentence is being said, over the file."""
    longest_in_a_pause: float
    """The most seconds one cue stays up in one pause (before its speech or after it)."""
    start_errors: list[float]
    """Per sentence: first cue showing it, start minus the sentence's start (s)."""
    end_errors: list[float]
    missed_sentences: int
    """Sentences no cue overlaps."""
    longest_line: int
    lines_over: int
    """Lines wider than the limit that hold more than one word (one long word may overflow)."""
    most_lines: int
    longest_cue: float
    shortest_cue: float
    overlaps: int
    after_end: int

    @staticmethod
    def median_abs(errors: list[float]) -> float:
        return statistics.median(abs(e) for e in errors) if errors else 0.0

    @staticmethod
    def worst_abs(errors: list[float]) -> float:
        return max((abs(e) for e in errors), default=0.0)


def score(
    cues: list[ShownCue], sentences: list[dict[str, Any]], duration: float, line_width: int, language: str
) -> Score:
    spans = [(s["start"], s["end"]) for s in sentences]
    pauses = [(0.0, spans[0][0])] + [(a[1], b[0]) for a, b in itertools.pairwise(spans)]
    pauses.append((spans[-1][1], duration))
    in_pauses = [max(0.0, min(c.end, b) - max(c.start, a)) for c in cues for a, b in pauses]
    start_errors, end_errors, missed = [], [], 0
    for start, end in spans:
        showing = [c for c in cues if min(c.end, end) - max(c.start, start) > 0.05]
        if not showing:
            missed += 1
            continue
        start_errors.append(showing[0].start - start)
        end_errors.append(showing[-1].end - end)
    lines = [line for cue in cues for line in cue.lines]
    return Score(
        cues=len(cues),
        on_screen_in_pauses=sum(in_pauses),
        longest_in_a_pause=max(in_pauses, default=0.0),
        start_errors=start_errors,
        end_errors=end_errors,
        missed_sentences=missed,
        longest_line=max((width(line) for line in lines), default=0),
        lines_over=sum(1 for line in lines if width(line) > line_width and len(words(line, language)) > 1),
        most_lines=max((len(cue.lines) for cue in cues), default=0),
        longest_cue=max((c.end - c.start for c in cues), default=0.0),
        shortest_cue=min((c.end - c.start for c in cues), default=0.0),
        overlaps=sum(1 for a, b in itertools.pairwise(cues) if b.start < a.end),
        after_end=sum(1 for c in cues if c.end > duration + 0.001),
    )
