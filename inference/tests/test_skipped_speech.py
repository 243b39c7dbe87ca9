"""A sentence skipped between kept ones: a VAD region of speech in which no word is timed sends the chunk to
the safe re-decode, even when its text is long enough for its speech (dropped_speech.wordless_regions)."""

from __future__ import annotations

import numpy as np
from faster_whisper.transcribe import Word

from whisper_server.audio import SAMPLE_RATE
from whisper_server.chunked import Chunk, DecodedSegment
from whisper_server.dropped_speech import MIN_SPEECH_SECONDS, wordless_regions
from whisper_server.transcriber import Transcriber


def test_a_region_of_speech_without_a_word_counts() -> None:
    bounds = [(0.0, 2.8), (2.8, 6.0), (6.0, 8.6)]
    assert wordless_regions(bounds, [2.0, 2.4, 1.8], [0.5, 1.9, 7.0]) == 1  # the middle one
    assert wordless_regions(bounds, [2.0, 2.4, 1.8], [0.5, 3.0, 7.0]) == 0
    # Too little speech to miss a word in (a breath, a click): never counted.
    assert wordless_regions(bounds, [2.0, MIN_SPEECH_SECONDS - 0.1, 1.8], [0.5, 7.0]) == 0


def _segment(*words: tuple[float, float, str]) -> DecodedSegment:
    text = " ".join(word for _, _, word in words)
    timed = [Word(start, end, f" {word}", 0.9) for start, end, word in words]
    return DecodedSegment(words[0][0], words[-1][1], text, -0.1, 0.01, timed)


def test_the_decoder_finds_the_skipped_region_of_a_chunk(transcriber: Transcriber) -> None:
    seconds = [2.8, 3.2, 2.6, 3.6]
    lengths = [int(s * SAMPLE_RATE) for s in seconds]
    # Sound all through (the silence filter drops text over digital silence).
    audio = np.random.default_rng(0).uniform(-0.3, 0.3, sum(lengths)).astype(np.float32)
    chunk = Chunk(audio, 10.0, sum(seconds), 15, np.zeros((80, 1), np.float32), lengths, 9.0)
    decoder = transcriber.chunked
    kept = _segment((10.2, 10.9, "The"), (11.0, 12.5, "leader"), (13.0, 15.5, "left."), (19.0, 21.0, "Bye."))
    assert decoder._wordless(chunk, [kept]) == 1  # 16.0-18.6 holds speech and no word
    whole = _segment(
        (10.2, 12.5, "The leader"), (13.0, 15.5, "left."), (16.5, 18.0, "Then"), (19.0, 21, "Bye.")
    )
    assert decoder._wordless(chunk, [whole]) == 0
    # A better text fills the gap even when it is not 15% longer (a short sentence in a long chunk).
    assert decoder._better(chunk, [whole], [kept])
    assert not decoder._better(chunk, [kept], [whole])
