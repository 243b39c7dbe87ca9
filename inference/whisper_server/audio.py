"""Audio decoding in memory with PyAV (the bundled FFmpeg), from real audio/video containers only.

Like faster_whisper.audio.decode_audio, but hardened for bodies from anyone:

- FFmpeg picks a demuxer by probing the bytes, and some demuxers read other files or open sockets
  named inside the body (ffconcat, HLS playlists, SDP, image sequences). Only the demuxers of real
  audio/video containers in `ALLOWED_DEMUXERS` may open, and no protocol at all: the body arrives
  through an in-memory reader, so nothing ever needs a path or a URL. Error messages never carry
  FFmpeg's text, which could say whether a host path exists.
- It stops as soon as the audio is longer than allowed, checked before each frame is resampled (a
  1 Hz stream would otherwise grow 16000-fold in one step), and refuses sample rates that cannot
  carry speech, so a tiny file cannot declare hours of work.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import av
import numpy as np

from .errors import RequestError

SAMPLE_RATE = 16000
"""Whisper's input rate; everything is resampled to mono at this rate."""

MIN_SAMPLE_RATE = 4000
"""Lowest input sample rate accepted, in Hz. Speech needs about 2 kHz of bandwidth to be understood;
below 4 kHz sampling nothing Whisper could transcribe survives, and a very low rate only turns a few
bytes into hours of decoding work."""

ALLOWED_DEMUXERS = (
    "wav,w64,mp3,mov,mp4,m4a,3gp,3g2,mj2,ogg,flac,matroska,webm,aac,ac3,eac3,amr,caf,aiff,asf,avi,au,"
    "mpegts,mpeg,flv,wv"
)
"""FFmpeg demuxers a body may be read with (FFmpeg's `format_whitelist`): containers that hold their
media inline and never open another file or URL. Everything else is refused as unsupported media."""

_OPEN_OPTIONS = {
    "format_whitelist": ALLOWED_DEMUXERS,
    # No protocol may be opened: the body comes through PyAV's in-memory reader, which needs none.
    # A name no protocol has: every attempt to open a file or URL fails.
    "protocol_whitelist": "none",
}


def _undecodable(detail: str) -> RequestError:
    return RequestError(
        415,
        "unsupported_media",
        f"could not decode the body as audio ({detail}); send wav, mp3, m4a/aac, ogg/opus, flac, webm or mp4",
    )


def _too_long(max_seconds: float) -> RequestError:
    return RequestError(
        413,
        "audio_too_long",
        f"audio is longer than the {max_seconds:g} s limit (WHISPER_MAX_AUDIO_SECONDS, counted in decoded "
        "audio); split it or raise the limit",
    )


def decode(body: bytes, max_seconds: float) -> np.ndarray:
    """Decodes `body` to mono float32 samples at 16 kHz.

    Raises RequestError: 415 when no audio can be read (or the container is not an allowed one, or its
    sample rate is below MIN_SAMPLE_RATE), 400 when the audio holds no samples, 413 when it is longer
    than `max_seconds`. A stream that breaks off midway (a truncated upload) keeps what decoded, as
    faster-whisper does.
    """
    max_samples = int(max_seconds * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(
            io.BytesIO(body), mode="r", metadata_errors="ignore", options=_OPEN_OPTIONS
        ) as container:
            if not container.streams.audio:
                raise _undecodable("no audio track")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            input_seconds = 0.0
            for frame in _frames(container):
                if frame is not None:
                    if frame.sample_rate < MIN_SAMPLE_RATE:
                        raise _undecodable(
                            f"sample rate {frame.sample_rate} Hz; speech needs at least {MIN_SAMPLE_RATE} Hz"
                        )
                    # Checked before resampling, which is where a low rate would multiply the samples.
                    input_seconds += frame.samples / frame.sample_rate
                    if input_seconds > max_seconds:
                        raise _too_long(max_seconds)
                for resampled in resampler.resample(_mono_if_unmixable(frame)):
                    samples = resampled.to_ndarray().reshape(-1)
                    total += samples.size
                    if total > max_samples:
                        raise _too_long(max_seconds)
                    chunks.append(samples)
    except av.error.FFmpegError as e:
        # FFmpeg's own text may name paths or say what exists on this host: never pass it on.
        raise _undecodable("not a supported audio or video container, or damaged data") from e
    if total == 0:
        raise RequestError(
            400, "empty_audio", "the audio holds no samples; send a recording with sound in it"
        )
    return _to_float(chunks, total)


def _frames(container: av.container.InputContainer) -> Iterator[av.AudioFrame | None]:
    """The first audio stream's frames, then None (which flushes the resampler).

    A stream that breaks off after some frames decoded ends there instead of failing.
    """
    frames = container.decode(audio=0)
    decoded_any = False
    while True:
        try:
            frame = next(frames, None)
        except av.error.InvalidDataError:
            if not decoded_any:
                raise
            frame = None  # damaged tail: keep what decoded
        if frame is None:
            yield None
            return
        decoded_any = True
        yield frame


def _mono_if_unmixable(frame: av.AudioFrame | None) -> av.AudioFrame | None:
    """`frame` itself, or for a channel count FFmpeg has no named layout for (9, 32, 64 ...), which its
    resampler cannot downmix, the average of the channels as a mono float frame."""
    if frame is None or frame.layout.name != f"{len(frame.layout.channels)} channels":
        return frame
    data = frame.to_ndarray()
    channels = len(frame.layout.channels)
    per_channel = data if frame.format.is_planar else data.reshape(-1, channels).T
    mono = _as_unit_float(per_channel).mean(axis=0, dtype=np.float32)
    mixed = av.AudioFrame.from_ndarray(mono.reshape(1, -1), format="flt", layout="mono")
    mixed.sample_rate = frame.sample_rate
    return mixed


def _as_unit_float(samples: np.ndarray) -> np.ndarray:
    """Integer or float PCM samples as floats in [-1, 1]."""
    if samples.dtype == np.uint8:
        return (samples.astype(np.float32) - 128) / 128
    if np.issubdtype(samples.dtype, np.integer):
        return samples.astype(np.float32) / float(-np.iinfo(samples.dtype).min)
    return samples.astype(np.float32)


def _to_float(chunks: list[np.ndarray], total: int) -> np.ndarray:
    """The 16-bit chunks as one float32 array, converted chunk by chunk: peak memory is the int16 chunks
    plus the result, not three full copies."""
    audio = np.empty(total, dtype=np.float32)
    position = 0
    chunks.reverse()  # popped from the end: each chunk is freed once copied
    while chunks:
        chunk = chunks.pop()
        np.divide(chunk, 32768.0, out=audio[position : position + chunk.size], casting="unsafe")
        position += chunk.size
    return audio
