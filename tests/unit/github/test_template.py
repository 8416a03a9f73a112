"""template.yaml for the GitHub webhook: public route, secret by reference only, least privilege, throttled."""

from __future__ import annotations

from devstack.template import api_routes, load_template, resources

TEMPLATE = load_template()
FUNCTION = resources("AWS::Serverless::Function")["GitHubWebhookFunction"]["Properties"]
SECRET = {"Ref": "GitHubWebhookSecret"}


def test_github_route_is_the_one_route_without_an_api_key() -> None:
    # Given every API route of the template, When those not requiring an API key are kept
    public = [(route.method, route.path, route.function) for route in api_routes() if not route.api_key_required]

    # Then only POST /github/webhook of the GitHubWebhookFunction is left
    assert public == [("POST", "/github/webhook", "GitHubWebhookFunction")]


def test_webhook_secret_is_generated_by_the_stack_and_only_referenced_by_the_function() -> None:
    # Given the secret resource: generated, never written in the template
    secret = resources("AWS::SecretsManager::Secret")["GitHubWebhookSecret"]["Properties"]
    assert "SecretString" not in secret
    assert secret["GenerateSecretString"]["PasswordLength"] >= 32

    # When the GitHubWebhookFunction's environment is read, Then it carries the secret's ARN (a reference), no value
    env = FUNCTION["Environment"]["Variables"]
    assert env["GITHUB_WEBHOOK_SECRET_ID"] == SECRET
    assert "GITHUB_WEBHOOK_SECRET" not in env
    assert env["GITHUB_MAX_BODY_BYTES"] == {"Ref": "GitHubMaxBodyBytes"}


def test_github_function_may_read_its_secret_and_write_achievements_and_nothing_more() -> None:
    # Given the GitHubWebhookFunction's policy statements
    statements = [statement for policy in FUNCTION["Policies"] for statement in policy["Statement"]]

    # When they are flattened to (action, resource) pairs
    granted = {(action, str(statement["Resource"])) for statement in statements for action in statement["Action"]}
    table = str({"Fn::GetAtt": ["AchievementsTable", "Arn"]})

    # Then they are Get/Put/UpdateItem on the achievements table and GetSecretValue on its own secret, no more
    assert granted == {
        ("dynamodb:BatchGetItem", table),  # the delivery's ref and its owner's registry items, in one read
        ("dynamodb:GetItem", table),
        ("dynamodb:PutItem", table),
        ("dynamodb:UpdateItem", table),
        ("secretsmanager:GetSecretValue", str(SECRET)),
    }


def test_github_body_limit_is_below_one_megabyte_and_above_the_json_routes() -> None:
    # Given the template's MaxBodyBytes and GitHubMaxBodyBytes parameters
    params = TEMPLATE["Parameters"]

    # When their defaults are compared, Then the JSON routes' limit < GitHub's limit < 1 MB
    assert params["MaxBodyBytes"]["Default"] < params["GitHubMaxBodyBytes"]["Default"] < 1_000_000


def test_public_route_is_throttled_by_the_stage() -> None:
    # Given the CollectorApi stage's MethodSettings
    settings = resources("AWS::Serverless::Api")["CollectorApi"]["Properties"]["MethodSettings"]

    # When the ones for /github/webhook are picked
    github = [setting for setting in settings if setting["ResourcePath"] == "/~1github~1webhook"]

    # Then there is one, for POST, with a rate and a burst limit
    assert len(github) == 1
    assert github[0]["HttpMethod"] == "POST"
    assert {"ThrottlingRateLimit", "ThrottlingBurstLimit"} <= set(github[0])


def test_outputs_give_the_payload_url_and_the_secret_arn() -> None:
    # Given the stack's Outputs
    outputs = TEMPLATE["Outputs"]

    # When the GitHub ones are read, Then they give the webhook's payload URL on the stage and the secret's ARN
    assert outputs["GitHubWebhookUrl"]["Value"]["Fn::Sub"].endswith("/${StageName}/github/webhook")
    assert outputs["GitHubWebhookSecretArn"]["Value"] == SECRET
