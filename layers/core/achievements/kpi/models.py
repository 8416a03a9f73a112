"""The API contract of `POST /kpi/milestones`."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from achievements.core.models import Direction, RequestDateTime

KPI_LIMIT = 1e15
KPI_RESOLUTION = 1e-9


def _kpi_magnitude(value: float) -> float:
    # Nearer 0 than this, the "% past target" overflows and DynamoDB cannot store the number (< 1e-130).
    if value != 0 and abs(value) < KPI_RESOLUTION:
        raise ValueError(f"must be 0 or at least {KPI_RESOLUTION:g} in magnitude")
    # SPEC §5: -0.0 is 0 (else it would be a second milestone, `target:-0.0`, beside `target:0.0`).
    return value + 0.0


KpiNumber = Annotated[
    float,
    Field(
        allow_inf_nan=False,
        ge=-KPI_LIMIT,
        le=KPI_LIMIT,
        description=f"0, or a magnitude from {KPI_RESOLUTION:g} to {KPI_LIMIT:g}",
    ),
    AfterValidator(_kpi_magnitude),
]


class KpiMilestoneIn(BaseModel):
    """Body of `POST /kpi/milestones`: `track_kpi_milestone(metric_name, value, target)` over the API."""

    model_config = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True)

    metric_name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,99}$")
    value: KpiNumber
    target: KpiNumber
    direction: Direction | None = Field(
        default=None, strict=False, description="Required for a metric the catalogue does not know"
    )
    occurred_at: RequestDateTime | None = Field(default=None, strict=False)
