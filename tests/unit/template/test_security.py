"""Security checks on template.yaml as CloudFormation will deploy it (after SAM's transform, both AnalystAuth modes).

- cfn-lint reports nothing (errors and warnings, as `sam validate --lint` runs it);
- each function's IAM is exactly what its code uses, SAM-added policies included: no `*` action, no `*`
  resource but X-Ray's (which has no resource-level permissions), no managed policy but the basic logs/X-Ray;
- no environment variable holds a secret: literal values are short plain words, secrets pass by ARN;
- every API method needs the access authorizer (a token) or SigV4, except POST /github/webhook (signed by GitHub).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint.api import ManualArgs, lint, lint_file
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

from devstack.template import ROOT, api_routes, condition_holds

TEMPLATE_PATH = ROOT / "template.yaml"
AUTH_MODES = ("ApiKey", "IAM")
REGION = "us-east-1"

# ---- cfn-lint ----------------------------------------------------------------------------------------


def cfn_lint_findings(text: str | None = None) -> list[str]:
    config = ManualArgs(regions=[REGION])
    matches = lint_file(Path(TEMPLATE_PATH), config=config) if text is None else lint(text, config=config)
    return [f"{match.rule.id} line {match.linenumber}: {match.message}" for match in matches]


def test_cfn_lint_finds_no_error_or_warning_in_the_template() -> None:
    # Given template.yaml as committed, When cfn-lint checks it for us-east-1, Then it reports nothing
    assert cfn_lint_findings() == []


def test_cfn_lint_as_run_here_does_catch_an_error() -> None:
    # Given the template with a queue whose visibility timeout is past SQS's maximum (12 h)
    broken = TEMPLATE_PATH.read_text().replace(
        "\nResources:\n",
        "\nResources:\n  BrokenQueue:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 99999\n",
        1,
    )
    # When it is linted the same way, Then cfn-lint reports it (so the check above can fail)
    assert any("BrokenQueue" in finding or "99999" in finding for finding in cfn_lint_findings(broken))


# ---- the template after SAM's transform ------------------------------------------------------------


@functools.cache
def transformed(analyst_auth: str) -> dict[str, Any]:
    """CloudFormation as SAM produces it (what `sam validate`/`sam deploy` send), for one AnalystAuth value."""
    template = yaml_parse(TEMPLATE_PATH.read_text())
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):  # local paths become S3 locations at package time
            if isinstance(props.get(key), str):
                props[key] = f"s3://bucket/{props[key]}"
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=REGION))
    return translator.translate(  # type: ignore[no-any-return]
        template,
        parameter_values={"AnalystAuth": analyst_auth, "AWS::Region": REGION, "AWS::Partition": "aws"},
        get_managed_policy_map=lambda: {},  # SAM falls back to its bundled map of AWS managed policies
    )


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def resource_name(value: Any) -> str:
    """A policy resource, readably: a logical id for !GetAtt X.Arn / !Ref X, the text of a !Sub, or `*`."""
    if isinstance(value, str):
        return value
    if "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        return str(logical_id) if attribute == "Arn" else f"{logical_id}.{attribute}"
    if "Ref" in value:
        return str(value["Ref"])
    if "Fn::Sub" in value:
        return str(value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0])
    raise AssertionError(f"unexpected policy resource {value}")


def role_of(template: dict[str, Any], function: str) -> str:
    role = template["Resources"][function]["Properties"]["Role"]
    assert set(role) == {"Fn::GetAtt"}, role
    assert role["Fn::GetAtt"][1] == "Arn", role
    return str(role["Fn::GetAtt"][0])


def role_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in template["Resources"][role]["Properties"].get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def grants(template: dict[str, Any], role: str) -> set[tuple[str, str]]:
    """Every (action, resource) pair the role's inline policies allow."""
    found = set()
    for statement in role_statements(template, role):
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                found.add((action, resource_name(resource)))
    return found


def allow(actions: list[str], *resources: str) -> set[tuple[str, str]]:
    return {(action, resource) for action in actions for resource in resources}


