"""Measures the text rate of complete transcripts per script family: the figures behind the thresholds of
whisper_server/dropped_speech.py (MIN_CHARS_PER_SECOND).

For every clip: its seconds of speech as the server counts them (the VAD regions of its chunks less their
padding, chunked.py), and the characters of
  - its reference text (a complete transcript by definition);
  - the reference less one of its sentences, in turn (what a chunk that lost a sentence holds);
  - with --decode, the sequential faster-whisper transcript with timestamps (the path that keeps every word),
    in the clip's language, for the clips the model hears well.
It prints, per family, the lowest / median / highest complete rate, the highest rate with a sentence lost, the
rule's threshold (SHARE_OF_SLOWEST of the slowest complete rate: a chunk that lost more than 15% of what the
slowest clip says is re-decoded) and the threshold dropped_speech.py uses.

Clips: the English ones of the benchmark (158, corpus.clips) and fixtures/audio/multilingual/references.json
(Japanese from pyopenjtalk-plus, the others espeak-ng; fixtures/make_multilingual.py).
Run: `.venv/bin/python inference/bench/measure_text_rate.py [--decode]` (reference texts alone need no
decoding: under a minute on 2 cores; --decode adds Whisper base's transcripts, a few minutes).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections import defaultdict

import corpus
import numpy as np

from whisper_server import dropped_speech, local_models
from whisper_server.audio import decode
from whisper_server.chunked import Request
from whisper_server.options import TranscribeOptions
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber
from whisper_server.writing_systems import WITHOUT_SPACES, script_family

MULTILINGUAL = corpus.FIXTURES / "multilingual" / "references.json"
_ENGLISH_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# Languages whose espeak-ng voice Whisper base does not transcribe (the Mandarin clips come out as digits).
UNHEARD = {"zh"}
SHARE_OF_SLOWEST = 0.85


def clips() -> list[tuple[str, np.ndarray, str, list[str]]]:
    """Name, audio, language and sentences of every clip measured."""
    found = [
        (name, audio, "en", _ENGLISH_SENTENCE.split(reference.strip()))
        for name, audio, reference in corpus.clips()
    ]
    for name, entry in json.loads(MULTILINGUAL.read_text()).items():
        audio = decode((corpus.FIXTURES / name).read_bytes(), max_seconds=600)
        found.append((name, audio, entry["language"], entry["sentences"]))
    return found


def joined(sentences: list[str]) -> str:
    return ("" if script_family("".join(sentences)) in WITHOUT_SPACES else " ").join(sentences)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--decode", action="store_true", help="also measure Whisper base's transcripts")
    args = parser.parse_args()
    model_dir = str(local_models.multilingual_model_dir())
    transcriber = Transcriber(Settings(model_dir=model_dir, device="cpu", compute_type="int8"))
    sequential = Transcriber(Settings(model_dir=model_dir, device="cpu", compute_type="int8", batched=False))
    complete: dict[str, list[float]] = defaultdict(list)
    decoded: dict[str, list[float]] = defaultdict(list)
    lost: dict[str, list[float]] = defaultdict(list)
    languages: dict[str, set[str]] = defaultdict(set)
    for name, audio, language, sentences in clips():
        plan = transcriber.chunked._plan(Request(audio, TranscribeOptions(language=language)))
        seconds = sum(chunk.speech_seconds for chunk in plan.chunks)
        if seconds < dropped_speech.MIN_SPEECH_SECONDS:
            continue
        reference = joined(sentences)
        family = script_family(reference)
        languages[family].add(language)
        complete[family].append(len(reference) / seconds)
        if len(sentences) > 1:
            lost[family] += [
                len(joined(sentences[:i] + sentences[i + 1 :])) / seconds for i in range(len(sentences))
            ]
        if args.decode and language != "en" and language not in UNHEARD:
            text = sequential.transcribe(audio, TranscribeOptions(language=language)).text
            decoded[family].append(len(text.strip()) / seconds)
            rates = f"reference {len(reference) / seconds:.1f}, decoded {len(text.strip()) / seconds:.1f}"
            print(f"{name}: {rates} chars/s")
    print(
        f"{'family':10} {'languages':18} {'clips':>5} {'complete min':>12} {'median':>7} {'max':>6} "
        f"{'lost max':>8} {'decoded min':>11} {'rule':>5} {'threshold':>9}"
    )
    for family in sorted(complete):
        rates = complete[family]
        decoded_min = f"{min(decoded[family]):.1f}" if decoded[family] else "-"
        threshold = dropped_speech.MIN_CHARS_PER_SECOND.get(
            family, dropped_speech.UNMEASURED_CHARS_PER_SECOND
        )
        print(
            f"{family:10} {','.join(sorted(languages[family])):18} {len(rates):5} {min(rates):12.1f} "
            f"{statistics.median(rates):7.1f} {max(rates):6.1f} {max(lost[family], default=0):8.1f} "
            f"{decoded_min:>11} {SHARE_OF_SLOWEST * min(rates):5.1f} {threshold:9.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
