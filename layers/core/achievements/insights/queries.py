"""The query parameters of the read API, as the routes declare them (the OpenAPI document is made from these)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from achievements.core.models import Category, Source
from achievements.insights.dates import FromBound, ToBound
from achievements.insights.listing import MAX_LIMIT
from achievements.insights.models import DateField, PortfolioFormat, Sort

CategoryQuery = Annotated[Category | None, Query(description="Only this category")]
SourceQuery = Annotated[Source | None, Query(description="Only this source")]
FromQuery = Annotated[
    FromBound | None,
    Query(
        alias="from",
        description=(
            "Earliest `date_field` (inclusive): a date (from its start) or an ISO 8601 date-time (UTC if no offset)"
        ),
    ),
]
ToQuery = Annotated[
    ToBound | None,
    Query(alias="to", description="Latest `date_field` (inclusive): a date (to its end) or an ISO 8601 date-time"),
]
DateFieldQuery = Annotated[
    DateField, Query(description="Which time from/to apply to: when stored, or when it happened")
]
MinImpactQuery = Annotated[
    float | None, Query(ge=0, le=100, description="Only achievements with impact_score >= this (scored ones)")
]
SortQuery = Annotated[Sort, Query(description="newest/oldest by created_at, or impact (scored ones only)")]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")]
CursorQuery = Annotated[
    str | None, Query(min_length=1, max_length=2048, description="next_cursor of the previous page")
]
FormatQuery = Annotated[PortfolioFormat, Query(description="markdown (default), json or html")]
AchievementIdPath = Annotated[int, Path(gt=0, le=10**15, description="The achievement's id", examples=[42])]
PersonQuery = Annotated[
    str | None, Query(min_length=1, max_length=64, description="Only this person's (a slug; 404 if unknown)")
]
TeamQuery = Annotated[
    str | None, Query(min_length=1, max_length=64, description="Only this team's (a slug; 404 if unknown)")
]
PeriodFromQuery = Annotated[
    FromBound | None, Query(alias="from", description="Earliest occurred_at (inclusive): a date or a date-time")
]
PeriodToQuery = Annotated[
    ToBound | None, Query(alias="to", description="Latest occurred_at (inclusive): a date or a date-time")
]
