"""The re-attribution queue: jobs that move an identity's past achievements to the person who claimed it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from achievements.core.aws import make_client

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient


class ReattributionJob(BaseModel):
    alias: str
    person: str
    start: dict[str, Any] | None = Field(default=None, description="Where the previous message stopped (table key)")
    moved: int = Field(default=0, description="Achievements moved by the earlier messages of this job")


def default_sqs_client() -> SQSClient:
    return make_client("sqs")  # type: ignore[no-any-return]


class ReattributionQueue:
    def __init__(
        self, queue_url: str, client: SQSClient | None = None, client_factory: Callable[[], SQSClient] | None = None
    ) -> None:
        self.queue_url = queue_url
        self._client = client
        self._client_factory = client_factory or default_sqs_client

    @property
    def client(self) -> SQSClient:
        # Made on first send: only a PUT claiming a new alias pays for an SQS client (cold start, docs/quality.md).
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def send(self, job: ReattributionJob) -> None:
        self.client.send_message(QueueUrl=self.queue_url, MessageBody=job.model_dump_json())
