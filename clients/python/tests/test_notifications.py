"""Waiting through the stack's SNS topics: an SQS queue subscribed to the success and error topics (moto delivers
SNS to SQS). moto's InvokeEndpointAsync publishes nothing, so the tests publish what SageMaker would: the
notification's fields (inferenceId, invocationStatus, responseParameters, failureReason) are SageMaker's."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from client_support import BUCKET, SAMPLE, queue_async_results, transcript_json

from whisper_async_client import ServerError, SqsNotifications, TranscriptionTimeout, WhisperAsyncClient
from whisper_async_client.notifications import parse_notification


@pytest.fixture
def topics(aws: str) -> tuple[str, str, str]:
    """(success topic ARN, error topic ARN, URL of a queue subscribed to both)."""
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    success = sns.create_topic(Name="success")["TopicArn"]
    error = sns.create_topic(Name="error")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="results", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for topic in (success, error):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return success, error, queue_url


def sagemaker_notification(inference_id: str, completed: bool, location: str) -> str:
    message = {
        "awsRegion": "us-east-1",
        "invocationStatus": "Completed" if completed else "Failed",
        "requestParameters": {"endpointName": "ep", "inputLocation": f"s3://{BUCKET}/async/inputs/x"},
        "responseParameters": {"outputLocation" if completed else "failureLocation": location},
        "inferenceId": inference_id,
        "eventSource": "aws:sagemaker",
        "eventName": "InferenceResult",
    }
    if not completed:
        message["failureReason"] = "ClientError: Received client error (415) from primary"
    return json.dumps(message)


def test_waits_for_the_success_notification_and_leaves_other_jobs_messages(topics: tuple[str, str, str]) -> None:
    success, _, queue_url = topics
    endpoint = boto3.client("sns").meta.endpoint_url
    queue_async_results(endpoint, [{"data": transcript_json("from the topic", 7)}])
    client = WhisperAsyncClient("ep", BUCKET)
    job = client.submit(SAMPLE)
    sns = boto3.client("sns")
    sns.publish(TopicArn=success, Message=sagemaker_notification("someone-else", True, "s3://b/other.out"))
    sns.publish(TopicArn=success, Message=sagemaker_notification(job.inference_id, True, job.output_location))

    result = client.wait(job, timeout=10, notifications=SqsNotifications(queue_url))
    assert result.text == "from the topic"

    time.sleep(1.2)  # the queue's visibility timeout: the other job's message is visible again
    left = boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    ids = [parse_notification(message["Body"]).inference_id for message in left.get("Messages", [])]
    assert ids == ["someone-else"]


def test_an_error_notification_raises_the_servers_error(topics: tuple[str, str, str]) -> None:
    _, error_topic, queue_url = topics
    endpoint = boto3.client("sns").meta.endpoint_url
    failure = {"error": "unsupported_media", "message": "no audio track"}
    queue_async_results(endpoint, [{"is_failure": True, "data": json.dumps(failure)}])
    client = WhisperAsyncClient("ep", BUCKET)
    job = client.submit(SAMPLE)
    boto3.client("sns").publish(
        TopicArn=error_topic, Message=sagemaker_notification(job.inference_id, False, job.failure_location)
    )
    with pytest.raises(ServerError) as raised:
        client.wait(job, timeout=10, notifications=SqsNotifications(queue_url))
    assert (raised.value.code, raised.value.message) == ("unsupported_media", "no audio track")


def test_no_notification_by_the_deadline_is_a_timeout(topics: tuple[str, str, str]) -> None:
    _, _, queue_url = topics
    client = WhisperAsyncClient("ep", BUCKET)
    job = client.submit(SAMPLE)
    started = time.monotonic()
    with pytest.raises(TranscriptionTimeout, match=f"for inference {job.inference_id}"):
        client.wait(job, timeout=1, notifications=SqsNotifications(queue_url))
    assert time.monotonic() - started < 5


def test_parses_raw_and_enveloped_notifications_and_ignores_the_rest() -> None:
    raw = sagemaker_notification("a-1", True, "s3://b/a.out")
    enveloped = json.dumps({"Type": "Notification", "Message": raw, "TopicArn": "arn:aws:sns:x"})
    for body in (raw, enveloped):
        parsed = parse_notification(body)
        assert parsed is not None
        assert (parsed.inference_id, parsed.succeeded, parsed.output_location) == ("a-1", True, "s3://b/a.out")
    assert parse_notification("not json") is None
    assert parse_notification(json.dumps({"Type": "Notification", "Message": "{}"})) is None
