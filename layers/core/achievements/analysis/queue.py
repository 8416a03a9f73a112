"""The analysis queue: the only code that sends to SQS."""

from __future__ import annotations

from typing import TYPE_CHECKING

from achievements.analysis.models import AnalysisJob
from achievements.core.aws import make_client

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient


def default_sqs_client() -> SQSClient:
    return make_client("sqs")  # type: ignore[no-any-return]


class AnalysisQueue:
    """Queues analysis jobs for DeepAnalysisFunction."""

    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self.queue_url = queue_url
        self.client = client or default_sqs_client()

    def send(self, job: AnalysisJob) -> str:
        """Queue one job; returns the SQS message id."""
        # A manual job's body stays what it always was; only the pipeline's jobs say "trigger": "auto".
        body = job.model_dump_json(exclude={"trigger"} if job.trigger == "manual" else None)
        response = self.client.send_message(QueueUrl=self.queue_url, MessageBody=body)
        return response["MessageId"]
