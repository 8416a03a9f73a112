"""template.yaml for the read API: analyst auth chosen by AnalystAuth, read-only IAM, the impact index."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.template import api_routes, condition_holds, load_template, resources

FUNCTIONS = resources("AWS::Serverless::Function")
INSIGHTS = ("InsightsQueryFunction", "InsightsQueryIamFunction")
READ_ROUTES = {
    ("GET", "/analyze/career-insights"),
    ("GET", "/achievements"),
    ("GET", "/achievements/{achievement_id}"),
    ("GET", "/portfolio"),
}


def routes_of(function: str, parameters: dict[str, str] | None = None) -> list[Any]:
    return [route for route in api_routes(parameters=parameters) if route.function == function]


def test_by_default_analysts_use_a_token_on_the_main_api() -> None:
    # Given the template with default parameters (AnalystAuth=ApiKey), When the API routes are read
    routes = routes_of("InsightsQueryFunction")

    # Then the read routes go to InsightsQueryFunction on CollectorApi, keyed and without an authorizer
    assert {(r.method, r.path) for r in routes} == READ_ROUTES
    assert all(r.api_key_required and r.authorizer == "AccessAuthorizer" and r.api == "CollectorApi" for r in routes)
    # And the IAM variant has no routes at all
    assert routes_of("InsightsQueryIamFunction") == []


def test_with_analyst_auth_iam_the_routes_need_sigv4_and_no_key() -> None:
    # Given AnalystAuth=IAM, When the API routes are read
    parameters = {"AnalystAuth": "IAM"}
    routes = routes_of("InsightsQueryIamFunction", parameters)

    # Then the read routes go to InsightsQueryIamFunction on AnalystApi, with AWS_IAM and no API key
    assert {(r.method, r.path) for r in routes} == READ_ROUTES
    assert all(not r.api_key_required and r.authorizer == "AWS_IAM" and r.api == "AnalystApi" for r in routes)
    # And the API-key variant has no routes
    assert routes_of("InsightsQueryFunction", parameters) == []
    # And AnalystApi exists only under AnalystAuthIsIam, with AWS_IAM as its default authorizer
    api = resources("AWS::Serverless::Api")["AnalystApi"]
    assert api["Condition"] == "AnalystAuthIsIam"
    assert api["Properties"]["Auth"]["DefaultAuthorizer"] == "AWS_IAM"


@pytest.mark.parametrize(("value", "iam"), [("ApiKey", False), ("IAM", True)])
def test_the_parameter_picks_exactly_one_of_the_two_functions(value: str, iam: bool) -> None:
    # Given AnalystAuth set to one of its two allowed values, When the conditions are evaluated
    assert load_template()["Parameters"]["AnalystAuth"]["AllowedValues"] == ["ApiKey", "IAM"]

    # Then exactly one of AnalystAuthIsIam / AnalystAuthIsApiKey holds
    assert condition_holds("AnalystAuthIsIam", {"AnalystAuth": value}) is iam
    assert condition_holds("AnalystAuthIsApiKey", {"AnalystAuth": value}) is not iam


def test_both_variants_run_the_same_code_with_the_same_rights() -> None:
    # Given the API-key and IAM insights functions, When their properties are compared
    key, iam = (FUNCTIONS[name]["Properties"] for name in INSIGHTS)

    # Then code, handler and policies are identical
    for field in ("CodeUri", "Handler", "Policies"):
        assert key[field] == iam[field]
    # the same environment, but where the caller's identity comes from (docs/access.md)
    key_env, iam_env = key["Environment"]["Variables"], dict(iam["Environment"]["Variables"])
    assert iam_env.pop("CALLER_AUTH") == "iam"
    assert "CALLER_AUTH" not in key_env
    assert key_env == iam_env


def test_insights_functions_can_only_read() -> None:
    # Given each insights function, When its policy actions are collected
    for name in INSIGHTS:
        statements = [s for policy in FUNCTIONS[name]["Properties"]["Policies"] for s in policy["Statement"]]
        actions = {action for statement in statements for action in statement["Action"]}

        # Then they are DynamoDB reads plus reading the secret, nothing that writes
        assert actions == {
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "secretsmanager:GetSecretValue",
        }
        # And Query is allowed on the gsi1, gsi2 and gsi3 indexes, and on the table (a team's members)
        queries = [s["Resource"] for s in statements if s["Action"] == ["dynamodb:Query"]]
        assert queries == [
            [
                {"Fn::Sub": "${AchievementsTable.Arn}/index/gsi1"},
                {"Fn::Sub": "${AchievementsTable.Arn}/index/gsi2"},
                {"Fn::Sub": "${AchievementsTable.Arn}/index/gsi3"},
            ],
            {"Fn::GetAtt": ["AchievementsTable", "Arn"]},  # a team's members
        ]


def test_the_cursor_key_is_a_generated_secret_passed_by_name() -> None:
    # Given the cursor signing secret in the template
    secret = resources("AWS::SecretsManager::Secret")["CursorSigningSecret"]["Properties"]

    # When its properties are read, Then it is generated, at least 32 characters long
    assert secret["GenerateSecretString"]["PasswordLength"] >= 32

    # When each insights function's environment is read, Then it names the secret and carries no key itself
    for name in INSIGHTS:
        env = FUNCTIONS[name]["Properties"]["Environment"]["Variables"]
        assert env["CURSOR_SECRET_ID"] == {"Ref": "CursorSigningSecret"}
        assert "CURSOR_SIGNING_KEY" not in env


def test_the_table_has_a_sparse_impact_index() -> None:
    # Given the achievements table, When its gsi2 index is looked up
    table = resources("AWS::DynamoDB::Table")["AchievementsTable"]["Properties"]
    index = next(i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == "gsi2")

    # Then it is keyed by gsi2pk/gsi2sk (sparse: only items with those attributes) and projects all attributes
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["gsi2pk", "gsi2sk"]
    assert index["Projection"] == {"ProjectionType": "ALL"}