TABLE = "AchievementsTable"
SECRET_READ = ["secretsmanager:GetSecretValue"]
# AchievementStore.upsert: BatchGetItem (ref + the registry items deciding the owner), GetItem (achievement),
# UpdateItem (id counter), TransactWriteItems of Put/Update items (the achievement, its ref, the aggregates, an
# unclaimed-identity item), which IAM authorises as PutItem/UpdateItem.
STORE_WRITE = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
DEEP_ANALYSIS_LOGS = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/{name}:*"
SSM_OVERRIDES = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${PrometheusOverridesParameter}"
INSIGHTS = (
    # reads: store.get and the registry (GetItem), aggregates (one BatchGetItem), listing/top-by-impact (Query on
    # gsi1/gsi2), a person's period (gsi3), a team's members (Query of the table)
    allow(["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"], TABLE)
    | allow(
        ["dynamodb:Query"],
        "${AchievementsTable.Arn}/index/gsi1",
        "${AchievementsTable.Arn}/index/gsi2",
        "${AchievementsTable.Arn}/index/gsi3",
    )
    | allow(SECRET_READ, "CursorSigningSecret")  # the page cursors' signing key
)
REVIEWS = (
    # a person (GetItem), a team's members (Query of the table), the two periods (Query of gsi3, gsi1)
    allow(["dynamodb:GetItem", "dynamodb:Query"], TABLE)
    | allow(["dynamodb:Query"], "${AchievementsTable.Arn}/index/gsi1", "${AchievementsTable.Arn}/index/gsi3")
    | allow(SECRET_READ, "OpenAIApiKeySecret")  # the optional summary's OpenAI key
)
APIGATEWAY = "arn:${AWS::Partition}:apigateway:${AWS::Region}::"
EXPECTED_GRANTS: dict[str, set[tuple[str, str]]] = {
    # a token's item (GetItem) and the bootstrap token's secret; nothing of the achievements table
    "AccessAuthorizerFunction": allow(["dynamodb:GetItem"], "TokensTable")
    | allow(SECRET_READ, "AdminBootstrapTokenSecret"),
    # tokens: issue (PutItem), revoke (UpdateItem), list (Query gsi1); each token's usage-plan key
    "AccessTokensFunction": allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], "TokensTable")
    | allow(["dynamodb:Query"], "${TokensTable.Arn}/index/gsi1")
    | allow(["apigateway:GET"], f"{APIGATEWAY}/usageplans")
    | allow(
        ["apigateway:POST", "apigateway:DELETE"],
        f"{APIGATEWAY}/apikeys",
        f"{APIGATEWAY}/apikeys/*",
        f"{APIGATEWAY}/usageplans/*/keys",
    ),
    "ThreadsWebhookFunction": allow(STORE_WRITE, TABLE),
    "KpiMilestoneFunction": allow(STORE_WRITE, TABLE),
    # + DeliveryLog (GetItem/PutItem on the same table) and the webhook secret
    "GitHubWebhookFunction": allow(STORE_WRITE, TABLE) | allow(SECRET_READ, "GitHubWebhookSecret"),
    # store.get, then AnalysisQueue.send
    "AnalysisRequestFunction": allow(["dynamodb:GetItem"], TABLE) | allow(["sqs:SendMessage"], "AnalysisQueue"),
    "DeepAnalysisFunction": (
        # store.get + save_analysis (a TransactWriteItems of Update items); Powertools idempotency records
        allow(["dynamodb:GetItem", "dynamodb:UpdateItem"], TABLE)
        | allow(
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], "IdempotencyTable"
        )
        | allow(SECRET_READ, "OpenAIApiKeySecret")
        # Lambda's SQS event source mapping polls the queue with the function's role
        | allow(
            ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
            "AnalysisQueue",
        )
        | allow(["logs:CreateLogStream", "logs:PutLogEvents"], "<its own log group>")
        | allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*")
    ),
    "PrometheusScrapeFunction": (
        # MetricStateStore (BatchGetItem, UpdateItem, PutItem) + store.upsert
        allow(["dynamodb:BatchGetItem", *STORE_WRITE], TABLE)
        | allow(SECRET_READ, "PrometheusAuthSecret")
        | allow(["ssm:GetParameter"], SSM_OVERRIDES)
        # added by SAM for EventInvokeConfig's OnFailure destination
        | allow(["sqs:SendMessage"], "PrometheusScrapeDeadLetterQueue")
    ),
    "ThreadsSyncFunction": (
        # SyncStateStore (GetItem, PutItem) + store.upsert
        allow(STORE_WRITE, TABLE)
        | allow(SECRET_READ, "ThreadsAdaptorAuthSecret")
        # added by SAM for EventInvokeConfig's OnFailure destination
        | allow(["sqs:SendMessage"], "ThreadsSyncDeadLetterQueue")
    ),
    "InsightsQueryFunction": INSIGHTS,
    "InsightsQueryIamFunction": INSIGHTS,
    "PipelineOutboxFunction": (
        # Lambda's stream event source mapping reads this table's stream with the function's role
        allow(
            ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
            "AchievementsTable.StreamArn",
        )
        | allow(["events:PutEvents"], "AchievementsBus")
        # Powertools idempotency on the event id: a retried record is published once
        | allow(
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], "IdempotencyTable"
        )
        | allow(["sqs:SendMessage"], "PipelineStreamFailureQueue")  # the mapping's on-failure destination
        | allow(["logs:CreateLogStream", "logs:PutLogEvents"], "<its own log group>")
        | allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*")
    ),
    "ReviewsFunction": REVIEWS,
    "ReviewsIamFunction": REVIEWS,
    # the registry: person/alias/membership items (GetItem, BatchGetItem, TransactWriteItems of Put/Delete),
    # members (Query), people (Query gsi1), per-person aggregates (BatchGetItem); re-attribution jobs
    "PeopleFunction": allow(
        ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"],
        TABLE,
    )
    | allow(["dynamodb:Query"], "${AchievementsTable.Arn}/index/gsi1")
    | allow(["sqs:SendMessage"], "ReattributionQueue"),
    # the store's writes + DeleteItem (an unclaimed-identity item goes when a person is set)
    "ManualAchievementsFunction": allow([*STORE_WRITE, "dynamodb:DeleteItem"], TABLE),
    "ReattributionFunction": (
        allow(
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"],
            TABLE,
        )
        # polls its queue; sends the rest of a job as a new message
        | allow(
            [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ChangeMessageVisibility",
                "sqs:SendMessage",
            ],
            "ReattributionQueue",
        )
        | allow(["logs:CreateLogStream", "logs:PutLogEvents"], "<its own log group>")
        | allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*")
    ),
}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"  # logs (AWS's own)
XRAY_WRITE = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"  # Tracing: Active
EXPECTED_MANAGED = {name: {BASIC_EXECUTION, XRAY_WRITE} for name in EXPECTED_GRANTS} | {
    "DeepAnalysisFunction": set(),
    "PipelineOutboxFunction": set(),
    "ReattributionFunction": set(),
}
# Roles that are not a function's: EventBridge Scheduler's, invoking the scrape and dead-lettering its events.
OTHER_ROLES = {
    # The schedules invoke the alias `live` (AutoPublishAlias), i.e. the published version SnapStart snapshots.
    "PrometheusScrapeFunctionScheduleRole": allow(["lambda:InvokeFunction"], "PrometheusScrapeFunctionAliaslive")
    | allow(["sqs:SendMessage"], "PrometheusScrapeDeadLetterQueue"),
    "ThreadsSyncFunctionScheduleRole": allow(["lambda:InvokeFunction"], "ThreadsSyncFunctionAliaslive")
    | allow(["sqs:SendMessage"], "ThreadsSyncDeadLetterQueue"),
    # EventBridge's, calling the chat webhook's API destination (ChatWebhookUrl set)
    "ChatWebhookRole": allow(["events:InvokeApiDestination"], "ChatWebhookDestination"),
}


