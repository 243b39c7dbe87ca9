"""Right-sized encoder windows: a speech chunk is encoded in a window sized to it, not always 30 s.

Whisper was trained on 30 s windows and faster-whisper pads every chunk to one, but the CTranslate2
encoder takes any number of frames up to 3000 (whisper.cpp calls the same idea `audio_ctx`). The
encoder's cost grows faster than the window (attention): on a 2-core CPU with tiny.en (int8) one pass
costs about 55 ms for 10 s, 85 ms for 15 s and 335 ms for 30 s. Windows are rounded up to multiples of
`WINDOW_STEP_SECONDS` so that chunks of similar length share a window size and can be decoded in one
batch, and never go below a floor (`WHISPER_MIN_WINDOW_SECONDS`, 15 on CPU): with 10 s windows tiny.en
now and then said a clip's last sentence twice when the speech filled the window, and heard some words
differently; with 15 s it matched the 30 s path's word error rate (docs/performance.md). A chunk that
leaves room in a shorter window (`WHISPER_SHORT_WINDOW_SECONDS`, 10 on CPU: at least
SHORT_WINDOW_MARGIN_SECONDS of it free) is encoded in that one: the repeats came when speech filled it.
"""

from __future__ import annotations

import itertools
import math

import ctranslate2
import numpy as np

FRAMES_PER_SECOND = 100
"""Mel frames per second of audio (hop of 160 samples at 16 kHz)."""
MAX_WINDOW_SECONDS = 30
"""Whisper's own window: the positional embedding holds 3000 frames."""
WINDOW_STEP_SECONDS = 5
"""Window sizes are multiples of this (10, 15, 20, 25, 30 with the default floor)."""
SHORT_WINDOW_MARGIN_SECONDS = 3.5
"""Seconds of a short window a chunk must leave free to be encoded in it (a 10 s window takes chunks of up
to 6.5 s). Chosen on the development set of recorded English prompts (tiny.en: 0, 1.5, 2.5 and 3.5 s
made 116, 116, 116 and 114 errors of 2851 words, the 15 s floor 118; docs/performance.md)."""


def window_seconds(duration: float, min_seconds: int, short_seconds: int | None = None) -> int:
    """The window for a chunk of `duration` seconds: `short_seconds` when that is under `min_seconds` and
    the chunk leaves SHORT_WINDOW_MARGIN_SECONDS of it free, else rounded up to a step, at least
    `min_seconds`, at most 30. `min_seconds=30` (and no shorter `short_seconds`) gives Whisper's fixed
    30 s windows; `short_seconds=None` (the default) uses no short window."""
    leaves_room = short_seconds is not None and duration <= short_seconds - SHORT_WINDOW_MARGIN_SECONDS
    if short_seconds is not None and short_seconds < min_seconds and leaves_room:
        return short_seconds
    needed = math.ceil(max(duration, 1e-6) / WINDOW_STEP_SECONDS) * WINDOW_STEP_SECONDS
    return int(min(MAX_WINDOW_SECONDS, max(min_seconds, needed)))


def fit_features(features: np.ndarray, seconds: int) -> np.ndarray:
    """Log-mel `features` (n_mels, frames) zero-padded or cut to a window of `seconds`, as
    faster-whisper's `pad_or_trim` does for 30 s."""
    frames = seconds * FRAMES_PER_SECOND
    if features.shape[-1] >= frames:
        return np.ascontiguousarray(features[:, :frames])
    return np.pad(features, ((0, 0), (0, frames - features.shape[-1])))


def encode(model: ctranslate2.models.Whisper, windows: list[np.ndarray]) -> np.ndarray:
    """Encoder output of equal-sized `windows` (batch, frames / 2, width), in host memory so that the
    decoder batch and each request's word alignment can take any subset of it.

    On a GPU the windows go through the encoder as one batch. On CPU they go one at a time and the
    outputs are stacked afterwards: a batched encoder call costs 1.3-1.7x more per window there
    (attention is memory-bound), measured on tiny.en int8 with 2 cores.
    """
    if model.device == "cuda":
        return np.array(model.encode(storage(np.stack(windows)), to_cpu=True))
    return np.concatenate([np.array(model.encode(storage(window[None]), to_cpu=True)) for window in windows])


def alignment_groups(device: str, owners: list[int]) -> list[list[int]]:
    """Which members of a decoded batch (`owners`: each member's request, in batch order) are aligned
    together for their word timings (CTranslate2's `align`): never members of different requests. On CPU
    each member alone: on tiny.en int8 with 2 cores, 8 chunks of a 15 s window aligned in one call took
    1.6-1.8x the time of 8 calls of one, as the encoder does (`encode`), and a shorter text's timings
    moved with the longer ones it was padded to. On a GPU each request's consecutive members as one
    call (not measured here)."""
    if device != "cuda":
        return [[index] for index in range(len(owners))]
    return [list(group) for _, group in itertools.groupby(range(len(owners)), key=owners.__getitem__)]


def storage(array: np.ndarray) -> ctranslate2.StorageView:
    """A CTranslate2 view of a float32 array (it needs C-contiguous memory)."""
    return ctranslate2.StorageView.from_array(np.ascontiguousarray(array, dtype=np.float32))
