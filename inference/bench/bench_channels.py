"""Benchmark: one speaker per channel (`channels=separate`) on recorded people with crosstalk.

Each conversation of the real-voice sets (real_voices.py) is recorded as a call center or a two-track
interview would: each person on a channel of their own, every other person bleeding into it `--bleed-db`
down (default -20) and 15 ms late, telephone conversations band-limited as a phone line. The server's
own-speech finder (whisper_server/channels.py) then gives each channel's turns, which are the speaker
labels of `channels=separate` (each word goes to the channel it was transcribed from), and they are scored
against the reference turns with der.py: right count (channels with speech found = people who talk),
speech time to the right speaker, DER (overlap counted once, with every speaker, and left out). Whisper is
not run: on this path the labels do not depend on the words. Speed: x realtime of the own-speech finder.

Run: `.venv/bin/python inference/bench/bench_channels.py [--sets real-dev real-test] [--bleed-db -20]`.
"""

from __future__ import annotations

import argparse
import sys
import time

import conversations
import numpy as np
import real_voices
from der import PooledScore

from whisper_server.channels import own_speech

BLEED_DELAY = 0.015


def with_crosstalk(rows: np.ndarray, bleed_db: float, telephone: bool) -> np.ndarray:
    """Each row plus every other row `bleed_db` down and BLEED_DELAY late; phone-band when `telephone`."""
    delay, gain = round(BLEED_DELAY * real_voices.RATE), 10 ** (bleed_db / 20)
    others = rows.sum(axis=0, keepdims=True) - rows
    mixed = rows.copy()
    mixed[:, delay:] += gain * others[:, : rows.shape[1] - delay]
    if telephone:
        mixed = np.stack([real_voices.telephone_band(row) for row in mixed])
    return mixed


def score_set(split: str, bleed_db: float) -> tuple[PooledScore, float, float]:
    """The set's pooled score, its audio seconds and the seconds the own-speech finder took."""
    count, first_seed = conversations.SETS[split]
    pooled = PooledScore()
    audio_seconds = spent = 0.0
    for index in range(count):
        composed = real_voices.compose(split, first_seed + index)
        channels = with_crosstalk(real_voices.tracks(composed), bleed_db, composed.telephone)
        started = time.perf_counter()
        found = own_speech(channels)
        spent += time.perf_counter() - started
        audio_seconds += channels.shape[1] / real_voices.RATE
        reference = [(float(t["start"]), float(t["end"]), str(t["speaker"])) for t in composed.turns]  # type: ignore[arg-type]
        hypothesis = [(t.start, t.end, channel) for channel, turns in enumerate(found) for t in turns]
        pooled.add(f"{split}-{index:02d}", reference, hypothesis)
    return pooled, audio_seconds, spent


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", nargs="*", default=["real-test"], choices=list(real_voices.SIDES))
    parser.add_argument("--bleed-db", type=float, default=-20.0, help="crosstalk level, default -20 dB")
    args = parser.parse_known_args()[0]
    for split in args.sets:
        if not real_voices.available(split):
            print(f"channels, {split} set skipped: {real_voices.MISSING}")
            continue
        pooled, seconds, spent = score_set(split, args.bleed_db)
        print(
            f"channels=separate, {split} set, one person per channel, crosstalk {args.bleed_db:g} dB: "
            f"{pooled.line()}; own-speech finder {seconds / max(spent, 1e-9):.0f} x realtime"
        )
        if pooled.miscounted:
            print(f"    wrong counts (found/true): {pooled.misses()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
