"""DeepAnalysisFunction on moto with the offline analyzer: partial batch failures, idempotency, DLQ, metrics."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import boto3
import pytest

from achievements.analysis.worker import AnalyzerProvider, OfflineAnalyzer, api_key_from_secret
from achievements.core.models import Achievement
from achievements.core.secrets import SecretSource
from achievements.store import AchievementStore
from devstack.event_sources import SqsPoller, SqsSource
from functions.deep_analysis import app as worker_app
from tests.analysis_support import (
    CountingAnalyzer,
    analysis_of,
    batch,
    create_template_queues,
    job,
    kpi_draft,
    make_worker,
    post_draft,
    queue_bodies,
    seed,
    seed_posts,
)
from tests.conftest import Tables, load_event


@pytest.fixture
def offline(moto_tables: Tables) -> CountingAnalyzer:
    """The function's worker on moto with the offline analyzer, counting analyzer calls."""
    counting: dict[str, CountingAnalyzer] = {}

    def wrap(inner: Any) -> CountingAnalyzer:
        counting["analyzer"] = CountingAnalyzer(inner)
        return counting["analyzer"]

    make_worker(moto_tables, wrap=wrap)
    return counting["analyzer"]


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(worker_app.lambda_handler(event, context))


def test_the_event_file_analyses_achievement_1_with_the_offline_analyzer(lambda_context, store, offline) -> None:
    # Given achievement 1 (the reference revenue milestone) and no OpenAI key
    seed(store, kpi_draft())
    # When events/deep_analysis_sqs.json is handled
    response = handle(load_event("deep_analysis_sqs.json"), lambda_context)
    # Then nothing failed and the analysis is stored, labelled offline, of the present content
    assert response == {"batchItemFailures": []}
    achievement = store.get(1)
    assert achievement is not None
    analysis = analysis_of(store, 1)
    assert analysis is not None
    assert (analysis.analyzer, analysis.analyzer_version, analysis.model) == ("offline", "offline-rules-1", None)
    assert analysis.achievement_fingerprint == achievement.fingerprint
    assert achievement.impact_score == analysis.impact_score == 85
    assert analysis.token_usage.total_tokens == 0
    assert offline.calls == 1


def test_batch_of_ten_with_one_poisoned_reports_exactly_that_one(lambda_context, store, offline) -> None:
    # Given nine achievements and a batch of their nine jobs plus one message that is not JSON
    ids = seed_posts(store, 9)
    event = batch(*(job(i) for i in ids[:5]), "not json {", *(job(i) for i in ids[5:]))
    poisoned = event["Records"][5]["messageId"]
    # When the batch is handled
    response = handle(event, lambda_context)
    # Then exactly the poisoned message is reported, and the other nine are analysed
    assert response == {"batchItemFailures": [{"itemIdentifier": poisoned}]}
    assert all(analysis_of(store, i) is not None for i in ids)
    assert offline.calls == 9


@pytest.mark.parametrize(
    "poison",
    [
        "not json",
        "[]",
        '"just a string"',
        '{"achievement_id": "1"}',
        '{"achievement_id": 0}',
        '{"achievement_id": 1.5}',
        "{}",
    ],
    ids=["not-json", "array", "string", "id-as-string", "id-zero", "id-float", "empty"],
)
def test_each_kind_of_poisoned_message_fails_only_itself(lambda_context, store, offline, poison: str) -> None:
    # Given two good jobs around a poisoned one
    ids = seed_posts(store, 2)
    event = batch(job(ids[0]), poison, job(ids[1]))
    # When handled
    response = handle(event, lambda_context)
    # Then only the poisoned message fails; the good ones are analysed
    assert response == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    assert analysis_of(store, ids[0]) is not None
    assert analysis_of(store, ids[1]) is not None


def test_a_job_for_an_achievement_that_does_not_exist_is_acknowledged_not_retried(
    lambda_context, store, offline, capsys
) -> None:
    # Given a well-formed job for an id no achievement has (ids are never reused: retrying cannot help)
    seed_posts(store, 1)
    # When handled
    response = handle(batch(job(999)), lambda_context)
    # Then it is not reported as failed (so not redelivered into the DLQ), nothing is analysed, and it is counted
    assert response == {"batchItemFailures": []}
    assert offline.calls == 0
    skipped = [m for m in emf_metrics(capsys.readouterr().out) if "ai_analysis_skipped_total" in m]
    assert [m["reason"] for m in skipped] == ["achievement_missing"]


