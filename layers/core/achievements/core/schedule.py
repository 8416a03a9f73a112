"""The event EventBridge Scheduler sends a scheduled job (the Prometheus scrape, the Threads-Agent sync)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from achievements.core.observability import logger


class ScheduledEvent(BaseModel):
    """What EventBridge Scheduler sends (the schedule's Input, context attributes filled in)."""

    model_config = ConfigDict(extra="ignore")

    trigger: Literal["schedule"]
    schedule_arn: str | None = Field(default=None, max_length=2048)
    scheduled_time: str | None = Field(default=None, max_length=64)
    execution_id: str | None = Field(default=None, max_length=256)
    attempt: str | int | None = None

    @field_validator("schedule_arn", "scheduled_time", "execution_id", "attempt", mode="before")
    @classmethod
    def _unrendered_is_absent(cls, value: object) -> object:
        # A placeholder Scheduler did not fill in (e.g. a local run of the template's Input) says nothing.
        return None if isinstance(value, str) and value.startswith("<aws.scheduler.") else value


def scheduled_event(event: dict[str, Any], job: str) -> ScheduledEvent:
    """The schedule's event of `job` (its execution id the logs' correlation id), or ValueError for anything else:
    neither API Gateway nor the schedule, the invocation fails and goes to the dead-letter queue, to be seen."""
    try:
        invocation = ScheduledEvent.model_validate(event)
    except ValidationError as error:
        raise ValueError(f"not an API Gateway request nor the {job} schedule's event: {error}") from error
    if invocation.execution_id:
        logger.set_correlation_id(invocation.execution_id)
    return invocation
