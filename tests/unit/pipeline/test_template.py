"""template.yaml's pipeline block keeps SPEC §6's promises: stream, bounded retries, parked failures, alarms."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.template import load_template, resources

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
RULES = resources("AWS::Events::Rule")


def rule_targets(rule: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for target in rule["Properties"]["Targets"]:
        if "Fn::If" in target:
            target = target["Fn::If"][1]
        found.append(target)
    return found


def test_the_table_streams_both_images() -> None:
    stream = RESOURCES["AchievementsTable"]["Properties"]["StreamSpecification"]
    assert stream == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_the_stream_mapping_bisects_bounds_retries_and_parks_failures() -> None:
    # Given the outbox's event source mapping
    props = RESOURCES["PipelineOutboxFunction"]["Properties"]["Events"]["Changes"]["Properties"]
    # Then it reports partial failures, bisects, retries a bounded number of times and age, and parks in SQS
    assert props["Stream"] == {"Fn::GetAtt": ["AchievementsTable", "StreamArn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert 0 < props["MaximumRetryAttempts"] <= 10
    assert 60 <= props["MaximumRecordAgeInSeconds"] <= 86400
    destination = props["DestinationConfig"]["OnFailure"]
    assert destination == {"Type": "SQS", "Destination": {"Fn::GetAtt": ["PipelineStreamFailureQueue", "Arn"]}}


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_is_on_the_bus_and_every_target_retries_then_dead_letters(name: str) -> None:
    # Given a rule (a delivery that fails: queue unavailable, topic refusing, webhook down or 500)
    rule = RULES[name]["Properties"]
    assert rule["EventBusName"] == {"Ref": "AchievementsBus"}
    for target in rule_targets(RULES[name]):
        # Then EventBridge retries it for a bounded time, then parks the event where an alarm sees it
        assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] <= 86400
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["PipelineDeliveryDeadLetterQueue", "Arn"]}}


def test_the_auto_analysis_target_writes_the_analysis_job_body() -> None:
    [target] = rule_targets(RULES["AutoAnalysisRule"])
    assert target["Arn"] == {"Fn::GetAtt": ["AnalysisQueue", "Arn"]}
    transformer = target["InputTransformer"]
    assert transformer["InputPathsMap"] == {"id": "$.detail.id", "fingerprint": "$.detail.fingerprint"}
    assert transformer["InputTemplate"] == '{"achievement_id": <id>, "fingerprint": "<fingerprint>", "trigger": "auto"}'


def test_every_alarm_notifies_the_ops_topic() -> None:
    alarms = resources("AWS::CloudWatch::Alarm")
    assert {
        "AnalysisDeadLetterAlarm",
        "PrometheusScrapeDeadLetterAlarm",
        "PipelineStreamFailureAlarm",
        "ReattributionDeadLetterAlarm",
    } <= set(alarms)
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "OpsTopic"}], name


def test_every_dead_letter_queue_has_an_alarm() -> None:
    watched = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in resources("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"]["Namespace"] == "AWS/SQS"
    }
    # every queue but the work queues (their failures park in a dead-letter queue, which is watched)
    parking = {name for name in resources("AWS::SQS::Queue") if name not in {"AnalysisQueue", "ReattributionQueue"}}
    assert parking == watched


def test_the_chat_webhook_is_an_api_destination_whose_credential_eventbridge_keeps() -> None:
    destination = RESOURCES["ChatWebhookDestination"]
    connection = RESOURCES["ChatWebhookConnection"]
    assert destination["Condition"] == connection["Condition"] == "HasChatWebhook"
    assert destination["Properties"]["ConnectionArn"] == {"Fn::GetAtt": ["ChatWebhookConnection", "Arn"]}
    assert TEMPLATE["Parameters"]["ChatWebhookToken"]["NoEcho"] is True


def test_the_dashboard_shows_the_references_metrics_the_pipelines_and_the_queues() -> None:
    body = RESOURCES["PipelineDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"][0]
    for metric in (
        "achievement_collector_threads_integrations_total",
        "achievement_collector_prometheus_scrapes_total",
        "achievement_collector_ai_analysis_duration_seconds",
        "achievement_collector_viral_posts_tracked_total",
        "achievement_collector_kpi_milestones_total",
        "achievement_collector_pipeline_events_published_total",
        "achievement_collector_auto_analyses_skipped_total",
        "ApproximateNumberOfMessagesVisible",
        "${PipelineOutboxFunction}",
    ):
        assert metric in body
