"""One speaker per channel (`channels=separate`): call-center and interview recordings.

Each channel is one person's microphone, so the speaker of a word is the channel it was said on (S1 =
channel 1, S2 = channel 2 ...), as with Amazon Transcribe's channel identification. What makes it more
than transcribing each channel is crosstalk: each side bleeds into the other's channel (an open
microphone, a phone's echo), typically 15-30 dB down, and Whisper normalises loudness, so it would
transcribe the bleed as well and every sentence would come out twice.

So before transcription each channel keeps only its own speech (`own_speech`): in 20 ms frames, a
channel speaks where it is louder than its silence and louder, by OWN_MARGIN_DB, than what the other
channels' bleed puts into it. The bleed's level is measured per recording and per pair of channels (the
median level difference where only the other side is loud), not assumed. Where both talk at once, both
channels keep their speech, and each is transcribed for its own speaker. The rest of each channel is
muted (with short fades), and the channels are transcribed together; their words are merged by time.

Two channels that carry the same speech at nearly the same level (a mono recording saved as stereo) are
not one speaker per channel: that is a 400 that says to use diarize instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from .audio import SAMPLE_RATE
from .chunked import Request
from .errors import bad_option
from .options import TranscribeOptions
from .results import Redecodes, Segment, Speaker, SpeakerCount, Transcription
from .sentences import words_text
from .speaker_timeline import timeline, untranscribed_time
from .writing import join_pieces

FRAME_SECONDS = 0.02
SILENCE_BELOW_PEAK_DB = 45.0
"""A frame this far below its channel's loudest speech (99th percentile of frame levels) is silence."""
SILENCE_FLOOR_DB = -65.0
"""A frame quieter than this (dB relative to full scale) is silence whatever the channel's level."""
OWN_MARGIN_DB = 6.0
"""How much louder than the other channels' predicted bleed a frame must be to be the channel's own."""
LOUD_BELOW_PEAK_DB = 15.0
"""Frames within this of a channel's peak are where its bleed into the others is measured."""
SAME_SPEECH_DB = -6.0
"""Bleed measured above this: the two channels carry the same speech (400, use diarize)."""
MIN_BLEED_FRAMES = 25
"""Frames (0.5 s) a pair's bleed needs to be measured; with fewer, that side is taken as silent."""
CLOSE_GAP_SECONDS = 0.3
"""Gaps within one channel's speech shorter than this are closed (pauses between words)."""
MIN_RUN_SECONDS = 0.1
"""Shorter bursts of a channel's own speech are dropped (clicks, a cough of the bleed)."""
PAD_SECONDS = 0.2
"""Kept around each stretch of own speech so that no word's edge is cut off."""
FADE_SECONDS = 0.01
ECHO_SECONDS = 0.1
"""Bleed arrives late (a phone's echo path, a room): a channel's level predicts its bleed into the others
for this long, either side, so that the tail of a loud syllable heard late is not taken for own speech."""


@dataclass(frozen=True)
class Turn:
    """A stretch of one channel's own speech, in seconds."""

    start: float
    end: float


def frame_levels(channels: np.ndarray) -> np.ndarray:
    """Level of each channel in each 20 ms frame, dB relative to full scale, shape (channels, frames)."""
    size = round(FRAME_SECONDS * SAMPLE_RATE)
    frames = channels.shape[1] // size
    if frames == 0:
        return np.full((channels.shape[0], 0), -120.0)
    blocks = channels[:, : frames * size].reshape(channels.shape[0], frames, size).astype(np.float64)
    return 10 * np.log10(np.mean(blocks**2, axis=2) + 1e-12)


def bleed_levels(levels: np.ndarray) -> np.ndarray:
    """`bleed[i, j]`: how much of channel j reaches channel i, in dB (negative; -inf where not measured).

    Measured where j is loud and clearly the loudest channel, as the median of channel i's level minus
    j's: most of that time i's own speaker is silent (people take turns), so the median is the bleed.
    """
    count = levels.shape[0]
    peaks = np.percentile(levels, 99, axis=1) if levels.shape[1] else np.zeros(count)
    bleed = np.full((count, count), -np.inf)
    for j in range(count):
        others = np.delete(levels, j, axis=0)
        loud = (levels[j] > peaks[j] - LOUD_BELOW_PEAK_DB) & (levels[j] > SILENCE_FLOOR_DB)
        loud &= levels[j] >= others.max(axis=0)
        if np.count_nonzero(loud) < MIN_BLEED_FRAMES:
            continue
        for i in range(count):
            if i != j:
                bleed[i, j] = float(np.median(levels[i, loud] - levels[j, loud]))
    return bleed


