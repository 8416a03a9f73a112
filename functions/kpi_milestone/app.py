"""KPI milestones: `POST /kpi/milestones` is the reference's `track_kpi_milestone` over the API."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.access.guard import admitted
from achievements.core.models import TrackResponse
from achievements.core.observability import logger, metrics, tracer
from achievements.core.settings import core_settings
from achievements.http.priming import prime, request
from achievements.http.resolver import ingest_responses, make_resolver, resolve, track_answer
from achievements.kpi.deps import deps
from achievements.kpi.models import KpiMilestoneIn
from achievements.kpi.service import track_kpi_milestone

deps.build(core_settings())
app = make_resolver()


@app.post(
    "/kpi/milestones",
    summary="Record a KPI that met its target as a milestone achievement",
    responses=ingest_responses("invalid fields or unknown metric"),
    tags=["kpi"],
)
def milestone(body: KpiMilestoneIn) -> Response[TrackResponse]:
    answer = track_kpi_milestone(
        body.metric_name,
        body.value,
        body.target,
        deps.current().store,
        direction=body.direction,
        occurred_at=body.occurred_at,
    )
    return track_answer(answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@admitted  # the access rules table (access/rules.py): 401/403 before anything reads the request
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, deps.current().settings.max_body_bytes)


prime(app, deps.clients, request("POST", "/kpi/milestones", {}))  # SnapStart priming
