"""Option values of any length get a 400 naming the option, never a 500 (Python's int() refuses more
than 4300 digits), and error messages never echo a huge value back."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from whisper_server.errors import RequestError
from whisper_server.options import OPTIONS, parse_options

INTEGER_OPTIONS = [key for key, spec in OPTIONS.items() if spec.type == "integer"]
NUMBER_OPTIONS = [key for key, spec in OPTIONS.items() if spec.type == "number"]


def refusal(header: str) -> RequestError:
    with pytest.raises(RequestError) as refused:
        parse_options(header, {"en"}, multilingual=False)
    return refused.value


@pytest.mark.parametrize("digits", [4300, 4301, 5000, 100_000])
@pytest.mark.parametrize("key", INTEGER_OPTIONS)
def test_an_integer_of_thousands_of_digits_is_a_bad_option(key: str, digits: int) -> None:
    error = refusal(f"{key}={'7' * digits}")
    assert (error.status, error.code) == (400, "bad_option")
    assert error.message.startswith(f"option '{key}': must be ")
    assert f"({digits} characters)" in error.message and len(error.message) < 200


@pytest.mark.parametrize("key", INTEGER_OPTIONS)
def test_leading_zeros_do_not_count_as_digits(key: str) -> None:
    low = int(OPTIONS[key].minimum or 0)
    values = parse_options(f"{key}={'0' * 5000}{low}", {"en"}, multilingual=False)
    assert getattr(values, key) == low


@pytest.mark.parametrize("key", NUMBER_OPTIONS)
def test_a_number_of_thousands_of_digits_is_a_bad_option(key: str) -> None:
    error = refusal(f"{key}={'9' * 5000}.5")
    assert (error.status, error.code) == (400, "bad_option")
    assert len(error.message) < 200


def test_other_long_values_are_shortened_in_the_message() -> None:
    for header in (f"vad={'x' * 5000}", f"task={'x' * 5000}", f"language={'x' * 5000}"):
        error = refusal(header)
        assert error.code == "bad_option" and "(5000 characters)" in error.message, header
        assert len(error.message) < 400, header


def test_the_server_answers_400_not_500(client: TestClient) -> None:
    response = client.post(
        "/invocations",
        content=b"RIFF",
        headers={"X-Amzn-SageMaker-Custom-Attributes": f"beam_size={'1' * 4400}"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "bad_option"
    assert "beam_size" in response.json()["message"]
