"""Benchmark per language: the server's default path against sequential faster-whisper with timestamps (the
accuracy anchor) and the seed article's path (the speed reference), on a multilingual model.

Speech:
- German, Spanish, French, Russian, Greek and Mandarin: a 24-sentence meeting per language (about 90 s,
  language_texts.py) in three parts, each spoken by another voice, made at bench time (voices.py: MBROLA
  voices through espeak-ng or mbrola, RHVoice for Russian, espeak-ng for Spanish; their licences keep their
  audio out of the repository). A language whose voices are not installed is skipped with the apt packages
  to install.
- Japanese and Korean: the committed clips fixtures/audio/multilingual/{ja,ko}-<n>.ogg with references.json
  (fixtures/make_multilingual.py: pyopenjtalk-plus, espeak-ng).
Every language is sent without a language, as a user would (the model detects it), but Korean, whose
espeak-ng voice Whisper base takes for another language: it is sent with its language (the hint a user gives).

Per language, each path's error rate over all its clips (CER for Chinese, Japanese and Korean, WER otherwise;
Chinese compared in Simplified characters, since Whisper base writes Traditional ones for this voice) and
speed; our path and the seed path alternate, best of --runs each. A language fails when the default path's
error rate is above the sequential path's + MAX_EXTRA_ERROR; the exit code is then 1. `--clips` prints each
clip's figures too. The last line:
  languages: N.NNx the seed path's speed (ours A.A x realtime, seed B.B), every language within +0.02 ...

Run: `npm run bench` (Whisper base on CPU), or
  .venv/bin/python inference/bench/bench_languages.py --model-dir DIR [--device cuda]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable

import corpus
import numpy as np
import voices
from opencc import OpenCC
from reference_paths import reference_model, seed_segments, sequential_segments, text_of
from wer import character_error_rate, word_error_rate

from whisper_server import local_models
from whisper_server.audio import SAMPLE_RATE, decode
from whisper_server.options import TranscribeOptions
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber
from whisper_server.writing_systems import HANGUL, WITHOUT_SPACES, language_family

MAX_EXTRA_ERROR = 0.02
"""How much worse than the sequential path the default path may be in any language."""
HINTED = {"ko"}
"""Languages sent with their language: Whisper base takes espeak-ng's Korean for another language."""
FIXTURE_LANGUAGES = {"ja", "ko"}
"""Languages benchmarked on the committed clips; the others on voices.py's speech."""
CER_FAMILIES = WITHOUT_SPACES | {HANGUL}
"""Scored by characters: scripts without spaces, and Korean, whose spaced units are whole phrases."""
SIMPLIFIED = OpenCC("t2s")

Clip = tuple[str, np.ndarray, str]
"""A clip's name, 16 kHz audio and reference text."""


def clips() -> dict[str, list[Clip]]:
    """The clips of each language whose speech is at hand; those of the others are skipped, saying why."""
    references = json.loads((corpus.FIXTURES / "multilingual" / "references.json").read_text())
    found: dict[str, list[Clip]] = defaultdict(list)
    for name, entry in references.items():
        if entry["language"] in FIXTURE_LANGUAGES:
            audio = decode((corpus.FIXTURES / name).read_bytes(), max_seconds=600)
            found[entry["language"]].append((name, audio, entry["text"]))
    for language in voices.VOICES:
        missing = voices.missing_packages(language)
        if missing:
            print(
                f"languages: {language} skipped, its voices need {', '.join(missing)} (Debian contrib and "
                "non-free: see inference/bench/voices.py)",
                flush=True,
            )
            continue
        joiner = "" if language_family(language) in WITHOUT_SPACES else " "
        for part in voices.parts(language):
            found[language].append((part.name, voices.audio(part), joiner.join(part.sentences)))
    return found


def error_rate(language: str, references: list[str], texts: list[str]) -> tuple[str, float]:
    """CER or WER of `texts` over all clips (errors weighted by reference length), and its name."""
    by_characters = language_family(language) in CER_FAMILIES
    rate: Callable[[str, str], float] = character_error_rate if by_characters else word_error_rate
    if language == "zh":
        references, texts = (
            [SIMPLIFIED.convert(r) for r in references],
            [SIMPLIFIED.convert(t) for t in texts],
        )
    sizes = [len(r.replace(" ", "")) if by_characters else len(r.split()) for r in references]
    errors = sum(rate(r, t) * n for r, t, n in zip(references, texts, sizes, strict=True))
    return ("CER" if by_characters else "WER"), errors / sum(sizes)


def add_chunking_arguments(parser: argparse.ArgumentParser) -> None:
    """--chunk-seconds and --min-window-seconds: the server's chunking settings, for a run."""
    parser.add_argument("--chunk-seconds", type=int, help="WHISPER_CHUNK_SECONDS (default: the server's)")
    parser.add_argument(
        "--min-window-seconds", type=int, help="WHISPER_MIN_WINDOW_SECONDS (default: the server's)"
    )