def expected_grants(template: dict[str, Any], function: str) -> set[tuple[str, str]]:
    expected = EXPECTED_GRANTS[function]
    if ("logs:PutLogEvents", "<its own log group>") in expected:
        name = resource_name(template["Resources"][function]["Properties"]["FunctionName"])
        own = DEEP_ANALYSIS_LOGS.replace("{name}", name)
        expected = {(action, own if r == "<its own log group>" else r) for action, r in expected}
    return expected


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_every_function_and_role_of_the_deployed_template_is_covered_by_the_expected_map(auth: str) -> None:
    # Given the template after SAM's transform for this AnalystAuth
    template = transformed(auth)

    # When its Lambda functions are listed, Then they are exactly those of EXPECTED_GRANTS
    functions = of_type(template, "AWS::Lambda::Function")
    assert set(functions) == set(EXPECTED_GRANTS)
    # And its IAM roles are exactly the functions' roles plus OTHER_ROLES
    roles = {role_of(template, name) for name in functions} | set(OTHER_ROLES)
    assert set(of_type(template, "AWS::IAM::Role")) == roles
    # no policy is attached any other way
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::User", "AWS::IAM::Group"):
        assert of_type(template, kind) == {}


@pytest.mark.parametrize("auth", AUTH_MODES)
@pytest.mark.parametrize("function", sorted(EXPECTED_GRANTS))
def test_each_function_may_do_exactly_what_its_code_does(auth: str, function: str) -> None:
    # Given the function's role as CloudFormation receives it (SAM-added statements and policies included)
    template = transformed(auth)
    role = role_of(template, function)
    props = template["Resources"][role]["Properties"]

    # When its inline grants and managed policies are read
    # Then the grants are exactly the expected ones, and managed policies only the basic logs/X-Ray
    assert grants(template, role) == expected_grants(template, function)
    assert set(props.get("ManagedPolicyArns", [])) == EXPECTED_MANAGED[function]
    assert "PermissionsBoundary" not in props or props["PermissionsBoundary"]
    # And only Lambda can assume it
    [trust] = props["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": ["lambda.amazonaws.com"]} or trust["Principal"] == {
        "Service": "lambda.amazonaws.com"
    }
    assert as_list(trust["Action"]) == ["sts:AssumeRole"]


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_no_statement_allows_a_wildcard_action_or_resource_except_x_ray(auth: str) -> None:
    # Given the template after SAM's transform for this AnalystAuth
    template = transformed(auth)

    # When every statement of every role is inspected, Then each is a plain Allow (no NotAction/NotResource),
    # no action holds a wildcard, and only X-Ray actions are granted on resource "*"
    for role in of_type(template, "AWS::IAM::Role"):
        for statement in role_statements(template, role):
            assert statement["Effect"] == "Allow"
            assert not {"NotAction", "NotResource"} & set(statement), statement
            actions = as_list(statement["Action"])
            assert all("*" not in action for action in actions), statement
            if "*" in as_list(statement["Resource"]):
                assert all(action.startswith("xray:") for action in actions), statement


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_other_roles_hold_exactly_their_grants(auth: str) -> None:
    # Given the template after SAM's transform for this AnalystAuth
    template = transformed(auth)

    # When the roles that are no function's (the scrape schedule's) are read, Then each grants exactly what
    # OTHER_ROLES lists and attaches no managed policy
    for role, expected in OTHER_ROLES.items():
        assert grants(template, role) == expected
        assert template["Resources"][role]["Properties"].get("ManagedPolicyArns", []) == []


