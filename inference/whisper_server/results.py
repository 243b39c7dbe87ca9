"""What a transcription returns: plain dataclasses, independent of faster-whisper's types."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float
    speaker: str | None = None
    """Speaker label (`S1`, `S2` ...) when the request asked for diarization."""
    spaced: bool = True
    """Whether the text has a space before this word (Japanese or Chinese words mostly have none, and
    neither do the pieces of a number the model wrote in several tokens). Not part of the JSON."""


@dataclass(frozen=True)
class Segment:
    id: int
    start: float
    end: float
    text: str
    words: tuple[Word, ...] | None = None
    """Per-word timings, when the output needed them (JSON, subtitles, speaker labels); the JSON shows
    them only when the request asked for word_timestamps."""
    speaker: str | None = None
    """Speaker label (`S1`, `S2` ...) when the request asked for diarization."""
    language: str | None = None
    """The language its chunk was decoded in, when the request asked for mixed_languages."""


@dataclass(frozen=True)
class Speaker:
    """One speaker of a diarized transcription."""

    label: str
    """`S1`, `S2` ... in order of first appearance in the transcript."""
    talk_time: float
    """Seconds this speaker talks, from the diarization turns (overlapping speech counts for each)."""
    untranscribed_time: float = 0.0
    """Seconds of this speaker's turns in which no word of theirs was transcribed (speech Whisper missed,
    or sound taken for speech)."""


@dataclass(frozen=True)
class LabelledTurn:
    """A stretch of one speaker's speech as the audio has it (diarization's turns, or a channel's own
    speech), whether or not words were transcribed in it: the speaker timeline."""

    speaker: str
    start: float
    end: float
    transcribed: bool
    """Whether any word of this speaker was transcribed in it."""


@dataclass(frozen=True)
class SpeakerCount:
    """How many speakers diarization found, against what the request asked."""

    found: int
    requested: str | None
    """The count the request gave, as written (`speakers=3`, `min_speakers=2;max_speakers=4`), or None."""
    met: bool
    """Whether `found` is what was asked (true when nothing was); false when the audio holds fewer
    distinct voices than asked."""


@dataclass(frozen=True)
class Redecodes:
    """Chunks of one request decoded a second time (its log line reports them; chunked.py)."""

    truncated: int = 0
    """Decoded again the safe way: their text was too short for their speech."""
    repeated: int = 0
    """Decoded again in a 30 s window: their text said a sentence twice."""
    over_budget: int = 0
    """Looked truncated or repeated but were left as decoded: the request's budget
    (WHISPER_MAX_REDECODE_SHARE) was spent."""


@dataclass(frozen=True)
class UncheckedSpan:
    """A chunk a check flagged but left as first decoded, its budget spent (the JSON's `unchecked`)."""

    start: float
    end: float
    """Seconds of the audio the chunk spans (its first and last speech)."""
    check: str
    """`too_short` (its text looked too short for its speech: words may be missing), `skipped_region` (a
    stretch of its speech has no word: a sentence may be missing) or `repeated` (it seemed to say a
    sentence twice)."""


@dataclass(frozen=True)
class Transcription:
    text: str
    language: str
    language_probability: float
    duration: float
    """Seconds of decoded audio (before VAD)."""
    segments: tuple[Segment, ...]
    speakers: tuple[Speaker, ...] | None = None
    """The speakers found, present only when the request asked for diarization."""
    speaker_count: SpeakerCount | None = None
    """Speakers found against asked, present only when the request asked for diarization."""
    speaker_turns: tuple[LabelledTurn, ...] | None = None
    """Every speaker turn in order of time, present only when the request asked for speaker labels."""
    redecodes: Redecodes = Redecodes()
    """Chunks decoded a second time (not part of the output; for the log line)."""
    unchecked: tuple[UncheckedSpan, ...] = ()
    """Chunks a check flagged but the re-decode budget left as they were, in time order (JSON `unchecked`)."""
