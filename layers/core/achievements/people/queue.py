"""The re-attribution queue: jobs that move an identity's past achievements to the person who claimed it."""

from __future__ import annotations

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


class ReattributionQueue:
    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self.queue_url = queue_url
        self.client = client or make_client("sqs")

    def send(self, job: ReattributionJob) -> None:
        self.client.send_message(QueueUrl=self.queue_url, MessageBody=job.model_dump_json())
