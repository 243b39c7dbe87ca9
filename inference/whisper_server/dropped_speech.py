"""Never drop speech: spot a chunk whose text is too short for its speech, so it can be re-decoded.

Whisper decoding without timestamps (faster-whisper's batched pipeline, and the seed's path) sometimes
returns only part of a chunk, typically the last sentences, and says nothing about it. The VAD tells how
many seconds of speech a chunk holds, and speech carries text at a fairly steady rate in a given script, so
a chunk that decodes to far fewer characters than its speech calls for has most likely lost some.

The rate depends on the script: a Latin letter is a fraction of a syllable, a Chinese character or a kana a
syllable or more. So each script family (writing_systems.py: that of most of the text's letters, which
also makes a translation into English judged as English) has its own threshold, measured by
inference/bench/measure_text_rate.py (figures in docs/languages.md):

- Latin, measured with tiny.en on 84 English clips (62 held-out two- and three-prompt clips of a human voice,
  the 20 benchmark clips, the 2 problem clips): complete transcripts ran at 11.8 characters or more per
  second of speech, every transcript that had lost a sentence at 12.4 or fewer (5.3 for a human clip that
  kept a third; the problem clips at 12.1-12.6 depending on the window). The two overlap, so the threshold
  errs on the side of a re-decode: a false alarm costs one more decode of one chunk (3 of the 80 complete
  clips at 13.5), a miss costs the user words. The German, Spanish and French clips run faster than that.
- The others on the multilingual fixtures (fixtures/make_multilingual.py): the threshold sits under the
  slowest complete transcript and over every transcript that lost one of its sentences.

A re-decode only replaces the text when it is clearly longer, so a false alarm cannot make a transcript
worse, but it costs time. A speaker slower than these rates (the recorded Spanish voice of the benchmark
ran at 11.9-12.0 Latin characters a second, 0.88-0.89 of the line, and every re-decode of its chunks gave
the same text back) would get most chunks decoded twice. So where a request has enough chunks to show its
speaker's own pace (`speaker_pace`), a chunk counts as truncated only when it is also well under that pace
(`PACE_SHARE`): a lost sentence leaves a chunk a third or more under its neighbours, a slow speaker leaves
them all alike. The line only ever moves down, never up.
"""

from __future__ import annotations

import statistics

from .repeated_speech import is_a_loop
from .writing_systems import CYRILLIC, GREEK, HAN, HANGUL, KANA, LATIN, language_family, script_family

MIN_CHARS_PER_SECOND: dict[str, float] = {
    LATIN: 13.5,
    KANA: 5.4,
    HAN: 2.2,
    HANGUL: 5.5,
    CYRILLIC: 14.6,
    GREEK: 13.2,
}
"""Below this many text characters per second of speech a chunk counts as truncated, by script family."""
UNMEASURED_CHARS_PER_SECOND = min(MIN_CHARS_PER_SECOND.values())
"""Scripts without a measurement (Arabic, Devanagari, Thai ...) are judged by the lowest rate measured: only
a chunk that lost most of its text is found."""
MIN_SPEECH_SECONDS = 1.0
"""Chunks with less speech than this are not judged: one short word is a fine transcript of them."""
PACE_MIN_SPEECH_SECONDS = 5.0
"""Chunks with less speech than this do not count towards a request's pace (a few words' rate is noise)."""
PACE_MIN_CHUNKS = 3
"""A request needs this many chunks of PACE_MIN_SPEECH_SECONDS or more for its pace to count."""
PACE_SHARE = 0.8
"""A chunk under its script's rate counts as truncated only when it is also under this share of its
request's pace (the median of its chunks' shares of the rate): a 15 s chunk of four sentences that lost one
sits at 0.75 of its neighbours. On the recorded-speech development clips (Whisper base, five languages,
inference/bench/bench_recorded_speech.py --set dev) the one chunk whose rate re-decode found a lost sentence
sat at 0.54 of its request's pace, the four Spanish chunks whose re-decodes gained nothing at 0.88-0.97."""
MIN_GAIN = 1.15
"""A re-decoded text replaces the first one only when it is this much longer: a lost sentence is a third
or more of a chunk, while the same speech decoded twice differs by a few characters either way."""


def speech_seconds(region_samples: list[int], padding_samples: int, sample_rate: int) -> float:
    """Seconds of speech in VAD regions of `region_samples` samples each, less the silence the VAD
    pads each side of a region with (at most half a region, where padding met padding)."""
    net = sum(max(length - 2 * padding_samples, length // 2) for length in region_samples)
    return net / sample_rate


def min_chars_per_second(text: str, language: str) -> float:
    """The threshold for `text`: by the script of its letters, or of `language` when it has none."""
    family = script_family(text) if any(c.isalpha() for c in text) else language_family(language)
    return MIN_CHARS_PER_SECOND.get(family, UNMEASURED_CHARS_PER_SECOND)


def text_share(text: str, seconds: float, language: str) -> float:
    """Characters of `text` per second of speech as a share of its script's threshold (under 1: truncated)."""
    text = text.strip()
    return len(text) / (min_chars_per_second(text, language) * seconds)


def speaker_pace(shares: list[tuple[float, float]]) -> float | None:
    """A request's own pace from its chunks' (share of their script's rate, seconds of speech): the
    median share of those with PACE_MIN_SPEECH_SECONDS or more, or None with fewer than PACE_MIN_CHUNKS
    of them (then only the script's rate judges)."""
    counted = [share for share, seconds in shares if seconds >= PACE_MIN_SPEECH_SECONDS]
    return statistics.median(counted) if len(counted) >= PACE_MIN_CHUNKS else None


def looks_truncated(text: str, seconds: float, language: str, pace: float | None = None) -> bool:
    """Whether `text`, decoded from `seconds` of speech in `language`, is too short to hold all of it:
    under its script's rate and, given its request's `pace` (`speaker_pace`; default None: not known),
    under PACE_SHARE of that pace too."""
    line = 1.0 if pace is None else min(1.0, PACE_SHARE * pace)
    return seconds >= MIN_SPEECH_SECONDS and text_share(text, seconds, language) < line


def is_clearly_longer(candidate: str, current: str, min_gain: float = MIN_GAIN) -> bool:
    """Whether a re-decoded `candidate` should replace the `current` text of a chunk: longer by `min_gain`
    (default MIN_GAIN), and not a repetition loop."""
    candidate, current = candidate.strip(), current.strip()
    if not candidate or candidate == current or len(candidate) < min_gain * len(current):
        return False
    return not is_a_loop(candidate)


def wordless_regions(
    region_bounds: list[tuple[float, float]], region_speech: list[float], word_middles: list[float]
) -> int:
    """How many VAD speech regions (`region_bounds`, with `region_speech` seconds of speech each) of at least
    MIN_SPEECH_SECONDS hold the middle of no timed word: speech the decoder skipped. Whisper base skipped
    "The conference is now unmuted." between two sentences it kept, in a chunk of five recorded prompts
    whose text stayed above its script's rate (inference/bench/bench_recorded_speech.py); the region
    between them held no word."""
    return sum(
        1
        for (start, end), speech in zip(region_bounds, region_speech, strict=True)
        if speech >= MIN_SPEECH_SECONDS and not any(start <= middle < end for middle in word_middles)
    )