def test_a_redelivered_message_does_not_analyse_again(lambda_context, store, offline) -> None:
    # Given achievement 1 analysed once
    seed(store, post_draft("p-1"))
    handle(batch(job(1)), lambda_context)
    first = analysis_of(store, 1)
    # When the same job is delivered again (SQS is at-least-once)
    response = handle(batch(job(1)), lambda_context)
    # Then it succeeds without calling the analyzer, and the analysis is untouched
    assert response == {"batchItemFailures": []}
    assert offline.calls == 1
    assert analysis_of(store, 1) == first


def test_the_same_achievement_twice_in_one_batch_is_analysed_once(lambda_context, store, offline) -> None:
    # Given an analyzer slow enough for two deliveries of one job to overlap
    seed(store, post_draft("p-1"))
    offline.during = lambda _: time.sleep(0.3)
    # When a batch holds the job twice
    response = handle(batch(job(1), job(1)), lambda_context)
    # Then the analyzer ran once; the other delivery failed fast (in progress) or found the result
    assert offline.calls == 1
    assert len(response["batchItemFailures"]) <= 1
    # And its redelivery finds the analysis without another call
    assert handle(batch(job(1)), lambda_context) == {"batchItemFailures": []}
    assert offline.calls == 1
    assert analysis_of(store, 1) is not None


def test_content_changed_during_analysis_fails_the_message_and_the_retry_analyses_the_new_content(
    lambda_context, store: AchievementStore, offline
) -> None:
    # Given an achievement that a new delivery of its post updates while it is being analysed
    seed(store, post_draft("p-1", views=10_000))

    def update_once(_: Achievement) -> None:
        if offline.calls == 1:
            seed(store, post_draft("p-1", views=90_000))

    offline.during = update_once
    # When the job is handled
    first = handle(batch(job(1)), lambda_context)
    # Then the stale analysis is not saved and the message fails (to be retried)
    assert len(first["batchItemFailures"]) == 1
    assert analysis_of(store, 1) is None
    # When it is delivered again, Then the new content is analysed
    assert handle(batch(job(1)), lambda_context) == {"batchItemFailures": []}
    achievement = store.get(1)
    analysis = analysis_of(store, 1)
    assert achievement is not None
    assert analysis is not None
    assert analysis.achievement_fingerprint == achievement.fingerprint
    assert achievement.metrics["views"] == 90_000
    assert offline.calls == 2


def test_a_poisoned_message_lands_in_the_dlq_with_its_body_intact_after_max_receives(
    lambda_context, store, offline
) -> None:
    # Given the template's queues (redrive to the DLQ after AnalysisMaxReceiveCount = 5), visible again at once
    sqs = boto3.client("sqs", region_name="us-east-1")
    queues = create_template_queues(sqs, visibility_timeout="0")
    (url, arn), (dlq_url, _) = queues["AnalysisQueue"], queues["AnalysisDeadLetterQueue"]
    ids = seed_posts(store, 9)
    poison = '{"achievement_id": "seven"}'
    for body in [*(json.dumps(job(i)) for i in ids), poison]:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    deliveries: list[str] = []

    def invoke(_: str, event: dict[str, Any]) -> Any:
        deliveries.extend(record["body"] for record in event["Records"])
        return handle(event, lambda_context)

    # When Lambda's poller (devstack's, with partial batch responses) drains the queue
    poller = SqsPoller(SqsSource("DeepAnalysisFunction", "AnalysisQueue", 10, True), sqs, url, arn, invoke, log=str)
    for _ in range(12):
        if not poller.poll_once(wait_seconds=0):
            break
    # Then the nine are analysed once each, the poisoned one was delivered 5 times and now sits in the DLQ, intact
    assert all(analysis_of(store, i) is not None for i in ids)
    assert offline.calls == 9
    assert deliveries.count(poison) == 5
    assert queue_bodies(sqs, url) == []
    assert queue_bodies(sqs, dlq_url) == [poison]


def emf_metrics(output: str) -> list[dict[str, Any]]:
    found = []
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            found.append(json.loads(line))
    return found


