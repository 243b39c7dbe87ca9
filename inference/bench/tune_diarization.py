"""Tuning the speaker clustering cheaply: the costly results of each conversation are kept on disk.

Segmentation, the window voiceprints and the pieces' voiceprints of the second pass (diarizer.py,
voiceprints.py) take minutes for a set; the second clustering, which decides the speakers, takes
milliseconds. So each conversation's analysis (`Diarizer.analyse`) and the pieces of its first pass's
turns (`Diarizer.embed_turns`) are kept in `build/diarization-cache/`, keyed by the audio's sha256, the
models' sizes, the window shift and (for the pieces) the first pass's turns, which the first pass
recomputes in milliseconds; a sweep of the second clustering over a whole set then takes seconds, and
what it scores is exactly what `Diarizer.diarize` answers. It prints the conversations whose count is
wrong as found/true, so over- and under-splitting show.

Tune on the development sets only (`--sets dev dev-varied real-dev long-dev long-real-dev`; default
dev): the test, test-varied, real, real-test, long-test and long-real-test sets are for reporting (the
long sets are re-joined from the short ones, long_conversations.py).

Run: `.venv/bin/python inference/bench/tune_diarization.py --thresholds 0.2 0.25 0.3 [--sets dev real-dev]
[--min-separation 0.3 0.33] [--extra-speakers 0 1] [--spread-factor 1.3 2] [--max-excess 0.08 0.1]
[--threshold-only]`.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import pickle
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import conversations
import long_conversations
from der import PooledScore

from whisper_server import diarizer as diarizer_module
from whisper_server import pooled_voices
from whisper_server.clustering import ClusteringConfig
from whisper_server.diarizer import Analysis, Diarizer, DiarizerConfig, final_turns
from whisper_server.pooled_voices import PooledAudio
from whisper_server.settings import Settings
from whisper_server.speaker_labels import SpeakerTurn
from whisper_server.voiceprints import Pieces

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "diarization-cache"
MODELS = ROOT / "fixtures" / "diarization" / "models"


@dataclass(frozen=True)
class Case:
    """One conversation, the count it is clustered with (None: not given), and its cached pieces."""

    name: str
    reference: list[tuple[float, float, str]]
    speakers: int
    asked: int | None
    rough: list[SpeakerTurn]
    pieces: Pieces
    audio: PooledAudio
    """The audio with the voiceprint model: an asked count is reached on pooled voiceprints."""


def cache_key(diarizer: Diarizer, wav: Path, stage: str, detail: object = None) -> str:
    """The cache file's name for `stage` of `wav`: the audio's sha256, the models' sizes, the window
    shift and `detail` (for the pieces: the first pass's turns, which are all they depend on besides the
    audio)."""
    models = [(p.name, p.stat().st_size) for p in sorted(diarizer.config.model_dir.glob("*.onnx"))]
    digest = hashlib.sha256(wav.read_bytes())
    digest.update(repr((stage, diarizer.config.window_shift, models, detail)).encode())
    return f"{stage}-{digest.hexdigest()[:32]}"


def analysis(diarizer: Diarizer, wav: Path) -> Analysis:
    """Segmentation and window voiceprints of `wav`, from the cache when there (the first pass's
    clustering and the pieces depend on the count asked; this does not)."""
    samples = conversations.read_wav(wav)
    path = CACHE / (cache_key(diarizer, wav, "analysis") + ".pkl")
    if path.is_file():
        return replace(pickle.loads(path.read_bytes()), samples=samples)
    result = diarizer.analyse(samples)
    path.write_bytes(pickle.dumps(replace(result, samples=samples[:0])))
    return result


def cases(diarizer: Diarizer, split: str, given: bool) -> list[Case]:
    """Every conversation of `split`, with its pieces from the cache or computed (and cached)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    found: list[Case] = []
    for wav, reference in long_conversations.load_any(split):
        turns = [(t["start"], t["end"], t["speaker"]) for t in reference["turns"]]  # type: ignore[union-attr]
        speakers = int(reference["speakers"])  # type: ignore[arg-type]
        asked = speakers if given else None
        analysed = analysis(diarizer, wav)
        rough = diarizer.rough_turns(analysed, asked)  # milliseconds
        path = CACHE / (cache_key(diarizer, wav, "pieces", rough) + ".pkl")
        if path.is_file():
            pieces = pickle.loads(path.read_bytes())
        else:
            pieces = diarizer.embed_turns(rough, analysed.samples)
            path.write_bytes(pickle.dumps(pieces))
        audio = diarizer.pooled_audio(analysed.samples)
        found.append(Case(str(reference["name"]), turns, speakers, asked, rough, pieces, audio))
    return found


