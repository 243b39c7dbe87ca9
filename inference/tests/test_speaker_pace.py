"""A slow speaker's complete chunks are not decoded again: a chunk under its script's rate counts as
truncated only when it is also well under its own request's pace (dropped_speech.speaker_pace)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import AUDIO_DIR

from whisper_server import dropped_speech
from whisper_server.audio import decode
from whisper_server.dropped_speech import PACE_SHARE, looks_truncated, speaker_pace
from whisper_server.options import TranscribeOptions
from whisper_server.transcriber import Transcriber
from whisper_server.writing_systems import LATIN

SENTENCE = "The concert was cancelled because the singer had a cold."  # 56 characters


def test_the_pace_is_the_median_share_of_chunks_with_enough_speech() -> None:
    assert speaker_pace([(0.9, 10.0), (1.1, 12.0), (0.8, 9.0)]) == 0.9
    assert speaker_pace([(0.9, 10.0), (1.1, 12.0), (0.8, 9.0), (1.0, 6.0)]) == pytest.approx(0.95)
    # Chunks of a few words do not count, and two chunks say nothing of a speaker.
    assert speaker_pace([(0.9, 10.0), (1.1, 12.0), (0.2, 2.0)]) is None
    assert speaker_pace([]) is None


def test_a_chunk_is_truncated_only_when_well_under_its_speaker_s_pace() -> None:
    seconds = len(SENTENCE) / 13.5 / 0.9  # 0.9 of the Latin rate
    assert looks_truncated(SENTENCE, seconds, "en")  # the script's rate alone
    assert not looks_truncated(SENTENCE, seconds, "en", 0.95)  # a slow speaker: the same as the others
    assert looks_truncated(SENTENCE, seconds, "en", 0.9 / PACE_SHARE + 0.01)  # under the speaker's pace
    # The pace only moves the line down: a fast speaker's chunk is judged by the script's rate.
    assert not looks_truncated(SENTENCE, len(SENTENCE) / 13.5 / 1.05, "en", 2.0)


def test_a_slow_speaker_s_complete_chunks_are_not_decoded_again(
    transcriber: Transcriber, monkeypatch: pytest.MonkeyPatch
) -> None:
    audio = np.concatenate(
        [decode((AUDIO_DIR / "meeting" / f"part0{n}.ogg").read_bytes(), max_seconds=60) for n in range(1, 9)]
    )
    # The meeting's five chunks run at 1.31-1.65 of the Latin rate: raised 1.6 times, they stand for a
    # speaker who talks at 0.82-1.03 of it, every chunk complete.
    monkeypatch.setitem(dropped_speech.MIN_CHARS_PER_SECOND, LATIN, 13.5 * 1.6)
    before = transcriber.chunked.redecoded_chunks
    result = transcriber.transcribe(audio, TranscribeOptions())
    assert transcriber.chunked.redecoded_chunks == before
    assert (result.redecodes.truncated, result.redecodes.over_budget, result.unchecked) == (0, 0, ())
