"""Recordings in more than one language (`mixed_languages=true`): each chunk of speech is decoded in the
language detected on it, and each JSON segment says which (Whisper base; tiny.en knows English only).

The fixture, fixtures/audio/mixed/en-fr-en.ogg, is three committed clips joined with 4 s of silence between
them (more than chunked.MAX_GAP_IN_CHUNK, so each turn is a chunk of its own): clips/ss-noservice.ogg
(a recorded English voice), multilingual/fr-1.ogg (French) and clips/pm-invalid-option.ogg (English).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conftest import AUDIO_DIR
from fastapi.testclient import TestClient
from wer import word_error_rate

from whisper_server.options import parse_options

OPTIONS = "X-Amzn-SageMaker-Custom-Attributes"
MIXED = AUDIO_DIR / "mixed" / "en-fr-en.ogg"
FRENCH = (
    "Bonjour à tous. Les ventes du mois dernier ont été meilleures que prévu. La semaine prochaine deux "
    "nouveaux collègues rejoignent l'équipe."
)
ENGLISH = (
    "The number you have dialed is not in service. Please check the number and try again. "
    "That option is invalid. Please try again."
)
# Whisper base per turn; another language's words, or a translation, score near 1.
MAX_WER = 0.35
# French: Whisper base on the French voice scores 0.67 ("Les ventes du mois dernier" heard as "Les morts du
# maudernier"); decoded as English, as without the option, it scores 1.0 ("Bhu-Ju-Atoos. Let's move on to the
# next part of the game, ...").
MAX_FRENCH_WER = 0.75


def _post(client: TestClient, audio: bytes, header: str | None = None) -> dict[str, Any]:
    response = client.post("/invocations", content=audio, headers={OPTIONS: header} if header else {})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_each_turn_is_decoded_in_its_own_language(multilingual_client: TestClient) -> None:
    body = _post(multilingual_client, MIXED.read_bytes(), "mixed_languages=true")
    languages = [segment["language"] for segment in body["segments"]]
    french = " ".join(s["text"] for s in body["segments"] if s["language"] == "fr")
    english = " ".join(s["text"] for s in body["segments"] if s["language"] == "en")
    assert "bonjour" in french.lower() and "équipe" in french.lower(), french
    assert word_error_rate(FRENCH, french) <= MAX_FRENCH_WER, french
    assert word_error_rate(ENGLISH, english) <= MAX_WER, english
    # In time order: English, French, English.
    runs = [language for i, language in enumerate(languages) if i == 0 or languages[i - 1] != language]
    assert runs == ["en", "fr", "en"], languages
    assert body["language"] in ("en", "fr")


def test_off_by_default_one_language_and_no_segment_languages(multilingual_client: TestClient) -> None:
    # `mixed_languages=false` is the very request the default is (one decode of the fixture, not two).
    off = parse_options("mixed_languages=false", ["en", "fr"], multilingual=True)
    assert off == parse_options(None, ["en", "fr"], multilingual=True)
    default = _post(multilingual_client, MIXED.read_bytes())
    assert all("language" not in segment for segment in default["segments"])
    assert len({segment["text"] for segment in default["segments"]}) > 1


def test_an_english_only_model_refuses_it(client: TestClient, audio_bytes: Callable[[str], bytes]) -> None:
    response = client.post(
        "/invocations", content=audio_bytes("speech.ogg"), headers={OPTIONS: "mixed_languages=true"}
    )
    assert response.status_code == 400
    assert "mixed_languages" in response.json()["message"]
    assert "English-only" in response.json()["message"]


def test_not_with_a_language(multilingual_client: TestClient) -> None:
    response = multilingual_client.post(
        "/invocations", content=MIXED.read_bytes(), headers={OPTIONS: "mixed_languages=true;language=en"}
    )
    assert response.status_code == 400
    assert "mixed_languages" in response.json()["message"]
