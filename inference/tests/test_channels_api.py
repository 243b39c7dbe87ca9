"""`channels=separate` through the HTTP app, on a stereo support call with known turns
(fixtures/channels/call_stereo_8khz.flac: agent on channel 1, caller on channel 2, each bleeding into the
other's channel at -20 dB, one interjection said while the other side talks)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import AUDIO_DIR
from fastapi.testclient import TestClient
from test_channels import multichannel_wav

from whisper_server.audio import decode

OPTIONS = "X-Amzn-SageMaker-Custom-Attributes"
CHANNELS_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "channels"
CALL = "call_stereo_8khz.flac"


@pytest.fixture(scope="module")
def call_turns() -> list[dict[str, Any]]:
    return json.loads((CHANNELS_DIR / "references.json").read_text())[CALL]["turns"]


@pytest.fixture(scope="module")
def call_json(client: TestClient) -> dict[str, Any]:
    response = post(client, (CHANNELS_DIR / CALL).read_bytes(), "channels=separate;word_timestamps=true")
    assert response.status_code == 200, response.text
    return response.json()


def post(client: TestClient, body: bytes, options: str, accept: str = "application/json") -> Any:
    return client.post("/invocations", content=body, headers={"Accept": accept, OPTIONS: options})


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def test_each_word_is_labelled_with_its_channels_speaker(
    call_json: dict[str, Any], call_turns: list[dict[str, Any]]
) -> None:
    words = [w for segment in call_json["segments"] for w in segment["words"]]
    assert words
    for word in words:  # said inside one of its channel's turns (0.3 s of slack for word timings)
        channel = int(word["speaker"][1:])
        middle = (word["start"] + word["end"]) / 2
        assert any(
            t["channel"] == channel and t["start"] - 0.3 <= middle <= t["end"] + 0.3 for t in call_turns
        ), word
    for segment in call_json["segments"]:
        assert {w["speaker"] for w in segment["words"]} == {segment["speaker"]}
    assert [s["id"] for s in call_json["segments"]] == list(range(len(call_json["segments"])))


def test_crosstalk_is_not_transcribed_twice(
    call_json: dict[str, Any], call_turns: list[dict[str, Any]]
) -> None:
    said = [w for turn in call_turns for w in words_of(turn["text"])]
    heard = words_of(call_json["text"])
    # Bleed transcribed on the other channel would double the words; tiny.en may mishear a few.
    assert len(said) - 3 <= len(heard) <= len(said) + 3
    for turn in call_turns:  # and every turn is there, on its own speaker
        own = words_of(
            " ".join(s["text"] for s in call_json["segments"] if s["speaker"] == f"S{turn['channel']}")
        )
        found = [w for w in words_of(turn["text"]) if w in own]
        assert len(found) >= 0.8 * len(words_of(turn["text"])), (turn["text"], own)


def test_speakers_are_the_channels_with_their_talk_time(
    call_json: dict[str, Any], call_turns: list[dict[str, Any]]
) -> None:
    assert call_json["speaker_count"] == {"found": 2, "requested": "channels=separate", "met": True}
    for speaker in call_json["speakers"]:
        channel = int(speaker["speaker"][1:])
        talk = sum(t["end"] - t["start"] for t in call_turns if t["channel"] == channel)
        assert speaker["talk_time"] == pytest.approx(talk, abs=0.5)
        assert speaker["untranscribed_time"] == 0.0  # every turn of the call has its words
    turns = call_json["speaker_turns"]
    assert [t["speaker"] for t in turns] == [
        f"S{t['channel']}" for t in sorted(call_turns, key=lambda t: t["start"])
    ]
    assert all(t["transcribed"] for t in turns)


def test_text_has_a_line_per_turn_in_the_order_said(
    client: TestClient, call_turns: list[dict[str, Any]]
) -> None:
    response = post(client, (CHANNELS_DIR / CALL).read_bytes(), "channels=separate", accept="text/plain")
    assert response.status_code == 200, response.text
    speakers = [line.split(":")[0] for line in response.text.splitlines()]
    # The agent's third turn is cut by the caller's "Okay." said inside it.
    in_order = sorted(call_turns, key=lambda t: t["start"])
    expected = ["S1", "S2", "S1", "S2", "S1", "S2", "S1"]
    assert [f"S{t['channel']}" for t in in_order] == ["S1", "S2", "S1", "S2", "S2", "S1"]
    assert speakers == expected


def test_subtitles_prefix_each_cue_with_its_speaker(client: TestClient) -> None:
    response = post(
        client, (CHANNELS_DIR / CALL).read_bytes(), "channels=separate", accept="application/x-subrip"
    )
    assert response.status_code == 200, response.text
    cues = response.text.strip().split("\n\n")
    assert len(cues) >= 6
    assert all(re.match(r"S[12]: ", cue.splitlines()[2]) for cue in cues)


def test_mono_audio_is_a_clear_400(client: TestClient) -> None:
    response = post(client, (AUDIO_DIR / "speech.flac").read_bytes(), "channels=separate")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_option"
    assert response.json()["message"].startswith(
        "option 'channels': separate needs a recording with one speaker"
    )


def test_one_recording_copied_to_both_channels_is_a_clear_400(client: TestClient) -> None:
    speech = decode((AUDIO_DIR / "speech.flac").read_bytes(), 60)
    response = post(client, multichannel_wav(np.stack([speech, speech])), "channels=separate")
    assert response.status_code == 400
    assert "carry the same speech" in response.json()["message"]


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ("channels=separate;diarize=true", "diarize"),
        ("channels=separate;speakers=2", "speakers"),
        ("channels=separate;max_speakers=3", "max_speakers"),
        ("channels=both", "channels"),
    ],
)
def test_options_that_do_not_go_with_separate_channels(client: TestClient, options: str, named: str) -> None:
    response = post(client, b"not read", options)
    assert response.status_code == 400
    assert response.json()["message"].startswith(f"option '{named}'")
