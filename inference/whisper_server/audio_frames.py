"""Turning decoded frames of any shape into 16 kHz mono 16-bit frames, whatever changes along the way.

A stream's frames need not all look alike: concatenated MP3 or ADTS files (`cat a.mp3 b.mp3`) change
sample rate or channel layout mid-stream, and FFmpeg's resampler only takes frames that match the one it
was set up with. `MonoResampler` flushes and rebuilds it when the input changes. Frames whose channels
FFmpeg has no named layout for (WAV files without a channel mask, 9 or more channels) are mixed to mono
here first, reading the sample planes directly, since PyAV cannot turn every sample format (64-bit
integers) into an array.
"""

from __future__ import annotations

import av
import numpy as np

SAMPLE_RATE = 16000
"""Whisper's input rate; everything is resampled to mono at this rate."""

_SAMPLE_TYPES: dict[str, np.dtype[np.generic]] = {
    "u8": np.dtype(np.uint8),
    "s16": np.dtype("<i2"),
    "s32": np.dtype("<i4"),
    "s64": np.dtype("<i8"),
    "flt": np.dtype("<f4"),
    "dbl": np.dtype("<f8"),
}
"""NumPy types of FFmpeg's sample formats (planar ones end in `p`), little-endian as FFmpeg stores them on
every platform it is built for here."""


class UnsupportedSamples(ValueError):
    """Decoded samples in a format this module cannot read."""


class MonoResampler:
    """Resamples frames to mono s16 at SAMPLE_RATE, rebuilding FFmpeg's resampler whenever the format,
    layout or rate of the input changes (what it was built for is flushed first, so nothing is lost)."""

    def __init__(self) -> None:
        self._resampler: av.AudioResampler | None = None
        self._input: tuple[str, str, int] | None = None

    def resample(self, frame: av.AudioFrame | None) -> list[av.AudioFrame]:
        """The output frames for `frame`; None flushes what the resampler still holds."""
        if frame is None:
            return self._flush()
        frame = mono_if_unmixable(frame)
        shape = (frame.format.name, frame.layout.name, frame.sample_rate)
        flushed: list[av.AudioFrame] = []
        if shape != self._input:
            flushed = self._flush()
            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            self._input = shape
        assert self._resampler is not None
        return flushed + self._resampler.resample(frame)

    def _flush(self) -> list[av.AudioFrame]:
        if self._resampler is None:
            return []
        flushed = self._resampler.resample(None)
        self._resampler = self._input = None
        return flushed


def mono_if_unmixable(frame: av.AudioFrame) -> av.AudioFrame:
    """`frame` itself, or for a channel layout FFmpeg has no name for (a WAV without a channel mask, 9,
    32, 64 channels ...), which its resampler cannot downmix, the average of the channels as a mono float
    frame."""
    if frame.layout.name != f"{len(frame.layout.channels)} channels":
        return frame
    mono = unit_float(channel_samples(frame)).mean(axis=0, dtype=np.float32)
    mixed = av.AudioFrame.from_ndarray(mono.reshape(1, -1), format="flt", layout="mono")
    mixed.sample_rate = frame.sample_rate
    return mixed


def channel_samples(frame: av.AudioFrame) -> np.ndarray:
    """The frame's samples as a (channels, samples) array of its own type, read from its planes."""
    name = frame.format.name
    planar = frame.format.is_planar
    dtype = _SAMPLE_TYPES.get(name[:-1] if planar else name)
    if dtype is None:
        raise UnsupportedSamples(f"sample format {name}")
    channels = len(frame.layout.channels)
    if planar:
        planes = [np.frombuffer(plane, dtype=dtype, count=frame.samples) for plane in frame.planes[:channels]]
        return np.stack(planes)
    packed = np.frombuffer(frame.planes[0], dtype=dtype, count=frame.samples * channels)
    return packed.reshape(-1, channels).T


def unit_float(samples: np.ndarray) -> np.ndarray:
    """Integer or float PCM samples as floats in [-1, 1]."""
    if samples.dtype == np.uint8:
        return (samples.astype(np.float32) - 128) / 128
    if np.issubdtype(samples.dtype, np.integer):
        return (samples / float(-np.iinfo(samples.dtype).min)).astype(np.float32)
    return samples.astype(np.float32)
