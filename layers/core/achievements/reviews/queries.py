"""The query parameters of `GET /reviews`, as the route declares them (the OpenAPI document is made from these)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from achievements.http.priming import request
from achievements.reviews.models import ReviewFormat
from achievements.reviews.rules import PERIOD_RULE

PersonQuery = Annotated[
    str | None, Query(min_length=1, max_length=64, description="This person's review (a slug; 404 if unknown)")
]
TeamQuery = Annotated[
    str | None, Query(min_length=1, max_length=64, description="This team's review (a slug; 404 if unknown)")
]
PeriodQuery = Annotated[
    str | None, Query(min_length=1, max_length=16, description=f"A named period: {PERIOD_RULE}; not with from/to")
]
FromQuery = Annotated[
    str | None,
    Query(alias="from", min_length=10, max_length=40, description="Start: a date (from its start) or a date-time"),
]
ToQuery = Annotated[
    str | None,
    Query(
        alias="to", min_length=10, max_length=40, description="End (default now): a date (to its end) or a date-time"
    ),
]
FormatQuery = Annotated[ReviewFormat, Query(description="markdown (default), json or html")]
SummaryQuery = Annotated[
    bool,
    Query(description="Add a summary paragraph: AI-written (OpenAI) when a key is configured, else the offline one"),
]
# SnapStart priming (http/priming.py): a request the route refuses (422) before reading anything.
PRIMING = (request("GET", "/reviews", query={"format": "none"}),)
