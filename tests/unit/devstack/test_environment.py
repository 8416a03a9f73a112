"""Local functions get the environment the template gives them, as AWS (or `sam local`) resolves it."""

from __future__ import annotations

from devstack.functions import parameter_values, resolve_env
from devstack.template import function_environment


def test_dynamodb_endpoint_is_absent_unless_the_local_parameter_is_given() -> None:
    # Given the template's global environment (AWS_ENDPOINT_URL_DYNAMODB behind !If UseLocalDynamoDB)
    env = function_environment("ThreadsWebhookFunction")
    names = {"AchievementsTable": "local-AchievementsTable"}

    # When resolved with the defaults (as deployed), the variable is not set at all
    deployed = resolve_env(env, names, parameter_values())
    assert "AWS_ENDPOINT_URL_DYNAMODB" not in deployed
    assert deployed["ACHIEVEMENTS_TABLE_NAME"] == "local-AchievementsTable"

    # When resolved with the sam-local parameter, Then it points at DynamoDB Local
    local = resolve_env(env, names, parameter_values({"LocalDynamoDBEndpoint": "http://host.docker.internal:8000"}))
    assert local["AWS_ENDPOINT_URL_DYNAMODB"] == "http://host.docker.internal:8000"


def test_every_function_environment_resolves_to_plain_strings() -> None:
    # Given every AWS::Serverless::Function in the template
    from devstack.template import resources

    for name in resources("AWS::Serverless::Function"):
        # When its environment is resolved with the default parameters
        env = resolve_env(function_environment(name), {}, parameter_values())

        # Then every value is a plain string, with no unresolved intrinsic left over
        assert all(isinstance(value, str) and not value.startswith("{") for value in env.values()), (name, env)
