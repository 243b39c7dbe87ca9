"""Submitting as one of the stack's callers (`caller=`) and waiting through S3's 403s, against moto: how S3 evaluates
a caller's `s3:prefix`-conditioned ListBucket for a missing key is not documented, so every check may be a 403 until
the result is written. A bucket policy that denies the checks under the caller's prefixes stands in for it (moto
enforces a bucket policy's Deny on object requests and names a HEAD `s3:HeadObject`; S3 authorizes it as
`s3:GetObject`)."""

from __future__ import annotations

import json
import threading
import time

import boto3
import pytest
from client_support import BUCKET, SAMPLE, queue_async_results, transcript_json
from test_client import recording_runtime

from whisper_async_client import OptionError, TranscriptionTimeout, WhisperAsyncClient
from whisper_async_client.client import DENIED_WHILE_WAITING, Job

OUTPUT = f"s3://{BUCKET}/async/outputs/web/job-1.out"
FAILURE = f"s3://{BUCKET}/async/failures/web/job-1-error.out"
JOB = Job("job-1", f"s3://{BUCKET}/async/inputs/web/job-1/a.m4a", OUTPUT, FAILURE, "json")


def deny_checks_under_the_caller_prefixes() -> None:
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:GetObject", "s3:HeadObject"],
        "Resource": [f"arn:aws:s3:::{BUCKET}/async/outputs/web/*", f"arn:aws:s3:::{BUCKET}/async/failures/web/*"],
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    boto3.client("s3").put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))


def test_a_caller_uploads_under_its_prefix_and_asks_for_its_extension(aws: str) -> None:
    queue_async_results(aws, [{"data": transcript_json("hi", 1)}])
    sent: list[dict[str, str]] = []
    client = WhisperAsyncClient("ep", BUCKET, caller="web", sagemaker_runtime=recording_runtime(sent))
    job = client.submit(SAMPLE, inference_id="c-1")
    assert job.input_location == f"s3://{BUCKET}/async/inputs/web/c-1/speech.m4a"
    assert sent[0]["X-Amzn-SageMaker-S3OutputPathExtension"] == "web"


def test_a_caller_name_outside_the_stacks_pattern_is_refused() -> None:
    with pytest.raises(OptionError, match=r"caller must match .* got 'Web/x'"):
        WhisperAsyncClient("ep", BUCKET, caller="Web/x", s3=object(), sagemaker_runtime=object())


def test_a_caller_waits_through_403_until_the_result_can_be_read(aws: str) -> None:
    deny_checks_under_the_caller_prefixes()
    client = WhisperAsyncClient("ep", BUCKET, caller="web")
    s3 = boto3.client("s3")

    def write_the_result_later() -> None:
        time.sleep(2)
        s3.delete_bucket_policy(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="async/outputs/web/job-1.out", Body=transcript_json("as a caller", 2).encode())

    writer = threading.Thread(target=write_the_result_later)
    started = time.monotonic()
    writer.start()
    try:
        result = client.wait(JOB, timeout=20)
    finally:
        writer.join()
    assert result.text == "as a caller"
    assert time.monotonic() - started >= 2


def test_at_the_deadline_a_caller_is_told_to_check_its_policy(aws: str) -> None:
    deny_checks_under_the_caller_prefixes()
    client = WhisperAsyncClient("ep", BUCKET, caller="web")
    with pytest.raises(TranscriptionTimeout) as raised:
        client.wait(JOB, timeout=2)
    message = str(raised.value)
    assert f"it may still appear at {OUTPUT}" in message
    assert message.endswith(DENIED_WHILE_WAITING)
    assert "if this persists, check the caller policy" in message


def test_without_a_caller_a_403_is_an_error(aws: str) -> None:
    deny_checks_under_the_caller_prefixes()
    with pytest.raises(PermissionError, match="access denied checking"):
        WhisperAsyncClient("ep", BUCKET).wait(JOB, timeout=20)
