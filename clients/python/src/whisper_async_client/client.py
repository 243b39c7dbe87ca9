"""The SageMaker asynchronous path, as the repository's CLIs take it: upload the audio under the stack's input
prefix, InvokeEndpointAsync, then wait (polling S3 with backoff, or through the stack's SNS topics) for the result
object at OutputLocation or the server's error at FailureLocation."""

from __future__ import annotations

import json
import mimetypes
import os
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

from .contract import CONTRACT
from .errors import OptionError, ServerError, TranscriptionError, TranscriptionTimeout
from .notifications import SqsNotifications
from .options import custom_attributes
from .waiting import poll_until

DEFAULT_TIMEOUT_SECONDS = 1200.0
"""Overall wait per file, upload included: long enough for a cold start from zero instances plus the job."""
INVOCATION_TIMEOUT_SECONDS = 3600
"""How long the container may work on one request (SageMaker's maximum; its default of 900 s would cut
hour-long recordings)."""
DEFAULT_INPUT_PREFIX = "async/inputs/"
"""The stack's input prefix unless its `inputPrefix` output says otherwise."""
CALLER_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
"""A name of the stack's `callers` setting (the program validates them with the same pattern)."""

DENIED_WHILE_WAITING = "no result visible (S3 answered 403 to the checks); if this persists, check the caller policy"
"""Appended to the timeout message when the last checks were answered 403 and counted as "not yet"."""

INFERENCE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
"""Valid for SageMaker's InferenceId and safe inside an S3 key."""

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Job:
    """A submitted request: where its result or its failure will appear."""

    inference_id: str
    input_location: str
    output_location: str
    failure_location: str | None
    format: str


