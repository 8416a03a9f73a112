"""template.yaml for GET /reviews: auth as the insights', read-only IAM, the OpenAI key by ARN."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.template import api_routes, resources

FUNCTIONS = resources("AWS::Serverless::Function")
REVIEWS = ("ReviewsFunction", "ReviewsIamFunction")


def routes_of(function: str, parameters: dict[str, str] | None = None) -> list[Any]:
    return [route for route in api_routes(parameters=parameters) if route.function == function]


@pytest.mark.parametrize(
    ("parameters", "function", "other", "api", "authorizer"),
    [({}, "ReviewsFunction", "ReviewsIamFunction", "CollectorApi", "AccessAuthorizer"),
     ({"AnalystAuth": "IAM"}, "ReviewsIamFunction", "ReviewsFunction", "AnalystApi", "AWS_IAM")],
    ids=["api-key", "iam"],
)  # fmt: skip
def test_the_review_route_follows_the_analyst_auth_of_the_read_api(
    parameters: dict[str, str], function: str, other: str, api: str, authorizer: str
) -> None:
    # Given the template under one AnalystAuth, When its routes are listed
    routes = routes_of(function, parameters)
    # Then GET /reviews is served by exactly one of the two functions, on the same API as the insights
    assert [(r.method, r.path, r.api, r.authorizer) for r in routes] == [("GET", "/reviews", api, authorizer)]
    assert routes_of(other, parameters) == []
    # And behind the access authorizer the usage plan's key (the authorizer's) throttles per caller; IAM has none
    assert all(r.api_key_required is (authorizer == "AccessAuthorizer") for r in routes)


def test_reviews_can_only_read_the_period_indexes_and_the_openai_key() -> None:
    # Given both variants' policies
    for name in REVIEWS:
        properties = FUNCTIONS[name]["Properties"]
        statements = [s for policy in properties["Policies"] for s in policy["Statement"]]
        # When their actions are gathered, Then they read (no write) and reach only gsi1/gsi3 and the key
        actions = {action for statement in statements for action in statement["Action"]}
        assert actions == {"dynamodb:GetItem", "dynamodb:Query", "secretsmanager:GetSecretValue"}
        queries = [s["Resource"] for s in statements if s["Action"] == ["dynamodb:Query"]]
        assert queries == [
            [{"Fn::Sub": "${AchievementsTable.Arn}/index/gsi1"}, {"Fn::Sub": "${AchievementsTable.Arn}/index/gsi3"}]
        ]
        env = properties["Environment"]["Variables"]
        assert env["OPENAI_API_KEY_SECRET_ID"] == {"Ref": "OpenAIApiKeySecret"}
        assert "OPENAI_API_KEY" not in env
        # And an OpenAI summary (10 s, one retry) fits inside the function's and API Gateway's time
        assert float(env["OPENAI_TIMEOUT_SECONDS"]) * (1 + int(env["OPENAI_MAX_RETRIES"])) < properties["Timeout"] < 29
