"""The domain events the pipeline puts on the bus (SPEC §6): envelope fields and the `detail` every rule reads."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

EVENT_SOURCE = "achievement-collector"


class DetailType(StrEnum):
    CREATED = "Achievement Created"
    UPDATED = "Achievement Updated"
    ANALYSED = "Achievement Analysed"
    DELETED = "Achievement Deleted"


class AchievementEventDetail(BaseModel):
    """What every achievement event says; consumers dedupe on `event_id` (or on `id` + `version`)."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(description="The stream record's sequence number: one per stored change, same on redelivery")
    id: int = Field(ge=1, description="The achievement's id")
    version: str = Field(description="The achievement's version (its `version`, else `updated_at`) after the change")
    person: str | None = Field(
        default=None,
        description="Whose achievement it is; null when stored before people existed (the default owner's)",
    )
    teams: list[str] = Field(default_factory=list, description="The person's teams when it was written")
    category: str
    source: str
    title: str
    impact_score: float | None = None
    changed: list[str] = Field(default_factory=list, description="Fields the change modified (Updated, Analysed)")
    content_changed: bool = Field(description="Created, or its content (so its fingerprint) changed: worth analysing")
    fingerprint: str | None = Field(default=None, description="The content fingerprint an analysis job is keyed by")
    numbers: str = Field(default="", description="Its numbers, readable (the metrics, the impact score)")
    link: str | None = Field(default=None, description="The achievement in the API: GET /achievements/{id}")


class AchievementEvent(BaseModel):
    """One entry of PutEvents: the detail-type and the detail (source and bus are the publisher's)."""

    detail_type: DetailType
    detail: AchievementEventDetail
