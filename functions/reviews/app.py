"""Reviews (read only): a person's, a team's or everyone's period against the previous one (SPEC §10)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.access.guard import access_of, admitted
from achievements.core.observability import logger, metrics, tracer
from achievements.http.priming import prime
from achievements.http.resolver import documented, make_resolver, resolve
from achievements.reviews import queries as q
from achievements.reviews.deps import deps
from achievements.reviews.service import REVIEW_RESPONSE, rendered, review
from achievements.reviews.settings import reviews_settings

deps.build(reviews_settings())
app = make_resolver()


@app.get(
    "/reviews",
    summary="A review of a person, a team or everyone for a period, against the previous period of equal length",
    description=(
        "Headline numbers (achievements, average impact, estimated revenue, KPI wins) against the previous period, "
        "highlights with their evidence, skills (new ones marked), KPI and content wins, per-category sections and "
        "next steps from the analyses; every number cites its achievements' ids. Hidden achievements are left out. "
        "Reads only the two periods' items (index gsi3 for a person or team). `summary=true` adds a paragraph, "
        "labelled with who wrote it: OpenAI when a key is configured, else the deterministic offline writer. The "
        "HTML page draws its charts as inline SVG and runs no script."
    ),
    responses={
        200: REVIEW_RESPONSE,
        404: documented("no such person or team"),
        422: documented("a bad period, from/to, slug or format (named in the message)"),
    },
    tags=["reviews"],
)
def get_review(
    person: q.PersonQuery = None,
    team: q.TeamQuery = None,
    period: q.PeriodQuery = None,
    date_from: q.FromQuery = None,
    date_to: q.ToQuery = None,
    format: q.FormatQuery = "markdown",
    summary: q.SummaryQuery = False,
) -> Response[str]:
    person, team = access_of(app).scope(person, team)
    document = review(deps.current(), person, team, period, date_from, date_to, summary)
    body, content_type, headers = rendered(document, format)
    return Response(status_code=200, content_type=content_type, body=body, headers=headers)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@admitted  # the access rules table (access/rules.py): 401/403 before anything reads the request
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, deps.current().settings.max_body_bytes)


prime(app, deps.clients, *q.PRIMING)  # SnapStart priming
