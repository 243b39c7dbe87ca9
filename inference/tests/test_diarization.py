"""Speaker diarization with the committed ONNX models: accuracy on the multi-speaker fixtures, and the cases
that must not break it (silence, one speaker, very short audio, telephone audio, too many speakers asked).

The fixtures are flite voices taking turns (fixtures/diarization/make_fixtures.py); their reference turns
are exact. Thresholds leave a margin over what the defaults measure (docs/speakers.md).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import DIARIZATION_DIR
from der import score

from whisper_server.audio import SAMPLE_RATE, decode
from whisper_server.diarizer import Diarizer, load_diarizer
from whisper_server.settings import Settings
from whisper_server.speaker_labels import speaker_of
from whisper_server.turn_pauses import MAX_PAUSE_SECONDS

# Fixture -> the largest DER and the smallest share of speech given to the right speaker that pass.
ACCURACY = {
    "two_speakers.flac": (0.05, 0.98),
    "three_speakers.flac": (0.08, 0.95),  # rms and awb are both male
    "same_sex.flac": (0.08, 0.97),  # rms and awb only
    "two_speakers_8khz.flac": (0.05, 0.98),  # telephone bandwidth, resampled to 16 kHz by the server
    "one_speaker.flac": (0.02, 0.99),
}


def audio_of(name: str) -> np.ndarray:
    return decode((DIARIZATION_DIR / name).read_bytes(), max_seconds=3600)


def reference_turns(references: dict[str, Any], name: str) -> list[tuple[float, float, str]]:
    return [(t["start"], t["end"], t["speaker"]) for t in references[name]["turns"]]


@pytest.mark.parametrize("name", sorted(ACCURACY))
def test_accuracy_on_fixtures(name: str, diarizer: Diarizer, diarization_references: dict[str, Any]) -> None:
    turns = diarizer.diarize(audio_of(name))
    result = score(
        reference_turns(diarization_references, name), [(t.start, t.end, t.speaker) for t in turns]
    )
    max_der, min_correct = ACCURACY[name]
    assert result.speakers_found == diarization_references[name]["speakers"], result
    assert result.der <= max_der, result
    assert result.correct_share >= min_correct, result


@pytest.mark.parametrize(
    ("audio", "expected_turns"),
    [
        (np.zeros(5 * SAMPLE_RATE, np.float32), 0),  # digital silence
        (np.zeros(1, np.float32), 0),  # a single sample
        ((np.random.default_rng(0).standard_normal(3 * SAMPLE_RATE) * 0.1).astype(np.float32), 0),  # hiss
    ],
    ids=["silence", "one-sample", "noise"],
)
def test_no_speech_gives_no_turns(diarizer: Diarizer, audio: np.ndarray, expected_turns: int) -> None:
    assert len(diarizer.diarize(audio)) == expected_turns


def test_very_short_speech_is_one_speaker_inside_the_audio(diarizer: Diarizer) -> None:
    clip = audio_of("two_speakers.flac")[SAMPLE_RATE // 2 : SAMPLE_RATE]  # 0.5 s of one voice
    turns = diarizer.diarize(clip)
    assert len({t.speaker for t in turns}) == 1
    assert all(0 <= t.start < t.end <= clip.size / SAMPLE_RATE for t in turns)


@pytest.mark.parametrize(
    "asked",
    [
        {"speakers": 3},
        {"speakers": 16},
        {"speakers": 32},
        {"min_speakers": 32},
        {"min_speakers": 5, "max_speakers": 8},
    ],
    ids=lambda asked: ";".join(f"{k}={v}" for k, v in asked.items()),
)
def test_more_speakers_asked_than_voices_gives_the_voices(diarizer: Diarizer, asked: dict[str, int]) -> None:
    """Never fewer speakers than the default finds (sherpa-onnx's clustering gave 1 to speakers=20 here),
    nor one voice cut into many to reach the count."""
    assert len({t.speaker for t in diarizer.diarize(audio_of("two_speakers.flac"), **asked)}) == 2
    assert len({t.speaker for t in diarizer.diarize(audio_of("one_speaker.flac"), **asked)}) == 1


def test_the_count_fixes_what_clustering_alone_gets_wrong(
    diarizer: Diarizer, diarization_references: dict[str, Any]
) -> None:
    """Two close espeak-ng voices and flite's slt: the threshold merges the two, speakers=3 (or min 3)
    gives three. (Which of the pair's turns the third speaker gets is not reliable with voices this
    close: the share of speech to the right voice does not drop, but it does not rise either.)"""
    diarizer = Diarizer(diarizer.config)  # in this process, to cluster one analysis several ways
    analysis = diarizer.analyse(audio_of("close_voices.flac"))
    reference = reference_turns(diarization_references, "close_voices.flac")
    alone = score(reference, [(t.start, t.end, t.speaker) for t in diarizer.turns(analysis)])
    assert alone.speakers_found == 2
    for asked in ({"speakers": 3}, {"min_speakers": 3}, {"min_speakers": 3, "max_speakers": 6}):
        result = score(reference, [(t.start, t.end, t.speaker) for t in diarizer.turns(analysis, **asked)])
        assert result.speakers_found == 3, asked
        assert result.correct_share >= alone.correct_share - 0.01, (result, alone)


def test_exact_count_and_bounds(diarizer: Diarizer) -> None:
    two = audio_of("two_speakers.flac")
    assert len({t.speaker for t in diarizer.diarize(two, speakers=1)}) == 1
    assert len({t.speaker for t in diarizer.diarize(two, min_speakers=1, max_speakers=4)}) == 2
    three = audio_of("three_speakers.flac")
    assert len({t.speaker for t in diarizer.diarize(three, max_speakers=2)}) == 2
    assert len({t.speaker for t in diarizer.diarize(three, speakers=2)}) == 2
    assert len({t.speaker for t in diarizer.diarize(three, min_speakers=3)}) == 3


def test_models_missing(tmp_path: Path) -> None:
    settings = Settings(model_dir=str(tmp_path), device="cpu")
    assert load_diarizer(settings) is None  # requests asking for speakers then get 400
    with pytest.raises(FileNotFoundError, match="WHISPER_DIARIZE=true"):
        load_diarizer(Settings(model_dir=str(tmp_path), device="cpu", diarize=True))


def test_models_found_inside_the_model_dir(tmp_path: Path) -> None:
    (tmp_path / "diarization").mkdir()
    for name in ("segmentation.onnx", "embedding.onnx"):
        (tmp_path / "diarization" / name).symlink_to(DIARIZATION_DIR / "models" / name)
    assert load_diarizer(Settings(model_dir=str(tmp_path), device="cpu")) is not None


def test_interjection_over_a_long_turn_goes_to_the_interjecting_speaker(diarizer: Diarizer) -> None:
    """The call fixture mixed to mono: the caller's "Okay." (9.9-10.4 s) is said over the agent's 4.8 s
    turn. Its words, timed as the reference times them, go to the caller; before, the overlapped piece's
    voiceprint (both voices mixed) made it the agent's turn, and "most overlap" gave its word to the agent."""
    import json

    channels = DIARIZATION_DIR.parent / "channels"
    references = json.loads((channels / "references.json").read_text())["call_stereo_8khz.flac"]["turns"]
    audio = decode((channels / "call_stereo_8khz.flac").read_bytes(), max_seconds=3600)  # mono mix
    turns = diarizer.diarize(audio)
    words = []
    for turn in references:  # each reference turn's words spread evenly over its time
        texts = turn["text"].split()
        step = (turn["end"] - turn["start"]) / len(texts)
        for i, text in enumerate(texts):
            start = turn["start"] + i * step
            words.append((start, start + step, text, turn["channel"]))
    (okay,) = [w for w in words if w[2] == "Okay."]
    agent = {
        speaker_of(s, e, turns) for s, e, _, channel in words if channel == 1 and (e < okay[0] or s > okay[1])
    }
    caller = {speaker_of(s, e, turns) for s, e, text, channel in words if channel == 2 and text != "Okay."}
    assert len(agent) == len(caller) == 1 and agent != caller, turns  # the rest of the call as before
    assert speaker_of(okay[0], okay[1], turns) in caller, turns


@pytest.mark.parametrize("name", ["two_speakers.flac", "three_speakers.flac", "one_speaker.flac"])
@pytest.mark.parametrize("pause", [0.0, 0.6])
def test_a_speaker_who_pauses_briefly_keeps_the_turn(name: str, pause: float, diarizer: Diarizer) -> None:
    """No two turns of one speaker are 0.8 s or less apart with nobody else's turn between them: a breath
    between two sentences does not end a turn (turn_pauses.py). With `pause` seconds of silence put into
    the speech every 3 s, each fixture gave a speaker two turns around such a pause before."""
    audio = audio_of(name)
    if pause:
        silence = np.zeros(round(pause * SAMPLE_RATE), np.float32)
        cuts = range(3 * SAMPLE_RATE, audio.size - SAMPLE_RATE, 3 * SAMPLE_RATE)
        audio = np.concatenate(
            [part for piece in np.split(audio, list(cuts)) for part in (piece, silence)][:-1]
        )
    turns = diarizer.diarize(audio)
    for earlier, later in itertools.combinations(turns, 2):
        if earlier.speaker != later.speaker or not 0 < later.start - earlier.end <= MAX_PAUSE_SECONDS:
            continue
        between = [
            t for t in turns if t.speaker != earlier.speaker and t.start < later.start and t.end > earlier.end
        ]
        assert between, (earlier, later)
    if name == "one_speaker.flac":
        assert len(turns) == 1, turns
