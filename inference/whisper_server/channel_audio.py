"""Decoding a recording channel by channel (for `channels=separate`), with the same hardening as audio.py.

audio.py mixes every channel into one; here each channel stays its own 16 kHz float32 signal, since on a
call or interview recording each channel is one person's microphone. The same container allow-list and
no-protocol rule apply (audio.py's options), the same lowest sample rate, and the length limit counts
the audio of every channel: a stereo hour is two hours of transcription work.
"""

from __future__ import annotations

import io

import av
import numpy as np

from .audio import (
    _OPEN_OPTIONS,
    MIN_SAMPLE_RATE,
    _decodable_audio_stream,
    _frames,
    _undecodable,
)
from .audio_frames import MonoResampler, UnsupportedSamples, channel_samples, unit_float
from .errors import RequestError, bad_option

MAX_CHANNELS = 8
"""Most channels `channels=separate` transcribes; a recording with more gets 400."""


def _too_long(max_seconds: float, channels: int) -> RequestError:
    return RequestError(
        413,
        "audio_too_long",
        f"audio is longer than the {max_seconds:g} s limit (WHISPER_MAX_AUDIO_SECONDS, counted in decoded "
        f"audio of every channel: {channels} channels with channels=separate); split it or raise the limit",
    )


def decode_channels(body: bytes, max_seconds: float) -> np.ndarray:
    """Decodes `body` to one row of float32 samples at 16 kHz per channel, shape (channels, samples).

    Raises RequestError: 400 (`bad_option` naming `channels`) for audio with one channel or more than
    MAX_CHANNELS; 415 when no audio can be read, the sample rate is below MIN_SAMPLE_RATE or the channel
    count changes midway; 400 when the audio holds no samples; 413 when the channels together hold more
    than `max_seconds` of audio. A stream that breaks off midway keeps what decoded (as audio.decode).
    """
    rows: list[list[np.ndarray]] = []
    resamplers: list[MonoResampler] = []
    input_seconds = 0.0
    try:
        with av.open(
            io.BytesIO(body), mode="r", metadata_errors="ignore", options=_OPEN_OPTIONS
        ) as container:
            stream = _decodable_audio_stream(container)
            for frame in _frames(container, stream):
                if frame.sample_rate < MIN_SAMPLE_RATE:
                    raise _undecodable(
                        f"sample rate {frame.sample_rate} Hz; speech needs at least {MIN_SAMPLE_RATE} Hz"
                    )
                per_channel = _per_channel(frame)
                if not resamplers:
                    _check_count(per_channel.shape[0])
                    # One resampler a channel, each rebuilt when the input's rate changes (audio_frames.py).
                    resamplers = [MonoResampler() for _ in range(per_channel.shape[0])]
                    rows = [[] for _ in resamplers]
                elif per_channel.shape[0] != len(resamplers):
                    raise _undecodable("the number of channels changes midway")
                input_seconds += len(resamplers) * frame.samples / frame.sample_rate
                if input_seconds > max_seconds:
                    raise _too_long(max_seconds, len(resamplers))
                for channel, samples in enumerate(per_channel):
                    mono = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
                    mono.sample_rate = frame.sample_rate
                    rows[channel].extend(
                        r.to_ndarray().reshape(-1) for r in resamplers[channel].resample(mono)
                    )
            for channel, resampler in enumerate(resamplers):
                rows[channel].extend(r.to_ndarray().reshape(-1) for r in resampler.resample(None))
    except av.error.FFmpegError as e:
        # FFmpeg's own text may name paths or say what exists on this host: never pass it on.
        raise _undecodable("not a supported audio or video container, or damaged data") from e
    except UnsupportedSamples as e:
        raise _undecodable(str(e)) from e
    length = min((sum(chunk.size for chunk in row) for row in rows), default=0)
    if length == 0:
        raise RequestError(
            400, "empty_audio", "the audio holds no samples; send a recording with sound in it"
        )
    return np.stack([unit_float(np.concatenate(row)[:length]) for row in rows])


def _per_channel(frame: av.AudioFrame) -> np.ndarray:
    """The frame's samples as floats in [-1, 1], one row per channel (C-contiguous float32)."""
    return np.ascontiguousarray(unit_float(channel_samples(frame)))


def _check_count(channels: int) -> None:
    if channels < 2:
        raise bad_option(
            "channels",
            "separate needs a recording with one speaker per channel (2 or more channels); this one has "
            "1 channel: send it without channels=separate (with diarize=true to label its speakers)",
        )
    if channels > MAX_CHANNELS:
        raise bad_option(
            "channels", f"separate transcribes at most {MAX_CHANNELS} channels; this recording has {channels}"
        )
