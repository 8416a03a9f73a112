"""Prometheus scrape: the EventBridge schedule, `POST /prometheus/scrape` (run now) and `GET /prometheus/status`."""

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
from achievements.prometheus.deps import deps
from achievements.prometheus.models import (
    ScrapeReport,
    ScrapeRequest,
    ScrapeTrigger,
    StatusResponse,
)
from achievements.prometheus.settings import prometheus_settings

deps.build(prometheus_settings())
tracer.patch(["httpx"])  # its Prometheus queries as X-Ray subsegments (the shared tracer patches botocore only)
app = make_resolver()


@app.post(
    "/prometheus/scrape",
    summary="Scrape every KPI from Prometheus now; improvements and milestones become achievements",
    responses={
        200: documented("the scrape ran: values, achievements (with ids) and each metric that failed", ScrapeReport),
        400: documented("body not JSON"),
        413: documented("body over 64 KiB"),
        415: documented("not JSON"),
        422: documented("invalid body or unknown metric"),
    },
    tags=["prometheus"],
)
def scrape(body: ScrapeRequest | None = None) -> Response[ScrapeReport]:
    report = deps.current().scraper.scrape(
        ScrapeTrigger.MANUAL,
        run_id=app.current_event.request_context.request_id,
        only=body.metrics if body is not None else None,
    )
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=report)


@app.get(
    "/prometheus/status",
    summary="The scrape's interval, thresholds, last values, last run and what failed",
    responses={200: documented("status", StatusResponse)},
    tags=["prometheus"],
)
def status() -> StatusResponse:
    return deps.current().scraper.status()


def scheduled_scrape(event: dict[str, Any]) -> dict[str, Any]:
    """The EventBridge Scheduler run: completes whatever Prometheus does; only a DynamoDB failure raises."""
    invocation = scheduled_event(event, "scrape")
    report = deps.current().scraper.scrape(ScrapeTrigger.SCHEDULE, run_id=invocation.execution_id)
    return report.model_dump(mode="json")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "httpMethod" in event and "requestContext" in event:
        # the access rules table (access/rules.py): 401/403 before anything reads the request
        return admit(event) or resolve(app, event, context, deps.current().settings.max_body_bytes)
    return scheduled_scrape(event)


prime(app, deps.clients, request("POST", "/prometheus/scrape", {"metrics": 1}))  # SnapStart priming
