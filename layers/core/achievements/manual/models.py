"""Pydantic models of the manual-achievement routes: a new achievement and an edit."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from achievements.core.models import Category, Cleaned, RequestDateTime, Visible


class ManualAchievementIn(BaseModel):
    """POST /achievements: what someone did that no integration saw (a mentoring, a design, a talk...)."""

    model_config = ConfigDict(extra="forbid")

    # Limits on the text as sent; kept cleaned of invisible characters (a title of control characters only: 422).
    title: Annotated[str, StringConstraints(min_length=1, max_length=300), Visible] = Field(
        examples=["Mentored two new engineers through on-call"]
    )
    description: Annotated[str, StringConstraints(max_length=4000), Cleaned] = ""
    category: Category = Field(examples=["leadership"])
    occurred_at: RequestDateTime | None = Field(default=None, description="When it happened (default: now)")
    impact: Annotated[str, StringConstraints(max_length=1000), Cleaned] = ""
    business_value: Annotated[str, StringConstraints(max_length=1000), Cleaned] = ""
    technologies: list[str] = Field(default_factory=list, max_length=50)
    tags: list[str] = Field(default_factory=list, max_length=50)
    person: str | None = Field(default=None, description="Whose it is (a registered slug); default: the default owner")


EDITABLE = (
    "title",
    "description",
    "category",
    "tags",
    "impact",
    "business_value",
    "technologies",
    "occurred_at",
    "person",
    "hidden",
)
# Edits of these change what the achievement says: its fingerprint moves (the analysis becomes stale).
CONTENT_FIELDS = frozenset({"title", "description", "category", "tags", "impact", "business_value", "technologies"})


class AchievementPatch(BaseModel):
    """PATCH /achievements/{id}: the fields to change. Metrics, evidence, source and analysis are read-only."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(min_length=1, max_length=300), Visible] | None = None
    description: Annotated[str, StringConstraints(max_length=4000), Cleaned] | None = None
    category: Category | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    impact: Annotated[str, StringConstraints(max_length=1000), Cleaned] | None = None
    business_value: Annotated[str, StringConstraints(max_length=1000), Cleaned] | None = None
    technologies: list[str] | None = Field(default=None, max_length=50)
    occurred_at: RequestDateTime | None = None
    person: str | None = None
    hidden: bool | None = Field(default=None, description="true leaves it out of the portfolio (still counted)")

    @model_validator(mode="after")
    def _no_nulls(self) -> AchievementPatch:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} may not be null: leave a field out to keep it")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in EDITABLE if name in self.model_fields_set}
