"""What a transcription can end in besides a result: the server's error, a wait that ran out, a bad option."""

from __future__ import annotations

from .contract import CONTRACT


class TranscriptionError(Exception):
    """Base class of the errors this package raises for a job."""


class OptionError(ValueError):
    """An option the server would refuse (unknown name, wrong type, out of range), raised before any upload."""


class ServerError(TranscriptionError):
    """The endpoint processed the job and wrote a failure: the server's `{"error": code, "message": text}`.

    `code` is None when the failure object is not the server's JSON (SageMaker's own text, a crashed container);
    `message` then holds that text.
    """

    def __init__(self, code: str | None, message: str, inference_id: str, failure_location: str | None):
        self.code = code
        self.message = message
        self.inference_id = inference_id
        self.failure_location = failure_location
        shown = f"{message} ({code})" if code else message
        super().__init__(f"{shown} [inference {inference_id}, {failure_location}]")

    @property
    def retryable(self) -> bool:
        """Whether the contract says the same request may succeed later (a full queue, a stopping server)."""
        return bool(self.code and CONTRACT.errors.get(self.code, {}).get("retryable", False))


class TranscriptionTimeout(TranscriptionError, TimeoutError):
    """No result or failure appeared within the deadline; the result may still appear at `output_location`."""

    def __init__(self, message: str, inference_id: str, output_location: str):
        self.inference_id = inference_id
        self.output_location = output_location
        super().__init__(message)