@dataclass(frozen=True)
class Transcript:
    """A finished job's result, exactly as the server produced it in `format`."""

    body: str
    format: str
    inference_id: str
    output_location: str

    def json(self) -> dict[str, Any]:
        """The JSON transcript (text, language, duration, segments ...); only for format "json"."""
        if self.format != "json":
            raise ValueError(f"the result is {self.format}, not json")
        return json.loads(self.body)

    @property
    def text(self) -> str:
        """The transcript's text: the JSON's `text` for json, else the body (txt, srt or vtt) as it is."""
        return str(self.json()["text"]).strip() if self.format == "json" else self.body


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/key` -> (bucket, key)."""
    match = re.match(r"^s3://([^/]+)/(.+)$", uri)
    if not match:
        raise ValueError(f"not an s3://bucket/key URI: {uri!r}")
    return match.group(1), match.group(2)


def server_error_of(raw: str) -> tuple[str | None, str]:
    """(code, message) of a failure object: the server's `{"error", "message"}`, also inside the text SageMaker
    wraps it in; else (None, the text itself, trimmed)."""
    candidates = [raw]
    start, end = raw.find("{"), raw.rfind("}")
    if 0 < start < end:
        candidates.append(raw[start : end + 1])
    for candidate in candidates:
        try:
            parsed = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(parsed, dict) and isinstance(parsed.get("message") or parsed.get("error"), str):
            code = parsed.get("error") if isinstance(parsed.get("error"), str) else None
            return code, str(parsed.get("message") or code)
    text = raw.strip()
    return None, text[:2000] or "the endpoint reported a failure with an empty message"


def _key_safe_name(path: PathLike) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(os.fspath(path))) or "audio"


class WhisperAsyncClient:
    """Transcribes files with a deployed whisper-async endpoint.

    >>> client = WhisperAsyncClient("whisper-dev-g4dn-xlarge", "whisper-storage-bucket-1a2b3c")
    >>> client.transcribe("talk.mp3", options={"language": "en"}).text

    The caller needs the stack's `clientPolicyArn` (or, with `caller=`, its `callerPolicyArns` entry): PutObject on
    the input prefix, GetObject on results and failures, InvokeEndpointAsync on the endpoint.
    """

    def __init__(
        self,
        endpoint_name: str,
        bucket: str,
        input_prefix: str = DEFAULT_INPUT_PREFIX,
        *,
        s3: Any = None,
        sagemaker_runtime: Any = None,
        caller: str | None = None,
        pending_on_access_denied: bool | None = None,
    ):
        """`s3` and `sagemaker_runtime`: boto3 clients; default ones use the standard credential, region and
        endpoint chain (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL ...).

        `caller`: submit as this caller of the stack's `callers` setting, like the CLIs' `--caller`: uploads under
        `<input prefix><caller>/`, results under `async/outputs/<caller>/` (S3OutputPathExtension). Default None.
        `pending_on_access_denied`: treat a 403 for a result as "not there yet" until the timeout, whose message then
        says to check the caller policy: S3 answers 403, not 404, for a missing object to a caller that may not list
        where it is. Default: True with `caller`, else False (a 403 is an error)."""
        if s3 is None or sagemaker_runtime is None:
            import boto3
            from botocore.config import Config

            # Bounded calls: a hung endpoint costs at most a minute per call, not forever.
            config = Config(connect_timeout=10, read_timeout=60, retries={"mode": "standard"})
            s3 = s3 or boto3.client("s3", config=config)
            sagemaker_runtime = sagemaker_runtime or boto3.client("sagemaker-runtime", config=config)
        self.endpoint_name = endpoint_name
        self.bucket = bucket
        if caller is not None and not CALLER_PATTERN.match(caller):
            raise OptionError(f"caller must match {CALLER_PATTERN.pattern}, got {caller!r}")
        prefix = input_prefix.lstrip("/")
        prefix = prefix if prefix == "" or prefix.endswith("/") else prefix + "/"
        self.input_prefix = prefix + (f"{caller}/" if caller else "")
        self.caller = caller
        self._s3 = s3
        self._runtime = sagemaker_runtime
        self._pending_on_access_denied = (
            caller is not None if pending_on_access_denied is None else pending_on_access_denied
        )
        # The last answer of each location checked while waiting ("denied" for a 403 counted as "not yet").
        self._last_answers: dict[str, str] = {}

    @classmethod
    def from_stack_outputs(cls, outputs: Mapping[str, Any], **kwargs: Any) -> WhisperAsyncClient:
        """A client for the stack whose outputs (`pulumi stack output --json`) are `outputs`."""
        return cls(
            outputs["endpointName"],
            outputs["bucketName"],
            outputs.get("inputPrefix", DEFAULT_INPUT_PREFIX),
            **kwargs,
        )

    def transcribe(
        self,
        audio: PathLike,
        *,
        format: str | None = None,
        options: Mapping[str, Any] | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        inference_id: str | None = None,
        notifications: SqsNotifications | None = None,
    ) -> Transcript:
        """Uploads `audio`, invokes the endpoint and waits for the result until `timeout` seconds after the call.

        The upload and the invocation count against `timeout` but are not cut by it: each AWS call is bounded by the
        client's own limits (10 s to connect, 60 s per read, boto3's standard retries).

        `format`: json (default), txt, srt or vtt. `options`: the server's request options by their names
        (language, task, word_timestamps, vad, beam_size, diarize, speakers ...: see `option_names()`).
        `notifications`: wait through the stack's SNS topics instead of polling S3.
        Raises ServerError (the server's error), TranscriptionTimeout, OptionError (before any upload), or
        botocore's errors for refused AWS calls.
        """
        deadline = time.monotonic() + timeout
        job = self.submit(audio, format=format, options=options, inference_id=inference_id)
        return self._wait(job, deadline, timeout, notifications)

    def submit(
        self,
        audio: PathLike,
        *,
        format: str | None = None,
        options: Mapping[str, Any] | None = None,
        inference_id: str | None = None,
        content_type: str | None = None,
    ) -> Job:
        """Uploads `audio` to `s3://<bucket>/<input prefix><inference id>/<file name>` and invokes the endpoint.

        `inference_id` defaults to a random UUID. `content_type` defaults to a guess from the file name (the
        server decodes by content, so it is informative). Returns the Job to `wait` for.
        """
        chosen_format = format or CONTRACT.default_format
        if chosen_format not in CONTRACT.accept:
            raise OptionError(f"format must be one of {', '.join(CONTRACT.accept)}, got {chosen_format!r}")
        attributes = custom_attributes(options)
        inference_id = inference_id or str(uuid.uuid4())
        if not INFERENCE_ID_PATTERN.match(inference_id):
            raise OptionError(f"inference_id must match {INFERENCE_ID_PATTERN.pattern}, got {inference_id!r}")
        if not os.path.isfile(audio):
            raise FileNotFoundError(f"no such file: {os.fspath(audio)}")
        content_type = content_type or mimetypes.guess_type(os.fspath(audio))[0] or "application/octet-stream"

        key = f"{self.input_prefix}{inference_id}/{_key_safe_name(audio)}"
        input_location = f"s3://{self.bucket}/{key}"
        self._s3.upload_file(os.fspath(audio), self.bucket, key, ExtraArgs={"ContentType": content_type})
        request = {
            "EndpointName": self.endpoint_name,
            "InputLocation": input_location,
            "InferenceId": inference_id,
            "ContentType": content_type,
            "Accept": CONTRACT.accept[chosen_format],
            "InvocationTimeoutSeconds": INVOCATION_TIMEOUT_SECONDS,
        }
        if attributes:
            request["CustomAttributes"] = attributes
        if self.caller:
            request["S3OutputPathExtension"] = self.caller
        response = self._runtime.invoke_endpoint_async(**request)
        if not response.get("OutputLocation"):
            raise TranscriptionError(f"the endpoint returned no OutputLocation for {inference_id}")
        return Job(
            inference_id=inference_id,
            input_location=input_location,
            output_location=response["OutputLocation"],
            failure_location=response.get("FailureLocation"),
            format=chosen_format,
        )

    def wait(
        self,
        job: Job,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        notifications: SqsNotifications | None = None,
    ) -> Transcript:
        """Waits up to `timeout` seconds for `job`'s result and returns it, or raises the server's error.

        Without `notifications`, polls the output and the failure location (HeadObject) with exponential backoff
        and jitter: 1 s, doubling, at most 15 s between checks. Raises TranscriptionTimeout at the deadline.
        """
        return self._wait(job, time.monotonic() + timeout, timeout, notifications)

    def _wait(self, job: Job, deadline: float, timeout: float, notifications: SqsNotifications | None) -> Transcript:
        if notifications is not None:
            notification = notifications.wait(job.inference_id, deadline)
            outcome = None if notification is None else ("output" if notification.succeeded else "failure")
        else:
            outcome = poll_until(lambda: self._outcome(job), deadline)
        if outcome is None:
            where = f" (errors at {job.failure_location})" if job.failure_location else ""
            locations = [job.output_location, job.failure_location]
            denied = any(self._last_answers.get(uri) == "denied" for uri in locations if uri)
            raise TranscriptionTimeout(
                f"no result after {timeout:g} s for inference {job.inference_id}; "
                f"it may still appear at {job.output_location}{where}"
                + (f"; {DENIED_WHILE_WAITING}" if denied else ""),
                job.inference_id,
                job.output_location,
            )
        if outcome == "failure":
            raw = self._read(job.failure_location) if job.failure_location else ""
            if not raw and notification is not None:
                raw = notification.failure_reason or ""
            code, message = server_error_of(raw)
            raise ServerError(code, message, job.inference_id, job.failure_location)
        body = self._read(job.output_location)
        if job.format == "json":
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict) or not isinstance(parsed.get("text"), str):
                raise TranscriptionError(f"the result is not the server's JSON transcript: {body[:200]!r}")
        return Transcript(body, job.format, job.inference_id, job.output_location)

    def _outcome(self, job: Job) -> str | None:
        if self._exists(job.output_location):
            return "output"
        if job.failure_location and self._exists(job.failure_location):
            return "failure"
        return None

    def _exists(self, uri: str) -> bool:
        from botocore.exceptions import ClientError

        bucket, key = parse_s3_uri(uri)
        try:
            self._s3.head_object(Bucket=bucket, Key=key)
            self._last_answers[uri] = "present"
            return True
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404 or error.response.get("Error", {}).get("Code") in (
                "404",
                "NotFound",
                "NoSuchKey",
            ):
                self._last_answers[uri] = "absent"
                return False
            if status == 403 and self._pending_on_access_denied:
                self._last_answers[uri] = "denied"
                return False
            if status == 403:
                raise PermissionError(
                    f"access denied checking {uri}: the caller needs s3:GetObject and s3:ListBucket (the stack's "
                    "clientPolicyArn), or pass pending_on_access_denied=True"
                ) from error
            raise

    def _read(self, uri: str) -> str:
        bucket, key = parse_s3_uri(uri)
        return self._s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
