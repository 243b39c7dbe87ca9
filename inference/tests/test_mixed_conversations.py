"""Scoring of the mixed-language conversations (inference/bench/mixed_conversations.py) on made-up words."""

from __future__ import annotations

import numpy as np
from mixed_conversations import Conversation, TimedWord, Turn, score, turn_of

TURNS = (
    Turn("en", 0.0, 2.0, "hello everyone"),
    Turn("fr", 3.0, 5.0, "bonjour à tous"),
)
CONVERSATION = Conversation("en-fr", np.zeros(16000 * 5, np.float32), TURNS)


def test_a_word_goes_to_the_turn_its_middle_is_in_else_the_nearest() -> None:
    assert turn_of(TURNS, TimedWord(1.5, 2.4, "x", "en")) == 0  # middle 1.95
    assert turn_of(TURNS, TimedWord(2.3, 2.9, "x", "en")) == 1  # middle 2.6, in the pause, nearer turn 1
    assert turn_of(TURNS, TimedWord(6.0, 6.5, "x", "en")) == 1


def test_each_turn_is_scored_in_its_own_language_and_words_count_their_segment_s_language() -> None:
    words = [
        TimedWord(0.1, 0.5, "Hello", "en"),
        TimedWord(0.6, 1.0, "everyone.", "en"),
        TimedWord(3.1, 3.5, "Bonjour", "en"),  # heard in an English segment
        TimedWord(3.6, 4.0, "a", "fr"),  # the accent folded on both sides: right
    ]
    result = score(CONVERSATION, words)
    assert (result.errors, result.words) == (1, 5)  # "tous" was not heard
    assert (result.other_errors, result.other_words) == (1, 3)
    assert (result.right_language, result.heard_words) == (3, 4)
