"""Benchmark: conversations of recorded people that switch language, with `mixed_languages` off and on.

The conversations (mixed_conversations.py): English with Spanish, French, Italian or Russian turns, the
Asterisk prompts' voice talents, turns 1 s apart (people taking turns) and 4 s apart (each turn its own
chunk). Whisper base (multilingual), no language given, the server's default path. Per conversation and
in all, for the option off and on: WER over every turn (each scored in its own language), WER over the
turns not in English, the share of the transcript's words that came in a segment of their turn's language
(without the option every segment is in the request's one language), and the seconds it took (best of
--runs, the two settings alternating).

Run: .venv/bin/python inference/bench/bench_mixed_languages.py [--set dev|test] [--runs 1] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import mixed_conversations as mc
import recorded_speech

from whisper_server import local_models
from whisper_server.options import TranscribeOptions
from whisper_server.results import Transcription
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber

SETTINGS = {"off": TranscribeOptions(), "on": TranscribeOptions(mixed_languages=True)}


def timed_words(result: Transcription) -> list[mc.TimedWord]:
    """Every timed word of `result`, with the language of the segment it came in."""
    return [
        mc.TimedWord(word.start, word.end, word.word, segment.language or result.language)
        for segment in result.segments
        for word in segment.words or ()
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model-dir", help="a multilingual model (default: Whisper base)")
    parser.add_argument("--set", choices=recorded_speech.SETS, default="test", help="default test (held out)")
    parser.add_argument(
        "--runs", type=int, default=1, help="timed runs of each setting, best kept (default 1)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    missing = mc.missing_packages()
    if missing:
        print(f"mixed-language conversations skipped: install the Debian packages {' '.join(missing)}")
        return 0
    model_dir = args.model_dir or str(local_models.multilingual_model_dir())
    transcriber = Transcriber(Settings(model_dir=model_dir))
    if not transcriber.multilingual:
        print(f"{model_dir} is an English-only model: mixed_languages needs a multilingual one")
        return 2
    print(f"mixed-language conversations ({args.set} set): {model_dir} on {transcriber.device}", flush=True)
    rows = []
    for pause in mc.PAUSES:
        totals = {name: [0, 0, 0, 0, 0, 0, 0.0] for name in SETTINGS}
        for conversation in mc.conversations(args.set, pause):
            best: dict[str, tuple[float, Transcription]] = {}
            for _ in range(args.runs):
                for name, options in SETTINGS.items():
                    started = time.perf_counter()
                    result = transcriber.transcribe(conversation.audio, options)
                    seconds = time.perf_counter() - started
                    if name not in best or seconds < best[name][0]:
                        best[name] = (seconds, result)
            for name, (seconds, result) in best.items():
                score = mc.score(conversation, timed_words(result))
                values = [*asdict(score).values(), seconds]
                totals[name] = [a + b for a, b in zip(totals[name], values, strict=True)]
                rows.append(
                    {
                        "conversation": conversation.name,
                        "mixed_languages": name,
                        **asdict(score),
                        "seconds": seconds,
                        "text": result.text,
                    }
                )
                print(
                    f"  {conversation.name:<18} {conversation.seconds:5.1f} s  mixed_languages={name:<3} "
                    f"{_summary(values)}",
                    flush=True,
                )
        for name, values in totals.items():
            print(
                f"  all, turns {pause:g} s apart{'':<4}mixed_languages={name:<3} {_summary(values)}",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    return 0


def _summary(values: list[float]) -> str:
    errors, words, other_errors, other_words, right, heard, seconds = values
    return (
        f"WER {errors / words:.3f}  other-language turns {other_errors / other_words:.3f}  "
        f"words in their turn's language {right / max(heard, 1):6.1%}  {seconds:6.1f} s"
    )


if __name__ == "__main__":
    sys.exit(main())
