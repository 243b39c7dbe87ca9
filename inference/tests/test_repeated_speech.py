"""Never say speech twice: a sentence a short window made the model say twice is decoded again."""

from __future__ import annotations

import corpus
import numpy as np
import pytest
from conftest import cpu_settings
from wer import word_error_rate

from whisper_server import chunked
from whisper_server.options import TranscribeOptions
from whisper_server.repeated_speech import is_a_loop, repeats_a_sentence, repeats_itself
from whisper_server.transcriber import Transcriber

# Three prompts of the benchmark's human voice, joined as the benchmark joins them (0.5 s apart): about
# 10 s of speech that fills a 10 s window, where tiny.en says the last sentence twice.
PROMPTS = ("confbridge-removed", "conf-getchannel", "confbridge-only-one")
LAST_SENTENCE = "one other participant"


def test_a_sentence_said_twice_in_a_row_is_spotted() -> None:
    said_twice = "Press star to cancel this message. Press star to cancel this message."
    assert repeats_a_sentence(said_twice)
    assert repeats_a_sentence(
        "Hello there. Press STAR, to cancel this message! press star to cancel this message"
    )
    assert not repeats_a_sentence("Press star to cancel this message. Press star to cancel the message.")
    assert not repeats_a_sentence("Thank you. Thank you.")  # short sentences are said twice for real
    assert not repeats_a_sentence("Press star to cancel. Please wait. Press star to cancel.")  # not in a row
    assert not repeats_a_sentence("")


def test_a_clause_said_twice_or_a_loop_is_spotted() -> None:
    # What Whisper base said at the end of 14.9 s chunks in 15 s windows (bench_languages.py's voices).
    clause_twice = "Bis dahin den Drucker in der Küche. Als nächstes sprechen wir, als nächstes sprechen wir,"
    assert repeats_itself(clause_twice) and not repeats_a_sentence(clause_twice)
    loop = "Την Πέμπτη θα έρθει ένας τεχνικός να τον φτιάξει. " + "Μέχρι τότε. " * 30  # noqa: RUF001
    assert is_a_loop(loop) and repeats_itself(loop) and not repeats_a_sentence(loop)
    assert repeats_itself("Press star to cancel this message. Press star to cancel this message.")
    assert repeats_itself("今日の会議は、来月から始めます、来月から始めます、")
    assert not repeats_itself("Yes, yes, I know.")  # short clauses are said twice for real
    assert not repeats_itself("Als nächstes sprechen wir, dann sprechen wir über das Budget.")
    assert not repeats_itself("")


@pytest.fixture(scope="module")
def filled_window(transcripts: dict[str, str]) -> tuple[np.ndarray, str]:
    _, audio, reference = corpus.prompt_clip(list(PROMPTS), transcripts)
    return audio, reference


def test_a_10_s_window_says_the_last_sentence_twice_without_the_check_and_once_with_it(
    model_dir: str, filled_window: tuple[np.ndarray, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    audio, reference = filled_window
    transcriber = Transcriber(cpu_settings(model_dir, min_window_seconds=10))
    with monkeypatch.context() as unchecked:
        unchecked.setattr(chunked, "repeats_itself", lambda _: False)
        repeated = transcriber.transcribe(audio, TranscribeOptions()).text
    assert repeated.count(LAST_SENTENCE) == 2, f"the clip no longer shows the problem: {repeated}"

    checked = transcriber.transcribe(audio, TranscribeOptions()).text
    assert transcriber.chunked.widened_chunks == 1
    assert checked.count(LAST_SENTENCE) == 1, checked
    assert word_error_rate(reference, checked) <= 0.05, checked


def test_the_default_15_s_floor_says_it_once_without_a_second_decode(
    transcriber: Transcriber, filled_window: tuple[np.ndarray, str]
) -> None:
    audio, reference = filled_window
    widened = transcriber.chunked.widened_chunks
    text = transcriber.transcribe(audio, TranscribeOptions()).text
    assert text.count(LAST_SENTENCE) == 1, text
    assert word_error_rate(reference, text) <= 0.05, text
    assert transcriber.chunked.widened_chunks == widened
