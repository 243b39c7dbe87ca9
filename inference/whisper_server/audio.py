"""Audio decoding in memory with PyAV (the bundled FFmpeg): any container/codec FFmpeg reads.

Like faster_whisper.audio.decode_audio, but it stops as soon as the audio is longer than allowed
(so a huge file is refused without holding all of it as samples) and maps FFmpeg failures to 415.
"""

from __future__ import annotations

import io

import av
import numpy as np

from .errors import RequestError

SAMPLE_RATE = 16000
"""Whisper's input rate; everything is resampled to mono at this rate."""


def _undecodable(detail: str) -> RequestError:
    return RequestError(
        415,
        "unsupported_media",
        f"could not decode the body as audio ({detail}); send wav, mp3, m4a/aac, ogg/opus, flac, webm or mp4",
    )


def decode(body: bytes, max_seconds: float) -> np.ndarray:
    """Decodes `body` to mono float32 samples at 16 kHz.

    Raises RequestError: 415 when no audio can be read, 400 when the audio holds no samples,
    413 when it is longer than `max_seconds`. A stream that breaks off midway (a truncated upload)
    keeps what decoded, as faster-whisper does.
    """
    max_samples = int(max_seconds * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(io.BytesIO(body), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise _undecodable("no audio track")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            frames = container.decode(audio=0)
            while True:
                try:
                    frame = next(frames, None)
                except av.error.InvalidDataError:
                    if total == 0:
                        raise
                    break  # damaged tail: keep what decoded
                for resampled in resampler.resample(frame):
                    samples = resampled.to_ndarray().reshape(-1)
                    total += samples.size
                    if total > max_samples:
                        raise RequestError(
                            413,
                            "audio_too_long",
                            f"audio is longer than the {max_seconds:g} s limit (WHISPER_MAX_AUDIO_SECONDS); "
                            "split it or raise the limit",
                        )
                    chunks.append(samples)
                if frame is None:  # the resampler has been flushed
                    break
    except av.error.FFmpegError as e:
        raise _undecodable(type(e).__name__) from e
    if total == 0:
        raise RequestError(
            400, "empty_audio", "the audio holds no samples; send a recording with sound in it"
        )
    return np.concatenate(chunks).astype(np.float32) / 32768.0
