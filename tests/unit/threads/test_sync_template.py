"""The Threads-Agent sync in template.yaml: its schedule (1 hour by default), retries, DLQ, alarm, parameters."""

from __future__ import annotations

import pytest

from devstack.event_sources import schedule_sources
from devstack.functions import parameter_values, resolve_env
from devstack.template import function_environment, load_template, resources

TEMPLATE = load_template()
FUNCTION = TEMPLATE["Resources"]["ThreadsSyncFunction"]["Properties"]


def test_the_schedule_retries_and_dead_letters_like_the_scrape() -> None:
    schedule = FUNCTION["Events"]["Schedule"]
    assert schedule["Type"] == "ScheduleV2"
    props = schedule["Properties"]
    assert props["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
    assert props["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["ThreadsSyncDeadLetterQueue", "Arn"]}}
    assert FUNCTION["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["ThreadsSyncDeadLetterQueue", "Arn"]
    }
    alarm = resources("AWS::CloudWatch::Alarm")["ThreadsSyncDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["ThreadsSyncDeadLetterQueue", "QueueName"]}


@pytest.mark.parametrize(("hours", "seconds"), [("1", 3600), ("2", 7200), ("24", 86400)])
def test_the_interval_parameter_gives_a_valid_rate_default_one_hour(hours: str, seconds: int) -> None:
    # When the template's schedules are read with this interval
    sources = schedule_sources(parameter_values({"ThreadsSyncIntervalHours": hours}), {})
    (sync,) = [source for source in sources if source.function == "ThreadsSyncFunction"]
    # Then the rate is right (rate(1 hour) singular, rate(N hours) plural)
    assert sync.every_seconds == seconds
    assert TEMPLATE["Parameters"]["ThreadsSyncIntervalHours"]["Default"] == 1


def test_the_environment_carries_the_parameters_and_only_the_secrets_arn() -> None:
    env = resolve_env(
        function_environment("ThreadsSyncFunction"),
        {"ThreadsAdaptorAuthSecret": "arn:aws:secretsmanager:us-east-1:1:secret:x"},
        parameter_values({"ThreadsSyncPersonaIds": "ai-jesus,ai-elon"}),
    )
    assert env["THREADS_ADAPTOR_URL"] == "http://threads-adaptor:8000"
    assert env["THREADS_SYNC_LIMIT"] == "50"
    assert env["THREADS_SYNC_PERSONA_IDS"] == "ai-jesus,ai-elon"
    assert env["THREADS_ADAPTOR_AUTH_SECRET_ID"].startswith("arn:aws:secretsmanager:")
    assert env["POWERTOOLS_SERVICE_NAME"] == "threads-sync"
    # the run stops starting work well before the function's timeout
    assert float(env["THREADS_SYNC_RUN_SECONDS"]) + 5 < FUNCTION["Timeout"] < 29
