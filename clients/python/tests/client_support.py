"""Shared by the client's tests (a module of its own, so its name cannot clash with another suite's conftest):
paths, the bucket, and what moto's async endpoint answers next."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
SAMPLE = REPO_ROOT / "fixtures" / "audio" / "speech.m4a"
BUCKET = "client-bucket"


def post(url: str, body: object = None) -> None:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data or b"", method="POST", headers={"content-type": "application/json"})
    urllib.request.urlopen(request, timeout=10)


def queue_async_results(endpoint: str, results: list[dict[str, object]]) -> None:
    """What moto's InvokeEndpointAsync answers next, one entry per new InputLocation, in call order: the object it
    writes at once at OutputLocation (or at FailureLocation with `is_failure`)."""
    post(f"{endpoint}/moto-api/static/sagemaker/async-endpoint-results", {"results": results})


def transcript_json(text: str, duration: float) -> str:
    """A server-shaped JSON transcript."""
    return json.dumps(
        {
            "text": text,
            "language": "en",
            "duration": duration,
            "segments": [{"id": 0, "start": 0, "end": duration, "text": text}],
            "processing_seconds": 0.5,
        }
    )
