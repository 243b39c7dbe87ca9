"""Limits that keep a small request from costing a lot: prompt tokens, sample rate, decoded memory;
and the contract's corners (404/405 bodies, HEAD /ping, many channels, ASCII-only numbers)."""

from __future__ import annotations

import io
import random
import string
import tracemalloc
import wave
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import wav_bytes
from fastapi.testclient import TestClient

from whisper_server.audio import MIN_SAMPLE_RATE, decode
from whisper_server.errors import RequestError
from whisper_server.options import parse_options
from whisper_server.prompt import MAX_PROMPT_TOKENS, prompt_tokens
from whisper_server.transcriber import Transcriber

OPTIONS = "X-Amzn-SageMaker-Custom-Attributes"


def junk(length: int, seed: int) -> str:
    """Random letters and digits: 1-2 characters a token, the costliest text per character."""
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits + " ") for _ in range(length))


def test_prompt_and_hotwords_over_the_token_budget_are_400(
    client: TestClient, audio_bytes: Callable[[str], bytes]
) -> None:
    # 300 characters each: a 620-character header, well under SageMaker's 1024, but over 400 tokens.
    header = f"initial_prompt={junk(300, 1)};hotwords={junk(300, 2)}"
    for accept in ("application/json", "application/x-subrip"):
        response = client.post(
            "/invocations", content=audio_bytes("speech.ogg"), headers={OPTIONS: header, "Accept": accept}
        )
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["error"] == "bad_option"
        assert body["message"].startswith("options 'initial_prompt' and 'hotwords': at most 223 tokens")


def test_a_prompt_within_the_budget_still_transcribes_the_speech(
    client: TestClient, transcriber: Transcriber, audio_bytes: Callable[[str], bytes]
) -> None:
    prompt, hotwords = junk(150, 3), junk(140, 4)
    tokenizer = transcriber.model.hf_tokenizer
    used = prompt_tokens(tokenizer, prompt) + prompt_tokens(tokenizer, hotwords)
    assert 180 < used <= MAX_PROMPT_TOKENS
    for accept in ("application/json", "application/x-subrip", "text/vtt"):
        response = client.post(
            "/invocations",
            content=audio_bytes("speech.ogg"),
            headers={OPTIONS: f"initial_prompt={prompt};hotwords={hotwords}", "Accept": accept},
        )
        assert response.status_code == 200, response.text
        assert "sunny and warm" in response.text.lower(), response.text  # never an empty success


