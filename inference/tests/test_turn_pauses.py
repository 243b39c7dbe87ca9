"""Closing short pauses inside one speaker's speech (turn_pauses.py)."""

from __future__ import annotations

from whisper_server.speaker_labels import SpeakerTurn
from whisper_server.turn_pauses import MAX_PAUSE_SECONDS, close_pauses


def spans(turns: list[SpeakerTurn]) -> list[tuple[float, float, int]]:
    return [(t.start, t.end, t.speaker) for t in turns]


def test_a_short_pause_of_one_speaker_is_closed() -> None:
    turns = [SpeakerTurn(0.0, 2.0, 0), SpeakerTurn(2.5, 4.0, 0), SpeakerTurn(4.8, 6.0, 1)]
    assert spans(close_pauses(turns)) == [(0.0, 4.0, 0), (4.8, 6.0, 1)]


def test_a_pause_longer_than_the_limit_stays() -> None:
    turns = [SpeakerTurn(0.0, 2.0, 0), SpeakerTurn(2.0 + MAX_PAUSE_SECONDS + 0.05, 4.0, 0)]
    assert spans(close_pauses(turns)) == spans(turns)
    assert spans(close_pauses(turns, max_pause=1.0)) == [(0.0, 4.0, 0)]


def test_a_pause_where_someone_else_speaks_stays() -> None:
    """The floor changed hands in the pause (an answer, or the end of someone's overlapping speech)."""
    answered = [SpeakerTurn(0.0, 2.0, 0), SpeakerTurn(2.1, 2.4, 1), SpeakerTurn(2.5, 4.0, 0)]
    assert spans(close_pauses(answered)) == spans(answered)
    overlapped = [SpeakerTurn(0.0, 2.0, 0), SpeakerTurn(1.5, 2.3, 1), SpeakerTurn(2.5, 4.0, 0)]
    assert spans(close_pauses(overlapped)) == spans(overlapped)
    inside = [SpeakerTurn(0.0, 10.0, 1), SpeakerTurn(3.0, 3.5, 0), SpeakerTurn(4.0, 4.5, 0)]
    assert spans(close_pauses(inside)) == spans(inside)


def test_overlapping_turns_of_one_speaker_become_one() -> None:
    turns = [SpeakerTurn(0.0, 2.0, 0), SpeakerTurn(1.0, 3.0, 0), SpeakerTurn(1.5, 2.5, 1)]
    assert spans(close_pauses(turns)) == [(0.0, 3.0, 0), (1.5, 2.5, 1)]


def test_each_speaker_is_closed_on_their_own() -> None:
    turns = [
        SpeakerTurn(0.0, 1.0, 0),
        SpeakerTurn(1.2, 2.0, 1),
        SpeakerTurn(2.1, 3.0, 1),
        SpeakerTurn(3.2, 4.0, 0),
    ]
    assert spans(close_pauses(turns)) == [(0.0, 1.0, 0), (1.2, 3.0, 1), (3.2, 4.0, 0)]
    assert close_pauses([]) == []
