"""Deep analysis requests: `POST /analyze/deep/{id}` queues an achievement, `GET /analyze/deep/{id}` reads it.

No openai import here: the request side only reads the store and sends to SQS.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.access.guard import access_of, admitted
from achievements.analysis.deps import requests
from achievements.analysis.models import DeepAnalysisAnswer
from achievements.analysis.service import deep_analysis_status, request_deep_analysis
from achievements.analysis.settings import analysis_request_settings
from achievements.core.models import IdNumber
from achievements.core.observability import logger, metrics, tracer
from achievements.http.priming import prime, request
from achievements.http.resolver import documented, make_resolver, resolve

requests.build(analysis_request_settings())
app = make_resolver()

# Named `id` like the template's path /analyze/deep/{id}, so the OpenAPI document says the same. The bound is
# GET /achievements/{achievement_id}'s: 2**63 - 1 reached the document as the float 2**63, one past it.
AchievementId = Annotated[IdNumber, Path(gt=0, le=10**15, description="The achievement's id", examples=[42])]
ERRORS: dict[int, OpenAPIResponse] = {
    404: documented("no achievement with this id"),
    422: documented("the id is not a positive integer"),
}


@app.post(
    "/analyze/deep/<id>",
    summary="Queue a deep analysis of an achievement (answers completed at once if its content is analysed)",
    responses={
        200: documented("completed", DeepAnalysisAnswer),
        202: documented("queued", DeepAnalysisAnswer),
        **ERRORS,
    },
    tags=["analysis"],
)
def queue_analysis(id: AchievementId) -> Response[DeepAnalysisAnswer]:
    graph = requests.current()
    answer = request_deep_analysis(id, access_of(app).store(graph.store), graph.queue)
    return Response(
        status_code=202 if answer.status == "queued" else 200,
        content_type=content_types.APPLICATION_JSON,
        body=answer,
    )


@app.get(
    "/analyze/deep/<id>",
    summary="The deep analysis of an achievement: completed, or pending while queued",
    responses={
        200: documented("completed or pending", DeepAnalysisAnswer),
        **ERRORS,
    },
    tags=["analysis"],
)
def analysis_status(id: AchievementId) -> DeepAnalysisAnswer:
    return deep_analysis_status(id, access_of(app).store(requests.current().store))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@admitted  # the access rules table (access/rules.py): 401/403 before anything reads the request
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, requests.current().settings.max_body_bytes)


# SnapStart priming: the first request's one-time work before the snapshot (no I/O)
prime(
    app,
    requests.clients,
    request("POST", "/analyze/deep/0"),
    request("GET", "/analyze/deep/0"),
    services=("dynamodb", "sqs"),
)
