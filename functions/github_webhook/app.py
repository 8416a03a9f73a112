"""GitHub webhook: `POST /github/webhook` turns signed deliveries (merged PRs, published releases) into achievements.

No API key on this route: GitHub cannot send one. The webhook secret (Secrets Manager) signs every delivery
and the signature is checked before anything else of the body is read.
"""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.core.observability import logger, metrics, tracer
from achievements.github.deps import deps
from achievements.github.models import GitHubDeliveryResponse
from achievements.github.service import read_delivery, receive_delivery
from achievements.github.settings import github_webhook_settings
from achievements.http.priming import prime, request
from achievements.http.resolver import documented, make_resolver, resolve

deps.build(github_webhook_settings())
app = make_resolver()


def _answer(description: str) -> OpenAPIResponse:
    return documented(description, GitHubDeliveryResponse)


def raw_body(body: str | None, is_base64_encoded: bool | None) -> bytes:
    """The bytes GitHub signed: API Gateway passes text bodies as UTF-8 strings, binary ones base64-encoded."""
    if not body:
        return b""
    return base64.b64decode(body) if is_base64_encoded else body.encode()


@app.post(
    "/github/webhook",
    summary="Receive a GitHub webhook delivery; merged pull requests and published releases become achievements",
    responses={
        200: _answer("pong (ping), updated/unchanged (the same PR or release again), duplicate (a redelivery)"),
        201: _answer("created"),
        202: _answer("ignored: an event or action that is not tracked"),
        400: documented("X-GitHub-Event or X-GitHub-Delivery missing or malformed, body missing or not JSON"),
        401: documented("X-Hub-Signature-256 missing, malformed or not made with the webhook secret"),
        413: documented("body over GitHubMaxBodyBytes (512 KiB by default)"),
        415: documented("Content-Type other than application/json"),
        422: documented("the payload lacks a field the event needs (the message names it)"),
        503: documented("the webhook secret could not be read; redeliver later"),
    },
    tags=["github"],
)
def webhook() -> Response[GitHubDeliveryResponse]:
    graph, request = deps.current(), app.current_event
    body = raw_body(request.body, request.is_base64_encoded)
    delivery = read_delivery(request.headers, body, graph.webhook_secret.get)
    answer = receive_delivery(delivery, graph.store, graph.deliveries)
    return Response(status_code=answer.status_code, content_type=content_types.APPLICATION_JSON, body=answer.body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, deps.current().settings.github_max_body_bytes, inspect_body=False)


# SnapStart priming: the first request's one-time work before the snapshot (no I/O)
prime(app, deps.clients, request("POST", "/github/webhook", {}), services=("dynamodb", "secretsmanager"))
