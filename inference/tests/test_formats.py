"""Output formats: content negotiation, and each format well formed on a real transcription."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pytest
from conftest import wav_bytes
from fastapi.testclient import TestClient

from whisper_server import formats
from whisper_server.audio import decode
from whisper_server.errors import RequestError
from whisper_server.results import Segment, Transcription

VTT_TIMING = re.compile(r"^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2}):(\d{2}):(\d{2})\.(\d{3})$")
SRT_TIMING = re.compile(r"^(\d{2}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2}):(\d{2}):(\d{2}),(\d{3})$")


def seconds(groups: tuple[str, ...]) -> float:
    hours, minutes, secs, millis = (int(g) for g in groups)
    return hours * 3600 + minutes * 60 + secs + millis / 1000


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, formats.JSON),
        ("", formats.JSON),
        ("*/*", formats.JSON),
        ("application/json", formats.JSON),
        ("text/plain", formats.TEXT),
        ("TEXT/VTT", formats.VTT),
        ("application/x-subrip", formats.SRT),
        ("text/*", formats.TEXT),
        ("image/png, text/vtt;q=0.5", formats.VTT),
        ("application/json;q=0.4, application/x-subrip;q=0.9", formats.SRT),
        ("text/plain, application/json", formats.TEXT),
    ],
)
def test_negotiate(accept: str | None, chosen: str) -> None:
    assert formats.negotiate(accept) == chosen


def test_negotiate_refuses_what_it_cannot_produce() -> None:
    with pytest.raises(RequestError) as raised:
        formats.negotiate("audio/mpeg, image/*")
    assert raised.value.status == 406


@pytest.mark.parametrize(
    ("value", "srt", "vtt"),
    [
        (0, "00:00:00,000", "00:00:00.000"),
        (6.4804, "00:00:06,480", "00:00:06.480"),
        (59.9996, "00:01:00,000", "00:01:00.000"),
        (3723.456, "01:02:03,456", "01:02:03.456"),
        (-0.01, "00:00:00,000", "00:00:00.000"),
    ],
)
def test_timestamps(value: float, srt: str, vtt: str) -> None:
    assert formats.timestamp(value, ",") == srt
    assert formats.timestamp(value, ".") == vtt


TWO_CUES = Transcription(
    text="Hello there. General Kenobi.",
    language="en",
    language_probability=1.0,
    duration=4.0,
    segments=(Segment(0, 0.0, 1.5, "Hello there."), Segment(1, 1.5, 3.25, "General Kenobi.")),
)


def test_srt_and_vtt_layout() -> None:
    assert formats.to_srt(TWO_CUES) == (
        "1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n"
        "2\n00:00:01,500 --> 00:00:03,250\nGeneral Kenobi.\n"
    )
    assert formats.to_vtt(TWO_CUES) == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:01.500\nHello there.\n\n"
        "00:00:01.500 --> 00:00:03.250\nGeneral Kenobi.\n"
    )
    assert formats.to_text(TWO_CUES) == "Hello there. General Kenobi.\n"


def test_json_shape(client: TestClient, audio_bytes: Callable[[str], bytes]) -> None:
    response = client.post("/invocations", content=audio_bytes("speech.flac"), headers={"Accept": "*/*"})
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {
        "text",
        "language",
        "language_probability",
        "duration",
        "segments",
        "model",
        "multilingual",
        "processing_seconds",
    }
    assert body["model"] == "whisper-tiny.en"  # read from the weights: no WHISPER_MODEL_NAME here
    assert body["processing_seconds"] > 0
    assert [s["id"] for s in body["segments"]] == list(range(len(body["segments"])))
    for segment in body["segments"]:
        assert set(segment) == {"id", "start", "end", "text"}
        assert 0 <= segment["start"] < segment["end"] <= body["duration"] + 0.1
    assert body["text"] == " ".join(s["text"] for s in body["segments"])


def test_plain_text(client: TestClient, audio_bytes: Callable[[str], bytes]) -> None:
    as_json = client.post("/invocations", content=audio_bytes("speech.flac")).json()
    response = client.post(
        "/invocations", content=audio_bytes("speech.flac"), headers={"Accept": "text/plain"}
    )
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == as_json["text"] + "\n"


@pytest.fixture(scope="module")
def two_parts(audio_bytes: Callable[[str], bytes]) -> bytes:
    """About 16 s of speech in four sentences (meeting parts 1 and 2), as WAV."""
    parts = [decode(audio_bytes(f"meeting/part0{i}.ogg"), 60) for i in (1, 2)]
    return wav_bytes(np.concatenate(parts))


def subtitles(client: TestClient, body: bytes, accept: str) -> str:
    response = client.post("/invocations", content=body, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    return response.text


def test_webvtt(client: TestClient, two_parts: bytes) -> None:
    text = subtitles(client, two_parts, "text/vtt")
    header, *cues = text.split("\n\n")
    assert header == "WEBVTT"
    assert len(cues) >= 3  # subtitles get sentence-sized cues, not one block per VAD chunk
    previous_end = 0.0
    for cue in cues:
        timing, *lines = cue.strip("\n").split("\n")
        match = VTT_TIMING.match(timing)
        assert match, timing
        start, end = seconds(match.groups()[:4]), seconds(match.groups()[4:])
        assert previous_end <= start < end <= 17.0
        assert lines and all(line.strip() for line in lines)
        previous_end = end


def test_subrip(client: TestClient, two_parts: bytes) -> None:
    text = subtitles(client, two_parts, "application/x-subrip")
    blocks = text.strip("\n").split("\n\n")
    assert len(blocks) >= 3
    for number, block in enumerate(blocks, start=1):
        index, timing, *lines = block.split("\n")
        assert index == str(number)
        match = SRT_TIMING.match(timing)
        assert match, timing
        assert seconds(match.groups()[:4]) < seconds(match.groups()[4:])
        assert lines and all(line.strip() for line in lines)


ARROW_IN_TEXT = Transcription(
    text="A --> B <i> & C",
    language="en",
    language_probability=1.0,
    duration=2.0,
    segments=(Segment(0, 0.0, 2.0, "A --> B <i> & C"),),
)


def test_vtt_escapes_cue_text() -> None:
    # A raw `-->` in cue text ends the cue for WebVTT parsers, and `<` opens a tag.
    assert formats.to_vtt(ARROW_IN_TEXT) == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nA --&gt; B &lt;i&gt; &amp; C\n"
    )


def test_srt_has_no_timing_arrow_in_cue_text() -> None:
    srt = formats.to_srt(ARROW_IN_TEXT)
    assert srt == "1\n00:00:00,000 --> 00:00:02,000\nA -> B <i> & C\n"
    assert formats.srt_text("a ---> b") == "a -> b"
