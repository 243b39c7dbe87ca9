"""Speaker labels through the HTTP app: options, every output format, errors, and requests that do not ask
for them (unchanged)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from conftest import DIARIZATION_DIR, SharedDecodes, wav_bytes
from fastapi.testclient import TestClient

from whisper_server.app import create_app
from whisper_server.settings import Settings

OPTIONS = "X-Amzn-SageMaker-Custom-Attributes"


def fixture(name: str) -> bytes:
    return (DIARIZATION_DIR / name).read_bytes()


def post(
    client: TestClient, body: bytes, options: str | None = None, accept: str = "application/json"
) -> Any:
    headers = {"Accept": accept, **({OPTIONS: options} if options else {})}
    return client.post("/invocations", content=body, headers=headers)


def true_speaker(references: dict[str, Any], name: str, start: float, end: float) -> str | None:
    """The reference speaker at the middle of a word, None between turns."""
    middle = (start + end) / 2
    for turn in references[name]["turns"]:
        if turn["start"] <= middle <= turn["end"]:
            return turn["speaker"]
    return None


def word_accuracy(body: dict[str, Any], references: dict[str, Any], name: str) -> float:
    """Share of words whose label is the reference speaker's, labels mapped to voices by majority."""
    pairs = [
        (word["speaker"], true_speaker(references, name, word["start"], word["end"]))
        for segment in body["segments"]
        for word in segment["words"]
    ]
    votes: dict[str, dict[str | None, int]] = {}
    for label, voice in pairs:
        votes.setdefault(label, {}).setdefault(voice, 0)
        votes[label][voice] += 1
    voice_of = {label: max(counts, key=lambda v: counts[v]) for label, counts in votes.items()}
    assert len(set(voice_of.values())) == len(voice_of), f"two labels for one voice: {voice_of}"
    return sum(voice_of[label] == voice for label, voice in pairs) / len(pairs)


@pytest.mark.parametrize("name", ["two_speakers.flac", "three_speakers.flac", "two_speakers_8khz.flac"])
def test_json_labels_words_and_segments(
    speaker_client: TestClient,
    shared_decode: SharedDecodes,
    diarization_references: dict[str, Any],
    name: str,
) -> None:
    body = shared_decode(speaker_client, fixture(name), "diarize=true;word_timestamps=true")["json"]
    expected = diarization_references[name]["speakers"]
    assert [s["speaker"] for s in body["speakers"]] == [f"S{n}" for n in range(1, expected + 1)]
    assert sum(s["talk_time"] for s in body["speakers"]) == pytest.approx(
        sum(t["end"] - t["start"] for t in diarization_references[name]["turns"]), rel=0.1
    )
    assert body["segments"][0]["speaker"] == "S1"
    assert [s["id"] for s in body["segments"]] == list(range(len(body["segments"])))
    for segment in body["segments"]:  # a segment is one speaker's consecutive words
        assert {w["speaker"] for w in segment["words"]} == {segment["speaker"]}
    assert word_accuracy(body, diarization_references, name) >= 0.95


def test_words_only_when_asked(speaker_client: TestClient, shared_decode: SharedDecodes) -> None:
    body = shared_decode(speaker_client, fixture("two_speakers.flac"), "diarize=true")["json"]
    assert all("words" not in segment for segment in body["segments"])
    assert {s["speaker"] for s in body["segments"]} == {"S1", "S2"}


