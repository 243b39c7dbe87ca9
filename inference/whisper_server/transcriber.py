"""The Whisper model and how one request is decoded.

Loaded once per process. `transcribe` is blocking and not thread-safe by design: the server calls it
from its single worker thread (jobs.py), so only one job uses the device at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import ctranslate2
import numpy as np
from faster_whisper import BatchedInferencePipeline, WhisperModel
from faster_whisper.transcribe import Segment as WhisperSegment

from .audio import SAMPLE_RATE
from .options import TranscribeOptions
from .results import Segment, Transcription, Word
from .settings import Device, Settings

log = logging.getLogger(__name__)
# Whisper decodes 30 s windows; without VAD the batched pipeline needs explicit windows of this size.
WINDOW_SECONDS = 30
# faster-whisper's default log_prob_threshold: below it the decoder is unsure of its text.
LOG_PROB_THRESHOLD = -1.0
# RMS of -70 dBFS: digital silence and dither are below it. Speech is recorded around -20 to -30 dBFS
# (the fixtures: -21), and Whisper, which normalises loudness, still hears the fixtures scaled down to
# -58 dBFS; audio quieter than this holds nothing it could hear.
SILENCE_RMS = 10 ** (-70 / 20)


class Transcriber:
    """A loaded model plus the server-wide decoding defaults resolved for its device."""

    def __init__(self, settings: Settings) -> None:
        self.device: Device = settings.resolve_device(ctranslate2.get_cuda_device_count())
        self.compute_type = settings.resolve_compute_type(self.device)
        self.batch_size = settings.resolve_batch_size(self.device)
        self.beam_size = settings.beam_size
        self.batched = settings.batched
        self.vad = settings.vad
        self.no_speech_threshold = settings.no_speech_threshold
        if not (Path(settings.model_dir) / "model.bin").is_file():
            raise FileNotFoundError(
                f"MODEL_DIR={settings.model_dir} holds no model.bin: point it at a CTranslate2 Whisper model "
                "(SageMaker mounts the model data at /opt/ml/model)"
            )
        self.model = WhisperModel(
            settings.model_dir,
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=settings.cpu_threads,
        )
        self.pipeline = BatchedInferencePipeline(self.model)
        log.info(
            "model loaded",
            extra={
                "model_dir": settings.model_dir,
                "device": self.device,
                "compute_type": self.compute_type,
                "batched": self.batched,
                "batch_size": self.batch_size,
                "beam_size": self.beam_size,
                "vad": self.vad,
            },
        )

    @property
    def multilingual(self) -> bool:
        return bool(self.model.model.is_multilingual)

    @property
    def supported_languages(self) -> list[str]:
        return list(self.model.supported_languages)

    def transcribe(
        self, audio: np.ndarray, options: TranscribeOptions, subtitles: bool = False
    ) -> Transcription:
        """Decodes 16 kHz mono `audio`; the segment generator is consumed here, inside the job.

        `subtitles` asks the batched pipeline for sentence-sized timed segments (cues) instead of one
        segment per VAD chunk of up to 30 s. It costs no time but some accuracy (WER 0.015 -> 0.047 in
        the benchmark), so it is on only for WebVTT/SRT. Sequential decoding always times its segments:
        without timestamps it skips text it did not finish in a window (the seed path's WER).
        """
        vad = self.vad if options.vad is None else options.vad
        common: dict[str, Any] = {
            "language": options.language,
            "task": options.task,
            "beam_size": options.beam_size or self.beam_size,
            "word_timestamps": options.word_timestamps,
            "initial_prompt": options.initial_prompt,
            "hotwords": options.hotwords,
            "temperature": options.temperature,
            "vad_filter": vad,
        }
        duration = audio.shape[0] / SAMPLE_RATE
        if self.batched:
            if not vad:
                common["clip_timestamps"] = _windows(duration)
            segments, info = self.pipeline.transcribe(
                audio,
                batch_size=options.batch_size or self.batch_size,
                without_timestamps=not subtitles,
                **common,
            )
        else:
            segments, info = self.model.transcribe(audio, **common)
        kept = self._drop_non_speech(segments, audio)
        return Transcription(
            text=" ".join(s.text for s in kept),
            language=info.language,
            language_probability=float(info.language_probability),
            duration=duration,
            segments=tuple(kept),
        )

    def _drop_non_speech(self, segments: Iterable[WhisperSegment], audio: np.ndarray) -> list[Segment]:
        """Drops empty segments and those Whisper invented for silence or noise.

        Two rules. faster-whisper's own for sequential decoding (likely no speech AND an unsure
        decoder), which its batched pipeline does not apply; a high no-speech probability alone is not
        enough, clear synthetic speech scores up to 0.9 on it. And a segment over audio quieter than
        `SILENCE_RMS`: with VAD off, Whisper hears "you" in digital silence, sure of it (no-speech 0.95
        but average log probability -0.85).
        """
        kept: list[Segment] = []
        for s in segments:
            text = s.text.strip()
            invented = s.no_speech_prob > self.no_speech_threshold and s.avg_logprob < LOG_PROB_THRESHOLD
            if not text or invented or _is_silent(audio, s.start, s.end):
                continue
            words = None
            if s.words is not None:
                words = tuple(Word(w.start, w.end, w.word.strip(), w.probability) for w in s.words)
            kept.append(Segment(id=len(kept), start=s.start, end=s.end, text=text, words=words))
        return kept


def _windows(duration: float) -> list[dict[str, float]]:
    """Consecutive 30 s windows covering `duration`: the batched pipeline's input when VAD is off."""
    starts = np.arange(0.0, max(duration, 1e-3), WINDOW_SECONDS)
    return [{"start": float(t), "end": float(min(t + WINDOW_SECONDS, duration))} for t in starts]


def _is_silent(audio: np.ndarray, start: float, end: float) -> bool:
    """Whether `audio` between `start` and `end` seconds is quieter than `SILENCE_RMS` (False if empty)."""
    samples = audio[max(0, int(start * SAMPLE_RATE)) : int(np.ceil(end * SAMPLE_RATE))]
    return samples.size > 0 and float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) < SILENCE_RMS