def own_speech(channels: np.ndarray) -> list[list[Turn]]:
    """Each channel's stretches of its own speech (not silence, not the other channels' bleed).

    Raises 400 (`bad_option` naming `channels`) when two channels carry the same speech.
    """
    levels = frame_levels(channels)
    bleed = bleed_levels(levels)
    for i, j in zip(*np.nonzero(bleed > SAME_SPEECH_DB), strict=True):
        raise bad_option(
            "channels",
            f"channels {min(i, j) + 1} and {max(i, j) + 1} carry the same speech (one is "
            f"{-bleed[i, j]:.0f} dB below the other), so they are not one speaker per channel: send the "
            "recording without channels=separate (with diarize=true to label its speakers)",
        )
    peaks = np.percentile(levels, 99, axis=1) if levels.shape[1] else np.zeros(levels.shape[0])
    turns = []
    for i in range(channels.shape[0]):
        loud = (levels[i] > peaks[i] - SILENCE_BELOW_PEAK_DB) & (levels[i] > SILENCE_FLOOR_DB)
        predicted = np.full(levels.shape[1], -np.inf)
        for j in range(channels.shape[0]):
            if j != i and np.isfinite(bleed[i, j]):
                predicted = np.maximum(predicted, _loudest_nearby(levels[j]) + bleed[i, j])
        turns.append(_runs(loud & (levels[i] > predicted + OWN_MARGIN_DB)))
    return turns


def _loudest_nearby(levels: np.ndarray) -> np.ndarray:
    """Each frame's level as the loudest within ECHO_SECONDS of it."""
    reach = round(ECHO_SECONDS / FRAME_SECONDS)
    padded = np.pad(levels, reach, constant_values=-np.inf)
    return np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1).max(axis=1)


def _runs(active: np.ndarray) -> list[Turn]:
    """Runs of active frames as turns: gaps under CLOSE_GAP_SECONDS closed, runs under MIN_RUN_SECONDS
    dropped."""
    on = np.flatnonzero(active)
    if on.size == 0:
        return []
    gap = round(CLOSE_GAP_SECONDS / FRAME_SECONDS)
    breaks = np.flatnonzero(np.diff(on) > gap)
    starts, ends = np.r_[on[0], on[breaks + 1]], np.r_[on[breaks], on[-1]] + 1
    return [
        Turn(round(float(s * FRAME_SECONDS), 3), round(float(e * FRAME_SECONDS), 3))
        for s, e in zip(starts, ends, strict=True)
        if (e - s) * FRAME_SECONDS >= MIN_RUN_SECONDS
    ]


def keep_own_speech(samples: np.ndarray, turns: Sequence[Turn]) -> np.ndarray:
    """`samples` (one channel) muted outside its turns (each widened by PAD_SECONDS), with short fades."""
    gain = np.zeros(samples.size, dtype=np.float32)
    for turn in turns:
        start = max(0, round((turn.start - PAD_SECONDS) * SAMPLE_RATE))
        end = min(samples.size, round((turn.end + PAD_SECONDS) * SAMPLE_RATE))
        gain[start:end] = 1.0
    fade = round(FADE_SECONDS * SAMPLE_RATE)
    if fade > 1:  # a linear ramp at every edge: a hard cut clicks, and a click can become a word
        kernel = np.ones(fade, dtype=np.float32) / fade
        gain = np.convolve(gain, kernel, mode="same").astype(np.float32)
    return samples * gain


