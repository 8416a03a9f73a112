"""The REST resolver every API function uses: validation, OpenAPI, one place mapping errors to statuses."""

from __future__ import annotations

import base64
import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from pydantic import BaseModel

from achievements.core.errors import AchievementError
from achievements.core.models import ErrorResponse, TrackResponse
from achievements.core.observability import logger
from achievements.http.bodies import hostile_shape
from achievements.http.errors import status_of

JSON = content_types.APPLICATION_JSON
# Seconds a client waits before retrying a 503: DynamoDB throttling and brief outages clear within about that.
RETRY_AFTER_SECONDS = 1
# AWS error codes meaning "not now" rather than "never": throttled or a fault on the service's side.
THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
    }
)
SERVICE_FAULT_CODES = frozenset({"InternalServerError", "InternalFailure", "ServiceUnavailable"})
# Reasons a TransactWriteItems is cancelled that clear by themselves (the store handles conflicts itself).
TRANSIENT_CANCELLATIONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})


def error_response(
    status: HTTPStatus | int,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"message": message}
    if details:
        body["details"] = details
    if int(status) == HTTPStatus.SERVICE_UNAVAILABLE:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), **(headers or {})}
    return Response(status_code=int(status), content_type=JSON, body=body, headers=headers)


def unavailability(error: Exception) -> str | None:
    """Why an AWS call failed for now (connection, timeout, throttling, a 5xx), or None when retrying cannot help."""
    if isinstance(error, BotoConnectionError):
        return "could not connect"
    if isinstance(error, HTTPClientError):
        return "the connection failed or timed out"
    if not isinstance(error, ClientError):
        return None
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in THROTTLING_CODES:
        return "throttled"
    if code == "TransactionCanceledException":
        reasons = {reason.get("Code") for reason in error.response.get("CancellationReasons", [])}
        return "throttled" if reasons & TRANSIENT_CANCELLATIONS else None
    if code in SERVICE_FAULT_CODES or status >= 500:
        return f"server error {status or code}"
    return None


def _describe(errors: list[Any]) -> list[dict[str, Any]]:
    described = []
    for error in errors:
        entry = {"loc": [str(part) for part in error.get("loc", ())], "type": error.get("type", "")}
        if "msg" in error:
            entry["msg"] = error["msg"]
        described.append(entry)
    return described


