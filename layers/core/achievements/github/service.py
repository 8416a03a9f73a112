"""GitHub deliveries: authenticated by signature, then merged pull requests and published releases
become achievements, exactly once per delivery and per pull request / release (SPEC §3, GitHub webhooks).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from achievements.core.errors import BadRequest, Unauthorized, UnsupportedMediaType
from achievements.core.models import AchievementDraft, Source, WriteStatus
from achievements.core.observability import logger, metrics
from achievements.github.deliveries import DeliveryLog
from achievements.github.drafts import merged_pull_request_draft, published_release_draft
from achievements.github.models import (
    ActionPayload,
    GitHubDeliveryResponse,
    Ping,
    PullRequestClosed,
    PullRequestMerged,
    ReleasePublished,
)
from achievements.github.rules import (
    SIGNATURE_PATTERN,
    signature_matches,
)
from achievements.store import AchievementStore

SIGNATURE_HEADER = "X-Hub-Signature-256"
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"
EVENT_NAME = re.compile(r"^[a-z][a-z_]{0,63}$")
DELIVERY_ID = re.compile(r"^[A-Za-z0-9-]{1,128}$")
JSON = "application/json"

SecretReader = Callable[[], bytes]


class BadHeader(BadRequest):
    """A GitHub header is missing or malformed."""


@dataclass(frozen=True)
class Delivery:
    """An authenticated delivery: its event name, GUID and JSON object body."""

    event: str
    delivery_id: str
    payload: dict[str, Any]
    body_sha256: str


@dataclass(frozen=True)
class DeliveryAnswer:
    status_code: int
    body: GitHubDeliveryResponse


# ---- reading a delivery --------------------------------------------------------------------------------


def _lowered(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {key.lower(): value for key, value in (headers or {}).items() if value is not None}


def authenticate(headers: Mapping[str, str] | None, body: bytes, secret: SecretReader) -> None:
    """Refuse (401) a delivery that is unsigned or not signed with the webhook secret; reads nothing else.

    The secret is fetched only for a well-formed signature, so junk requests cost no Secrets Manager call.
    """
    header = _lowered(headers).get(SIGNATURE_HEADER.lower(), "").strip()
    if not header:
        _refused("unsigned")
        raise Unauthorized(f"missing {SIGNATURE_HEADER} header: deliveries must be signed with the webhook secret")
    if not SIGNATURE_PATTERN.match(header.lower()):
        _refused("malformed")
        raise Unauthorized(f"{SIGNATURE_HEADER} must be sha256=<64 hex digits>")
    if not signature_matches(secret(), body, header):
        _refused("mismatch")
        raise Unauthorized(f"{SIGNATURE_HEADER} does not match the body: not signed with this webhook's secret")


def _refused(reason: str) -> None:
    metrics.add_metric(name="github_signature_failures_total", unit="Count", value=1)
    logger.warning("github delivery refused", extra={"signature": reason})


def _required(headers: dict[str, str], name: str, pattern: re.Pattern[str], shape: str) -> str:
    value = headers.get(name.lower(), "").strip()
    if not value:
        raise BadHeader(f"missing {name} header")
    if not pattern.match(value):
        raise BadHeader(f"{name} header must be {shape}")
    return value


def read_delivery(headers: Mapping[str, str] | None, body: bytes, secret: SecretReader) -> Delivery:
    """Signature first (401), then the GitHub headers (400), the content type (415), the JSON body (400/422)."""
    authenticate(headers, body, secret)
    lowered = _lowered(headers)
    event = _required(lowered, EVENT_HEADER, EVENT_NAME, "an event name such as pull_request")
    delivery_id = _required(lowered, DELIVERY_HEADER, DELIVERY_ID, "the delivery's GUID")
    content_type = lowered.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type != JSON:
        raise UnsupportedMediaType(
            f"Content-Type must be {JSON}, not {content_type}: set the webhook's content type to application/json"
        )
    if not body.strip():
        raise BadRequest("request body is required")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise BadRequest(f"request body is not valid JSON: {error}") from error
    if not isinstance(payload, dict):
        raise RequestValidationError(
            [{"loc": ("body",), "type": "model_type", "msg": "the payload must be a JSON object"}]
        )
    return Delivery(event, delivery_id, payload, hashlib.sha256(body).hexdigest())


def _parse[M: BaseModel](model: type[M], payload: dict[str, Any]) -> M:
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        # Same 422 as the JSON routes: the message names each field, `details` says what is wrong with it.
        raise RequestValidationError(
            [{**detail, "loc": ("body", *detail["loc"])} for detail in error.errors(include_url=False)]
        ) from error


# ---- achievements from events --------------------------------------------------------------------------


def achievement_of(delivery: Delivery) -> AchievementDraft | str:
    """The achievement a delivery makes, or why it makes none (ignored)."""
    if delivery.event == "pull_request":
        closed = _parse(PullRequestClosed, delivery.payload)
        if closed.action != "closed":
            return f"pull_request action {closed.action} is not tracked; only merged pull requests are"
        if not closed.pull_request.is_merged:
            return f"pull request #{closed.pull_request.number} was closed without being merged"
        return merged_pull_request_draft(_parse(PullRequestMerged, delivery.payload))
    if delivery.event == "release":
        action = _parse(ActionPayload, delivery.payload).action
        if action != "published":
            return f"release action {action} is not tracked; only published releases are"
        return published_release_draft(_parse(ReleasePublished, delivery.payload))
    return f"event {delivery.event} is not tracked; only pull_request and release are"


# ---- the use case --------------------------------------------------------------------------------------


def receive_delivery(delivery: Delivery, store: AchievementStore, deliveries: DeliveryLog) -> DeliveryAnswer:
    """Answer an authenticated delivery: pong, ignored (202), or the achievement it made (201/200)."""
    metrics.add_metric(name="github_deliveries_total", unit="Count", value=1)
    logger.info("github delivery", extra={"github_event": delivery.event, "delivery": delivery.delivery_id})
    about = {"event": delivery.event, "delivery": delivery.delivery_id}
    if delivery.event == "ping":
        zen = _parse(Ping, delivery.payload).zen
        return DeliveryAnswer(HTTPStatus.OK, GitHubDeliveryResponse(status="pong", reason=zen, **about))
    made = achievement_of(delivery)
    if isinstance(made, str):
        return DeliveryAnswer(HTTPStatus.ACCEPTED, GitHubDeliveryResponse(status="ignored", reason=made, **about))

    seen = deliveries.find(Source.GITHUB, delivery.delivery_id)
    if seen is not None:
        if seen.body_sha256 != delivery.body_sha256:
            logger.warning("delivery id reused with another body", extra={"delivery": delivery.delivery_id})
        return DeliveryAnswer(
            HTTPStatus.OK,
            GitHubDeliveryResponse(
                status="duplicate",
                achievement_id=seen.achievement_id,
                source_ref=seen.source_ref,
                reason="this delivery was already received",
                **about,
            ),
        )
    result = store.upsert(made)
    deliveries.record(
        Source.GITHUB,
        delivery.delivery_id,
        result.achievement_id,
        made.source_ref,
        delivery.event,
        delivery.body_sha256,
    )
    if result.status == WriteStatus.CREATED:
        metrics.add_metric(name="github_achievements_total", unit="Count", value=1)
    return DeliveryAnswer(
        HTTPStatus.CREATED if result.status == WriteStatus.CREATED else HTTPStatus.OK,
        GitHubDeliveryResponse(
            status=result.status.value,
            achievement_id=result.achievement_id,
            source_ref=made.source_ref,
            reason=(
                "this payload is older than the one stored (pull_request.updated_at / release published_at): ignored"
                if result.reason
                else None
            ),
            **about,
        ),
    )
