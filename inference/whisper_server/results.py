"""What a transcription returns: plain dataclasses, independent of faster-whisper's types."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float


@dataclass(frozen=True)
class Segment:
    id: int
    start: float
    end: float
    text: str
    words: tuple[Word, ...] | None = None
    """Per-word timings, present only when the request asked for word_timestamps."""


@dataclass(frozen=True)
class Transcription:
    text: str
    language: str
    language_probability: float
    duration: float
    """Seconds of decoded audio (before VAD)."""
    segments: tuple[Segment, ...]
