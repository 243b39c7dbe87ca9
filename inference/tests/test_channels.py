"""One speaker per channel without a model: decoding channel by channel, finding each channel's own speech
under the other side's bleed, and merging the channels' words by time (channels.py, channel_audio.py)."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest
from test_speaker_labels import transcription, words

from whisper_server.channel_audio import MAX_CHANNELS, decode_channels
from whisper_server.channels import keep_own_speech, merge_channels, own_speech
from whisper_server.errors import RequestError
from whisper_server.results import Segment

RATE = 16000


def multichannel_wav(rows: np.ndarray, rate: int = RATE) -> bytes:
    """16-bit PCM WAV with one channel per row of `rows` (floats in [-1, 1])."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(rows.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(rows.T, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def voice(seconds: float, pitch: float, seed: int) -> np.ndarray:
    """A speech-like signal: a buzzing tone with a syllable rhythm (4 Hz) and a little noise."""
    t = np.arange(int(seconds * RATE)) / RATE
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t) ** 2
    noise = np.random.default_rng(seed).normal(0, 0.02, t.size)
    return (0.3 * syllables * np.sign(np.sin(2 * np.pi * pitch * t)) * 0.5 + noise).astype(np.float32)


def call(bleed_db: float) -> tuple[np.ndarray, list[tuple[int, float, float]]]:
    """Two channels of 8 s: channel 1 talks 0.5-3 s and 4-7 s, channel 2 talks 3.2-3.9 s and, at once
    with channel 1, 5-5.6 s; each channel also carries the other side `bleed_db` down."""
    turns = [(0, 0.5, 3.0), (1, 3.2, 3.9), (0, 4.0, 7.0), (1, 5.0, 5.6)]
    own = np.zeros((2, 8 * RATE), np.float32)
    for index, (channel, start, end) in enumerate(turns):
        first, last = round(start * RATE), round(end * RATE)
        own[channel, first:last] = voice((last - first) / RATE, 120 + 90 * channel, index)
    gain = 10 ** (bleed_db / 20)
    return own + gain * own[::-1], turns


def test_decode_keeps_each_channel_and_resamples() -> None:
    rows = np.stack([voice(1.0, 120, 0)[::2], np.zeros(8000, np.float32)])
    channels = decode_channels(multichannel_wav(rows, 8000), max_seconds=60)
    assert channels.shape == (2, RATE)
    assert channels.dtype == np.float32
    assert np.abs(channels[0]).max() > 0.1
    assert np.abs(channels[1]).max() == 0.0


def test_decode_refuses_mono_naming_the_option() -> None:
    with pytest.raises(RequestError) as error:
        decode_channels(multichannel_wav(voice(1.0, 120, 0)[None, :]), max_seconds=60)
    assert (error.value.status, error.value.code) == (400, "bad_option")
    assert error.value.message.startswith("option 'channels': separate needs")
    assert "diarize=true" in error.value.message


def test_decode_refuses_too_many_channels() -> None:
    rows = np.zeros((MAX_CHANNELS + 1, RATE // 10), np.float32)
    with pytest.raises(RequestError) as error:
        decode_channels(multichannel_wav(rows), max_seconds=60)
    assert error.value.status == 400
    assert f"at most {MAX_CHANNELS} channels" in error.value.message


def test_decode_counts_every_channel_against_the_limit() -> None:
    rows = np.zeros((2, 3 * RATE), np.float32)
    assert decode_channels(multichannel_wav(rows), max_seconds=6.5).shape == (2, 3 * RATE)
    with pytest.raises(RequestError) as error:
        decode_channels(multichannel_wav(rows), max_seconds=5)
    assert (error.value.status, error.value.code) == (413, "audio_too_long")
    assert "2 channels" in error.value.message


@pytest.mark.parametrize("bleed_db", [-30.0, -20.0, -15.0])
def test_own_speech_is_each_channels_speaker_not_the_bleed(bleed_db: float) -> None:
    channels, truth = call(bleed_db)
    found = own_speech(channels)
    for channel, start, end in truth:  # every turn found on its own channel, to within 0.1 s
        assert any(abs(t.start - start) <= 0.1 and abs(t.end - end) <= 0.1 for t in found[channel]), (
            channel,
            start,
            end,
            found[channel],
        )
    for channel in (0, 1):  # and nothing else: the other side's bleed is not this channel's speech
        assert len(found[channel]) == sum(1 for c, *_ in truth if c == channel)


def test_same_speech_on_both_channels_is_refused() -> None:
    speech = voice(3.0, 120, 0)
    with pytest.raises(RequestError) as error:
        own_speech(np.stack([speech, 0.8 * speech]))
    assert error.value.status == 400
    assert "carry the same speech" in error.value.message
    assert "diarize=true" in error.value.message


def test_a_silent_channel_has_no_speech() -> None:
    speech = voice(3.0, 120, 0)
    found = own_speech(np.stack([speech, np.zeros_like(speech)]))
    assert found[1] == []
    assert len(found[0]) == 1


def test_keep_own_speech_mutes_the_rest() -> None:
    channels, _ = call(-20.0)
    kept = keep_own_speech(channels[1], own_speech(channels)[1])
    assert np.abs(kept[: int(2.9 * RATE)]).max() == 0.0  # channel 1's first turn, heard on channel 2
    assert np.abs(kept[int(3.3 * RATE) : int(3.8 * RATE)]).max() > 0.1


def segment(start: float, timed: list[tuple[float, float, str]]) -> Segment:
    return Segment(0, start, timed[-1][1], " ".join(w for *_, w in timed), words(*timed))


def test_merge_orders_by_time_and_splits_at_an_interjection() -> None:
    agent = transcription(
        segment(0.5, [(0.5, 1.0, "Please"), (1.0, 1.5, "open"), (2.5, 3.0, "the"), (3.0, 3.5, "settings.")])
    )
    caller = transcription(segment(1.6, [(1.6, 2.2, "Okay.")]), segment(4.0, [(4.0, 4.5, "Done.")]))
    merged = merge_channels([agent, caller], [[], []], duration=6.0)
    assert [(s.speaker, s.text) for s in merged.segments] == [
        ("S1", "Please open"),
        ("S2", "Okay."),
        ("S1", "the settings."),
        ("S2", "Done."),
    ]
    assert [s.id for s in merged.segments] == [0, 1, 2, 3]
    assert all(w.speaker == s.speaker for s in merged.segments for w in s.words or ())
    assert merged.text == "Please open Okay. the settings. Done."
    assert merged.speaker_count is not None and merged.speaker_count.requested == "channels=separate"


def test_merge_lists_every_channel_with_its_talk_time() -> None:
    channels, _ = call(-20.0)
    turns = own_speech(channels)
    merged = merge_channels([transcription(), transcription()], turns, duration=8.0)
    assert [s.label for s in merged.speakers or ()] == ["S1", "S2"]
    talk = [s.talk_time for s in merged.speakers or ()]
    assert talk[0] == pytest.approx(5.5, abs=0.3)
    assert talk[1] == pytest.approx(1.3, abs=0.3)
    assert merged.segments == ()
