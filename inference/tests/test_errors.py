"""Bad requests get the right status and a JSON message, and the server stays healthy."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pytest
from conftest import wav_bytes
from fastapi.testclient import TestClient

from whisper_server.errors import RequestError


def assert_json_error(response, status: int, code: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "message"}
    assert body["error"] == code
    assert len(body["message"]) > 20
    return body["message"]


def first_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def header_only_wav() -> bytes:
    return wav_bytes(np.zeros(0, dtype=np.float32))


BAD_BODIES: dict[str, tuple[Callable[[Callable[[str], bytes]], bytes], int, str]] = {
    "empty": (lambda _: b"", 400, "empty_body"),
    "header-only wav": (lambda _: header_only_wav(), 400, "empty_audio"),
    "random bytes": (lambda _: np.random.default_rng(7).bytes(20_000), 415, "unsupported_media"),
    "image": (lambda read: read("image.png"), 415, "unsupported_media"),
    "text file": (lambda read: read("transcripts.json"), 415, "unsupported_media"),
    # An m4a whose index (moov atom) sits at the end: cut in half, nothing in it can be decoded.
    "truncated m4a": (
        lambda read: read("speech.m4a")[: len(read("speech.m4a")) // 2],
        415,
        "unsupported_media",
    ),
}


@pytest.mark.parametrize("case", BAD_BODIES)
def test_bad_input_is_refused_and_server_stays_healthy(
    client: TestClient, audio_bytes: Callable[[str], bytes], case: str
) -> None:
    make_body, status, code = BAD_BODIES[case]
    assert_json_error(client.post("/invocations", content=make_body(audio_bytes)), status, code)
    assert client.get("/ping").status_code == 200
    assert client.post("/invocations", content=audio_bytes("speech.mp3")).status_code == 200


def test_truncated_stream_keeps_what_decoded(client: TestClient, audio_bytes: Callable[[str], bytes]) -> None:
    response = client.post("/invocations", content=first_half(audio_bytes("speech.ogg")))
    assert response.status_code == 200
    body = response.json()
    assert 2.0 < body["duration"] < 5.0
    assert "sunny and warm" in body["text"].lower()
    assert "quarterly report" not in body["text"].lower()


@pytest.mark.parametrize("accept", ["image/png", "text/html", "application/json;q=0"])
def test_unsupported_accept_is_406(
    client: TestClient, audio_bytes: Callable[[str], bytes], accept: str
) -> None:
    message = assert_json_error(
        client.post("/invocations", content=audio_bytes("speech.ogg"), headers={"Accept": accept}),
        406,
        "not_acceptable",
    )
    assert "text/vtt" in message


def test_body_over_the_size_limit_is_413(
    make_client: Callable[..., TestClient], audio_bytes: Callable[[str], bytes]
) -> None:
    small = make_client(max_body_bytes=30_000)  # speech.ogg is 21 kB, speech.wav 220 kB
    message = assert_json_error(
        small.post("/invocations", content=audio_bytes("speech.wav")), 413, "payload_too_large"
    )
    assert "WHISPER_MAX_BODY_BYTES" in message
    # Without Content-Length (chunked upload) the limit holds while the body streams in.
    wav = audio_bytes("speech.wav")
    chunks = iter([wav[:20_000], wav[20_000:40_000], wav[40_000:60_000]])
    assert_json_error(small.post("/invocations", content=chunks), 413, "payload_too_large")
    assert small.post("/invocations", content=audio_bytes("speech.ogg")).status_code == 200


def test_audio_over_the_duration_limit_is_413(
    make_client: Callable[..., TestClient], audio_bytes: Callable[[str], bytes]
) -> None:
    short = make_client(max_audio_seconds=5)
    message = assert_json_error(
        short.post("/invocations", content=audio_bytes("speech.flac")), 413, "audio_too_long"
    )
    assert "WHISPER_MAX_AUDIO_SECONDS" in message
    assert short.get("/ping").status_code == 200


class ExplodingTranscriber:
    """Stands in for a model that fails mid-job (e.g. CUDA out of memory)."""

    supported_languages = ("en",)
    multilingual = False
    model_name = "fake"

    def transcribe(self, *_: object, **__: object) -> None:
        raise RuntimeError("simulated device failure")

    def transcribe_many(
        self, requests: list[object], on_result: Callable[[int, Exception], None] | None = None
    ) -> list[Exception]:
        failures = [RuntimeError("simulated device failure") for _ in requests]
        for index, failure in enumerate(failures):
            if on_result is not None:
                on_result(index, failure)
        return failures


def test_internal_error_is_500_logged_with_request_id(
    make_client: Callable[..., TestClient],
    audio_bytes: Callable[[str], bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = make_client(transcriber_override=ExplodingTranscriber())
    with caplog.at_level(logging.INFO, logger="whisper_server"):
        response = broken.post(
            "/invocations",
            content=audio_bytes("speech.ogg"),
            headers={"X-Amzn-SageMaker-Inference-Id": "req-1234"},
        )
    message = assert_json_error(response, 500, "internal_error")
    assert "req-1234" in message
    assert "simulated device failure" not in message  # internals stay in the log
    failure = next(r for r in caplog.records if r.getMessage() == "invocation failed")
    assert failure.request_id == "req-1234"  # type: ignore[attr-defined]
    assert "simulated device failure" in str(failure.exc_info[1])  # type: ignore[index]
    summary = next(r for r in caplog.records if r.getMessage() == "invocation")
    assert (summary.status, summary.outcome) == (500, "internal_error")  # type: ignore[attr-defined]
    assert broken.get("/ping").status_code == 200


def test_request_error_renders_its_body() -> None:
    error = RequestError(415, "unsupported_media", "nope")
    assert error.body() == {"error": "unsupported_media", "message": "nope"}
    assert str(error) == "415 unsupported_media: nope"


def test_ping_is_503_until_the_model_is_loaded(model_dir: str) -> None:
    from conftest import cpu_settings

    from whisper_server.app import create_app

    not_started = TestClient(create_app(cpu_settings(model_dir)))  # no lifespan: nothing loaded
    response = not_started.get("/ping")
    assert response.status_code == 503
    assert response.json() == {"status": "loading"}
