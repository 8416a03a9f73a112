"""One SQS queue a feature sends JSON jobs to, its client made on first send."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from achievements.core.aws import make_client

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient


def default_sqs_client() -> SQSClient:
    return make_client("sqs")  # type: ignore[no-any-return]


class JobQueue:
    """The client is made on first send: a request that sends nothing never pays for it (docs/quality.md)."""

    def __init__(
        self, queue_url: str, client: SQSClient | None = None, client_factory: Callable[[], SQSClient] | None = None
    ) -> None:
        self.queue_url = queue_url
        self._client = client
        self._client_factory = client_factory or default_sqs_client

    @property
    def client(self) -> SQSClient:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def send_body(self, body: str) -> str:
        """Send one message; returns its SQS message id."""
        return self.client.send_message(QueueUrl=self.queue_url, MessageBody=body)["MessageId"]
