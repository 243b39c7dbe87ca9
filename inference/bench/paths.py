"""The decoding paths the recorded-speech and GPU benchmarks compare, run over a list of clips and timed.

- `ours` (the server's path, Transcriber.transcribe, one request per clip, words timed as for JSON) with the
  chunking of a `Variant`: the server's default for the device, or given chunk and window seconds;
- `sequential`: faster-whisper sequential with timestamps (the accuracy anchor, reference_paths.py);
- `seed`: the seed article's path (reference_paths.py).
Every path is sent no language (the model detects it, as for a user who names none), and each run records
the language each clip was heard in. Paths alternate run by run (`measure`), each keeping its best time, so a
busy spell of a shared machine slows all alike; every run's error rate is kept (the anchor and the seed path
fall back to sampling where a window decodes badly, so theirs move between runs; ours does not).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from reference_paths import reference_model, seed_transcript, sequential_transcript

from whisper_server.chunked import ChunkedDecoder
from whisper_server.options import TranscribeOptions
from whisper_server.transcriber import Transcriber

SEQUENTIAL = "sequential"
SEED = "seed"


@dataclass(frozen=True)
class Variant:
    """Our path with a chunking: `chunk_seconds` and `min_window_seconds` (None: the server's default for the
    device; a variant's window floor holds for every chunk: no short window)."""

    label: str
    chunk_seconds: int | None = None
    min_window_seconds: int | None = None


@dataclass
class Runs:
    """A path's runs over a set of clips: the best time, and each run's texts and detected languages."""

    seconds: list[float] = field(default_factory=list)
    texts: list[list[str]] = field(default_factory=list)
    languages: list[list[str]] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.seconds)


Path = Callable[[np.ndarray], tuple[str, str]]
"""Decodes one clip: (text, detected language)."""


def ours(transcriber: Transcriber, variant: Variant) -> Path:
    """The server's path with `variant`'s chunking (a decoder of its own over the same loaded model)."""
    settings = transcriber.chunked.settings
    decoder = ChunkedDecoder(
        transcriber.model,
        replace(
            settings,
            chunk_seconds=variant.chunk_seconds or transcriber.chunk_seconds,
            min_window_seconds=variant.min_window_seconds or transcriber.min_window_seconds,
            short_window_seconds=variant.min_window_seconds or transcriber.short_window_seconds,
        ),
    )

    def run(audio: np.ndarray) -> tuple[str, str]:
        kept, transcriber.chunked = transcriber.chunked, decoder
        try:
            result = transcriber.transcribe(audio, TranscribeOptions())
        finally:
            transcriber.chunked = kept
        return result.text, result.language

    return run


def reference_paths(transcriber: Transcriber) -> dict[str, Path]:
    """The anchor and the seed path on the transcriber's model."""
    model = reference_model(transcriber)
    return {
        SEQUENTIAL: lambda audio: sequential_transcript(model, audio),
        SEED: lambda audio: seed_transcript(model, audio),
    }


def measure(paths: dict[str, Path], clips: Sequence[np.ndarray], runs: int) -> dict[str, Runs]:
    """Each path over every clip, `runs` times, the paths alternating within each run."""
    results = {name: Runs() for name in paths}
    for _ in range(runs):
        for name, path in paths.items():
            started = time.perf_counter()
            decoded = [path(audio) for audio in clips]
            results[name].seconds.append(time.perf_counter() - started)
            results[name].texts.append([text for text, _ in decoded])
            results[name].languages.append([language for _, language in decoded])
    return results