def make_resolver() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response:
        details = _describe(list(error.errors()))
        if any(detail["type"] == "json_invalid" for detail in details):
            return error_response(HTTPStatus.BAD_REQUEST, "request body is not valid JSON", details)
        if any(detail["loc"] == ["body"] and detail["type"] == "missing" for detail in details):
            return error_response(HTTPStatus.BAD_REQUEST, "request body is required", details)
        fields = ", ".join(".".join(d["loc"][1:] or d["loc"]) or "body" for d in details)
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, f"invalid request: {fields}", details)

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported(error: RequestUnsupportedContentType) -> Response:
        # Powertools' own 415 body is not the documented {"message"} shape.
        return error_response(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Content-Type must be {JSON}")

    @app.exception_handler(AchievementError)
    def _domain_error(error: AchievementError) -> Response:
        status = status_of(error)
        logger.info("request refused", extra={"status": int(status), "reason": error.message})
        return error_response(status, error.message)

    @app.exception_handler([BotoConnectionError, HTTPClientError, ClientError])
    def _store_unavailable(error: Exception) -> Response:
        # botocore has already retried (store/achievements.py default_client): answer a clean 503 the client may retry.
        # Nothing was acknowledged, and a retried write is safe: the store dedupes by the event's source ref.
        reason = unavailability(error)
        if reason is None:
            raise error  # a bug (validation, access denied, ...): Lambda reports it, API Gateway answers 502
        logger.warning(
            "store unavailable", extra={"reason": reason, "error": type(error).__name__, "detail": str(error)}
        )
        return error_response(
            HTTPStatus.SERVICE_UNAVAILABLE, f"the store is unavailable ({reason}); retry in {RETRY_AFTER_SECONDS} s"
        )

    @app.not_found
    def _not_found(_: Exception) -> Response:
        return error_response(
            HTTPStatus.NOT_FOUND,
            f"no route {app.current_event.http_method} {app.current_event.path}",
        )

    return app


def body_size(event: dict[str, Any]) -> int:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return len(base64.b64decode(body, validate=False))
    return len(body.encode())


def _refusal(status: HTTPStatus, message: str) -> dict[str, Any]:
    logger.info("request refused", extra={"status": int(status), "reason": message})
    return {
        "statusCode": int(status),
        "headers": {"Content-Type": JSON},
        "body": json.dumps({"message": message}),
        "isBase64Encoded": False,
    }


def resolve(
    app: APIGatewayRestResolver,
    event: dict[str, Any],
    context: Any,
    max_body_bytes: int,
    *,
    inspect_body: bool = True,
) -> dict[str, Any]:
    """Refuse an oversized or non-JSON body before anything parses it, then route.

    `inspect_body=False` checks only the size: a signed route (GitHub) looks at nothing else of the body
    before it has verified the signature, and checks the rest itself.
    """
    size = body_size(event)
    if size > max_body_bytes:
        return _refusal(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body is {size} bytes; the limit is {max_body_bytes}"
        )
    if not inspect_body:
        return app.resolve(event, context)
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    content_type = str(headers.get("content-type") or "").split(";")[0].strip().lower()
    if size and content_type and content_type != JSON and not content_type.endswith("+json"):
        return _refusal(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Content-Type must be {JSON}, not {content_type}")
    if content_type:
        # Media types are case-insensitive (RFC 9110): `Application/Json` is JSON, and so is `+json`.
        event = _with_json_content_type(event)
    if size:
        text = _body_text(event)
        if text is None:
            return _refusal(HTTPStatus.BAD_REQUEST, "request body is not valid JSON: not UTF-8")
        if text.lstrip().startswith("["):
            # Powertools would validate a one-element array as its element; every body here is an object.
            return _refusal(
                HTTPStatus.UNPROCESSABLE_ENTITY, "invalid request: body must be a JSON object, not an array"
            )
        hostile = hostile_shape(text)
        if hostile is not None:
            return _refusal(HTTPStatus.BAD_REQUEST, f"request body refused: {hostile}")
    return app.resolve(event, context)


def _body_text(event: dict[str, Any]) -> str | None:
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return str(body)
    try:
        return base64.b64decode(body, validate=False).decode()
    except (ValueError, UnicodeDecodeError):
        return None


def _with_json_content_type(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its Content-Type spelled `application/json` in every header map (a copy)."""
    copied = dict(event)
    for field, value in (("headers", JSON), ("multiValueHeaders", [JSON])):
        mapping = event.get(field)
        if isinstance(mapping, dict):
            copied[field] = {
                **{key: item for key, item in mapping.items() if key.lower() != "content-type"},
                "Content-Type": value,
            }
    return copied


def documented(description: str, model: type[BaseModel] = ErrorResponse) -> OpenAPIResponse:
    """One OpenAPI response entry: a description and its JSON body model."""
    return {"description": description, "content": {JSON: {"model": model}}}


def ingest_responses(invalid: str) -> dict[int, OpenAPIResponse]:
    """The answers of a route that turns an event into an achievement (`TrackResponse`)."""
    return {
        200: documented("skipped, updated or unchanged", TrackResponse),
        201: documented("created", TrackResponse),
        400: documented("body missing or not JSON", ErrorResponse),
        409: documented("concurrent writes of the same event kept colliding: retry", ErrorResponse),
        413: documented("body over the size limit (64 KiB)", ErrorResponse),
        415: documented("Content-Type is not JSON", ErrorResponse),
        422: documented(invalid, ErrorResponse),
    }


def track_answer(answer: TrackResponse) -> Response[TrackResponse]:
    """201 for a created achievement, 200 for everything else, as SPEC §3 answers."""
    return Response(status_code=201 if answer.status == "created" else 200, content_type=JSON, body=answer)