def clustering(
    threshold: float,
    same_voice: float,
    min_speech: float,
    separation: float | None,
    extra_speakers: int = diarizer_module.EXTRA_SPEAKERS,
) -> ClusteringConfig:
    """The second clustering to score: without a count, speakers counted by separation with `threshold`
    as the silhouette's floor, `separation` as the bar for more than one speaker and `extra_speakers`
    more than the best separated cut for the pooled voiceprints to judge (the product's rule), or
    (`separation` None) cut at the fixed `threshold` (the rule before)."""
    if separation is None:
        return ClusteringConfig(threshold, same_voice, min_speech)
    return ClusteringConfig(
        diarizer_module.ASKED_COUNT_THRESHOLD,
        same_voice,
        min_speech,
        separation_floor=threshold,
        min_separation=separation,
        extra_speakers=extra_speakers,
    )


def answer(case: Case, config: ClusteringConfig) -> list[SpeakerTurn]:
    """The turns `Diarizer.diarize` answers for `case` with the second clustering `config`."""
    return final_turns(case.pieces, case.rough, config, case.asked, audio=case.audio)


def evaluate(set_cases: list[Case], config: ClusteringConfig) -> PooledScore:
    """Scores of `Diarizer.diarize` with the second clustering `config` over `set_cases`."""
    pooled = PooledScore()
    for case in set_cases:
        turns = answer(case, config)
        pooled.add(case.name, case.reference, [(t.start, t.end, t.speaker) for t in turns])
    return pooled


def main() -> int:
    defaults = Settings(model_dir=str(MODELS))
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", nargs="*", default=["dev"], choices=long_conversations.ALL_SETS)
    parser.add_argument("--thresholds", nargs="*", type=float, default=[defaults.diarization_threshold])
    parser.add_argument("--same-voice", nargs="*", type=float, default=[diarizer_module.SAME_VOICE])
    parser.add_argument("--min-speech", nargs="*", type=float, default=[diarizer_module.MIN_SPEECH])
    parser.add_argument("--min-separation", nargs="*", type=float, default=[diarizer_module.MIN_SEPARATION])
    parser.add_argument("--extra-speakers", nargs="*", type=int, default=[diarizer_module.EXTRA_SPEAKERS])
    parser.add_argument("--spread-factor", nargs="*", type=float, default=[pooled_voices.SPREAD_FACTOR])
    parser.add_argument("--max-excess", nargs="*", type=float, default=[pooled_voices.MAX_EXCESS])
    parser.add_argument(
        "--threshold-only",
        action="store_true",
        help="without a count, cut at the threshold (the rule before the silhouette)",
    )
    args = parser.parse_args()
    diarizer = Diarizer(
        DiarizerConfig(MODELS, 1, defaults.diarization_window_shift, defaults.diarization_threshold)
    )
    separations: list[float | None] = [None] if args.threshold_only else list(args.min_separation)
    for split in args.sets:
        for given in (False, True):
            set_cases = cases(diarizer, split, given)
            print(f"{split}, count {'given' if given else 'not given'}:")
            grid = itertools.product(
                args.thresholds,
                args.same_voice,
                args.min_speech,
                separations,
                args.extra_speakers,
                args.spread_factor,
                args.max_excess,
            )
            for threshold, same_voice, min_speech, separation, extra, spread, excess in grid:
                # Step 5's rule for merging without a count (pooled_voices.py) reads these at each call.
                pooled_voices.SPREAD_FACTOR, pooled_voices.MAX_EXCESS = spread, excess
                config = clustering(threshold, same_voice, min_speech, separation, extra)
                pooled = evaluate(set_cases, config)
                print(
                    f"  threshold {threshold:.2f} same voice {same_voice:.2f} min speech "
                    f"{min_speech:.1f} min separation {separation} extra speakers {extra} spread "
                    f"factor {spread} max excess {excess}: {pooled.line()}"
                )
                if pooled.miscounted:
                    print(f"    wrong counts (found/true): {pooled.misses()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
