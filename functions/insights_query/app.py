"""Insights and read API for analysts (read only, never a scan): insights, listing, one achievement, portfolio."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.access.guard import access_of, admitted
from achievements.core.models import Achievement
from achievements.core.observability import logger, metrics, tracer
from achievements.core.ownership import etag_of
from achievements.http.priming import prime
from achievements.http.resolver import JSON, make_resolver, resolve
from achievements.insights import queries as q
from achievements.insights.deps import deps
from achievements.insights.listing import list_achievements
from achievements.insights.models import AchievementPage, ListFilters
from achievements.insights.portfolio import rendered
from achievements.insights.scoped import Scope
from achievements.insights.service import achievement_by_id, scoped_insights, scoped_portfolio
from achievements.insights.settings import insights_settings
from achievements.insights.texts import rendered_insights

deps.build(insights_settings())
app = make_resolver()


@app.get(
    "/analyze/career-insights",
    summary="Career insights of everyone, one person or one team: trajectory, competencies, leadership, roles, salary",
    description=q.INSIGHTS_DESCRIPTION,
    responses=q.INSIGHTS_RESPONSES,
    tags=["insights"],
)
def get_career_insights(
    person: q.PersonQuery = None, team: q.TeamQuery = None, format: q.InsightsFormatQuery = "json"
) -> Response[str]:
    person, team = access_of(app).scope(person, team)
    answer = scoped_insights(deps.current(), Scope(person=person, team=team))
    body, content_type, headers = rendered_insights(answer, format, person or (team and f"team {team}") or "everyone")
    return Response(status_code=200, content_type=content_type, body=body, headers=headers)


@app.get(
    "/achievements",
    summary="List achievements: filters, order and cursor pagination stable under concurrent writes",
    responses=q.LIST_RESPONSES,
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
    person: q.PersonQuery = None,
    team: q.TeamQuery = None,
) -> AchievementPage:
    filters = ListFilters(
        person=person,
        team=team,
        category=category,
        source=source,
        date_from=date_from,
        date_to=date_to,
        date_field=date_field,
        min_impact=min_impact,
        sort=sort,
    )
    graph = deps.current()
    return list_achievements(
        graph.reader,
        graph.cursors,
        filters,
        limit,
        cursor,
        default_owner=graph.settings.default_owner,
        within=access_of(app).within,
    )


@app.get(
    "/achievements/<achievement_id>",
    summary="One achievement, with its analysis when deep analysis ran",
    responses=q.ACHIEVEMENT_RESPONSES,
    tags=["achievements"],
)
def get_achievement(achievement_id: q.AchievementIdPath) -> Response[Achievement]:
    found = achievement_by_id(access_of(app).store(deps.current().store), achievement_id)
    return Response(status_code=200, content_type=JSON, body=found, headers={"ETag": etag_of(found)})


@app.get(
    "/portfolio",
    summary="The portfolio of everyone, a person or a team, for a period: by category, by impact, with a summary",
    description=q.PORTFOLIO_DESCRIPTION,
    responses=q.PORTFOLIO_RESPONSES,
    tags=["portfolio"],
)
def get_portfolio(
    format: q.FormatQuery = "markdown",
    person: q.PersonQuery = None,
    team: q.TeamQuery = None,
    date_from: q.PeriodFromQuery = None,
    date_to: q.PeriodToQuery = None,
    category: q.CategoryQuery = None,
) -> Response[str]:
    person, team = access_of(app).scope(person, team)
    scope = Scope(person=person, team=team, date_from=date_from, date_to=date_to, category=category)
    body, content_type, headers = rendered(scoped_portfolio(deps.current(), scope), format)
    return Response(status_code=200, content_type=content_type, body=body, headers=headers)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@admitted  # the access rules table (access/rules.py): 401/403 before anything reads the request
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, deps.current().settings.max_body_bytes)


prime(app, deps.clients, *q.PRIMING)  # SnapStart priming
