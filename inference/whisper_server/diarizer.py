"""Speaker diarization on CPU with sherpa-onnx: who speaks when, as speaker turns.

sherpa-onnx runs pyannote segmentation-3.0 (speech and speaker changes within 10 s windows) and a speaker
embedding model (3D-Speaker CAM++) on its own bundled ONNX Runtime, then clusters the embeddings: no
PyTorch. The two ONNX files live in the model artifact next to Whisper (`<MODEL_DIR>/diarization/`,
uploaded by package-model). Loaded once per process; `diarize` runs in the server's single worker thread
(jobs.py), which is what makes changing the clustering per request safe.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .options import TranscribeOptions
from .results import Transcription
from .settings import Settings
from .speaker_labels import SpeakerTurn, label_speakers

if TYPE_CHECKING:
    import sherpa_onnx

log = logging.getLogger(__name__)

SEGMENTATION_FILE = "segmentation.onnx"
EMBEDDING_FILE = "embedding.onnx"


@dataclass(frozen=True)
class DiarizerConfig:
    """How the diarizer runs; the server fills it from its settings (see settings.py for the defaults)."""

    model_dir: Path
    """Directory holding segmentation.onnx and embedding.onnx."""
    threads: int
    """ONNX Runtime threads for each of the two models."""
    window_shift: float
    """Shift between two 10 s segmentation windows, as a fraction of the window."""
    threshold: float
    """Clustering distance threshold when the speaker count is not given: lower finds more speakers."""


def models_present(model_dir: Path) -> bool:
    """Whether `model_dir` holds both diarization models."""
    return (model_dir / SEGMENTATION_FILE).is_file() and (model_dir / EMBEDDING_FILE).is_file()


class Diarizer:
    """The loaded segmentation and embedding models."""

    def __init__(self, config: DiarizerConfig) -> None:
        if not models_present(config.model_dir):
            raise FileNotFoundError(
                f"{config.model_dir} does not hold {SEGMENTATION_FILE} and {EMBEDDING_FILE}: "
                "package the model with package-model --diarization"
            )
        # Imported here: a server without diarization models never loads sherpa-onnx (0.5 s of start-up).
        import sherpa_onnx

        self.config = config
        self._engine = sherpa_onnx.OfflineSpeakerDiarization(self._engine_config(num_clusters=-1))
        log.info(
            "diarization models loaded",
            extra={"diarization_dir": str(config.model_dir), "threads": config.threads},
        )

    @property
    def sample_rate(self) -> int:
        return int(self._engine.sample_rate)

    def diarize(
        self,
        audio: np.ndarray,
        speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
    ) -> list[SpeakerTurn]:
        """Speaker turns of 16 kHz mono `audio`, sorted by start.

        `speakers` fixes the count. Otherwise the threshold decides, and when the count it finds is outside
        `min_speakers`-`max_speakers` the audio is clustered again to the nearest bound (the engine only
        takes an exact count, so a bound that is hit costs a second pass).
        """
        turns = self._run(audio, speakers if speakers is not None else -1)
        if speakers is not None:
            return turns
        found = len({t.speaker for t in turns})
        if found == 0:
            return turns
        if min_speakers is not None and found < min_speakers:
            return self._run(audio, min_speakers)
        if max_speakers is not None and found > max_speakers:
            return self._run(audio, max_speakers)
        return turns

    def _run(self, audio: np.ndarray, num_clusters: int) -> list[SpeakerTurn]:
        self._engine.set_config(self._engine_config(num_clusters))
        samples = np.ascontiguousarray(audio, dtype=np.float32)
        result = self._engine.process(samples).sort_by_start_time()
        # A turn may reach past the end of very short audio (the engine pads to its 10 s window).
        duration = samples.size / self.sample_rate
        return [
            SpeakerTurn(start=float(s.start), end=min(float(s.end), duration), speaker=int(s.speaker))
            for s in result
            if s.start < duration
        ]

    def _engine_config(self, num_clusters: int) -> sherpa_onnx.OfflineSpeakerDiarizationConfig:
        import sherpa_onnx

        config = sherpa_onnx.OfflineSpeakerDiarizationConfig(
            segmentation=sherpa_onnx.OfflineSpeakerSegmentationModelConfig(
                pyannote=sherpa_onnx.OfflineSpeakerSegmentationPyannoteModelConfig(
                    model=str(self.config.model_dir / SEGMENTATION_FILE),
                    window_shift_ratio=self.config.window_shift,
                ),
                num_threads=self.config.threads,
            ),
            embedding=sherpa_onnx.SpeakerEmbeddingExtractorConfig(
                model=str(self.config.model_dir / EMBEDDING_FILE), num_threads=self.config.threads
            ),
            clustering=sherpa_onnx.FastClusteringConfig(
                num_clusters=num_clusters, threshold=self.config.threshold
            ),
        )
        if not config.validate():
            raise ValueError(f"invalid diarization configuration for {self.config.model_dir}")
        return config


def default_threads() -> int:
    """Half the cores the process may use (at least 1, at most 4).

    On g4dn/g5 a vCPU is one hyperthread, so this is one thread per physical core, which is what ONNX
    Runtime's intra-op threads use well; the other half stays free for Whisper's own CPU work and the
    HTTP server. On a 2-core machine one thread diarized faster than two and used half the CPU time
    (inference/bench/bench_diarization.py --sweep, docs/speakers.md).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(4, cores // 2))


def load_diarizer(settings: Settings) -> Diarizer | None:
    """The diarizer when the model artifact has its models, else None (requests asking for it get 400).

    Raises FileNotFoundError when WHISPER_DIARIZE makes speaker labels the default but the models are
    missing: every request would fail, so the server should not start.
    """
    model_dir = settings.resolve_diarization_dir()
    if not models_present(model_dir):
        if settings.diarize:
            raise FileNotFoundError(
                f"WHISPER_DIARIZE=true but {model_dir} does not hold {SEGMENTATION_FILE} and "
                f"{EMBEDDING_FILE}; package the model with package-model --diarization, or set "
                "WHISPER_DIARIZATION_DIR"
            )
        log.info(
            "no diarization models; requests with diarize=true get 400",
            extra={"diarization_dir": str(model_dir)},
        )
        return None
    return Diarizer(
        DiarizerConfig(
            model_dir=model_dir,
            threads=settings.diarization_threads or default_threads(),
            window_shift=settings.diarization_window_shift,
            threshold=settings.diarization_threshold,
        )
    )


def transcribe_with_speakers(
    transcribe: Callable[[TranscribeOptions], Transcription],
    diarizer: Diarizer,
    audio: np.ndarray,
    options: TranscribeOptions,
) -> tuple[Transcription, float]:
    """Transcribes with speaker labels; returns the result and the seconds diarization took.

    Diarization runs on CPU in its own thread while `transcribe` runs (on the GPU in production), so a
    request takes about the longer of the two rather than their sum. Words are always timed, since the
    labels are given per word.
    """
    started = time.perf_counter()

    def diarize() -> tuple[list[SpeakerTurn], float]:
        turns = diarizer.diarize(audio, options.speakers, options.min_speakers, options.max_speakers)
        return turns, time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="diarization") as pool:
        pending = pool.submit(diarize)
        result = transcribe(replace(options, word_timestamps=True))
        turns, seconds = pending.result()
    # The words stay: subtitle cues are cut by them; the JSON shows them only when asked (formats.py).
    return label_speakers(result, turns, keep_words=True), seconds