@pytest.mark.parametrize(
    ("accept", "check"),
    [
        ("text/plain", lambda text: text.splitlines()[:2] and text.startswith("S1: ") and "\nS2: " in text),
        ("text/vtt", lambda text: text.startswith("WEBVTT\n") and "\n<v S1>" in text and "\n<v S2>" in text),
        (
            "application/x-subrip",
            lambda text: text.startswith("1\n") and "\nS1: " in text and "\nS2: " in text,
        ),
    ],
)
def test_text_formats(speaker_client: TestClient, accept: str, check: Callable[[str], bool]) -> None:
    response = post(speaker_client, fixture("two_speakers.flac"), "speakers=2", accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert check(response.text), response.text


def test_plain_text_alternates_turns(speaker_client: TestClient) -> None:
    text = post(speaker_client, fixture("two_speakers.flac"), "diarize=true", "text/plain").text
    labels = [line.split(":")[0] for line in text.splitlines()]
    assert labels == ["S1", "S2", "S1", "S2", "S1", "S2"]


@pytest.mark.parametrize(
    ("body", "options"),
    [
        (wav_bytes(np.zeros(16000 * 3)), "diarize=true"),  # silence
        (wav_bytes(np.zeros(160)), "diarize=true"),  # 10 ms
        (fixture("one_speaker.flac"), "speakers=4"),  # more speakers asked than present
    ],
    ids=["silence", "very-short", "speakers-above-voices"],
)
def test_edge_audio_answers_in_shape(
    speaker_client: TestClient, shared_decode: SharedDecodes, body: bytes, options: str
) -> None:
    # Every format from one decode (a format that cannot be rendered fails it).
    renderings = shared_decode(speaker_client, body, options)
    assert sorted(renderings) == ["json", "srt", "txt", "vtt"]
    result = renderings["json"]
    assert isinstance(result["speakers"], list)
    assert all(segment["speaker"].startswith("S") for segment in result["segments"])


@pytest.mark.parametrize(
    ("options", "found", "met"),
    [
        ("diarize=true", 2, True),
        ("speakers=2", 2, True),
        ("speakers=1", 1, True),
        ("speakers=20", 2, False),  # sherpa-onnx's clustering answered 1 speaker here
        ("min_speakers=32", 2, False),
        ("min_speakers=5;max_speakers=8", 2, False),
        ("max_speakers=1", 1, True),
    ],
)
def test_speaker_count_says_what_was_found_against_what_was_asked(
    speaker_client: TestClient, shared_decode: SharedDecodes, options: str, found: int, met: bool
) -> None:
    body = shared_decode(speaker_client, fixture("two_speakers.flac"), options)["json"]
    asked = None if options == "diarize=true" else options
    assert body["speaker_count"] == {"found": found, "requested": asked, "met": met}
    assert len(body["speakers"]) == found


def test_one_speaker(speaker_client: TestClient) -> None:
    body = post(speaker_client, fixture("one_speaker.flac"), "diarize=true").json()
    assert [s["speaker"] for s in body["speakers"]] == ["S1"]
    assert {s["speaker"] for s in body["segments"]} == {"S1"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("speakers=0", "option 'speakers': must be 1-32, got 0"),
        ("speakers=33", "option 'speakers': must be 1-32, got 33"),
        ("speakers=two", "option 'speakers': expected an integer 1-32, got 'two'"),
        ("diarize=maybe", "option 'diarize': expected true or false, got 'maybe'"),
        ("diarize=false;speakers=2", "option 'speakers': needs diarize=true"),
        ("speakers=2;max_speakers=3", "option 'speakers': give either speakers or min_speakers/max_speakers"),
        ("min_speakers=3;max_speakers=2", "option 'min_speakers': must not exceed max_speakers (3 > 2)"),
        ("speakers=2;min_speakers=1", "option 'speakers': give either speakers or min_speakers/max_speakers"),
        ("min_speakers=33", "option 'min_speakers': must be 1-32, got 33"),
        ("max_speakers=40", "option 'max_speakers': must be 1-32, got 40"),
    ],
)
def test_bad_values_get_400(speaker_client: TestClient, options: str, message: str) -> None:
    response = post(speaker_client, fixture("one_speaker.flac"), options)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_option"
    assert response.json()["message"].startswith(message)


def test_no_models_gets_400(client: TestClient) -> None:
    for options in ("diarize=true", "speakers=2", "min_speakers=2", "max_speakers=3"):
        response = post(client, fixture("one_speaker.flac"), options)
        assert response.status_code == 400
        assert response.json()["error"] == "diarization_unavailable"
        assert "package-model --diarization" in response.json()["message"]


def test_without_diarize_output_is_unchanged(
    client: TestClient, speaker_client: TestClient, shared_decode: SharedDecodes
) -> None:
    """An app with the diarization models answers a request without `diarize` as one without them, in
    every format (all from one decode)."""
    for options in ("word_timestamps=true", "diarize=false", None):
        plain = shared_decode(client, fixture("two_speakers.flac"), options)
        with_models = shared_decode(speaker_client, fixture("two_speakers.flac"), options)
        plain["json"].pop("processing_seconds"), with_models["json"].pop("processing_seconds")
        assert plain == with_models, options
        assert "speakers" not in with_models["json"]


def test_server_default_diarize(model_dir: str, transcriber: Any, diarizer: Any) -> None:
    settings = Settings(model_dir=model_dir, device="cpu", compute_type="int8", diarize=True)
    with TestClient(create_app(settings, transcriber=transcriber, diarizer=diarizer)) as client:
        assert "speakers" in post(client, fixture("one_speaker.flac")).json()
        assert "speakers" not in post(client, fixture("one_speaker.flac"), "diarize=false").json()


def test_server_default_diarize_needs_models(model_dir: str, transcriber: Any, tmp_path: Any) -> None:
    settings = Settings(
        model_dir=model_dir, device="cpu", compute_type="int8", diarize=True, diarization_dir=str(tmp_path)
    )
    with (
        pytest.raises(FileNotFoundError, match="WHISPER_DIARIZE=true"),
        TestClient(create_app(settings, transcriber=transcriber)),
    ):
        pass


def test_concurrent_mix(speaker_client: TestClient) -> None:
    """Requests with and without speaker labels, in every format, at once: each gets its own answer."""
    requests = [
        ("two_speakers.flac", "diarize=true", "application/json"),
        ("three_speakers.flac", None, "text/plain"),
        ("one_speaker.flac", "speakers=2", "text/vtt"),
        ("two_speakers_8khz.flac", "diarize=true", "application/x-subrip"),
        ("same_sex.flac", None, "application/json"),
        ("one_speaker.flac", "speakers=0", "application/json"),
    ]

    def send(request: tuple[str, str | None, str]) -> Any:
        name, options, accept = request
        return post(speaker_client, fixture(name), options, accept)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        responses = list(pool.map(send, requests))

    statuses = [r.status_code for r in responses]
    assert statuses == [200, 200, 200, 200, 200, 400]
    assert len(responses[0].json()["speakers"]) == 2
    assert not responses[1].text.startswith("S1:")
    assert responses[2].text.startswith("WEBVTT") and "<v S1>" in responses[2].text
    assert "\nS1: " in responses[3].text
    assert "speakers" not in responses[4].json()
    assert speaker_client.get("/ping").status_code == 200
