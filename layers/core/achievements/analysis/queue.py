"""The analysis queue: the only code that sends to SQS."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from achievements.analysis.models import AnalysisJob
from achievements.core.aws import make_client

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient


def default_sqs_client() -> SQSClient:
    return make_client("sqs")  # type: ignore[no-any-return]


class AnalysisQueue:
    """Queues analysis jobs for DeepAnalysisFunction."""

    def __init__(
        self, queue_url: str, client: SQSClient | None = None, client_factory: Callable[[], SQSClient] | None = None
    ) -> None:
        self.queue_url = queue_url
        self._client = client
        self._client_factory = client_factory or default_sqs_client

    @property
    def client(self) -> SQSClient:
        # Made on first send: a GET, or a POST answered from the store, never pays for a second client.
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def send(self, job: AnalysisJob) -> str:
        """Queue one job; returns the SQS message id."""
        # A manual job's body stays what it always was; only the pipeline's jobs say "trigger": "auto".
        body = job.model_dump_json(exclude={"trigger"} if job.trigger == "manual" else None)
        response = self.client.send_message(QueueUrl=self.queue_url, MessageBody=body)
        return response["MessageId"]
