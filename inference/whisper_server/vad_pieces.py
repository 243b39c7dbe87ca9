"""The Silero VAD over long audio in pieces, so that its memory does not grow with the audio.

faster-whisper's `get_speech_timestamps` copies the whole audio twice before the model sees it (padded,
then cut into 512-sample windows with their context): about three times the decoded audio at its peak, 2 GB
more for 3 h of audio. Here audio longer than 1.5 pieces is cut into pieces of about PIECE_SECONDS, each cut
placed in the quietest 32 ms within CUT_SEARCH_SECONDS of its target (a pause, where there is one), and the
VAD runs on each piece; the regions are shifted back to the audio's time. What the VAD model holds while it
runs (some 200 MB for a 10-minute piece, on CPU) is the same for every piece, and is given back in between.
Audio up to 1.5 pieces long is one piece: its regions are exactly the unpieced ones.
"""

from __future__ import annotations

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from .audio_frames import SAMPLE_RATE
from .memory import give_back_memory

PIECE_SECONDS = 600
"""Audio the VAD sees at once (10 minutes: its copies then hold about 110 MB whatever the audio's length)."""
CUT_SEARCH_SECONDS = 5
"""How far from a piece's target end its cut may move to land in the quietest 32 ms."""
_FRAME = 512  # the VAD's window, in samples


def speech_regions(
    audio: np.ndarray, options: VadOptions, piece_seconds: float = PIECE_SECONDS
) -> list[dict[str, int]]:
    """`get_speech_timestamps(audio, options)`, computed piece by piece: `{"start", "end"}` in samples."""
    piece = int(piece_seconds * SAMPLE_RATE)
    if audio.size <= piece * 3 // 2:
        return get_speech_timestamps(audio, options)
    regions: list[dict[str, int]] = []
    begin = 0
    while begin < audio.size:
        end = audio.size if audio.size - begin <= piece * 3 // 2 else _quiet_cut(audio, begin + piece)
        for region in get_speech_timestamps(audio[begin:end], options):
            start, stop = region["start"] + begin, region["end"] + begin
            if regions and start < regions[-1]["end"]:
                start = regions[-1]["end"]  # padding that reached across the cut
            if stop > start:
                regions.append({"start": start, "end": stop})
        give_back_memory()  # the next piece's copies and the model's buffers then reuse the same pages
        begin = end
    return regions


def _quiet_cut(audio: np.ndarray, target: int) -> int:
    """The middle of the quietest VAD window within CUT_SEARCH_SECONDS of `target`."""
    low = max(0, target - CUT_SEARCH_SECONDS * SAMPLE_RATE)
    high = min(audio.size, target + CUT_SEARCH_SECONDS * SAMPLE_RATE)
    span = audio[low:high][: (high - low) // _FRAME * _FRAME]
    if span.size == 0:
        return target
    energy = np.square(span, dtype=np.float32).reshape(-1, _FRAME).sum(axis=1)
    return low + int(np.argmin(energy)) * _FRAME + _FRAME // 2
