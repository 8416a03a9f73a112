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

    # Given the runtime template.yaml's Globals pin for every function
    runtime = TEMPLATE["Globals"]["Function"]["Runtime"]

    # When it is compared with the interpreter running these tests, Then they are the same Python version
    assert runtime == f"python{sys.version_info.major}.{sys.version_info.minor}"
    # And tracing is a parameter, Active by default
    assert TEMPLATE["Globals"]["Function"]["Tracing"] == {"Ref": "Tracing"}
    assert TEMPLATE["Parameters"]["Tracing"]["Default"] == "Active"


@pytest.mark.parametrize("route", api_routes(), ids=lambda r: f"{r.method} {r.path}")
def test_every_route_needs_an_api_key_unless_signed(route) -> None:
    # Given one API route of the template, When its auth is read, Then it requires an API key unless it is
    # one of the signed PUBLIC_ROUTES
    assert route.api_key_required is ((route.method, route.path) not in PUBLIC_ROUTES)


def test_usage_plan_throttles_each_caller_by_the_key_the_authorizer_gives() -> None:
    # Given the CollectorApi and the template's usage plan
    api = resources("AWS::Serverless::Api")["CollectorApi"]["Properties"]
    [plan] = resources("AWS::ApiGateway::UsagePlan").values()

    # Then keys come from the authorizer (one per token), and the plan on the API's stage throttles each
    assert api["ApiKeySourceType"] == "AUTHORIZER"
    assert "UsagePlan" not in api["Auth"]  # the template's own plan (AccessUsagePlan), one key per token
    assert set(plan["Properties"]["Throttle"]) == {"RateLimit", "BurstLimit"}
    [stage] = plan["Properties"]["ApiStages"]
    assert stage == {"ApiId": {"Ref": "CollectorApi"}, "Stage": {"Ref": "CollectorApi.Stage"}}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_function_has_a_log_group_with_retention(name: str) -> None:
    # Given one function of the template, When the log groups named /aws/lambda/<that function> are collected
    groups = [
        group["Properties"]
        for group in resources("AWS::Logs::LogGroup").values()
        if group["Properties"]["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{name}}}"}
    ]
    # Then there is exactly one, keeping logs for LogRetentionDays
    assert len(groups) == 1
    assert groups[0]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_function_names_its_service_and_holds_no_secret_in_its_environment(name: str) -> None:
    # Given one function's own environment variables
    env = FUNCTIONS[name]["Properties"].get("Environment", {}).get("Variables", {})
    # When they are read, Then the function sets its own POWERTOOLS_SERVICE_NAME
    assert "POWERTOOLS_SERVICE_NAME" in env
    # And with the Globals' variables merged in, no name ends in SECRET, PASSWORD, TOKEN or API_KEY
    everything = {**TEMPLATE["Globals"]["Function"]["Environment"]["Variables"], **env}
    assert [key for key in everything if SECRET_NAME.search(key)] == []


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_function_policy_names_its_actions_and_resources(name: str) -> None:
    # Given one function's inline policy statements
    found = statements(FUNCTIONS[name])

    # When each is inspected, Then no action holds a wildcard and no resource is "*"
    for statement in found:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in action for action in actions), statement
        assert statement["Resource"] != "*", statement
    # And the function attaches no managed policy by name
    managed = [p for p in FUNCTIONS[name]["Properties"].get("Policies", []) if isinstance(p, str)]
    assert managed == []


def test_ingest_functions_can_only_get_put_and_update_achievements() -> None:
    # Given the Threads webhook and KPI milestone functions
    for name in ("ThreadsWebhookFunction", "KpiMilestoneFunction"):
        # When the actions of their statements are collected, Then they are exactly Get/Put/UpdateItem
        actions = {action for statement in statements(FUNCTIONS[name]) for action in statement["Action"]}
        # BatchGetItem: the event's ref and the registry items deciding its owner, in one read
        assert actions == {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}


@pytest.mark.parametrize("name", sorted(resources("AWS::DynamoDB::Table")))
def test_tables_are_on_demand_with_pitr_and_encryption(name: str) -> None:
    # Given one DynamoDB table of the template
    props = resources("AWS::DynamoDB::Table")[name]["Properties"]

    # When its properties are read, Then it bills per request, has point-in-time recovery and SSE on
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}


def test_idempotency_table_expires_records() -> None:
    # Given the IdempotencyTable
    props = resources("AWS::DynamoDB::Table")["IdempotencyTable"]["Properties"]

    # When its TTL setting is read, Then records expire on their "expiration" attribute
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}


def test_core_layer_is_built_by_sam_for_the_runtime_with_bytecode() -> None:
    # Given the CoreLayer resource
    layer = resources("AWS::Serverless::LayerVersion")["CoreLayer"]
    # When its build metadata is read, Then SAM builds layers/core/ with the layer's own Makefile
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Properties"]["ContentUri"] == "layers/core/"
    # And that Makefile, read against the Globals' runtime, builds for that Python and compiles bytecode,
    # and the layer declares that runtime only
    runtime = TEMPLATE["Globals"]["Function"]["Runtime"]
    makefile = (ROOT / "layers" / "core" / "Makefile").read_text()
    assert f"PYTHON ?= {runtime}" in makefile
    assert f"PY_VERSION := {runtime.removeprefix('python')}" in makefile
    assert "compileall" in makefile
    assert layer["Properties"]["CompatibleRuntimes"] == [runtime]


def test_snapstart_memory_architecture_and_tracing_are_parameters_every_function_inherits() -> None:
    # Given the template's function defaults
    defaults = TEMPLATE["Globals"]["Function"]

    # Then SnapStart (on published versions, behind the alias every event source invokes), memory,
    # architecture and tracing come from parameters, SnapStart on by default
    assert defaults["AutoPublishAlias"] == "live"
    assert defaults["SnapStart"] == {"ApplyOn": {"Fn::If": ["UseSnapStart", "PublishedVersions", "None"]}}
    assert TEMPLATE["Parameters"]["SnapStart"]["Default"] == "Enabled"
    assert defaults["MemorySize"] == {"Ref": "ApiMemorySize"}
    assert defaults["Architectures"] == [{"Ref": "FunctionArchitecture"}]
    assert set(TEMPLATE["Parameters"]["FunctionArchitecture"]["AllowedValues"]) == {"x86_64", "arm64"}
    # and the one layer serves both architectures
    layer = resources("AWS::Serverless::LayerVersion")["CoreLayer"]["Properties"]
    assert layer["CompatibleArchitectures"] == ["x86_64", "arm64"]
    # and no API function overrides them; the SQS worker opts out of SnapStart explicitly
    for name, function in FUNCTIONS.items():
        props = function["Properties"]
        if name == "DeepAnalysisFunction":
            assert props["SnapStart"] == {"ApplyOn": "None"}
            assert props["MemorySize"] == {"Ref": "WorkerMemorySize"}
        else:
            assert not {"SnapStart", "MemorySize", "Architectures", "Tracing", "AutoPublishAlias"} & set(props), name


def test_the_layer_makefile_builds_wheels_of_both_architectures() -> None:
    # Given the core layer's build file / Then it installs the x86_64 and the aarch64 wheels
    makefile = (ROOT / "layers" / "core" / "Makefile").read_text()
    assert "manylinux2014_x86_64" in makefile
    assert "manylinux2014_aarch64" in makefile
