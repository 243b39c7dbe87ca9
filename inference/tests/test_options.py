"""Parsing of X-Amzn-SageMaker-Custom-Attributes, and its 400s over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from whisper_server.errors import RequestError
from whisper_server.options import TranscribeOptions, parse_options

ENGLISH = ["en"]


def parse(
    header: str | None, languages: list[str] = ENGLISH, multilingual: bool = False
) -> TranscribeOptions:
    return parse_options(header, languages, multilingual)


def test_no_header_means_server_defaults() -> None:
    assert parse(None) == TranscribeOptions()
    assert parse("") == TranscribeOptions()
    assert parse(" ; ") == TranscribeOptions()


def test_every_option_parses() -> None:
    options = parse(
        "language=de; task=translate; word_timestamps=yes; beam_size=3; batch_size=4; vad=off;"
        "initial_prompt=Hello%2C%20a%3Bb%3Dc; hotwords=Pulumi SageMaker; temperature=0.4",
        languages=["en", "de"],
        multilingual=True,
    )
    assert options == TranscribeOptions(
        language="de",
        task="translate",
        word_timestamps=True,
        beam_size=3,
        batch_size=4,
        vad=False,
        initial_prompt="Hello, a;b=c",
        hotwords="Pulumi SageMaker",
        temperature=0.4,
    )


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("colour=blue", "colour"),
        ("beam_size", "beam_size"),
        ("beam_size=0", "beam_size"),
        ("beam_size=21", "beam_size"),
        ("beam_size=five", "beam_size"),
        ("batch_size=-1", "batch_size"),
        ("word_timestamps=maybe", "word_timestamps"),
        ("vad=2", "vad"),
        ("temperature=1.5", "temperature"),
        ("temperature=hot", "temperature"),
        ("task=summarize", "task"),
        ("language=xx", "language"),
        ("task=translate", "task"),
        ("initial_prompt=%20", "initial_prompt"),
        ("hotwords=" + "a" * 1001, "hotwords"),
        ("vad=true;vad=false", "vad"),
    ],
)
def test_bad_option_names_its_key(header: str, key: str) -> None:
    with pytest.raises(RequestError) as raised:
        parse(header)
    assert raised.value.status == 400
    assert raised.value.code == "bad_option"
    assert raised.value.message.startswith(f"option '{key}'")


def test_bad_option_over_http_is_400_json_and_server_stays_healthy(
    client: TestClient, audio_bytes: Callable[[str], bytes]
) -> None:
    response = client.post(
        "/invocations",
        content=audio_bytes("speech.ogg"),
        headers={"X-Amzn-SageMaker-Custom-Attributes": "beam_size=100"},
    )
    assert response.status_code == 400
    assert response.json() == {"error": "bad_option", "message": "option 'beam_size': must be 1-20, got 100"}
    assert client.get("/ping").status_code == 200