def test_the_deep_analysis_role_logs_to_the_log_group_the_template_creates() -> None:
    # Given the transformed template's DeepAnalysisFunction and its DeepAnalysisLogGroup
    template = transformed("ApiKey")
    function = template["Resources"]["DeepAnalysisFunction"]["Properties"]
    group = of_type(template, "AWS::Logs::LogGroup")["DeepAnalysisLogGroup"]["Properties"]

    # When their names are resolved, Then the group is /aws/lambda/<stack>-deep-analysis, the function's name
    assert group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${DeepAnalysisFunction}"}  # Ref = its FunctionName
    assert function["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-deep-analysis"}
    # And the function's own role may put log events into exactly that group
    assert ("logs:PutLogEvents", DEEP_ANALYSIS_LOGS.replace("{name}", "${AWS::StackName}-deep-analysis")) in grants(
        template, role_of(template, "DeepAnalysisFunction")
    )


# ---- no secret in any environment variable ---------------------------------------------------------

SECRET_LOOKING = [
    re.compile(pattern)
    for pattern in (
        r"sk-[A-Za-z0-9_-]{8,}",  # OpenAI
        r"gh[pousr]_[A-Za-z0-9]{16,}|github_pat_",  # GitHub tokens
        r"(AKIA|ASIA)[0-9A-Z]{16}",  # AWS access key ids
        r"xox[abposr]-",  # Slack
        r"-----BEGIN",  # PEM keys
        r"eyJ[A-Za-z0-9_-]{10,}\.",  # JWTs
        r"://[^/\s:@]+:[^/\s@]+@",  # credentials in a URL
    )
]
# A literal value is a plain word, number or URL: short, and not a random-looking token.
PLAIN_LITERAL = re.compile(r"^[A-Za-z0-9_.:/\-]{0,40}$")
SECRET_REFERENCE_TYPES = {"AWS::SecretsManager::Secret"}


