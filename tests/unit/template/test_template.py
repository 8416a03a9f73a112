"""template.yaml keeps its promises: API keys, least privilege, no secrets in env, tables, log groups."""

from __future__ import annotations

import re
from typing import Any

import pytest

from devstack.template import ROOT, api_routes, load_template, resources

TEMPLATE = load_template()
FUNCTIONS = resources("AWS::Serverless::Function")
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|TOKEN|API_KEY)$", re.IGNORECASE)
# Routes that authenticate by other means (signature), by design.
PUBLIC_ROUTES = {("POST", "/github/webhook")}


def statements(function: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in function["Properties"].get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            found.extend(policy["Statement"])
    return found


def test_globals_pin_one_python_runtime_that_the_tests_run_on() -> None:
    import sys

    runtime = TEMPLATE["Globals"]["Function"]["Runtime"]
    assert runtime == f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert TEMPLATE["Globals"]["Function"]["Tracing"] == "Active"


@pytest.mark.parametrize("route", api_routes(), ids=lambda r: f"{r.method} {r.path}")
def test_every_route_needs_an_api_key_unless_signed(route) -> None:
    assert route.api_key_required is ((route.method, route.path) not in PUBLIC_ROUTES)


def test_usage_plan_throttles_each_caller_by_the_key_the_authorizer_gives() -> None:
    api = resources("AWS::Serverless::Api")["CollectorApi"]["Properties"]
    assert api["ApiKeySourceType"] == "AUTHORIZER"
    assert "UsagePlan" not in api["Auth"]  # the template's own plan (AccessUsagePlan), one key per token
    [plan] = resources("AWS::ApiGateway::UsagePlan").values()
    assert set(plan["Properties"]["Throttle"]) == {"RateLimit", "BurstLimit"}
    [stage] = plan["Properties"]["ApiStages"]
    assert stage == {"ApiId": {"Ref": "CollectorApi"}, "Stage": {"Ref": "CollectorApi.Stage"}}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_function_has_a_log_group_with_retention(name: str) -> None:
    groups = [
        group["Properties"]
        for group in resources("AWS::Logs::LogGroup").values()
        if group["Properties"]["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{name}}}"}
    ]
    assert len(groups) == 1
    assert groups[0]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_function_names_its_service_and_holds_no_secret_in_its_environment(name: str) -> None:
    env = FUNCTIONS[name]["Properties"].get("Environment", {}).get("Variables", {})
    assert "POWERTOOLS_SERVICE_NAME" in env
    everything = {**TEMPLATE["Globals"]["Function"]["Environment"]["Variables"], **env}
    assert [key for key in everything if SECRET_NAME.search(key)] == []


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_function_policy_names_its_actions_and_resources(name: str) -> None:
    found = statements(FUNCTIONS[name])
    for statement in found:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in action for action in actions), statement
        assert statement["Resource"] != "*", statement
    managed = [p for p in FUNCTIONS[name]["Properties"].get("Policies", []) if isinstance(p, str)]
    assert managed == []


def test_ingest_functions_can_only_get_put_and_update_achievements() -> None:
    for name in ("ThreadsWebhookFunction", "KpiMilestoneFunction"):
        actions = {action for statement in statements(FUNCTIONS[name]) for action in statement["Action"]}
        # BatchGetItem: the event's ref and the registry items deciding its owner, in one read
        assert actions == {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}


@pytest.mark.parametrize("name", sorted(resources("AWS::DynamoDB::Table")))
def test_tables_are_on_demand_with_pitr_and_encryption(name: str) -> None:
    props = resources("AWS::DynamoDB::Table")[name]["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}


def test_idempotency_table_expires_records() -> None:
    props = resources("AWS::DynamoDB::Table")["IdempotencyTable"]["Properties"]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}


def test_core_layer_is_built_by_sam_for_the_runtime_with_bytecode() -> None:
    layer = resources("AWS::Serverless::LayerVersion")["CoreLayer"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Properties"]["ContentUri"] == "layers/core/"
    runtime = TEMPLATE["Globals"]["Function"]["Runtime"]
    makefile = (ROOT / "layers" / "core" / "Makefile").read_text()
    assert f"PYTHON ?= {runtime}" in makefile
    assert f"PY_VERSION := {runtime.removeprefix('python')}" in makefile
    assert "compileall" in makefile
    assert layer["Properties"]["CompatibleRuntimes"] == [runtime]
