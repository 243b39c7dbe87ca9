"""Every format of one transcript in one response (Accept: application/vnd.whisper.renderings+json), what the
drop folder asks for: one decode, and each rendering exactly what a request for that format alone gets."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import wav_bytes
from fastapi.testclient import TestClient

from whisper_server import formats
from whisper_server.audio import decode

OPTIONS = "X-Amzn-SageMaker-Custom-Attributes"


@pytest.fixture(scope="module")
def two_parts(audio_bytes) -> bytes:  # type: ignore[no-untyped-def]
    """About 16 s of speech in four sentences (meeting parts 1 and 2), as WAV."""
    parts = [decode(audio_bytes(f"meeting/part0{i}.ogg"), 60) for i in (1, 2)]
    return wav_bytes(np.concatenate(parts))


def post(client: TestClient, body: bytes, accept: str, options: str = "") -> object:
    headers = {"Accept": accept, **({OPTIONS: options} if options else {})}
    response = client.post("/invocations", content=body, headers=headers)
    assert response.status_code == 200, response.text
    return response


def test_renderings_is_every_format_of_the_same_transcript(client: TestClient, two_parts: bytes) -> None:
    options = "max_line_width=20;word_timestamps=true"
    response = post(client, two_parts, formats.RENDERINGS, options)
    assert response.headers["content-type"] == formats.RENDERINGS
    renderings = response.json()
    assert list(renderings) == ["json", "txt", "srt", "vtt"]
    alone = {name: post(client, two_parts, media, options) for name, media in formats.BY_NAME.items()}
    for name in ("txt", "srt", "vtt"):
        assert renderings[name] == alone[name].text, name
    single = alone["json"].json()
    # The time it took differs between two requests; everything else is the same transcript.
    for body in (renderings["json"], single):
        assert body.pop("processing_seconds") > 0
    assert renderings["json"] == single
    assert all("words" in s for s in renderings["json"]["segments"])
    # The subtitle layout option reached the cues: no line wider than 20 characters.
    cue_lines = [line for line in renderings["srt"].splitlines() if line and "-->" not in line]
    assert max(len(line) for line in cue_lines if not line.isdigit()) <= 20


def test_renderings_is_only_given_when_asked_for_by_name() -> None:
    assert formats.negotiate("*/*") == formats.JSON
    assert formats.negotiate("application/*") == formats.JSON
    assert formats.negotiate(formats.RENDERINGS) == formats.RENDERINGS


def test_a_bad_option_gets_the_same_error_as_any_request(client: TestClient, two_parts: bytes) -> None:
    response = client.post(
        "/invocations",
        content=two_parts,
        headers={"Accept": formats.RENDERINGS, OPTIONS: "max_line_width=2"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_option"
