"""The analysis queue: the only code that sends to SQS."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from achievements.analysis import AnalysisJob

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient


def default_sqs_client() -> SQSClient:
    # Bounded like the DynamoDB client: a slow SQS fails the request well inside the Lambda timeout.
    # total_max_attempts counts the first try (botocore's max_attempts counts only retries): <= 3 x 3 s + 3 s.
    config = Config(connect_timeout=1, read_timeout=2, retries={"total_max_attempts": 3, "mode": "standard"})
    return boto3.client("sqs", config=config)


class AnalysisQueue:
    """Queues analysis jobs for DeepAnalysisFunction."""

    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self.queue_url = queue_url
        self.client = client or default_sqs_client()

    def send(self, job: AnalysisJob) -> str:
        """Queue one job; returns the SQS message id."""
        response = self.client.send_message(QueueUrl=self.queue_url, MessageBody=job.model_dump_json())
        return response["MessageId"]
