"""Never drop speech: spot a chunk whose text is too short for its speech, so it can be re-decoded.

Whisper decoding without timestamps (faster-whisper's batched pipeline, and the seed's path) sometimes
returns only part of a chunk, typically the last sentence of two, and says nothing about it. The VAD
tells how many seconds of speech a chunk holds; speech carries words at a fairly steady rate (about 12-16
characters of text a second in the fixtures, human and synthetic), so a chunk that decodes to far fewer
characters than its speech seconds call for has most likely lost some. The check is deliberately loose:
a false alarm costs one extra decode of one chunk, a miss costs the user words.
"""

from __future__ import annotations

MIN_CHARS_PER_SECOND = 11.0
"""Below this many text characters per second of VAD speech a chunk counts as truncated. Normal speech
in the fixtures decodes to 12-16 a second (VAD speech includes its padding and short pauses); a chunk
that lost one of two sentences comes out near half of that."""
MIN_SPEECH_SECONDS = 1.0
"""Chunks with less speech than this are not judged: one short word is a fine transcript of them."""


def looks_truncated(text: str, speech_seconds: float) -> bool:
    """Whether `text`, decoded from `speech_seconds` of VAD speech, is too short to hold all of it."""
    if speech_seconds < MIN_SPEECH_SECONDS:
        return False
    return len(text.strip()) < MIN_CHARS_PER_SECOND * speech_seconds
