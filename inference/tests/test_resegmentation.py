"""Each piece back to the speaker it sounds most like (resegmentation.py), on made-up voiceprints."""

from __future__ import annotations

import numpy as np
import pytest

from whisper_server import diarizer, resegmentation
from whisper_server.clustering import ClusteringConfig
from whisper_server.pooled_voices import PooledAudio
from whisper_server.resegmentation import resegment
from whisper_server.speaker_labels import SpeakerTurn
from whisper_server.voiceprints import Pieces

AXES = np.eye(6)
A, B = AXES[0], AXES[5]


def toward(voice: np.ndarray, aside: int) -> np.ndarray:
    """A voiceprint of `voice` said in another tone: pulled toward an axis of its own."""
    drifted = voice + 0.8 * AXES[aside]
    return drifted / np.linalg.norm(drifted)


def pieces_of(prints: list[np.ndarray], seconds: float = 2.0) -> Pieces:
    """One piece of `seconds` per voiceprint, one after another."""
    turns = [SpeakerTurn(n * seconds, (n + 1) * seconds, n) for n in range(len(prints))]
    return Pieces(turns, list(range(len(prints))), np.stack(prints).astype(np.float32))


def test_a_split_off_speaker_whose_pieces_sound_like_another_goes_back_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A's five plain lines, three of A's lines each in a tone of its own (found as a speaker of their
    # own), and B's three lines.
    prints = [A] * 5 + [toward(A, axis) for axis in (1, 2, 3)] + [B] * 3
    found = {i: 0 if i < 5 else 1 if i < 8 else 2 for i in range(11)}
    moved = resegment(pieces_of(prints), found, min_speech=3.0)
    assert moved == {i: 0 if i < 8 else 1 for i in range(11)}
    # Taken with itself, each tone's piece is nearest its own speaker (0.86 against A's 0.78): the
    # piece has to be left out of its own speaker's model for any of them to move.
    monkeypatch.setattr(resegmentation, "MIN_PIECES_LEFT_OUT", 99)
    assert resegment(pieces_of(prints), found, min_speech=3.0) == found


def test_a_speaker_with_fewer_pieces_than_can_be_left_out_keeps_them() -> None:
    prints = [A] * 5 + [toward(A, axis) for axis in (1, 2)] + [B] * 3
    found = {i: 0 if i < 5 else 1 if i < 7 else 2 for i in range(10)}
    assert resegment(pieces_of(prints), found, min_speech=3.0) == found


def test_a_speaker_left_with_too_little_speech_is_dropped_without_a_count() -> None:
    prints = [A] * 5 + [toward(A, 1), toward(A, 2)] + [B] * 3
    found = {i: 0 if i < 5 else 1 if i < 7 else 2 for i in range(10)}
    short = pieces_of(prints, seconds=1.0)  # the two tones' speaker has 2 s, under 3 s
    assert resegment(short, found, min_speech=3.0) == {i: 0 if i < 7 else 1 for i in range(10)}
    assert resegment(short, found) == found  # with a count (no min_speech) none is dropped


def test_a_round_that_would_leave_fewer_speakers_than_asked_is_not_taken() -> None:
    prints = [A] * 5 + [toward(A, axis) for axis in (1, 2, 3)] + [B] * 3
    found = {i: 0 if i < 5 else 1 if i < 8 else 2 for i in range(11)}
    assert resegment(pieces_of(prints), found, min_speakers=3) == found
    assert len(set(resegment(pieces_of(prints), found, min_speakers=2).values())) == 2


def test_speakers_are_numbered_in_order_of_their_first_piece() -> None:
    prints = [B] * 3 + [A] * 3
    assert resegment(pieces_of(prints), {i: 7 if i < 3 else 4 for i in range(6)}) == {
        i: 0 if i < 3 else 1 for i in range(6)
    }


def test_the_diarizer_resegments_with_and_without_a_count(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[float | None, int]] = []

    def spy(
        embedded: Pieces, label_of: dict[int, int], min_speech: float | None = None, min_speakers: int = 1
    ) -> dict[int, int]:
        calls.append((min_speech, min_speakers))
        return label_of

    monkeypatch.setattr(diarizer, "resegment", spy)
    pieces = pieces_of([A] * 3 + [B] * 3)
    audio = PooledAudio(np.zeros(16000 * 12, dtype=np.float32), lambda samples: A, 16000)
    config = ClusteringConfig(0.32, 0.15, 3.0, separation_floor=0.25, min_separation=0.27)
    diarizer.final_turns(pieces, pieces.pieces, config, audio=audio)
    diarizer.final_turns(pieces, pieces.pieces, config, speakers=2, audio=audio)
    # Without a count, small speakers are dropped; with one, no round may leave fewer than asked.
    assert calls == [(3.0, 1), (None, 2)]
