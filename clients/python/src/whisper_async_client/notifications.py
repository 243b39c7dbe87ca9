"""Waiting through the stack's SNS topics instead of polling S3: SageMaker publishes a notification to the
success topic (`successTopicArn`) or the error topic (`errorTopicArn`) when a job ends. Subscribe an SQS queue
to both topics and hand its URL to :class:`SqsNotifications`."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

LONG_POLL_SECONDS = 20
"""SQS's longest ReceiveMessage wait: one request per 20 s while nothing arrives."""


@dataclass(frozen=True)
class Notification:
    """What SageMaker's notification says about one job."""

    inference_id: str
    succeeded: bool
    """invocationStatus "Completed" (else "Failed")."""
    output_location: str | None
    failure_location: str | None
    failure_reason: str | None
    """SageMaker's own text for a failure (the server's error is in the failure object)."""


def parse_notification(body: str) -> Notification | None:
    """The notification in an SQS message body: SageMaker's JSON, raw or inside SNS's envelope
    (`{"Type": "Notification", "Message": "..."}`, the default for SQS subscriptions). None for anything else."""
    try:
        message: Any = json.loads(body)
        if isinstance(message, dict) and message.get("Type") == "Notification" and "Message" in message:
            message = json.loads(message["Message"])
    except (TypeError, ValueError):
        return None
    if not isinstance(message, dict) or not isinstance(message.get("inferenceId"), str):
        return None
    response = message.get("responseParameters") or {}
    return Notification(
        inference_id=message["inferenceId"],
        succeeded=message.get("invocationStatus") == "Completed",
        output_location=response.get("outputLocation"),
        failure_location=response.get("failureLocation"),
        failure_reason=message.get("failureReason"),
    )


class SqsNotifications:
    """Waits for jobs' notifications on an SQS queue subscribed to the success and error topics.

    One object may serve many jobs at once (threads): a notification for any job it waits for is taken off the
    queue and kept for that job. Messages for other inference ids (another app's jobs) are left on the queue; they
    come back after the queue's visibility timeout, so give each application its own queue.
    """

    def __init__(self, queue_url: str, sqs: Any = None):
        """`sqs`: a boto3 SQS client; default `boto3.client("sqs")` (standard credentials, region, endpoint)."""
        if sqs is None:
            import boto3

            sqs = boto3.client("sqs")
        self.queue_url = queue_url
        self._sqs = sqs
        self._lock = threading.Lock()
        self._waiting: set[str] = set()
        self._arrived: dict[str, Notification] = {}

    def wait(self, inference_id: str, deadline: float) -> Notification | None:
        """The notification of `inference_id`, or None once `deadline` (a `time.monotonic()` value) has passed."""
        with self._lock:
            self._waiting.add(inference_id)
        try:
            while True:
                with self._lock:
                    if inference_id in self._arrived:
                        return self._arrived.pop(inference_id)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._receive(min(LONG_POLL_SECONDS, max(1, int(remaining))))
        finally:
            with self._lock:
                self._waiting.discard(inference_id)

    def _receive(self, wait_seconds: int) -> None:
        response = self._sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        )
        for message in response.get("Messages", []):
            notification = parse_notification(message.get("Body", ""))
            with self._lock:
                ours = notification is not None and notification.inference_id in self._waiting
                if ours:
                    self._arrived[notification.inference_id] = notification
            if ours:
                self._sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
