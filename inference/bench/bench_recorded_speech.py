"""Benchmark on recorded people: the Asterisk prompts of five languages (recorded_speech.py), no language
given.

For each model and language: the server's default path beside sequential faster-whisper with timestamps (the
accuracy anchor) and the seed article's path, and, with `--sweep`, the server's path with chunks and encoder
windows of 15, 20 and 30 s (`WHISPER_CHUNK_SECONDS` = `WHISPER_MIN_WINDOW_SECONDS`; 30 is the CUDA default,
15 the CPU one). Per path: WER over the language's clips (accents folded, every run's WER where they differ),
the languages detected (one per clip), x realtime of the best run and its ratio to the seed path's. A
language fails when the default path's WER (mean of the runs) is above the anchor's mean +
MAX_EXTRA_ERROR; the exit code is then 1.

Without `--model-dir`: tiny.en on English and Whisper base on all five (as `npm run bench` runs it). With it,
that model on `--languages` (an English-only model on English only). `--set dev` measures the development
clips (where settings are chosen), the default `test` the held-out ones (where figures are reported).
A language whose Debian packages are missing is skipped with the packages to install.

Run: .venv/bin/python inference/bench/bench_recorded_speech.py [--sweep] [--runs 3] [--languages es]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import recorded_speech
from paths import SEED, SEQUENTIAL, Runs, Variant, measure, ours, reference_paths
from wer import word_error_rate

from whisper_server import local_models
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber

MAX_EXTRA_ERROR = 0.02
"""How much worse than the sequential anchor the default path may be in any language."""
DEFAULT = "default"
SWEEP = [Variant(f"{s}/{s} s", s, s) for s in (15, 20, 30)]
"""Chunk / minimum window seconds tried by --sweep."""


def wer_of(references: list[str], texts: list[str], language: str) -> float:
    """WER over all clips (errors weighted by reference words), both sides folded (recorded_speech.fold)."""
    sizes = [len(reference.split()) for reference in references]
    errors = sum(
        word_error_rate(recorded_speech.fold(r, language), recorded_speech.fold(t, language)) * n
        for r, t, n in zip(references, texts, sizes, strict=True)
    )
    return errors / sum(sizes)


def run_wers(references: list[str], runs: Runs, language: str) -> list[float]:
    return [wer_of(references, texts, language) for texts in runs.texts]


def describe(wers: list[float]) -> str:
    low, high = min(wers), max(wers)
    return f"{low:.3f}" if high - low < 0.0005 else f"{statistics.mean(wers):.3f} ({low:.3f}-{high:.3f})"


def heard(runs: Runs) -> str:
    """The languages detected over all runs and clips, most common first: `es` or `es 5, pt 1`."""
    counts = Counter(language for run in runs.languages for language in run)
    if len(counts) == 1:
        return next(iter(counts))
    return ", ".join(f"{language} {count}" for language, count in counts.most_common())


def bench_model(
    model_dir: str, device: str, languages: list[str], args: argparse.Namespace, texts: dict[str, Any]
) -> list[str]:
    """Prints every language's lines for one model and adds its texts to `texts` (model, language, path:
    one list per run); returns the languages that missed the bar."""
    transcriber = Transcriber(Settings(model_dir=model_dir, device=device))
    if not transcriber.multilingual:
        languages = [language for language in languages if language == "en"]
    print(
        f"recorded speech ({args.set} set): {transcriber.model_name} on {transcriber.device} "
        f"({transcriber.compute_type}); default chunks {transcriber.chunk_seconds} s, windows "
        f"{transcriber.min_window_seconds} s",
        flush=True,
    )
    variants = [Variant(DEFAULT)]
    if args.sweep:
        variants += [
            v
            for v in SWEEP
            if (v.chunk_seconds, v.min_window_seconds)
            != (transcriber.chunk_seconds, transcriber.min_window_seconds)
        ]
    failed = []
    for language in languages:
        missing = recorded_speech.missing_packages(language)
        if missing:
            print(f"  {language}: skipped, install {' '.join(missing)} (apt-get install)", flush=True)
            continue
        clips = recorded_speech.clips(language, args.set, args.clips)
        audio = [clip.audio for clip in clips]
        references = [clip.reference for clip in clips]
        seconds = sum(clip.seconds for clip in clips)
        paths = {v.label: ours(transcriber, v) for v in variants} | reference_paths(transcriber)
        paths[DEFAULT](audio[0][: 16000 * 5])  # warm-up: the VAD session and allocator, once per process
        results = measure(paths, audio, args.runs)
        texts.setdefault(transcriber.model_name, {})[language] = {
            "references": references,
            **{name: runs.texts for name, runs in results.items()},
        }
        print(f"  {language}: {len(clips)} clips, {seconds:.0f} s of speech", flush=True)
        for name, runs in results.items():
            wers = describe(run_wers(references, runs, language))
            print(
                f"    {name:12} WER {wers:22} heard {heard(runs):10} "
                f"{seconds / runs.best:6.1f} x realtime  "
                f"{results[SEED].best / runs.best:5.2f}x the seed path",
                flush=True,
            )
        ours_wer = statistics.mean(run_wers(references, results[DEFAULT], language))
        anchor = statistics.mean(run_wers(references, results[SEQUENTIAL], language))
        within = ours_wer <= anchor + MAX_EXTRA_ERROR
        print(
            f"    default {ours_wer - anchor:+.3f} against the anchor: "
            f"{'within' if within else 'WORSE than'} +{MAX_EXTRA_ERROR}",
            flush=True,
        )
        if not within:
            failed.append(f"{language} ({transcriber.model_name})")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model-dir", help="default: tiny.en on English, then Whisper base on all five")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="default auto")
    parser.add_argument(
        "--languages",
        default=",".join(recorded_speech.LANGUAGES),
        help="comma-separated (default en,es,fr,it,ru)",
    )
    parser.add_argument("--set", choices=recorded_speech.SETS, default="test", help="default test (held out)")
    parser.add_argument(
        "--clips", type=int, default=2, help="clips per language, up to 75 s each (default 2)"
    )
    parser.add_argument("--runs", type=int, default=2, help="runs of every path, alternating (default 2)")
    parser.add_argument("--sweep", action="store_true", help="also 15/15, 20/20 and 30/30 s chunks/windows")
    parser.add_argument("--texts", type=Path, help="write every path's texts (and the references) here, JSON")
    args = parser.parse_args()
    languages = [code for code in args.languages.split(",") if code]
    unknown = set(languages) - set(recorded_speech.LANGUAGES)
    if unknown:
        parser.error(f"--languages: no recorded speech for {', '.join(sorted(unknown))}")
    if args.model_dir:
        models = [(args.model_dir, languages)]
    else:
        models = [
            (str(local_models.english_model_dir()), ["en"]),
            (str(local_models.multilingual_model_dir()), languages),
        ]
    failed: list[str] = []
    texts: dict[str, Any] = {}
    for model_dir, wanted in models:
        failed += bench_model(model_dir, args.device, wanted, args, texts)
        if args.texts:
            args.texts.write_text(json.dumps(texts, ensure_ascii=False, indent=1))
    verdict = f"{', '.join(failed)} WORSE than" if failed else "every language within"
    print(f"recorded speech: {verdict} the sequential anchor + {MAX_EXTRA_ERROR}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
