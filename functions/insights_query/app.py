"""Insights and read API for analysts (read only, never a scan): insights, listing, one achievement, portfolio."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.core.models import Achievement
from achievements.core.observability import logger, metrics, tracer
from achievements.http.priming import prime
from achievements.http.resolver import documented, make_resolver, resolve
from achievements.insights import queries as q
from achievements.insights.deps import deps
from achievements.insights.listing import list_achievements
from achievements.insights.models import AchievementPage, CareerInsightsResponse, ListFilters
from achievements.insights.portfolio import PORTFOLIO_RESPONSE, build_portfolio, rendered
from achievements.insights.service import achievement_by_id, career_insights
from achievements.insights.settings import insights_settings

deps.build(insights_settings())
app = make_resolver()


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
        422: documented("a query parameter is invalid (named in the message)"),
    },
    tags=["achievements"],
)
def get_achievements(
    category: q.CategoryQuery = None,
    source: q.SourceQuery = None,
    date_from: q.FromQuery = None,
    date_to: q.ToQuery = None,
    date_field: q.DateFieldQuery = "created_at",
    min_impact: q.MinImpactQuery = None,
    sort: q.SortQuery = "newest",
    limit: q.LimitQuery = 20,
    cursor: q.CursorQuery = None,
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
def get_achievement(achievement_id: q.AchievementIdPath) -> Achievement:
    return achievement_by_id(deps.current().store, achievement_id)


@app.get(
    "/portfolio",
    summary="The portfolio: grouped by category, ordered by impact, with an executive summary",
    description=(
        "An export (paged Query reads, not constant time): at most PORTFOLIO_MAX_ACHIEVEMENTS achievements, "
        "the highest-impact first, then the newest; the summary counts all of them."
    ),
    responses={
        200: PORTFOLIO_RESPONSE,
        422: documented("unknown format (markdown, json or html)"),
    },
    tags=["portfolio"],
)
def get_portfolio(format: q.FormatQuery = "markdown") -> Response[str]:
    graph = deps.current()
    portfolio = build_portfolio(graph.reader, graph.settings.portfolio_max_achievements)
    body, content_type, headers = rendered(portfolio, format)
    return Response(status_code=200, content_type=content_type, body=body, headers=headers)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, deps.current().settings.max_body_bytes)


prime(app, deps.clients, *q.PRIMING)  # SnapStart priming
