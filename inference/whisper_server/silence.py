"""The silence filter: which decoded segments are Whisper's inventions over silence or noise.

One rule for two uses: the transcript drops these segments (transcriber.py), and a chunk whose text is all
such segments is no speech that lost words, so it is never decoded again (chunked.py).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from .audio import SAMPLE_RATE

LOG_PROB_THRESHOLD = -1.0
"""faster-whisper's default log_prob_threshold: below it the decoder is unsure of its text."""
SILENCE_RMS = 10 ** (-70 / 20)
"""RMS of -70 dBFS: digital silence and dither are below it. Speech is recorded around -20 to -30 dBFS (the
fixtures: -21), and Whisper, which normalises loudness, still hears the fixtures scaled down to -58 dBFS;
audio quieter than this holds nothing it could hear."""


class Scored(Protocol):
    """A decoded segment with the scores the filter needs (chunked.DecodedSegment)."""

    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float


def is_invented(segment: Scored, audio: np.ndarray, no_speech_threshold: float, offset: float = 0.0) -> bool:
    """Whether `segment` is no speech: empty text, or Whisper's invention over silence or noise.

    Two rules. faster-whisper's own for sequential decoding (likely no speech AND an unsure decoder), which
    its batched pipeline does not apply; a high no-speech probability alone is not enough, clear synthetic
    speech scores up to 0.9 on it. And a segment over audio quieter than `SILENCE_RMS`: with VAD off,
    Whisper hears "you" in digital silence, sure of it (no-speech 0.95 but average log probability -0.85).
    `audio` holds the segment's time from `offset` seconds on.
    """
    if not segment.text.strip():
        return True
    if segment.no_speech_prob > no_speech_threshold and segment.avg_logprob < LOG_PROB_THRESHOLD:
        return True
    return _is_silent(audio, segment.start - offset, segment.end - offset)


def _is_silent(audio: np.ndarray, start: float, end: float) -> bool:
    """Whether `audio` between `start` and `end` seconds is quieter than `SILENCE_RMS` (False if empty)."""
    samples = audio[max(0, int(start * SAMPLE_RATE)) : int(np.ceil(end * SAMPLE_RATE))]
    return samples.size > 0 and float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) < SILENCE_RMS
