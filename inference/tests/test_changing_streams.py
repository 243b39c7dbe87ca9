"""Streams whose format changes midway decode whole: concatenated MP3 or ADTS files whose sample rate or
channel layout changes (`cat a.mp3 b.mp3`), chained Ogg streams whose links differ, and 64-bit integer PCM.
Each got a 500 (the resampler refused the changed frames, PyAV cannot read s64 samples) or lost its second
half (415, or the part after the seam silently dropped)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hostile_media import encoded, s64_wav, tone

from whisper_server.audio import decode
from whisper_server.errors import RequestError
from whisper_server.ogg_links import MAX_LINKS, ogg_links


def mp3(rate: int, channels: int = 1) -> bytes:
    return encoded("mp3", "libmp3lame", tone(1.0, rate, channels), rate)


def adts(rate: int) -> bytes:
    return encoded("adts", "aac", tone(1.0, rate), rate)


def ogg_opus(channels: int, hertz: float = 440.0) -> bytes:
    return encoded("ogg", "libopus", tone(1.0, 48000, channels, hertz), 48000)


CONCATENATED: dict[str, bytes] = {
    "mp3, 44.1 then 22.05 kHz": mp3(44100) + mp3(22050),
    "mp3, mono then stereo": mp3(44100) + mp3(44100, channels=2),
    "adts aac, 44.1 then 16 kHz": adts(44100) + adts(16000),
    "chained ogg opus, mono then stereo": ogg_opus(1) + ogg_opus(2),
    "chained ogg opus, three links": ogg_opus(1) + ogg_opus(2) + ogg_opus(1, 880.0),
}


@pytest.mark.parametrize("case", CONCATENATED)
def test_every_part_of_a_changing_stream_is_decoded(case: str) -> None:
    parts = 3 if "three" in case else 2
    seconds = decode(CONCATENATED[case], 60).size / 16000
    # Each part is a second of tone; encoders add up to ~0.1 s of padding per part.
    assert parts - 0.05 < seconds < parts + 0.2, seconds


def test_a_64_bit_integer_wav_decodes_to_its_samples() -> None:
    audio = decode(s64_wav(), 60)
    assert audio.size == 16000
    assert 0.29 < float(np.abs(audio).max()) < 0.31


def test_ogg_links_splits_only_chained_streams() -> None:
    single = ogg_opus(1)
    assert ogg_links(single) == [single]
    chained = ogg_opus(1) + ogg_opus(2)
    assert ogg_links(chained) == [chained[: len(single)], chained[len(single) :]]
    assert ogg_links(b"RIFF....WAVE") == [b"RIFF....WAVE"]


def test_a_chain_of_too_many_links_is_415() -> None:
    with pytest.raises(RequestError) as refused:
        decode(ogg_opus(1) * (MAX_LINKS + 1), 60)
    assert refused.value.status == 415
    assert f"more than {MAX_LINKS} parts" in refused.value.message


def test_garbage_after_an_ogg_stream_stays_with_its_last_link() -> None:
    body = ogg_opus(1) + b"\x00" * 100
    assert ogg_links(body) == [body]
    assert 0.95 < decode(body, 60).size / 16000 < 1.2


def test_the_server_transcribes_both_halves_of_concatenated_mp3s(
    client: TestClient, audio_bytes: Callable[[str], bytes], transcripts: dict[str, str]
) -> None:
    """The same speech twice, the second time at 22.05 kHz: both are heard (this was a 500)."""
    speech = decode(audio_bytes("speech.mp3"), 60)
    faster = np.arange(int(speech.size * 22050 / 16000)) * 16000 / 22050
    at_22050 = np.interp(faster, np.arange(speech.size), speech).astype(np.float32)
    body = encoded("mp3", "libmp3lame", speech.reshape(1, -1), 16000) + encoded(
        "mp3", "libmp3lame", at_22050.reshape(1, -1), 22050
    )
    response = client.post("/invocations", content=body)
    assert response.status_code == 200, response.text
    assert response.json()["duration"] > 2 * speech.size / 16000 - 0.2
    last_word = transcripts["speech.mp3"].split()[-1].strip(".,!?").lower()
    assert response.json()["text"].lower().count(last_word) == 2, response.json()["text"]