def test_duration_and_count_metrics_are_published_per_analyzer(lambda_context, store, offline, capsys) -> None:
    # Given two achievements
    ids = seed_posts(store, 2)
    capsys.readouterr()
    # When both are analysed
    handle(batch(*(job(i) for i in ids)), lambda_context)
    # Then each analysis published its duration and a count, with the analyzer as a dimension
    published = emf_metrics(capsys.readouterr().out)
    durations = [m for m in published if "achievement_collector_ai_analysis_duration_seconds" in m]
    counts = [m for m in published if "ai_analyses_total" in m]
    assert len(durations) == len(counts) == 2
    for metric in durations + counts:
        assert metric["analyzer"] == "offline"
        assert metric["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "AchievementCollector"
        assert "analyzer" in metric["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]
    assert durations[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] == "Seconds"


# ---- choosing the analyzer -----------------------------------------------------------------------


class Built:
    def __init__(self, key: str) -> None:
        self.key = key
        self.name, self.version = "openai", "stub"


@pytest.mark.parametrize("key", [None, "", "test", "  test  "])
def test_no_key_or_the_test_key_selects_the_offline_analyzer(key: str | None) -> None:
    # Given no key, an empty one or "test", When the analyzer is chosen, Then it is offline and no client is built
    built: list[str] = []
    provider = AnalyzerProvider(lambda: key, lambda k: built.append(k) or Built(k))  # type: ignore[func-returns-value]
    assert isinstance(provider.current(), OfflineAnalyzer)
    assert built == []


def test_a_key_builds_one_openai_client_until_the_key_changes() -> None:
    # Given a key source whose key rotates
    keys = iter(["sk-one", "sk-one", "sk-two"])
    built: list[str] = []
    provider = AnalyzerProvider(lambda: next(keys), lambda k: built.append(k) or Built(k))  # type: ignore[func-returns-value]
    # When the analyzer is asked for three times
    analyzers = [provider.current() for _ in range(3)]
    # Then one client per distinct key was built, and reused meanwhile
    assert built == ["sk-one", "sk-two"]
    assert analyzers[0] is analyzers[1] is not analyzers[2]


def test_concurrent_first_calls_build_one_client() -> None:
    # Given a slow client build, When ten threads ask for the analyzer at once, Then one client is built
    built: list[str] = []

    def build(key: str) -> Built:
        time.sleep(0.05)
        built.append(key)
        return Built(key)

    provider = AnalyzerProvider(lambda: "sk-one", build)
    threads = [threading.Thread(target=provider.current) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == ["sk-one"]


@pytest.mark.parametrize(
    ("stored", "key"),
    [
        ("sk-plain", "sk-plain"),
        ("  sk-padded \n", "sk-padded"),
        ('{"api_key": "sk-json"}', "sk-json"),
        ('{"OPENAI_API_KEY": "sk-env-style"}', "sk-env-style"),
        ('{"other": "x"}', None),
        (None, None),
    ],
)
def test_the_key_is_read_from_a_plain_or_json_secret(stored: str | None, key: str | None) -> None:
    # Given a secret value, When the key is read from it, Then plain text and JSON forms both work
    assert api_key_from_secret(stored) == key


def test_the_key_comes_from_secrets_manager_and_test_means_offline(moto_tables) -> None:
    # Given the template's secret holding its initial value "test"
    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    arn = secrets.create_secret(Name="test/openai-api-key", SecretString="test")["ARN"]
    source = SecretSource(arn, max_age_seconds=0)
    built: list[str] = []
    provider = AnalyzerProvider(
        lambda: api_key_from_secret(source.get().decode()),
        lambda k: built.append(k) or Built(k),  # type: ignore[func-returns-value]
    )
    # Then the offline analyzer answers
    assert isinstance(provider.current(), OfflineAnalyzer)
    # When the operator puts a real key, Then the next analysis uses OpenAI with it
    secrets.put_secret_value(SecretId=arn, SecretString="sk-live")
    assert isinstance(provider.current(), Built)
    assert built == ["sk-live"]


def test_an_unreadable_secret_fails_the_message_instead_of_falling_back_to_offline(
    lambda_context, store, moto_tables, monkeypatch
) -> None:
    # Given a worker whose key secret does not exist (misconfigured, or Secrets Manager failing)
    seed(store, post_draft("p-1"))
    make_worker(moto_tables, secret_id="arn:aws:secretsmanager:us-east-1:123456789012:secret:missing")
    # When a job is handled
    event = batch(job(1))
    response = handle(event, lambda_context)
    # Then the message fails (retried later) and nothing is stored
    assert response == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert analysis_of(store, 1) is None


def test_a_stored_analysis_that_no_longer_fits_the_schema_is_redone(lambda_context, store, offline) -> None:
    # Given achievement 1 holding an analysis of its present content in an older, incompatible shape
    seed(store, post_draft("p-1"))
    achievement = store.get(1)
    assert achievement is not None
    old = {"impact_score": 70, "achievement_fingerprint": achievement.fingerprint, "skills": ["Python"]}
    assert store.save_analysis(1, old, 70.0, achievement.fingerprint)
    # When its job is handled
    assert handle(batch(job(1)), lambda_context) == {"batchItemFailures": []}
    # Then it was analysed again into the current schema
    assert offline.calls == 1
    analysis = analysis_of(store, 1)
    assert analysis is not None
    assert analysis.analyzer == "offline"
