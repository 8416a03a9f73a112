"""template.yaml's deep-analysis resources keep their promises: queue, DLQ, event source, least privilege, no key."""

from __future__ import annotations

from typing import Any

from devstack.template import load_template, resources

TEMPLATE = load_template()
FUNCTIONS = resources("AWS::Serverless::Function")
QUEUES = resources("AWS::SQS::Queue")


def timeout(name: str) -> int:
    return int(FUNCTIONS[name]["Properties"].get("Timeout", TEMPLATE["Globals"]["Function"]["Timeout"]))


def policy_statements(name: str) -> list[dict[str, Any]]:
    """The function's own statements: its SAM Policies, or those of the explicit role it names."""
    props = FUNCTIONS[name]["Properties"]
    if "Role" in props:
        role = resources("AWS::IAM::Role")[props["Role"]["Fn::GetAtt"][0]]["Properties"]
        return [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    return [s for policy in props["Policies"] for s in policy["Statement"]]


def actions_by_resource(
    name: str, services: tuple[str, ...] = ("dynamodb", "sqs", "secretsmanager")
) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for statement in policy_statements(name):
        if not any(action.startswith(f"{service}:") for action in statement["Action"] for service in services):
            continue
        resource = statement["Resource"]
        key = resource["Fn::GetAtt"][0] if "Fn::GetAtt" in resource else resource["Ref"]
        found.setdefault(key, set()).update(statement["Action"])
    return found


def sqs_event() -> dict[str, Any]:
    [event] = [e for e in FUNCTIONS["DeepAnalysisFunction"]["Properties"]["Events"].values() if e["Type"] == "SQS"]
    return dict(event["Properties"])


def test_queue_visibility_is_at_least_six_times_the_worker_timeout() -> None:
    # Given the AnalysisQueue and the DeepAnalysisFunction that consumes it, as template.yaml declares them
    # When the queue's VisibilityTimeout is compared with the worker's timeout, Then it is at least six times longer
    assert int(QUEUES["AnalysisQueue"]["Properties"]["VisibilityTimeout"]) >= 6 * timeout("DeepAnalysisFunction")


def test_openai_attempts_fit_the_worker_timeout() -> None:
    # Given the worker's OPENAI_MAX_RETRIES and OPENAI_TIMEOUT_SECONDS from its environment
    env = FUNCTIONS["DeepAnalysisFunction"]["Properties"]["Environment"]["Variables"]

    # When the attempts are counted (the first call plus every retry)
    attempts = int(env["OPENAI_MAX_RETRIES"]) + 1

    # Then all of them, waits included, end before the worker's own timeout:
    # each attempt's timeout plus the SDK's backoff (at most 8 s) between attempts
    assert attempts * float(env["OPENAI_TIMEOUT_SECONDS"]) + 8 * (attempts - 1) < timeout("DeepAnalysisFunction")


def test_failed_analyses_are_redriven_to_an_encrypted_dlq_kept_14_days_with_an_alarm() -> None:
    # Given the AnalysisQueue and its AnalysisDeadLetterQueue
    queue, dlq = QUEUES["AnalysisQueue"]["Properties"], QUEUES["AnalysisDeadLetterQueue"]["Properties"]

    # When their redrive, retention and encryption settings are read, Then a message goes to the DLQ after
    # AnalysisMaxReceiveCount (default 5) receives, is kept 14 days there, and both queues use SQS-managed SSE
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["AnalysisDeadLetterQueue", "Arn"]},
        "maxReceiveCount": {"Ref": "AnalysisMaxReceiveCount"},
    }
    assert TEMPLATE["Parameters"]["AnalysisMaxReceiveCount"]["Default"] == 5
    assert int(dlq["MessageRetentionPeriod"]) == 14 * 24 * 3600
    assert queue["SqsManagedSseEnabled"] is True
    assert dlq["SqsManagedSseEnabled"] is True
    # And an alarm watches the DLQ's visible messages
    alarm = resources("AWS::CloudWatch::Alarm")["AnalysisDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["AnalysisDeadLetterQueue", "QueueName"]}}
    ]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"


