"""Threads-Agent sync: the EventBridge schedule, `POST /threads/sync` (run now) and `GET /threads/sync/status`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.access.guard import admit
from achievements.core.observability import logger, metrics, tracer
from achievements.core.schedule import scheduled_event
from achievements.http.priming import prime, request
from achievements.http.resolver import documented, make_resolver, resolve
from achievements.threads.deps import sync_deps
from achievements.threads.models import SyncReport, SyncRequest, SyncStatus, SyncTrigger
from achievements.threads.settings import threads_sync_settings

sync_deps.build(threads_sync_settings())
app = make_resolver()


@app.post(
    "/threads/sync",
    summary="Pull the threads-adaptor's published posts now; viral ones become achievements",
    responses={
        200: documented("the sync ran: counts, each post's outcome (with ids) and each failure", SyncReport),
        400: documented("body not JSON"),
        413: documented("body over 64 KiB"),
        415: documented("not JSON"),
        422: documented("invalid body (persona_id, limit 1..200)"),
    },
    tags=["threads"],
)
def sync(body: SyncRequest | None = None) -> Response[SyncReport]:
    report = sync_deps.current().sync.sync(
        SyncTrigger.MANUAL,
        run_id=app.current_event.request_context.request_id,
        persona_id=body.persona_id if body is not None else None,
        limit=body.limit if body is not None else None,
    )
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=report)


@app.get(
    "/threads/sync/status",
    summary="The sync's schedule, the adaptor's host, the last run's time, trigger, outcome, counts and errors",
    responses={200: documented("status", SyncStatus)},
    tags=["threads"],
)
def status() -> SyncStatus:
    return sync_deps.current().sync.status()


def scheduled_sync(event: dict[str, Any]) -> dict[str, Any]:
    """The EventBridge Scheduler run: completes whatever the adaptor does; only a store failure raises."""
    invocation = scheduled_event(event, "sync")
    report = sync_deps.current().sync.sync(SyncTrigger.SCHEDULE, run_id=invocation.execution_id)
    return report.model_dump(mode="json")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "httpMethod" in event and "requestContext" in event:
        # the access rules table (access/rules.py): 401/403 before anything reads the request
        return admit(event) or resolve(app, event, context, sync_deps.current().settings.max_body_bytes)
    return scheduled_sync(event)


prime(app, sync_deps.clients, request("POST", "/threads/sync", {"limit": 0}))  # SnapStart priming