def chunking_overrides(args: argparse.Namespace) -> dict[str, int]:
    """The Settings fields that add_chunking_arguments' options set (those given)."""
    given = {"chunk_seconds": args.chunk_seconds, "min_window_seconds": args.min_window_seconds}
    return {name: value for name, value in given.items() if value is not None}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model-dir", help="multilingual CTranslate2 Whisper; default Whisper base (local_models)"
    )
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="default auto")
    parser.add_argument("--runs", type=int, default=2, help="timed runs of our and the seed path (default 2)")
    add_chunking_arguments(parser)
    parser.add_argument("--clips", action="store_true", help="print each clip's error rates too")
    parser.add_argument("--languages", help="comma-separated codes to run (default: all)")
    args = parser.parse_args()
    model_dir = args.model_dir or str(local_models.multilingual_model_dir())
    transcriber = Transcriber(Settings(model_dir=model_dir, device=args.device, **chunking_overrides(args)))
    if not transcriber.multilingual:
        print(
            f"bench_languages: {model_dir} is English-only; give a multilingual --model-dir", file=sys.stderr
        )
        return 2
    model = reference_model(transcriber)
    print(f"languages: model {model_dir} on {transcriber.device} ({transcriber.compute_type})", flush=True)

    def hint(language: str) -> str | None:
        return language if language in HINTED else None

    def ours(language: str, audio: np.ndarray) -> str:
        return transcriber.transcribe(audio, TranscribeOptions(language=hint(language))).text

    def seed(language: str, audio: np.ndarray) -> str:
        return text_of(seed_segments(model, audio, hint(language)))

    def sequential(language: str, audio: np.ndarray) -> str:
        return text_of(sequential_segments(model, audio, hint(language)))

    def timed(
        path: Callable[[str, np.ndarray], str], language: str, pieces: list[Clip]
    ) -> tuple[float, list[str]]:
        started = time.perf_counter()
        texts = [path(language, audio) for _, audio, _ in pieces]
        return time.perf_counter() - started, texts

    by_language = clips()
    if args.languages:
        by_language = {code: by_language[code] for code in args.languages.split(",") if code in by_language}
    first = next(iter(by_language))
    ours(first, by_language[first][0][1])
    seed(first, by_language[first][0][1])
    totals = {"ours": 0.0, "seed": 0.0, "audio": 0.0}
    failed = []
    columns = (
        f"{'metric':6} {'ours':>6} {'sequential':>10} {'seed':>6} {'ours x realtime':>15} {'vs seed':>7}"
    )
    print(
        f"  {'language':9} {'clips':>5} {'audio s':>7} {columns}",
        flush=True,
    )
    for language, pieces in sorted(by_language.items()):
        references = [reference for _, _, reference in pieces]
        runs: dict[str, list[tuple[float, list[str]]]] = defaultdict(list)
        for _ in range(args.runs):
            runs["seed"].append(timed(seed, language, pieces))
            runs["ours"].append(timed(ours, language, pieces))
        runs["sequential"].append(timed(sequential, language, pieces))
        best = {path: min(timings) for path, timings in runs.items()}
        rates = {path: error_rate(language, references, texts)[1] for path, (_, texts) in best.items()}
        metric = error_rate(language, references, best["ours"][1])[0]
        seconds = sum(audio.shape[0] for _, audio, _ in pieces) / SAMPLE_RATE
        totals["ours"] += best["ours"][0]
        totals["seed"] += best["seed"][0]
        totals["audio"] += seconds
        verdict = ""
        if rates["ours"] > rates["sequential"] + MAX_EXTRA_ERROR:
            failed.append(language)
            verdict = f"  WORSE than sequential + {MAX_EXTRA_ERROR}"
        print(
            f"  {language + (' (hint)' if language in HINTED else ''):9} {len(pieces):5} {seconds:7.1f} "
            f"{metric:6} {rates['ours']:6.3f} {rates['sequential']:10.3f} {rates['seed']:6.3f} "
            f"{seconds / best['ours'][0]:15.1f} {best['seed'][0] / best['ours'][0]:6.2f}x{verdict}",
            flush=True,
        )
        for index, (name, _, reference) in enumerate(pieces if args.clips else []):
            each = {
                path: error_rate(language, [reference], [texts[index]])[1]
                for path, (_, texts) in best.items()
            }
            print(
                f"    {name:27} {each['ours']:6.3f} {each['sequential']:10.3f} {each['seed']:6.3f}",
                flush=True,
            )
    speedup = totals["seed"] / totals["ours"]
    within = f"{', '.join(failed)} WORSE than sequential + {MAX_EXTRA_ERROR}" if failed else "every language"
    realtime = {path: totals["audio"] / totals[path] for path in ("ours", "seed")}
    print(
        f"languages: {speedup:.2f}x the seed path's speed (ours {realtime['ours']:.1f} x realtime, "
        f"seed {realtime['seed']:.1f}), {within}"
        + ("" if failed else f" within +{MAX_EXTRA_ERROR} of sequential")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
