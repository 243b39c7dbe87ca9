"""One command for a GPU: any CTranslate2 Whisper model, the recorded and synthetic sets, every path, and
what an audio hour costs.

    .venv/bin/python inference/bench/bench_gpu.py --model-dir /models/faster-whisper-large-v3

Paths (paths.py): the server's default for the device (on CUDA 30 s chunks and windows), the faster 15 s
chunks and windows (`chunkSeconds`/`minWindowSeconds` 15, the CPU default), sequential faster-whisper with
timestamps (the accuracy anchor) and the seed article's path; each alternating with the others, best of
`--runs`. Sets: the recorded Asterisk prompts (recorded_speech.py: every language for a multilingual model,
English for an English-only one; skipped, saying which Debian packages to install, where they are missing) and
the synthetic and human English clips of the speed benchmark (corpus.clips, the first `--synthetic`). Each
clip is one request, sent one after another.

Printed per set and path: WER (accents folded), x realtime, the $ per audio hour that speed implies
on each instance at its list price (a fully used instance: price / x realtime), and the process's peak GPU
memory (nvidia-smi; `n/a` without a GPU). `--json FILE` writes the same figures as JSON. List prices:
INSTANCE_PRICES (SageMaker AI real-time and asynchronous inference, on-demand, US East (N. Virginia), read
2026-11-25 at https://aws.amazon.com/sagemaker/ai/pricing/); no agreed public figure was found for
ml.g6.xlarge, so give it (and any other) as `--price ml.g6.xlarge=DOLLARS`.

Tested on CPU with tiny.en in `npm test` (inference/tests/test_bench_gpu.py), so it keeps running.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import corpus
import recorded_speech
from bench_recorded_speech import wer_of
from paths import SEED, SEQUENTIAL, Variant, measure, ours, reference_paths

from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber

INSTANCE_PRICES: dict[str, float | None] = {
    "ml.g4dn.xlarge": 0.7364,
    "ml.g5.xlarge": 1.408,
    "ml.g6.xlarge": None,
}
"""$ per instance-hour (source and date in the module docstring); None: pass it with --price."""
FASTER = Variant("15 s chunks", 15, 15)
"""The CPU-measured faster chunking, an opt-in stack setting on a GPU."""


@dataclass(frozen=True)
class Set:
    name: str
    language: str
    audio: list[Any]
    references: list[str]

    @property
    def seconds(self) -> float:
        return sum(len(a) for a in self.audio) / 16000


class PeakGpuMemory:
    """Polls nvidia-smi for this process's GPU memory while it runs; `peak_mib` None without a GPU."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval, self.peak_mib = interval, None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> PeakGpuMemory:
        if shutil.which("nvidia-smi"):
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _poll(self) -> None:
        query = ["nvidia-smi", "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"]
        while not self._stop.wait(self.interval):
            lines = subprocess.run(query, capture_output=True, text=True, check=False).stdout.splitlines()
            for line in lines:
                pid, _, used = line.partition(",")
                if pid.strip() == str(os.getpid()) and used.strip().isdigit():
                    self.peak_mib = max(self.peak_mib or 0, int(used))


def parse_price(raw: str) -> tuple[str, float]:
    """argparse type for --price: `INSTANCE=DOLLARS`, dollars above 0."""
    instance, _, dollars = raw.partition("=")
    if not instance or float(dollars) <= 0:
        raise ValueError(raw)
    return instance, float(dollars)


def sets(transcriber: Transcriber, args: argparse.Namespace) -> list[Set]:
    found = []
    languages = recorded_speech.LANGUAGES if transcriber.multilingual else ("en",)
    for language in languages if args.recorded else ():
        missing = recorded_speech.missing_packages(language)
        if missing:
            print(f"recorded {language}: skipped, install {' '.join(missing)} (apt-get install)", flush=True)
            continue
        clips = recorded_speech.clips(language, "test", args.recorded, args.clip_seconds)
        found.append(
            Set(f"recorded {language}", language, [c.audio for c in clips], [c.reference for c in clips])
        )
    synthetic = corpus.clips()[: args.synthetic]
    if synthetic:
        found.append(Set("synthetic en", "en", [a for _, a, _ in synthetic], [r for _, _, r in synthetic]))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model-dir", required=True, help="a CTranslate2 Whisper model directory")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="default auto")
    parser.add_argument("--compute-type", help="default: the server's for the device (float16 on CUDA)")
    parser.add_argument("--runs", type=int, default=2, help="runs of every path, alternating (default 2)")
    parser.add_argument("--recorded", type=int, default=2, help="recorded clips per language (default 2)")
    parser.add_argument(
        "--clip-seconds", type=float, default=recorded_speech.CLIP_SECONDS, help="recorded clip length (75)"
    )
    parser.add_argument("--synthetic", type=int, default=158, help="speed-benchmark clips (default all 158)")
    parser.add_argument("--price", type=parse_price, action="append", default=[], help="INSTANCE=DOLLARS")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    prices = INSTANCE_PRICES | dict(args.price)

    transcriber = Transcriber(
        Settings(model_dir=args.model_dir, device=args.device, compute_type=args.compute_type)
    )
    variants = [Variant("default")]
    if (transcriber.chunk_seconds, transcriber.min_window_seconds) != (15, 15):
        variants.append(FASTER)
    print(
        f"gpu bench: {transcriber.model_name} on {transcriber.device} ({transcriber.compute_type}); default "
        f"chunks {transcriber.chunk_seconds} s, windows {transcriber.min_window_seconds} s",
        flush=True,
    )
    report: dict[str, Any] = {
        "model": transcriber.model_name,
        "device": transcriber.device,
        "compute_type": transcriber.compute_type,
        "prices": prices,
        "sets": {},
    }
    with PeakGpuMemory() as memory:
        for found in sets(transcriber, args):
            paths = {v.label: ours(transcriber, v) for v in variants} | reference_paths(transcriber)
            paths["default"](found.audio[0][:16000])  # warm-up: VAD session, allocator
            results = measure(paths, found.audio, args.runs)
            report["sets"][found.name] = figures = {}
            print(f"{found.name}: {len(found.audio)} clips, {found.seconds:.0f} s", flush=True)
            for name, runs in results.items():
                wers = [wer_of(found.references, texts, found.language) for texts in runs.texts]
                speed = found.seconds / runs.best
                dollars = {i: (p / speed if p else None) for i, p in prices.items()}
                figures[name] = {"wer": wers, "x_realtime": speed, "dollars_per_audio_hour": dollars}
                cost = "  ".join(f"{i} ${d:.4f}" if d else f"{i} (--price)" for i, d in dollars.items())
                print(
                    f"  {name:12} WER {max(wers):.3f}  {speed:7.1f} x realtime  "
                    f"{results[SEED].best / runs.best:5.2f}x seed  per audio hour: {cost}",
                    flush=True,
                )
            print(
                f"  default {max(figures['default']['wer']) - min(figures[SEQUENTIAL]['wer']):+.3f} "
                "against the sequential anchor",
                flush=True,
            )
    report["peak_gpu_memory_mib"] = memory.peak_mib
    peak = "n/a (no GPU)" if memory.peak_mib is None else f"{memory.peak_mib} MiB"
    print(f"peak GPU memory: {peak}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
