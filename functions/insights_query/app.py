"""Insights and read API for analysts: career insights, the achievements listing, one achievement, the portfolio.

Read only. Career insights cost two DynamoDB reads at any size (aggregates kept on write + the impact index);
the listing walks an index page by page with signed cursors; nothing here ever scans the table.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BeforeValidator

from achievements.api import documented, make_resolver, resolve
from achievements.dal import AchievementStore
from achievements.dal.reads import AchievementReader
from achievements.exceptions import NotFound
from achievements.insights_settings import insights_settings
from achievements.logic.cursor import CursorCodec
from achievements.logic.insights import career_insights
from achievements.logic.listing import MAX_LIMIT, list_achievements
from achievements.logic.portfolio import build_portfolio, render_html, render_markdown
from achievements.models import Achievement, Category, ErrorResponse, Source
from achievements.observability import logger, metrics, tracer
from achievements.read_models import (
    AchievementPage,
    CareerInsightsResponse,
    DateField,
    ListFilters,
    Portfolio,
    PortfolioFormat,
    Sort,
)
from achievements.secret_source import SecretSource

settings = insights_settings()
store = AchievementStore(settings.achievements_table_name)
reader = AchievementReader(settings.achievements_table_name, client=store.client)
cursor_key = SecretSource(
    settings.cursor_secret_id or "",
    local_value=settings.cursor_signing_key.get_secret_value() if settings.cursor_signing_key else None,
    max_age_seconds=settings.secret_max_age_seconds,
)
cursors = CursorCodec(cursor_key.get, settings.cursor_ttl_seconds)
app = make_resolver()

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _moment(value: Any, end_of_day: bool) -> Any:
    """A date (the whole day) or an ISO 8601 date-time; one without an offset is UTC."""
    if not isinstance(value, str):
        return value
    # An unencoded "+" of an offset arrives as a space ("...T10:00:00 02:00").
    text = re.sub(r" (\d{2}:\d{2})$", r"+\1", value.strip())
    try:
        if _DATE_ONLY.match(text):
            return datetime.combine(date.fromisoformat(text), time.max if end_of_day else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError("expected a date (YYYY-MM-DD) or an ISO 8601 date-time") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


FromBound = Annotated[datetime, BeforeValidator(lambda v: _moment(v, end_of_day=False))]
ToBound = Annotated[datetime, BeforeValidator(lambda v: _moment(v, end_of_day=True))]

_JSON = "application/json"
_ERROR: Any = {_JSON: {"model": ErrorResponse}}
INVALID_QUERY: Any = {
    422: {"description": "a query parameter is invalid (named in the message)", "content": _ERROR},
}


@app.get(
    "/analyze/career-insights",
    summary="Career insights from all achievements: trajectory, competencies, leadership, roles, salary",
    description=(
        "Derived only from aggregates kept on write and the impact index: two DynamoDB reads at any size. "
        'Every statement carries the numbers behind it; estimates say `"basis": "estimate"`.'
    ),
    responses={200: documented("the insights and their numbers", CareerInsightsResponse)},
    tags=["insights"],
)
def get_career_insights() -> CareerInsightsResponse:
    return career_insights(reader)


@app.get(
    "/achievements",
    summary="List achievements: filters, order and cursor pagination stable under concurrent writes",
    responses={
        200: documented("one page", AchievementPage),
        400: {"description": "the cursor is malformed, altered or made for other filters", "content": _ERROR},
        410: {"description": "the cursor expired: start again without one", "content": _ERROR},
        **INVALID_QUERY,
    },
    tags=["achievements"],
)
def get_achievements(
    category: Annotated[Category | None, Query(description="Only this category")] = None,
    source: Annotated[Source | None, Query(description="Only this source")] = None,
    date_from: Annotated[
        FromBound | None,
        Query(
            alias="from",
            description=(
                "Earliest `date_field` (inclusive): a date (from its start) or an ISO 8601 date-time (UTC if no offset)"
            ),
        ),
    ] = None,
    date_to: Annotated[
        ToBound | None,
        Query(alias="to", description="Latest `date_field` (inclusive): a date (to its end) or an ISO 8601 date-time"),
    ] = None,
    date_field: Annotated[
        DateField, Query(description="Which time from/to apply to: when stored, or when it happened")
    ] = "created_at",
    min_impact: Annotated[
        float | None, Query(ge=0, le=100, description="Only achievements with impact_score >= this (scored ones)")
    ] = None,
    sort: Annotated[Sort, Query(description="newest/oldest by created_at, or impact (scored ones only)")] = "newest",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")] = 20,
    cursor: Annotated[
        str | None, Query(min_length=1, max_length=2048, description="next_cursor of the previous page")
    ] = None,
) -> AchievementPage:
    filters = ListFilters(
        category=category,
        source=source,
        date_from=date_from,
        date_to=date_to,
        date_field=date_field,
        min_impact=min_impact,
        sort=sort,
    )
    return list_achievements(reader, cursors, filters, limit, cursor)


@app.get(
    "/achievements/<achievement_id>",
    summary="One achievement, with its analysis when deep analysis ran",
    responses={
        200: documented("the achievement", Achievement),
        404: {"description": "no achievement with this id", "content": _ERROR},
        422: {"description": "the id is not a positive integer", "content": _ERROR},
    },
    tags=["achievements"],
)
def get_achievement(
    achievement_id: Annotated[int, Path(gt=0, le=10**15, description="The achievement's id", examples=[42])],
) -> Achievement:
    achievement = store.get(achievement_id)
    if achievement is None:
        raise NotFound(f"no achievement with id {achievement_id}")
    return achievement


PORTFOLIO_TYPES = {
    "markdown": ("text/markdown; charset=utf-8", "portfolio.md"),
    "json": ("application/json", "portfolio.json"),
    "html": ("text/html; charset=utf-8", "portfolio.html"),
}


@app.get(
    "/portfolio",
    summary="The portfolio: grouped by category, ordered by impact, with an executive summary",
    description=(
        "An export (paged Query reads, not constant time): at most PORTFOLIO_MAX_ACHIEVEMENTS achievements, "
        "the highest-impact first, then the newest; the summary counts all of them."
    ),
    responses={
        200: {
            "description": "the portfolio in the requested format",
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
                _JSON: {"model": Portfolio},
            },
        },
        422: {"description": "unknown format (markdown, json or html)", "content": _ERROR},
    },
    tags=["portfolio"],
)
def get_portfolio(
    format: Annotated[PortfolioFormat, Query(description="markdown (default), json or html")] = "markdown",
) -> Response[str]:
    portfolio = build_portfolio(reader, settings.portfolio_max_achievements)
    if format == "json":
        body = portfolio.model_dump_json()
    elif format == "html":
        body = render_html(portfolio)
    else:
        body = render_markdown(portfolio)
    content_type, filename = PORTFOLIO_TYPES[format]
    headers = {"Content-Disposition": f'inline; filename="{filename}"', "X-Content-Type-Options": "nosniff"}
    if format == "html":
        # The document needs nothing but its own inline style: no script can run even if escaping failed.
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return Response(status_code=200, content_type=content_type, body=body, headers=headers)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, settings.max_body_bytes)
