"""An asked count reached on voiceprints of pooled speech (pooled_voices.py), with a stand-in voiceprint
model: a piece's own voiceprint can mislead, the voiceprint of a group's speech pooled does not."""

from __future__ import annotations

import numpy as np

from whisper_server.clustering import ClusteringConfig
from whisper_server.diarizer import final_turns
from whisper_server.pooled_voices import (
    MAX_EXCESS,
    POOL_SECONDS,
    SPREAD_FACTOR,
    PooledAudio,
    merge_close_speakers,
    pooled_labels,
)
from whisper_server.speaker_labels import SpeakerTurn
from whisper_server.voiceprints import Pieces

RATE = 16000
A, B = np.eye(4)[0], np.eye(4)[1]
CONFIG = ClusteringConfig(0.32, 0.15, 3.0, separation_floor=0.25, min_separation=0.33)


def voiceprint(samples: np.ndarray) -> np.ndarray:
    """The stand-in model: the audio is 0 where A speaks and 1 where B does; its voiceprint is the mix."""
    share_b = float(samples.mean())
    return (1 - share_b) * A + share_b * B


def conversation() -> tuple[Pieces, list[SpeakerTurn], PooledAudio]:
    """A speaks 0-6 s and 12-18 s, B 6-12 s, in pieces of 2 s; the pieces of A's second stretch have
    voiceprints nearer B's than A's first stretch's (as short pieces of a varied voice can)."""
    misleading = np.array([0.8, 1.0, 0.7, 0.0])
    misleading /= np.linalg.norm(misleading)
    prints, pieces = [], []
    for n, start in enumerate(np.arange(0.0, 18.0, 2.0)):
        pieces.append(SpeakerTurn(float(start), float(start + 2.0), n))
        prints.append(A if start < 6 else B if start < 12 else misleading)
    samples = np.zeros(18 * RATE, dtype=np.float32)
    samples[6 * RATE : 12 * RATE] = 1.0
    embedded = Pieces(pieces, list(range(len(pieces))), np.stack(prints).astype(np.float32))
    return embedded, pieces, PooledAudio(samples, voiceprint, RATE)


def speaker_at(turns: list[SpeakerTurn], second: float) -> int:
    (speaker,) = {t.speaker for t in turns if t.start <= second < t.end}
    return speaker


def test_the_asked_count_is_reached_on_pooled_voiceprints() -> None:
    pieces, rough, audio = conversation()
    turns = final_turns(pieces, rough, CONFIG, speakers=2, audio=audio)
    a_first, b, a_again = (speaker_at(turns, second) for second in (3.0, 9.0, 15.0))
    assert a_again == a_first != b
    # The pieces' own voiceprints give A's second stretch to B (what the pooled voiceprints fix).
    alone = final_turns(pieces, rough, CONFIG, speakers=2)
    assert speaker_at(alone, 15.0) == speaker_at(alone, 9.0) != speaker_at(alone, 3.0)


def test_with_too_few_groups_for_the_count_the_pieces_clustering_stands() -> None:
    pieces, rough, audio = conversation()
    assert pooled_labels(pieces, rough, audio, speakers=4) is None  # three groups only
    assert final_turns(pieces, rough, CONFIG, speakers=4, audio=audio) == final_turns(
        pieces, rough, CONFIG, speakers=4
    )


def two_speakers(distance: float, spread: float) -> tuple[Pieces, list[SpeakerTurn], PooledAudio]:
    """Two speakers of three 2 s pieces each (0-6 s and 6-12 s) whose pooled voiceprints lie `distance`
    apart (cosine), each piece `spread` from its speaker's pooled voiceprint, all to the same side (so
    the pieces of one speaker lie `distance` / (1 + eps^2) further from the other's than from their own)."""
    share_b = np.tan(np.arccos(1.0 - distance))
    share_b /= 1.0 + share_b  # the stand-in model's voiceprint of audio `share_b` lies `distance` from A's
    second = (1.0 - share_b) * A + share_b * B
    second /= np.linalg.norm(second)
    aside = np.sqrt((1.0 / (1.0 - spread)) ** 2 - 1.0) * np.eye(4)[2]
    pieces, prints = [], []
    for n, start in enumerate(range(0, 12, 2)):
        pieces.append(SpeakerTurn(float(start), float(start + 2), n))
        print_ = (A if start < 6 else second) + aside
        prints.append(print_ / np.linalg.norm(print_))
    samples = np.zeros(12 * RATE, dtype=np.float32)
    samples[6 * RATE :] = share_b
    embedded = Pieces(pieces, list(range(6)), np.stack(prints).astype(np.float32))
    return embedded, pieces, PooledAudio(samples, voiceprint, RATE)


SPLIT = {i: 0 if i < 3 else 1 for i in range(6)}


def test_without_a_count_one_persons_two_halves_are_merged() -> None:
    """Pooled voiceprints 1.6 times the spread apart, the pieces 0.07 further from the other half's than
    from their own: one person (the spread alone, at 1.3 times, kept them apart)."""
    pieces, rough, audio = two_speakers(0.08, 0.05)
    assert set(merge_close_speakers(pieces, rough, audio, SPLIT).values()) == {0}
    assert merge_close_speakers(pieces, rough, audio, SPLIT, min_speakers=2) == SPLIT


def test_without_a_count_two_people_whose_pieces_lie_apart_are_kept_apart() -> None:
    """Pooled voiceprints as close as the spread, but each speaker's pieces 0.11 further from the other's
    than from their own (over MAX_EXCESS): two people (the spread alone merged them)."""
    pieces, rough, audio = two_speakers(0.15, 0.15)
    assert merge_close_speakers(pieces, rough, audio, SPLIT) == SPLIT
    assert MAX_EXCESS < 0.105 < 0.15 < SPREAD_FACTOR * 0.15


def test_a_pooled_voiceprint_takes_the_longest_stretches_up_to_the_limit() -> None:
    heard: list[int] = []

    def counting(samples: np.ndarray) -> np.ndarray:
        heard.append(samples.size)
        return A

    audio = PooledAudio(np.zeros(60 * RATE, dtype=np.float32), counting, RATE)
    longest, next_longest = POOL_SECONDS * 0.75, POOL_SECONDS * 0.5
    stretches = [(0.0, 1.0), (2.0, 2.0 + longest), (20.0, 20.0 + next_longest), (50.0, 51.0)]
    assert audio.of(stretches) is not None
    assert heard == [int(POOL_SECONDS * RATE)]  # the longest whole, then part of the next
