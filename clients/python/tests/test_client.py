"""WhisperAsyncClient against moto: upload, InvokeEndpointAsync, waiting on S3, the result or the server's error.
What moto does not prove: how long SageMaker takes, and the exact text SageMaker wraps a failure in (the client
reads the server's JSON inside it either way)."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from botocore.exceptions import ClientError
from client_support import BUCKET, SAMPLE, queue_async_results, transcript_json

from whisper_async_client import (
    OptionError,
    ServerError,
    TranscriptionError,
    TranscriptionTimeout,
    WhisperAsyncClient,
)
from whisper_async_client.client import parse_s3_uri

TEXT = "The weather today is sunny and warm."


def recording_runtime(sent: list[dict[str, str]]):
    """A sagemaker-runtime client that records the headers of each request it sends."""
    runtime = boto3.client("sagemaker-runtime")
    runtime.meta.events.register(
        "before-send.sagemaker-runtime.InvokeEndpointAsync",
        lambda request, **_: sent.append(
            {name: value.decode() if isinstance(value, bytes) else value for name, value in request.headers.items()}
        ),
    )
    return runtime


def test_uploads_invokes_and_returns_the_transcript(aws: str) -> None:
    queue_async_results(aws, [{"data": transcript_json(TEXT, 7.5)}])
    sent: list[dict[str, str]] = []
    client = WhisperAsyncClient("ep", BUCKET, sagemaker_runtime=recording_runtime(sent))
    result = client.transcribe(
        SAMPLE, options={"language": "en", "word_timestamps": True, "initial_prompt": "Zoë; a=b"}, inference_id="py-1"
    )
    assert result.text == TEXT
    assert result.json()["duration"] == 7.5
    assert result.inference_id == "py-1"

    uploaded = boto3.client("s3").get_object(Bucket=BUCKET, Key="async/inputs/py-1/speech.m4a")
    assert uploaded["Body"].read() == SAMPLE.read_bytes()
    assert uploaded["ContentType"] == "audio/mp4"
    headers = sent[0]
    assert headers["X-Amzn-SageMaker-InputLocation"] == f"s3://{BUCKET}/async/inputs/py-1/speech.m4a"
    assert headers["X-Amzn-SageMaker-Accept"] == "application/json"
    assert headers["X-Amzn-SageMaker-Inference-Id"] == "py-1"
    assert headers["X-Amzn-SageMaker-InvocationTimeoutSeconds"] == "3600"
    assert headers["X-Amzn-SageMaker-Custom-Attributes"] == (
        "language=en;word_timestamps=true;initial_prompt=Zo%C3%AB%3B%20a%3Db"
    )


def test_other_formats_come_back_as_the_server_wrote_them(aws: str) -> None:
    subtitles = "1\n00:00:00,000 --> 00:00:07,000\nsame text\n"
    queue_async_results(aws, [{"data": subtitles}])
    sent: list[dict[str, str]] = []
    client = WhisperAsyncClient("ep", BUCKET, "jobs/in", sagemaker_runtime=recording_runtime(sent))
    result = client.transcribe(SAMPLE, format="srt")
    assert result.body == subtitles
    assert result.text == subtitles
    assert sent[0]["X-Amzn-SageMaker-Accept"] == "application/x-subrip"
    assert "X-Amzn-SageMaker-Custom-Attributes" not in sent[0]
    assert sent[0]["X-Amzn-SageMaker-InputLocation"].startswith(f"s3://{BUCKET}/jobs/in/")


def test_raises_the_servers_error_from_the_failure_object(aws: str) -> None:
    error = {"error": "unsupported_media", "message": "could not decode the body as audio"}
    queue_async_results(aws, [{"is_failure": True, "data": json.dumps(error)}])
    with pytest.raises(ServerError) as raised:
        WhisperAsyncClient("ep", BUCKET).transcribe(SAMPLE, inference_id="bad-1")
    assert raised.value.code == "unsupported_media"
    assert raised.value.message == "could not decode the body as audio"
    assert raised.value.retryable is False
    assert str(raised.value).startswith(
        "could not decode the body as audio (unsupported_media) [inference bad-1, s3://"
    )


def test_reads_the_servers_error_inside_sagemakers_text_and_marks_retryable_codes(aws: str) -> None:
    wrapped = 'Received server error (503) from primary: {"error": "queue_full", "message": "16 requests waiting"}'
    queue_async_results(aws, [{"is_failure": True, "data": wrapped}, {"is_failure": True, "data": "Model crashed"}])
    client = WhisperAsyncClient("ep", BUCKET)
    with pytest.raises(ServerError) as full:
        client.transcribe(SAMPLE)
    assert (full.value.code, full.value.message, full.value.retryable) == ("queue_full", "16 requests waiting", True)
    with pytest.raises(ServerError) as crashed:
        client.transcribe(SAMPLE)
    assert (crashed.value.code, crashed.value.message) == (None, "Model crashed")


def test_a_json_result_that_is_not_a_transcript_is_an_error(aws: str) -> None:
    queue_async_results(aws, [{"data": "<html>gateway error</html>"}])
    with pytest.raises(TranscriptionError, match="not the server's JSON transcript"):
        WhisperAsyncClient("ep", BUCKET).transcribe(SAMPLE)


def test_times_out_with_where_the_result_may_still_appear(aws: str) -> None:
    # moto writes a result when invoked and answers a repeated InputLocation with the same locations: invoke once
    # for the input the client will use, delete that result, and the client waits on an output that never comes.
    first = boto3.client("sagemaker-runtime").invoke_endpoint_async(
        EndpointName="ep", InputLocation=f"s3://{BUCKET}/async/inputs/late-1/speech.m4a"
    )
    out_bucket, out_key = parse_s3_uri(first["OutputLocation"])
    boto3.client("s3").delete_object(Bucket=out_bucket, Key=out_key)
    started = time.monotonic()
    with pytest.raises(TranscriptionTimeout) as raised:
        WhisperAsyncClient("ep", BUCKET).transcribe(SAMPLE, inference_id="late-1", timeout=1.5)
    assert time.monotonic() - started < 10
    assert raised.value.output_location == first["OutputLocation"]
    assert f"no result after 1.5 s for inference late-1; it may still appear at {first['OutputLocation']}" in str(
        raised.value
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"colour": "blue"}, r"unknown option 'colour'; the server accepts: language, task, "),
        ({"beam_size": 99}, r"option beam_size must be from 1 to 20, got 99"),
        ({"beam_size": 2.5}, r"option beam_size must be an integer"),
        ({"vad": "yes"}, r"option vad must be true or false"),
        ({"task": "summarise"}, r"option task must be one of transcribe, translate"),
        ({"speakers": 2, "diarize": False}, r"need speaker labels"),
        ({"speakers": 2, "max_speakers": 3}, r"either speakers or min_speakers/max_speakers"),
        ({"channels": "both"}, r"option channels must be one of mixed, separate, got 'both'"),
        ({"channels": "separate", "diarize": True}, r"channels='separate' labels each channel's speech"),
        ({"channels": "separate", "speakers": 2}, r"channels='separate' labels each channel's speech"),
        ({"hotwords": "x" * 1000, "initial_prompt": "y" * 100}, r"SageMaker allows 1024"),
    ],
)
def test_refuses_bad_options_before_uploading(aws: str, options: dict[str, object], message: str) -> None:
    with pytest.raises(OptionError, match=message):
        WhisperAsyncClient("ep", BUCKET).transcribe(SAMPLE, options=options)
    assert boto3.client("s3").list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_refuses_a_bad_format_or_inference_id_and_a_missing_file(aws: str) -> None:
    client = WhisperAsyncClient("ep", BUCKET)
    with pytest.raises(OptionError, match="format must be one of json, txt, srt, vtt"):
        client.transcribe(SAMPLE, format="docx")
    with pytest.raises(OptionError, match="inference_id must match"):
        client.transcribe(SAMPLE, inference_id="-bad id")
    with pytest.raises(FileNotFoundError, match=r"no such file: nope\.wav"):
        client.transcribe("nope.wav")


def test_from_stack_outputs_uses_the_stacks_prefix(aws: str) -> None:
    queue_async_results(aws, [{"data": transcript_json(TEXT, 7)}])
    client = WhisperAsyncClient.from_stack_outputs(
        {"endpointName": "ep", "bucketName": BUCKET, "inputPrefix": "/stack/in/"}
    )
    client.transcribe(SAMPLE, inference_id="s-1")
    keys = [item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == ["stack/in/s-1/speech.m4a"]


class ForbiddingS3:
    """An S3 stand-in whose HeadObject answers 403, as S3 does for a missing key to a caller without ListBucket."""

    def head_object(self, **_: object) -> None:
        raise ClientError({"Error": {"Code": "403"}, "ResponseMetadata": {"HTTPStatusCode": 403}}, "HeadObject")


def test_a_403_is_an_error_unless_the_caller_cannot_list() -> None:
    from whisper_async_client.client import Job

    job = Job("id-1", "s3://b/in", "s3://b/out/id-1.out", "s3://b/fail/id-1.err", "json")
    strict = WhisperAsyncClient("ep", "b", s3=ForbiddingS3(), sagemaker_runtime=object())
    with pytest.raises(PermissionError, match="needs s3:GetObject and s3:ListBucket"):
        strict.wait(job, timeout=5)
    lenient = WhisperAsyncClient(
        "ep", "b", s3=ForbiddingS3(), sagemaker_runtime=object(), pending_on_access_denied=True
    )
    with pytest.raises(TranscriptionTimeout):
        lenient.wait(job, timeout=0.5)
