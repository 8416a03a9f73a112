"""The Lambda authorizer's answer: an IAM policy allowing exactly the routes the caller's role reaches.

API Gateway caches the answer per token for the authorizer's TTL and applies it to every route of the API,
so the policy names every route the role may call (rules.py), not only the one being called; the identity
travels as the policy's context, and the token's usage-plan key as `usageIdentifierKey`.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerResponse,
    parse_api_gateway_arn,
)

from achievements.access.models import CallerContext
from achievements.access.rules import allowed_routes, policy_resource
from achievements.access.service import Identified


def policy(identified: Identified, method_arn: str) -> dict[str, Any]:
    arn = parse_api_gateway_arn(method_arn)
    caller = identified.caller
    answer = APIGatewayAuthorizerResponse(
        principal_id=caller.token_id,
        region=arn.region,
        aws_account_id=arn.aws_account_id,
        api_id=arn.api_id,
        stage=arn.stage,
        context=CallerContext.of(caller).model_dump(mode="json"),
        usage_identifier_key=identified.usage_key,
        partition=arn.partition,
    )
    for rule in allowed_routes(caller.role):
        answer.allow_route(rule.method, policy_resource(rule.path))
    return answer.asdict()
