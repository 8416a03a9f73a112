"""Insights and read API for analysts: career insights, the achievements listing, one achievement, the portfolio.

Read only. Career insights cost two DynamoDB reads at any size (aggregates kept on write + the impact index);
the listing walks an index page by page with signed cursors; nothing here ever scans the table.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.core.errors import NotFound
from achievements.core.models import Achievement, Category, Source
from achievements.core.observability import logger, metrics, tracer
from achievements.http.resolver import documented, make_resolver, resolve
from achievements.insights.dates import FromBound, ToBound
from achievements.insights.deps import deps
from achievements.insights.listing import MAX_LIMIT, list_achievements
from achievements.insights.models import (
    AchievementPage,
    CareerInsightsResponse,
    DateField,
    ListFilters,
    Portfolio,
    PortfolioFormat,
    Sort,
)
from achievements.insights.portfolio import build_portfolio, rendered
from achievements.insights.service import career_insights
from achievements.insights.settings import insights_settings

deps.build(insights_settings())
app = make_resolver()

INVALID_QUERY = {422: documented("a query parameter is invalid (named in the message)")}


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
    return career_insights(deps.current().reader)


@app.get(
    "/achievements",
    summary="List achievements: filters, order and cursor pagination stable under concurrent writes",
    responses={
        200: documented("one page", AchievementPage),
        400: documented("the cursor is malformed, altered or made for other filters"),
        410: documented("the cursor expired: start again without one"),
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
    graph = deps.current()
    return list_achievements(graph.reader, graph.cursors, filters, limit, cursor)


@app.get(
    "/achievements/<achievement_id>",
    summary="One achievement, with its analysis when deep analysis ran",
    responses={
        200: documented("the achievement", Achievement),
        404: documented("no achievement with this id"),
        422: documented("the id is not a positive integer"),
    },
    tags=["achievements"],
)
def get_achievement(
    achievement_id: Annotated[int, Path(gt=0, le=10**15, description="The achievement's id", examples=[42])],
) -> Achievement:
    achievement = deps.current().store.get(achievement_id)
    if achievement is None:
        raise NotFound(f"no achievement with id {achievement_id}")
    return achievement


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
                "application/json": {"model": Portfolio},
            },
        },
        422: documented("unknown format (markdown, json or html)"),
    },
    tags=["portfolio"],
)
def get_portfolio(
    format: Annotated[PortfolioFormat, Query(description="markdown (default), json or html")] = "markdown",
) -> Response[str]:
    graph = deps.current()
    portfolio = build_portfolio(graph.reader, graph.settings.portfolio_max_achievements)
    body, content_type, headers = rendered(portfolio, format)
    return Response(status_code=200, content_type=content_type, body=body, headers=headers)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, deps.current().settings.max_body_bytes)