def looks_secret(value: str) -> bool:
    if any(pattern.search(value) for pattern in SECRET_LOOKING):
        return True
    if not PLAIN_LITERAL.match(value):
        return True
    # a long run of upper, lower and digits mixed, with no separator, reads like a key, not a name
    classes = [r"[A-Z]", r"[a-z]", r"[0-9]"]
    return (
        len(value) >= 20 and bool(re.fullmatch(r"[A-Za-z0-9+/=]+", value)) and all(re.search(c, value) for c in classes)
    )


def test_the_secret_detector_recognises_keys_and_passes_names() -> None:
    # Given OpenAI, GitHub and AWS keys, credentials in a URL, a random-looking token and a value with spaces
    # When looks_secret checks each, Then every one is flagged
    for secret in (
        "sk-proj-abcdEFGH1234ijkl",
        "ghp_0123456789abcdefABCDEF",
        "AKIAIOSFODNN7EXAMPLE",
        "https://user:pa55@prometheus:9090",
        "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
        "a b c",
    ):
        assert looks_secret(secret), secret
    # And names, log levels, numbers, a plain URL and a model id pass
    for plain in ("deep-analysis", "AchievementCollector", "INFO", "25", "http://prometheus:9090", "gpt-4o-mini"):
        assert not looks_secret(plain), plain


def check_environment_value(template: dict[str, Any], name: str, value: Any, where: str) -> None:
    """A literal is plain; an intrinsic is a resource's name/ARN or a plain, echoed parameter (each !If branch)."""
    if isinstance(value, str):
        assert not looks_secret(value), where
        return
    assert isinstance(value, dict), where
    assert len(value) == 1, where
    ((function, argument),) = value.items()
    parameters = template.get("Parameters", {})
    if function == "Fn::If":
        for branch in argument[1:]:
            if branch != {"Ref": "AWS::NoValue"}:
                check_environment_value(template, name, branch, where)
    elif function == "Ref" and argument in parameters:
        assert not parameters[argument].get("NoEcho"), where
        assert not looks_secret(str(parameters[argument].get("Default", ""))), where
    elif function == "Ref":
        # !Ref of a secret is its ARN: the variable's name must say it is an id, never the value
        if template["Resources"][argument]["Type"] in SECRET_REFERENCE_TYPES:
            assert name.endswith("_ID"), where
    else:
        assert function in {"Fn::GetAtt", "Fn::Sub"}, where


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_no_environment_variable_holds_a_secret_only_names_and_arns(auth: str) -> None:
    # Given the template after SAM's transform for this AnalystAuth
    template = transformed(auth)

    # When every environment variable of every function is checked (literals plain, secrets only by ARN in *_ID)
    checked = 0
    for function, resource in of_type(template, "AWS::Lambda::Function").items():
        variables = resource["Properties"].get("Environment", {}).get("Variables", {})
        for name, value in variables.items():
            check_environment_value(template, name, value, f"{function}.{name}")
            checked += 1
    # Then none holds a secret, and the Globals' variables were among those checked for every function
    assert checked >= 5 * len(EXPECTED_GRANTS)  # Globals' variables reached every function


# ---- every method needs credentials ----------------------------------------------------------------

PUBLIC_METHODS = {("CollectorApi", "POST", "/github/webhook")}  # GitHub signs each delivery instead


