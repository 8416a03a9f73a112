"""The REST resolver every API function uses: validation, OpenAPI, one place mapping errors to statuses."""

from __future__ import annotations

import base64
import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from achievements.exceptions import AchievementError
from achievements.observability import logger

JSON = content_types.APPLICATION_JSON


def error_response(status: HTTPStatus | int, message: str, details: list[dict[str, Any]] | None = None) -> Response:
    body: dict[str, Any] = {"message": message}
    if details:
        body["details"] = details
    return Response(status_code=int(status), content_type=JSON, body=body)


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

    @app.exception_handler(AchievementError)
    def _domain_error(error: AchievementError) -> Response:
        logger.info("request refused", extra={"status": int(error.status), "reason": error.message})
        return error_response(error.status, error.message)

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
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if size and content_type and content_type != JSON and not content_type.endswith("+json"):
        return _refusal(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Content-Type must be {JSON}, not {content_type}")
    if size and not event.get("isBase64Encoded") and str(event["body"]).lstrip().startswith("["):
        # Powertools would validate a one-element array as its element; every body here is an object.
        return _refusal(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid request: body must be a JSON object, not an array")
    return app.resolve(event, context)
