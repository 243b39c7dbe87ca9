"""Conversations that switch language, made of recorded people: the Asterisk prompts (recorded_speech.py).

Each conversation is English with one other language (es, fr, it or ru): four turns, English first, the
languages taking turns, each turn TURN_PROMPTS prompts of its language said in a row (recorded_speech's
0.5 s apart). English and Spanish are one voice talent (Allison Smith), French, Italian and Russian three
other people, so a switch of language is mostly a switch of voice too, as in a real conversation. The
prompts come from recorded_speech's sets (`dev`: where settings may be chosen; `test`: held out), so a
conversation never holds a prompt of the other set. Turns are `pause` seconds apart: 1 s (people taking
turns: the server may merge two turns into one chunk) or 4 s (over the server's 3 s MAX_GAP_IN_CHUNK: each
turn its own chunk). The audio is built when a bench runs, from recorded_speech's cache.

Scoring: each timed word of a transcript goes to the turn its middle falls in (else the nearest turn), and
is scored against that turn's text in that turn's language (recorded_speech.fold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import recorded_speech
from wer import normalize, word_error_rate

from whisper_server.audio import SAMPLE_RATE

MAIN_LANGUAGE = "en"
OTHER_LANGUAGES = ("es", "fr", "it", "ru")
TURNS = 4
"""Turns of a conversation: English, the other language, English, the other language."""
TURN_PROMPTS = 2
"""Prompts said in a row in one turn."""
PAUSES = (1.0, 4.0)
"""Seconds between two turns: people taking turns, and a pause the server always cuts a chunk at."""


@dataclass(frozen=True)
class Turn:
    language: str
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Conversation:
    name: str
    audio: np.ndarray
    turns: tuple[Turn, ...]

    @property
    def seconds(self) -> float:
        return self.audio.shape[0] / SAMPLE_RATE


@dataclass(frozen=True)
class TimedWord:
    start: float
    end: float
    text: str
    language: str
    """The language of the segment the word came in (the request's language without mixed_languages)."""


def missing_packages() -> list[str]:
    """The Debian packages the conversations need that are not installed."""
    return sorted(
        {
            package
            for language in (MAIN_LANGUAGE, *OTHER_LANGUAGES)
            for package in recorded_speech.missing_packages(language)
        }
    )


def conversations(which: str, pause: float) -> list[Conversation]:
    """One conversation per other language, from set `which` (dev or test), turns `pause` seconds apart."""
    if which not in recorded_speech.SETS:
        raise ValueError(f"set must be one of {recorded_speech.SETS}, got {which!r}")
    offset = recorded_speech.SETS.index(which)
    english = iter(recorded_speech.prompts(MAIN_LANGUAGE)[offset::2])
    made = []
    for other in OTHER_LANGUAGES:
        prompts = {MAIN_LANGUAGE: english, other: iter(recorded_speech.prompts(other)[offset::2])}
        pieces: list[np.ndarray] = []
        turns: list[Turn] = []
        position = 0
        for index in range(TURNS):
            language = (MAIN_LANGUAGE, other)[index % 2]
            chosen = [next(prompts[language]) for _ in range(TURN_PROMPTS)]
            if pieces:
                pieces.append(_silence(pause))
                position += int(pause * SAMPLE_RATE)
            start = position
            for number, (name, _) in enumerate(chosen):
                if number:
                    pieces.append(_silence(recorded_speech.GAP_SECONDS))
                    position += int(recorded_speech.GAP_SECONDS * SAMPLE_RATE)
                audio = recorded_speech.prompt_audio(language, name)
                pieces.append(audio)
                position += audio.shape[0]
            text = " ".join(text for _, text in chosen)
            turns.append(Turn(language, start / SAMPLE_RATE, position / SAMPLE_RATE, text))
        made.append(Conversation(f"en-{other}-{which}-{pause:g}s", np.concatenate(pieces), tuple(turns)))
    return made


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def turn_of(turns: Sequence[Turn], word: TimedWord) -> int:
    """The index of the turn `word`'s middle falls in, else of the nearest turn."""
    middle = (word.start + word.end) / 2
    distances = [max(turn.start - middle, middle - turn.end, 0.0) for turn in turns]
    return int(np.argmin(distances))


@dataclass(frozen=True)
class Score:
    errors: int
    words: int
    other_errors: int
    """Errors in the turns of the other language (not English)."""
    other_words: int
    right_language: int
    """Transcript words that came in a segment of their turn's language."""
    heard_words: int
    """Transcript words in all."""


def score(conversation: Conversation, words: Sequence[TimedWord]) -> Score:
    """Word errors per turn (each in its own language) and how many words came in the right language."""
    heard: list[list[str]] = [[] for _ in conversation.turns]
    right = 0
    for word in words:
        index = turn_of(conversation.turns, word)
        heard[index].append(word.text)
        right += word.language == conversation.turns[index].language
    errors = words_total = other_errors = other_words = 0
    for turn, texts in zip(conversation.turns, heard, strict=True):
        reference = recorded_speech.fold(turn.text, turn.language)
        count = len(normalize(reference))
        wrong = round(
            word_error_rate(reference, recorded_speech.fold(" ".join(texts), turn.language)) * count
        )
        errors, words_total = errors + wrong, words_total + count
        if turn.language != MAIN_LANGUAGE:
            other_errors, other_words = other_errors + wrong, other_words + count
    return Score(errors, words_total, other_errors, other_words, right, len(words))
