"""The query parameters of the read API, as the routes declare them (the OpenAPI document is made from these)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from achievements.core.models import Category, IdNumber, Source
from achievements.http.priming import request
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
AchievementIdPath = Annotated[IdNumber, Path(gt=0, le=10**15, description="The achievement's id", examples=[42])]

# Requests the handler refuses before reading the store (422): its priming at init (achievements/http/priming.py).
PRIMING = (
    request("GET", "/achievements", query={"limit": "0"}),
    request("GET", "/achievements/0"),
    request("GET", "/portfolio", query={"format": "none"}),
)
