"""The re-attribution queue: jobs that move an identity's past achievements to the person who claimed it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from achievements.core.queue import JobQueue


class ReattributionJob(BaseModel):
    alias: str
    person: str
    start: dict[str, Any] | None = Field(default=None, description="Where the previous message stopped (table key)")
    moved: int = Field(default=0, description="Achievements moved by the earlier messages of this job")


class ReattributionQueue(JobQueue):
    """Made on first send: only a PUT claiming a new alias pays for an SQS client."""

    def send(self, job: ReattributionJob) -> None:
        self.send_body(job.model_dump_json())
