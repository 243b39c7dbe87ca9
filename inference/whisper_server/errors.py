"""The one error type a request can fail with, and how it is rendered."""

from __future__ import annotations

from dataclasses import dataclass

ERROR_CODES: dict[str, int] = {
    "bad_option": 400,
    "empty_body": 400,
    "empty_audio": 400,
    "body_chunks_too_small": 400,
    "diarization_unavailable": 400,
    "not_found": 404,
    "method_not_allowed": 405,
    "not_acceptable": 406,
    "body_timeout": 408,
    "payload_too_large": 413,
    "audio_too_long": 413,
    "unsupported_media": 415,
    "internal_error": 500,
    "queue_full": 503,
    "server_busy": 503,
    "shutting_down": 503,
    "diarization_failed": 503,
}
"""Every `error` code a failed request can carry, with its HTTP status. Clients may rely on these names
(they are published in contract/server-contract.json); a test checks that the server uses no other. Any
other routing error keeps its status and the code `http_error`."""
RETRYABLE = ("body_timeout", "queue_full", "server_busy", "shutting_down", "diarization_failed")
"""Codes of requests the server did not process, or whose diarization process died or hung (it is
restarted); the same request may succeed when sent again."""


@dataclass
class RequestError(Exception):
    """A failure the client can act on: HTTP `status`, a stable `code`, and a `message` saying what to do."""

    status: int
    code: str
    message: str

    def __post_init__(self) -> None:
        if ERROR_CODES.get(self.code) != self.status:
            raise ValueError(f"undeclared error code {self.code!r}, status {self.status} (see ERROR_CODES)")

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def body(self) -> dict[str, str]:
        """The JSON error body every non-2xx answer uses."""
        return {"error": self.code, "message": self.message}


def bad_option(key: str, message: str) -> RequestError:
    """400 for one option of X-Amzn-SageMaker-Custom-Attributes; the message starts with the key."""
    return RequestError(400, "bad_option", f"option '{key}': {message}")