def merge_channels(
    transcriptions: Sequence[Transcription], turns: Sequence[Sequence[Turn]], duration: float
) -> Transcription:
    """One transcription of the channels' transcriptions: each segment labelled with its channel's
    speaker (S1 = channel 1), all in order of time. Where one side's words fall inside the other's
    segment (an interjection), the segment is split there, so that the words are in the order they were
    said. The language is that of the channel with the most text."""
    labelled: list[tuple[float, int, int, Segment]] = []  # (start, channel, position, piece)
    for channel, result in enumerate(transcriptions):
        for segment in result.segments:
            labelled.append((segment.start, channel, len(labelled), _labelled(segment, channel)))
    labelled.sort(key=lambda item: (item[0], item[1], item[2]))
    pieces = _split_at_interjections([segment for *_, segment in labelled])
    segments = tuple(replace(piece, id=index) for index, piece in enumerate(pieces))
    main = max(range(len(transcriptions)), key=lambda c: len(transcriptions[c].text))
    speaker_turns = timeline(
        ((t.start, t.end, f"S{channel + 1}") for channel, ts in enumerate(turns) for t in ts), segments
    )
    speakers = tuple(
        Speaker(
            f"S{channel + 1}",
            round(sum(t.end - t.start for t in channel_turns), 3),
            untranscribed_time(speaker_turns, f"S{channel + 1}"),
        )
        for channel, channel_turns in enumerate(turns)
    )
    return Transcription(
        text=join_pieces([s.text for s in segments]),
        language=transcriptions[main].language,
        language_probability=transcriptions[main].language_probability,
        duration=duration,
        segments=segments,
        speakers=speakers,
        speaker_count=SpeakerCount(found=len(speakers), requested="channels=separate", met=True),
        speaker_turns=speaker_turns,
        redecodes=Redecodes(
            truncated=sum(t.redecodes.truncated for t in transcriptions),
            repeated=sum(t.redecodes.repeated for t in transcriptions),
            over_budget=sum(t.redecodes.over_budget for t in transcriptions),
        ),
    )


def _labelled(segment: Segment, channel: int) -> Segment:
    label = f"S{channel + 1}"
    words = None if segment.words is None else tuple(replace(w, speaker=label) for w in segment.words)
    return replace(segment, speaker=label, words=words)


def _split_at_interjections(segments: list[Segment]) -> list[Segment]:
    """Segments sorted by start, each split before any word that starts after another speaker's segment
    that began inside it, so the merged words run in time order."""
    result: list[Segment] = []
    for index, segment in enumerate(segments):
        later_starts = sorted(
            other.start
            for other in segments[index + 1 :]
            if other.speaker != segment.speaker and segment.start < other.start < segment.end
        )
        if not later_starts or not segment.words:
            result.append(segment)
            continue
        runs: list[list] = [[]]
        cut = 0
        for word in segment.words:
            while cut < len(later_starts) and word.start >= later_starts[cut]:
                cut += 1
                if runs[-1]:
                    runs.append([])
            runs[-1].append(word)
        for run in runs:
            if run:
                piece = replace(
                    segment, start=run[0].start, end=run[-1].end, text=words_text(run), words=tuple(run)
                )
                result.append(piece)
    return sorted(result, key=lambda s: (s.start, int((s.speaker or "S0")[1:])))


class ManyTranscriber(Protocol):
    """What `transcribe_by_channel` needs of transcriber.Transcriber."""

    def transcribe_many(self, requests: Sequence[Request]) -> list[Transcription | Exception]: ...


def transcribe_by_channel(
    transcriber: ManyTranscriber, channels: np.ndarray, options: TranscribeOptions
) -> Transcription:
    """Transcribes each channel's own speech (the channels together, as one batch) and merges them by time.

    Words are always timed: the merge orders them by their times.
    """
    turns = own_speech(channels)
    timed = replace(options, word_timestamps=True)
    requests = [
        Request(keep_own_speech(samples, channel_turns), timed)
        for samples, channel_turns in zip(channels, turns, strict=True)
    ]
    results = transcriber.transcribe_many(requests)
    for outcome in results:
        if isinstance(outcome, Exception):
            raise outcome
    return merge_channels(
        [r for r in results if isinstance(r, Transcription)], turns, channels.shape[1] / SAMPLE_RATE
    )
