"""The two faster-whisper paths every benchmark measures the server against, defined once so that each
bench's "seed path" and "sequential" mean the same decoding:

- the seed article's path: `WhisperModel.transcribe(beam_size=5, vad_filter=True, without_timestamps=True)`;
- sequential with timestamps (beam 5, VAD): slow, but it keeps every word: the accuracy anchor.

Both return the decoded segments as a list (faster-whisper decodes lazily; listing them is the decoding),
and both run on the model as faster-whisper loads it by default (`reference_model`), not on the server's.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.transcribe import Segment

from whisper_server.transcriber import Transcriber


def reference_model(transcriber: Transcriber) -> WhisperModel:
    """The transcriber's model as the seed article loads it, `WhisperModel(dir, device, compute_type)`:
    one replica on CTranslate2's own thread count. The server's model is that when it decodes one batch
    at a time (CUDA); on CPU it holds WHISPER_PARALLEL_BATCHES replicas of fewer threads each, a layout
    the reference paths' users do not run, so a second copy is loaded for them."""
    if transcriber.parallel_batches == 1:
        return transcriber.model
    return WhisperModel(
        transcriber.model_dir, device=transcriber.device, compute_type=transcriber.compute_type
    )


def seed_segments(model: WhisperModel, audio: np.ndarray, language: str | None = None) -> list[Segment]:
    """The seed path's segments of `audio` (`language` None: detected)."""
    segments, _ = model.transcribe(
        audio, language=language, beam_size=5, vad_filter=True, without_timestamps=True
    )
    return list(segments)


def sequential_segments(model: WhisperModel, audio: np.ndarray, language: str | None = None) -> list[Segment]:
    """Sequential decoding with timestamps (`language` None: detected)."""
    segments, _ = model.transcribe(audio, language=language, beam_size=5, vad_filter=True)
    return list(segments)


def text_of(segments: Iterable[Segment]) -> str:
    """The segments' texts, each stripped, joined by one space."""
    return " ".join(segment.text.strip() for segment in segments)


def seed_transcript(model: WhisperModel, audio: np.ndarray) -> tuple[str, str]:
    """The seed path's text of `audio` and the language it detected."""
    segments, info = model.transcribe(audio, beam_size=5, vad_filter=True, without_timestamps=True)
    return text_of(segments), info.language


def sequential_transcript(model: WhisperModel, audio: np.ndarray) -> tuple[str, str]:
    """Sequential decoding's text of `audio` (with timestamps) and the language it detected."""
    segments, info = model.transcribe(audio, beam_size=5, vad_filter=True)
    return text_of(segments), info.language