def test_the_worker_reports_partial_failures_in_batches_of_10_under_a_concurrency_cap() -> None:
    # Given the DeepAnalysisFunction's one SQS event source
    event = sqs_event()

    # When its properties are read, Then it polls the AnalysisQueue 10 messages at a time, reports batch item
    # failures, and is capped by AnalysisMaxConcurrency (default between 2 and 5)
    assert event["Queue"] == {"Fn::GetAtt": ["AnalysisQueue", "Arn"]}
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert event["BatchSize"] == 10
    assert event["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "AnalysisMaxConcurrency"}}
    assert 2 <= TEMPLATE["Parameters"]["AnalysisMaxConcurrency"]["Default"] <= 5


def test_the_request_function_may_only_read_achievements_and_send_to_the_queue() -> None:
    # Given the AnalysisRequestFunction's DynamoDB/SQS/Secrets Manager policy statements
    # When they are grouped by resource, Then only GetItem on the achievements and SendMessage to the queue remain
    assert actions_by_resource("AnalysisRequestFunction") == {
        "AchievementsTable": {"dynamodb:GetItem"},
        "AnalysisQueue": {"sqs:SendMessage"},
    }


def test_the_worker_may_only_read_and_update_achievements_keep_idempotency_records_and_read_its_key() -> None:
    # Given the statements of the explicit role the DeepAnalysisFunction names
    # When they are grouped by resource, Then they are exactly the achievements' read/update, the idempotency
    # records, the OpenAI key secret and the queue polling, and the function declares no SAM Policies beside it
    # (its own role: SAM's would add AWSLambdaSQSQueueExecutionRole, sqs on every queue; test_security.py checks all)
    assert actions_by_resource("DeepAnalysisFunction") == {
        "AchievementsTable": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
        "IdempotencyTable": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
        "OpenAIApiKeySecret": {"secretsmanager:GetSecretValue"},
        "AnalysisQueue": {
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ChangeMessageVisibility",
        },
    }
    assert "Policies" not in FUNCTIONS["DeepAnalysisFunction"]["Properties"]  # SAM ignores them beside a Role


def test_the_key_is_never_in_the_template_only_the_secret_arn_is_passed() -> None:
    # Given the OpenAIApiKeySecret resource
    secret = resources("AWS::SecretsManager::Secret")["OpenAIApiKeySecret"]["Properties"]
    # "test" is the offline analyzer's marker, not a key; the operator puts the key with put-secret-value
    # When its SecretString is read, Then it holds only the offline marker "test"
    assert secret["SecretString"] == "test"
    # And the worker's environment passes the secret's ARN as OPENAI_API_KEY_SECRET_ID, never OPENAI_API_KEY
    env = FUNCTIONS["DeepAnalysisFunction"]["Properties"]["Environment"]["Variables"]
    assert env["OPENAI_API_KEY_SECRET_ID"] == {"Ref": "OpenAIApiKeySecret"}
    assert "OPENAI_API_KEY" not in env
    assert TEMPLATE["Parameters"]["OpenAIModel"]["Default"] == "gpt-4o-mini"


def test_both_routes_need_the_api_key() -> None:
    # Given the AnalysisRequestFunction's API events
    events = FUNCTIONS["AnalysisRequestFunction"]["Properties"]["Events"].values()

    # When their methods and paths are listed, Then they are POST and GET /analyze/deep/{id}, and neither
    # overrides Auth, so the API's ApiKeyRequired applies to both
    assert {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in events} == {
        ("post", "/analyze/deep/{id}"),
        ("get", "/analyze/deep/{id}"),
    }
    assert all("Auth" not in e["Properties"] for e in events)  # the API's ApiKeyRequired applies
