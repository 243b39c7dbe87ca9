"""The one error type a request can fail with, and how it is rendered."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RequestError(Exception):
    """A failure the client can act on: HTTP `status`, a stable `code`, and a `message` saying what to do."""

    status: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def body(self) -> dict[str, str]:
        """The JSON error body every non-2xx answer uses."""
        return {"error": self.code, "message": self.message}


def bad_option(key: str, message: str) -> RequestError:
    """400 for one option of X-Amzn-SageMaker-Custom-Attributes; the message starts with the key."""
    return RequestError(400, "bad_option", f"option '{key}': {message}")
