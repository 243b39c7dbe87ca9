"""Word timings trimmed to their sound, so that the pauses between words show.

Whisper's word timings come from cross-attention (dynamic time warping over the decoder's attention to
the audio frames): every frame goes to some word, so a pause is often absorbed into the word before or
after it (on the subtitle fixtures, a 0.6 s pause inside "この", 0.9 s long). Subtitle cues end at pauses
and JSON segments are cut at them, so each word's start and end are moved inwards past frames that are
clearly silent: quieter than a threshold set between the audio's noise floor and its speech level; where
a pause of MIN_PAUSE_SECONDS or more lies inside a word, the word keeps the louder side. A word only ever
shrinks, to no less than MIN_WORD_SECONDS, and no word is dropped.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .results import Word

FRAME_SECONDS = 0.01
MIN_WORD_SECONDS = 0.1
MARGIN_SECONDS = 0.05
"""Kept before a word's first and after its last loud frame: onsets and endings of words are quiet."""
MIN_PAUSE_SECONDS = 0.25
"""A silence this long inside a word's span is a pause between words, not part of one."""
MIN_CONTRAST_DB = 20.0
"""Speech must be this much louder than the noise floor for any trimming (else silence is not clear)."""
THRESHOLD = 0.3
"""Where the silence threshold lies between the floor (0) and the speech level (1), in dB."""


def loud_frames(audio: np.ndarray, sample_rate: int) -> np.ndarray | None:
    """Per 10 ms frame of `audio`, whether it is louder than silence; None when silence is not clearly
    quieter than speech (noisy audio: then nothing is trimmed)."""
    frame = int(sample_rate * FRAME_SECONDS)
    count = audio.shape[0] // frame
    if count == 0:
        return None
    level = 10 * np.log10(np.maximum(_mean_power(audio[: count * frame].reshape(count, frame)), 1e-10))
    floor, speech = np.percentile(level, 10), np.percentile(level, 95)
    if speech - floor < MIN_CONTRAST_DB:
        return None
    return level > floor + THRESHOLD * (speech - floor)


def _mean_power(frames: np.ndarray, block: int = 6000) -> np.ndarray:
    """Each row's mean square in float64, `block` rows (60 s of 10 ms frames) at a time: a float64 copy of
    all the audio at once would take twice its size, 0.9 GB for an hour."""
    power = np.empty(frames.shape[0])
    for first in range(0, frames.shape[0], block):
        rows = frames[first : first + block].astype(np.float64)
        power[first : first + rows.shape[0]] = np.mean(np.square(rows), axis=1)
    return power


def trim_word(word: Word, loud: np.ndarray) -> Word:
    """`word` with its silent edges cut off (see the module's docstring)."""
    first, last = int(word.start / FRAME_SECONDS), int(np.ceil(word.end / FRAME_SECONDS))
    inside = np.flatnonzero(loud[first:last])
    if inside.size == 0:
        return word
    # Sound on both sides of a pause inside the word: the word is the larger part, the other belongs to
    # its neighbour (whose timing ended too early or started too late).
    parts = np.split(inside, np.flatnonzero(np.diff(inside) > MIN_PAUSE_SECONDS / FRAME_SECONDS) + 1)
    inside = max(parts, key=len)
    start = max(word.start, (first + inside[0]) * FRAME_SECONDS - MARGIN_SECONDS)
    end = min(word.end, (first + inside[-1] + 1) * FRAME_SECONDS + MARGIN_SECONDS)
    if end - start < MIN_WORD_SECONDS:
        middle = min(
            max((start + end) / 2, word.start + MIN_WORD_SECONDS / 2), word.end - MIN_WORD_SECONDS / 2
        )
        start, end = (
            max(word.start, middle - MIN_WORD_SECONDS / 2),
            min(word.end, middle + MIN_WORD_SECONDS / 2),
        )
    if start == word.start and end == word.end:
        return word
    return replace(word, start=round(start, 3), end=round(end, 3))
