"""Access tests: the tokens graph on moto (tables from template.yaml, API Gateway's usage plan), callers."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from achievements.access.deps import AccessDeps
from achievements.access.deps import deps as access_deps
from achievements.access.models import CallerContext
from achievements.core.callers import Caller, Role
from tests.conftest import Tables, api_event, build_on

PLAN_NAME = "test-callers"
BOOTSTRAP_USAGE_KEY = "test-bootstrap-admin-usage"
BOOTSTRAP_TOKEN = "test-bootstrap-admin-token"


def authorizer_context(caller: Caller) -> dict[str, Any]:
    """`requestContext.authorizer` as API Gateway passes the access authorizer's answer on."""
    return {"principalId": caller.token_id, "integrationLatency": 3, **CallerContext.of(caller).model_dump()}


def as_caller(event: dict[str, Any], caller: Caller | None) -> dict[str, Any]:
    """The event as it reaches a function behind the authorizer for this caller (None: no identity at all)."""
    context = dict(event["requestContext"])
    if caller is None:
        context.pop("authorizer", None)
    else:
        context["authorizer"] = authorizer_context(caller)
    return {**event, "requestContext": context}


def member(person: str = "ann") -> Caller:
    return Caller(token_id=f"t-{person}", role=Role.MEMBER, person=person)


@pytest.fixture
def usage_plan(moto_tables: Tables) -> str:
    """The template's usage plan and bootstrap key, in moto's API Gateway (moto_tables holds mock_aws open)."""
    apigateway = boto3.client("apigateway", region_name="us-east-1")
    plan = apigateway.create_usage_plan(name=PLAN_NAME)["id"]
    key = apigateway.create_api_key(name="bootstrap", value=BOOTSTRAP_USAGE_KEY, enabled=True)["id"]
    apigateway.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
    return str(plan)


@pytest.fixture
def access(moto_tables: Tables, usage_plan: str) -> AccessDeps:
    settings = access_deps.default_settings().model_copy(update={"tokens_table_name": moto_tables.names["TokensTable"]})
    graph: AccessDeps = build_on(access_deps, moto_tables, settings, apigateway=boto3.client("apigateway"))
    return graph


def plan_key_values(plan: str) -> set[str]:
    """The usage plan's keys that still exist (moto keeps a deleted key listed in the plan)."""
    apigateway = boto3.client("apigateway", region_name="us-east-1")
    existing = {k["id"]: k["value"] for k in apigateway.get_api_keys(includeValues=True)["items"]}
    held = apigateway.get_usage_plan_keys(usagePlanId=plan)["items"]
    return {existing[item["id"]] for item in held if item["id"] in existing}


def tokens_call(method: str, path: str, caller: Caller | None, body: Any = None, context: Any = None) -> Any:
    """A /tokens request through AccessTokensFunction's handler, for this caller."""
    from functions.access_tokens import app as tokens_app

    event = api_event("token_list.json", body=body)
    event.update(httpMethod=method, path=path, resource="/tokens/{token_id}" if path.count("/") > 1 else "/tokens")
    event["pathParameters"] = {"token_id": path.rsplit("/", 1)[1]} if path.count("/") > 1 else None
    response = tokens_app.lambda_handler(as_caller(event, caller), context)
    return int(response["statusCode"]), json.loads(response["body"]) if response.get("body") else None
