"""The API's Lambda authorizer (REQUEST): who a bearer token is, and the routes their role may call.

API Gateway caches the answer per Authorization header for the authorizer's TTL (template parameter
AuthorizerCacheSeconds); a missing, unknown, altered, truncated, revoked or expired token is 401.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from achievements.access.authorizer import policy
from achievements.access.credentials import bearer_token
from achievements.access.deps import deps
from achievements.access.settings import access_settings
from achievements.core.models import utcnow
from achievements.core.observability import logger, metrics, tracer

deps.build(access_settings())


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=APIGatewayAuthorizerRequestEvent)
def lambda_handler(event: APIGatewayAuthorizerRequestEvent, context: LambdaContext) -> dict[str, Any]:
    # Only the header: a token in the query string (or anywhere else) is never looked at.
    token = bearer_token(event.headers.get("authorization"))  # Powertools' headers: any casing
    identified = deps.current().authorizer.identify(token, utcnow()) if token else None
    if identified is None:
        logger.info("token refused", extra={"route": f"{event.http_method} {event.resource}"})
        raise PermissionError("Unauthorized")  # exactly this message: API Gateway answers 401
    logger.append_keys(token_id=identified.caller.token_id, role=identified.caller.role.value)
    return policy(identified, event.method_arn)
