"""The manual routes' path and header parameters and their documented answers (the OpenAPI is made of these)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header, Path

from achievements.core.models import IdNumber
from achievements.http.resolver import documented

IdPath = Annotated[IdNumber, Path(gt=0, le=10**15, description="The achievement's id", examples=[42])]
IfMatch = Annotated[str | None, Header(alias="if-match", description="The ETag the change is based on")]
IdempotencyKey = Annotated[
    str | None, Header(alias="idempotency-key", description="Retries with the same key and body answer the same id")
]
UNKNOWN = {
    404: documented("no achievement with this id (or no such person)"),
    422: documented("the id is not a positive integer, or a field is invalid"),
}
BODY = {
    400: documented("body missing or not JSON, or a bad Idempotency-Key"),
    413: documented("body over the size limit"),
    415: documented("Content-Type is not JSON"),
}
STALE = {412: documented("If-Match is not the current ETag: someone changed it meanwhile")}
