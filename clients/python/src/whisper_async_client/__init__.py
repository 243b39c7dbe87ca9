"""A small typed client for a whisper-async endpoint (SageMaker asynchronous inference running faster-whisper).

>>> from whisper_async_client import WhisperAsyncClient
>>> client = WhisperAsyncClient(endpoint_name, bucket)
>>> client.transcribe("talk.mp3", options={"language": "en"}).text
"""

from .client import (
    DEFAULT_INPUT_PREFIX,
    DEFAULT_TIMEOUT_SECONDS,
    INVOCATION_TIMEOUT_SECONDS,
    Job,
    Transcript,
    WhisperAsyncClient,
)
from .contract import CONTRACT, ServerContract
from .errors import OptionError, ServerError, TranscriptionError, TranscriptionTimeout
from .notifications import Notification, SqsNotifications
from .options import custom_attributes, option_names, validate_options

__all__ = [
    "CONTRACT",
    "DEFAULT_INPUT_PREFIX",
    "DEFAULT_TIMEOUT_SECONDS",
    "INVOCATION_TIMEOUT_SECONDS",
    "Job",
    "Notification",
    "OptionError",
    "ServerContract",
    "ServerError",
    "SqsNotifications",
    "Transcript",
    "TranscriptionError",
    "TranscriptionTimeout",
    "WhisperAsyncClient",
    "custom_attributes",
    "option_names",
    "validate_options",
]
