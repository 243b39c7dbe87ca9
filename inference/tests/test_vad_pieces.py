"""The VAD in pieces finds the speech the VAD over the whole audio finds."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from whisper_server.audio import decode
from whisper_server.vad_pieces import speech_regions

OPTIONS = VadOptions(max_speech_duration_s=15, min_silence_duration_ms=160)


def meeting(audio_bytes: Callable[[str], bytes]) -> np.ndarray:
    """The eight meeting parts, about 66 s of two voices with pauses."""
    return np.concatenate([decode(audio_bytes(f"meeting/part0{i}.ogg"), 60) for i in range(1, 9)])


def speech_samples(regions: list[dict[str, int]]) -> int:
    return sum(region["end"] - region["start"] for region in regions)


def test_audio_up_to_one_and_a_half_pieces_is_one_piece(audio_bytes: Callable[[str], bytes]) -> None:
    audio = meeting(audio_bytes)
    assert speech_regions(audio, OPTIONS, piece_seconds=audio.size / 16000 / 1.5) == get_speech_timestamps(
        audio, OPTIONS
    )


def test_pieces_find_the_same_speech(audio_bytes: Callable[[str], bytes]) -> None:
    audio = meeting(audio_bytes)
    whole = get_speech_timestamps(audio, OPTIONS)
    pieced = speech_regions(audio, OPTIONS, piece_seconds=15)
    assert abs(speech_samples(pieced) - speech_samples(whole)) < 0.05 * speech_samples(whole)
    for region in whole:  # every region found whole overlaps one found in pieces
        assert any(p["start"] < region["end"] and region["start"] < p["end"] for p in pieced), region
    starts = [region["start"] for region in pieced]
    assert starts == sorted(starts)
    assert all(a["end"] <= b["start"] for a, b in pairwise(pieced))
