"""An asked count reached on voiceprints of pooled speech (pooled_voices.py), with a stand-in voiceprint
model: a piece's own voiceprint can mislead, the voiceprint of a group's speech pooled does not."""

from __future__ import annotations

import numpy as np

from whisper_server.clustering import ClusteringConfig
from whisper_server.diarizer import final_turns
from whisper_server.pooled_voices import POOL_SECONDS, PooledAudio, merge_close_speakers, pooled_labels
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


def test_without_a_count_one_persons_lines_found_as_two_speakers_are_merged() -> None:
    pieces, rough, audio = conversation()
    split = {i: 0 if i < 3 else 1 if i < 6 else 2 for i in range(9)}  # A's two stretches apart
    merged = merge_close_speakers(pieces, rough, audio, split)
    assert merged[0] == merged[8] != merged[4]
    assert len(set(merged.values())) == 2
    assert merge_close_speakers(pieces, rough, audio, split, min_speakers=3) == split


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
