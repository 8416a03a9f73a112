"""template.yaml for the GitHub webhook: public route, secret by reference only, least privilege, throttled."""

from __future__ import annotations

from devstack.template import api_routes, load_template, resources

TEMPLATE = load_template()
FUNCTION = resources("AWS::Serverless::Function")["GitHubWebhookFunction"]["Properties"]
SECRET = {"Ref": "GitHubWebhookSecret"}


def test_github_route_is_the_one_route_without_an_api_key() -> None:
    public = [(route.method, route.path, route.function) for route in api_routes() if not route.api_key_required]
    assert public == [("POST", "/github/webhook", "GitHubWebhookFunction")]


def test_webhook_secret_is_generated_by_the_stack_and_only_referenced_by_the_function() -> None:
    # Given the secret resource: generated, never written in the template
    secret = resources("AWS::SecretsManager::Secret")["GitHubWebhookSecret"]["Properties"]
    assert "SecretString" not in secret
    assert secret["GenerateSecretString"]["PasswordLength"] >= 32

    # Then the function's environment carries its ARN (a reference), no value
    env = FUNCTION["Environment"]["Variables"]
    assert env["GITHUB_WEBHOOK_SECRET_ID"] == SECRET
    assert "GITHUB_WEBHOOK_SECRET" not in env
    assert env["GITHUB_MAX_BODY_BYTES"] == {"Ref": "GitHubMaxBodyBytes"}


def test_github_function_may_read_its_secret_and_write_achievements_and_nothing_more() -> None:
    statements = [statement for policy in FUNCTION["Policies"] for statement in policy["Statement"]]
    granted = {(action, str(statement["Resource"])) for statement in statements for action in statement["Action"]}
    table = str({"Fn::GetAtt": ["AchievementsTable", "Arn"]})
    assert granted == {
        ("dynamodb:BatchGetItem", table),  # the delivery's ref and its owner's registry items, in one read
        ("dynamodb:GetItem", table),
        ("dynamodb:PutItem", table),
        ("dynamodb:UpdateItem", table),
        ("secretsmanager:GetSecretValue", str(SECRET)),
    }


def test_github_body_limit_is_below_one_megabyte_and_above_the_json_routes() -> None:
    params = TEMPLATE["Parameters"]
    assert params["MaxBodyBytes"]["Default"] < params["GitHubMaxBodyBytes"]["Default"] < 1_000_000


def test_public_route_is_throttled_by_the_stage() -> None:
    settings = resources("AWS::Serverless::Api")["CollectorApi"]["Properties"]["MethodSettings"]
    github = [setting for setting in settings if setting["ResourcePath"] == "/~1github~1webhook"]
    assert len(github) == 1
    assert github[0]["HttpMethod"] == "POST"
    assert {"ThrottlingRateLimit", "ThrottlingBurstLimit"} <= set(github[0])


def test_outputs_give_the_payload_url_and_the_secret_arn() -> None:
    outputs = TEMPLATE["Outputs"]
    assert outputs["GitHubWebhookUrl"]["Value"]["Fn::Sub"].endswith("/${StageName}/github/webhook")
    assert outputs["GitHubWebhookSecretArn"]["Value"] == SECRET