def resolve_conditions(node: Any, holds: dict[str, bool]) -> Any:
    """The value of a template fragment once each Fn::If is decided (AWS::NoValue dropped)."""
    no_value = object()

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"Fn::If"}:
                condition, when_true, when_false = value["Fn::If"]
                return walk(when_true if holds[condition] else when_false)
            if value == {"Ref": "AWS::NoValue"}:
                return no_value
            walked = {key: walk(item) for key, item in value.items()}
            return {key: item for key, item in walked.items() if item is not no_value}
        if isinstance(value, list):
            return [item for item in (walk(v) for v in value) if item is not no_value]
        return value

    return walk(node)


def deployed_methods(auth: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    template = transformed(auth)
    parameters = {"AnalystAuth": auth}
    holds = {name: condition_holds(name, parameters, template) for name in template.get("Conditions", {})}
    methods = {}
    for api, resource in of_type(template, "AWS::ApiGateway::RestApi").items():
        if "Condition" in resource and not holds[resource["Condition"]]:
            continue
        body = resolve_conditions(resource["Properties"]["Body"], holds)
        for path, item in body["paths"].items():
            for method, operation in item.items():
                methods[(api, method.upper(), path)] = {"operation": operation, "definitions": body}
    return methods


@pytest.mark.parametrize("auth", AUTH_MODES)
def test_every_deployed_method_needs_the_authorizer_or_sigv4_except_the_signed_webhook(auth: str) -> None:
    # Given the API Gateway definitions CloudFormation will create for this AnalystAuth
    methods = deployed_methods(auth)

    # When they are compared with the template's routes, Then they are exactly those (none unchecked) ...
    routes = {(route.api, route.method, route.path) for route in api_routes(parameters={"AnalystAuth": auth})}
    assert set(methods) == routes

    # ... and each requires credentials: the access authorizer (and the usage-plan key it gives), or SigV4
    # (AWS_IAM) on the analysts' API
    for key, method in sorted(methods.items()):
        security = method["operation"].get("security", [])
        schemes = {name for requirement in security for name in requirement}
        definitions = method["definitions"].get("securityDefinitions", {})
        if key in PUBLIC_METHODS:
            assert security == [], key
            continue
        if key[0] == "CollectorApi":
            assert security == [{"AccessAuthorizer": []}, {"api_key": []}], key
            authorizer = definitions["AccessAuthorizer"]["x-amazon-apigateway-authorizer"]
            assert authorizer["type"] == "request", key
            assert authorizer["identitySource"] == "method.request.header.Authorization", key
            assert authorizer["authorizerUri"]["Fn::Sub"][1]["__FunctionArn__"] == {
                "Fn::GetAtt": ["AccessAuthorizerFunction", "Arn"]
            }, key
            continue
        [scheme] = schemes
        assert (auth, key[0], scheme) == ("IAM", "AnalystApi", "AWS_IAM"), key
        assert definitions["AWS_IAM"]["x-amazon-apigateway-authtype"] == "awsSigv4", key


def test_each_caller_is_throttled_by_the_usage_plan_key_the_authorizer_gives() -> None:
    # Given the template after SAM's transform in ApiKey mode
    template = transformed("ApiKey")
    api = template["Resources"]["CollectorApi"]["Properties"]

    # Then API Gateway takes keys from the authorizer only, one plan throttles by rate and burst,
    # and the template's only key is the bootstrap token's (every issued token gets its own: access/usage.py)
    assert api["ApiKeySourceType"] == "AUTHORIZER"  # never a key a caller sends
    [plan] = of_type(template, "AWS::ApiGateway::UsagePlan").values()
    assert set(plan["Properties"]["Throttle"]) == {"RateLimit", "BurstLimit"}
    assert list(of_type(template, "AWS::ApiGateway::ApiKey")) == ["BootstrapUsageKey"]
    assert len(of_type(template, "AWS::ApiGateway::UsagePlanKey")) == 1


def test_the_authorizer_caches_for_the_documented_ttl() -> None:
    # Given the template after SAM's transform, When the authorizer's definition is read
    template = transformed("ApiKey")
    definitions = template["Resources"]["CollectorApi"]["Properties"]["Body"]["securityDefinitions"]
    authorizer = definitions["AccessAuthorizer"]["x-amazon-apigateway-authorizer"]

    # Then API Gateway caches its answers for AuthorizerCacheSeconds' default (docs/access.md)
    assert authorizer["authorizerResultTtlInSeconds"] == 60
