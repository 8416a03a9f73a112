"""Threads webhook: `POST /threads/track` turns a viral post into a content achievement."""

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
from achievements.threads.deps import deps
from achievements.threads.models import ViralPostIn
from achievements.threads.service import track_viral_post

deps.build(core_settings())
app = make_resolver()


@app.post(
    "/threads/track",
    summary="Track a Threads post; a viral one (engagement >= 6%) becomes an achievement",
    responses=ingest_responses("invalid fields"),
    tags=["threads"],
)
def track(post: ViralPostIn) -> Response[TrackResponse]:
    return track_answer(track_viral_post(post, deps.current().store))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@admitted  # the access rules table (access/rules.py): 401/403 before anything reads the request
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, deps.current().settings.max_body_bytes)


prime(app, deps.clients, request("POST", "/threads/track", {}))  # SnapStart priming
