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

from .audio_frames import SAMPLE_RATE, MonoResampler, UnsupportedSamples
from .errors import RequestError
from .ogg_links import TooManyLinks, ogg_links

__all__ = ["MIN_SAMPLE_RATE", "SAMPLE_RATE", "decode"]

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

    Raises RequestError: 415 when no audio can be read (or the container is not an allowed one, its audio
    codec has no decoder, or its sample rate is below MIN_SAMPLE_RATE), 400 when the audio holds no samples,
    413 when it is longer than `max_seconds`. A packet that fails to decode is skipped, as FFmpeg's own
    command does, and a stream that breaks off midway (a truncated upload) keeps what decoded, as
    faster-whisper does. A chained Ogg stream is decoded link by link (ogg_links.py).
    """
    try:
        links = ogg_links(body)
    except TooManyLinks as e:
        raise _undecodable(str(e)) from None
    audio = _DecodedAudio(max_seconds)
    try:
        for link in links:
            _decode_container(link, audio)
        audio.add(None)
    except av.error.FFmpegError as e:
        # FFmpeg's own text may name paths or say what exists on this host: never pass it on.
        raise _undecodable("not a supported audio or video container, or damaged data") from e
    except UnsupportedSamples as e:
        raise _undecodable(str(e)) from e
    if audio.total == 0:
        raise RequestError(
            400, "empty_audio", "the audio holds no samples; send a recording with sound in it"
        )
    return _to_float(audio.chunks, audio.total)


class _DecodedAudio:
    """16 kHz mono 16-bit chunks gathered from frames, checked against the duration limit as they come."""

    def __init__(self, max_seconds: float) -> None:
        self.max_seconds = max_seconds
        self.max_samples = int(max_seconds * SAMPLE_RATE)
        self.chunks: list[np.ndarray] = []
        self.total = 0
        self.input_seconds = 0.0
        self._resampler = MonoResampler()

    def add(self, frame: av.AudioFrame | None) -> None:
        """Adds a decoded frame (None: the end, which flushes the resampler)."""
        if frame is not None:
            if frame.sample_rate < MIN_SAMPLE_RATE:
                raise _undecodable(
                    f"sample rate {frame.sample_rate} Hz; speech needs at least {MIN_SAMPLE_RATE} Hz"
                )
            # Checked before resampling, which is where a low rate would multiply the samples.
            self.input_seconds += frame.samples / frame.sample_rate
            if self.input_seconds > self.max_seconds:
                raise _too_long(self.max_seconds)
        for resampled in self._resampler.resample(frame):
            samples = resampled.to_ndarray().reshape(-1)
            self.total += samples.size
            if self.total > self.max_samples:
                raise _too_long(self.max_seconds)
            self.chunks.append(samples)


def _decode_container(data: bytes, audio: _DecodedAudio) -> None:
    """Adds the frames of the first decodable audio stream of the container `data` to `audio`."""
    with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore", options=_OPEN_OPTIONS) as container:
        stream = _decodable_audio_stream(container)
        for frame in _frames(container, stream):
            audio.add(frame)


def _decodable_audio_stream(container: av.container.InputContainer) -> av.audio.stream.AudioStream:
    """The first audio stream FFmpeg has a decoder for.

    A stream without one (a WAV format tag or bit depth no codec has, a renamed codec id) has no codec
    context, and decoding it crashes the whole process in PyAV before 18.1 (its issue #2344): it is refused
    here, before any decoding.
    """
    streams = container.streams.audio
    if not streams:
        raise _undecodable("no audio track")
    for stream in streams:
        if stream.codec_context is not None:
            return stream
    raise _undecodable("no decoder for the codec of its audio track")


def _frames(
    container: av.container.InputContainer, stream: av.audio.stream.AudioStream
) -> Iterator[av.AudioFrame]:
    """The stream's frames, packet by packet, then those the decoder still held.

    A packet that fails to decode is skipped (a concatenated MP3 whose layout changes has one at the seam);
    a stream that breaks off after some frames decoded ends there instead of failing. Nothing decoded and a
    packet failed: its error is raised.
    """
    packets = container.demux(stream)
    decoded_any = False
    failure: av.error.InvalidDataError | None = None
    while True:
        try:
            packet = next(packets, None)
        except av.error.InvalidDataError:
            if not decoded_any:
                raise
            return  # damaged tail: keep what decoded
        if packet is None:
            break
        try:
            frames = packet.decode()  # the last packet, with no data, flushes the decoder
        except av.error.InvalidDataError as e:
            failure = failure or e
            continue
        for frame in frames:
            decoded_any = True
            yield frame
    if failure is not None and not decoded_any:
        raise failure


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
