"""The read API's query parameters and answers, as the routes declare them (the OpenAPI document is made of these)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from achievements.core.models import Achievement, Category, IdNumber, Source
from achievements.http.priming import request
from achievements.http.resolver import documented
from achievements.insights.dates import FromBound, ToBound
from achievements.insights.listing import MAX_LIMIT
from achievements.insights.models import AchievementPage, DateField, PortfolioFormat, Sort
from achievements.insights.portfolio import INSIGHTS_RESPONSE, PORTFOLIO_RESPONSE

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
InsightsFormatQuery = Annotated[
    Literal["json", "html"], Query(description="json (default) or html: a page with inline SVG charts")
]
AchievementIdPath = Annotated[IdNumber, Path(gt=0, le=10**15, description="The achievement's id", examples=[42])]

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

INSIGHTS_DESCRIPTION = (
    "Derived only from aggregates kept on write (per person and team too) and the impact index: a constant "
    'number of DynamoDB reads at any size. Every statement carries the numbers behind it; estimates say `"basis": '
    '"estimate"`.'
)
PORTFOLIO_DESCRIPTION = (
    "An export (paged Query reads, not constant time): at most PORTFOLIO_MAX_ACHIEVEMENTS achievements, "
    "the highest-impact first, then the newest; hidden ones left out. A person's or team's period reads "
    "only that period's items (index gsi3)."
)
INVALID_QUERY = {422: documented("a query parameter is invalid (named in the message)")}
UNKNOWN_SCOPE = {404: documented("no such person or team")}
INSIGHTS_RESPONSES = {
    200: INSIGHTS_RESPONSE,
    **UNKNOWN_SCOPE,
    **INVALID_QUERY,
}
LIST_RESPONSES = {
    200: documented("one page", AchievementPage),
    400: documented("the cursor is malformed, altered or made for other filters"),
    410: documented("the cursor expired: start again without one"),
    **INVALID_QUERY,
}
ACHIEVEMENT_RESPONSES = {
    200: documented("the achievement (ETag header: for If-Match of PATCH)", Achievement),
    404: documented("no achievement with this id, or it is deleted"),
    422: documented("the id is not a positive integer"),
}
PORTFOLIO_RESPONSES = {
    200: PORTFOLIO_RESPONSE,
    **UNKNOWN_SCOPE,
    422: documented("unknown format (markdown, json or html), a bad slug or period"),
}

# Requests the handler refuses before reading the store (422): its priming at init (achievements/http/priming.py).
PRIMING = (
    request("GET", "/achievements", query={"limit": "0"}),
    request("GET", "/achievements/0"),
    request("GET", "/portfolio", query={"format": "none"}),
)