class RecordingModel:
    """The CTranslate2 model, recording the prompt of every generate() call."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.prompts: list[list[int]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)

    def generate(self, features: Any, prompts: list[list[int]], **kwargs: Any) -> Any:
        self.prompts.extend(list(prompt) for prompt in prompts)
        return self.model.generate(features, prompts, **kwargs)


def test_the_budget_counts_exactly_what_the_decoder_is_given(
    client: TestClient,
    transcriber: Transcriber,
    audio_bytes: Callable[[str], bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The attack of issue 24: 225 percent-encoded spaces before `x` were counted as 1 token and sent as 225,
    # which with 222 tokens of hotwords filled the decoder's 448 and starved the transcript.
    prompt, hotwords = "%20" * 225 + "x", "~}" * 111
    header = f"initial_prompt={prompt};hotwords={hotwords}"
    assert len(header) == 923
    tokenizer = transcriber.model.hf_tokenizer
    counted = prompt_tokens(tokenizer, " " * 225 + "x") + prompt_tokens(tokenizer, hotwords)
    assert counted == MAX_PROMPT_TOKENS  # admitted: exactly at the budget
    recording = RecordingModel(transcriber.model.model)
    monkeypatch.setattr(transcriber.model, "model", recording)
    for accept in ("application/json", "application/x-subrip"):
        response = client.post(
            "/invocations", content=audio_bytes("speech.ogg"), headers={OPTIONS: header, "Accept": accept}
        )
        assert response.status_code == 200, response.text
        assert "sunny and warm" in response.text.lower(), response.text
    sot = tokenizer.token_to_id("<|startoftranscript|>")
    assert recording.prompts
    for sent in recording.prompts:
        assert sent.index(sot) - 1 == counted  # the tokens between <|startofprev|> and <|startoftranscript|>


def test_the_sequential_path_adds_no_previous_text_to_hotwords(
    transcriber: Transcriber, audio_bytes: Callable[[str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    # WHISPER_BATCHED=false conditions each 30 s window on the text so far: on top of 222 tokens of
    # hotwords that made 445 by the third window of this minute, with 3 left for the text.
    audio = np.concatenate([decode(audio_bytes(f"meeting/part0{i}.ogg"), 60) for i in range(1, 9)])
    hotwords = "~}" * 111
    recording = RecordingModel(transcriber.model.model)
    monkeypatch.setattr(transcriber.model, "model", recording)
    monkeypatch.setattr(transcriber, "batched", False)
    result = transcriber.transcribe(audio, parse_options(f"hotwords={hotwords}", ["en"], False))
    sot = transcriber.model.hf_tokenizer.token_to_id("<|startoftranscript|>")
    assert len(recording.prompts) >= 3
    assert {sent.index(sot) - 1 for sent in recording.prompts} == {
        prompt_tokens(transcriber.model.hf_tokenizer, hotwords)
    }
    assert "weekly planning meeting" in result.text.lower()


def test_a_sample_rate_too_low_for_speech_is_refused_at_once() -> None:
    # 2 KB of WAV that declares 1 Hz: an hour of audio to decode and transcribe.
    tiny = wav_bytes(np.zeros(3600, dtype=np.float32), rate=1)
    with pytest.raises(RequestError) as refused:
        decode(tiny, 4 * 3600)
    assert refused.value.status == 415
    assert f"{MIN_SAMPLE_RATE} Hz" in refused.value.message
    assert decode(wav_bytes(np.zeros(4000, dtype=np.float32), rate=MIN_SAMPLE_RATE), 60).size == 16000


def test_the_duration_limit_counts_decoded_audio_and_names_the_bound() -> None:
    with pytest.raises(RequestError) as refused:
        decode(wav_bytes(np.zeros(8000 * 12, dtype=np.float32), rate=8000), 10)
    assert refused.value.status == 413
    assert "10 s limit" in refused.value.message
    assert "WHISPER_MAX_AUDIO_SECONDS" in refused.value.message


def test_decoding_holds_little_more_than_the_result() -> None:
    seconds = 60
    body = wav_bytes(np.zeros(SAMPLE_RATE_IN * seconds, dtype=np.float32), rate=SAMPLE_RATE_IN)
    tracemalloc.start()
    try:
        audio = decode(body, 120)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    result = audio.nbytes  # float32 at 16 kHz
    # int16 chunks + the float32 result is 1.5x the result; the old concatenate-then-convert was 3x.
    assert peak < 2 * result, f"peak {peak / result:.1f}x the result"


SAMPLE_RATE_IN = 16000


def many_channel_wav(samples: np.ndarray, channels: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(16000)
        pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
        out.writeframes(np.repeat(pcm, channels).tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize("channels", [9, 64])
def test_audio_with_many_channels_is_mixed_down(
    client: TestClient, audio_bytes: Callable[[str], bytes], channels: int
) -> None:
    speech = decode(audio_bytes("speech.ogg"), 60)
    response = client.post("/invocations", content=many_channel_wav(speech, channels))
    assert response.status_code == 200, response.text
    assert "sunny and warm" in response.json()["text"].lower()


def test_unknown_paths_and_methods_answer_in_the_error_shape(client: TestClient) -> None:
    missing = client.get("/nope")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    assert set(missing.json()) == {"error", "message"}
    wrong = client.get("/invocations")
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "method_not_allowed"
    assert wrong.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/invocations/"), ("GET", "/ping/"), ("HEAD", "/ping/")]
)
def test_a_trailing_slash_is_an_unknown_path_not_a_redirect(
    client: TestClient, method: str, path: str
) -> None:
    # A redirect would send the client to a Location built from its own Host header.
    response = client.request(method, path, headers={"Host": "attacker.example"}, follow_redirects=False)
    assert response.status_code == 404
    assert "location" not in response.headers
    if method != "HEAD":
        assert response.json()["error"] == "not_found"


def test_a_second_options_header_is_refused_naming_it(
    client: TestClient, audio_bytes: Callable[[str], bytes]
) -> None:
    headers = [(OPTIONS, "language=en"), (OPTIONS, "beam_size=1")]
    response = client.post("/invocations", content=audio_bytes("speech.ogg"), headers=headers)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_option"
    assert response.json()["message"].startswith(f"header {OPTIONS} given 2 times")


def test_head_ping_is_200(client: TestClient) -> None:
    assert client.head("/ping").status_code == 200


@pytest.mark.parametrize(
    "header",
    ["beam_size=\u0665", "beam_size=1_0", "batch_size=\uff18", "temperature=0.1_5", "temperature=\u0660.5"],
)
def test_numbers_are_ascii_decimal_only(header: str) -> None:
    with pytest.raises(RequestError) as refused:
        parse_options(header, ["en"], False)
    assert refused.value.status == 400
