"""Media bodies built in memory for the decoding tests: streams no decoder exists for, and streams whose
format changes midway. Nothing here needs a tool outside the venv (PyAV encodes, struct packs headers)."""

from __future__ import annotations

import io
import struct

import av
import numpy as np

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_EXTENSIBLE = 0xFFFE


def tone(seconds: float, rate: int, channels: int = 1, hertz: float = 440.0) -> np.ndarray:
    """A (channels, samples) float32 sine at a third of full scale."""
    t = np.arange(int(seconds * rate)) / rate
    return np.tile((0.3 * np.sin(2 * np.pi * hertz * t)).astype(np.float32), (channels, 1))


def wav(
    data: bytes,
    *,
    format_tag: int = WAVE_FORMAT_PCM,
    bits: int = 16,
    channels: int = 1,
    rate: int = 16000,
    extra: bytes = b"",
) -> bytes:
    """A RIFF/WAVE file whose format chunk says exactly what it is told (even what no codec decodes)."""
    block = max(1, channels * bits // 8) if 0 < bits < 65535 else 2
    byte_rate, block = (rate * block) % 2**32, block % 2**16  # wrapped to their fields, as a sweep needs
    fmt = struct.pack("<HHIIHH", format_tag, channels, rate, byte_rate, block, bits) + extra
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def undecodable_wavs() -> dict[str, bytes]:
    """9.6 KB WAVs whose format chunk names no codec FFmpeg decodes: PyAV opens their stream without a
    codec context, and before the fix decoding it killed the process (SIGSEGV)."""
    silence = bytes(9600)
    return {
        "bits per sample 0": wav(silence, bits=0),
        "bits per sample 65535": wav(silence, bits=65535),
        "format tag 0x1234": wav(silence, format_tag=0x1234),
        "extensible with a 16-byte fmt chunk": wav(silence, format_tag=WAVE_FORMAT_EXTENSIBLE),
    }


def encoded(container: str, codec: str, samples: np.ndarray, rate: int) -> bytes:
    """`samples` ((channels, n) float32) encoded with `codec` in `container`, in memory."""
    layout = "stereo" if samples.shape[0] == 2 else "mono"
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format="fltp", layout=layout)
        frame.sample_rate = rate
        size = stream.codec_context.frame_size or None
        resampler = av.AudioResampler(format=stream.format.name, layout=layout, rate=rate, frame_size=size)
        for piece in [*resampler.resample(frame), *resampler.resample(None)]:
            out.mux(stream.encode(piece))
        out.mux(stream.encode(None))
    return buffer.getvalue()


def webm_with_renamed_codec() -> bytes:
    """A valid Opus WebM whose codec id (A_OPUS) is renamed to one no decoder has."""
    body = encoded("webm", "libopus", tone(1.0, 48000), 48000)
    assert body.count(b"A_OPUS") == 1
    return body.replace(b"A_OPUS", b"A_ZZZZ")


def s64_wav(seconds: float = 1.0, rate: int = 16000) -> bytes:
    """A mono WAV of 64-bit integer PCM (no channel mask, so FFmpeg names no layout for it)."""
    samples = (tone(seconds, rate)[0].astype(np.float64) * 2**63).astype("<i8")
    return wav(samples.tobytes(), bits=64, rate=rate)
