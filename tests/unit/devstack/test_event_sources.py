"""Local event sources behave as Lambda's: partial batch failures retried, redrive to the DLQ, schedules fire."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devstack.event_sources import (
    LocalScheduler,
    ScheduleSource,
    SqsPoller,
    SqsSource,
    failed_ids,
    parse_rate,
    sqs_event,
)
from devstack.functions import InvocationError


@pytest.fixture
def queues() -> Iterator[tuple[Any, str, str, str]]:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(
            QueueName="work",
            Attributes={
                "VisibilityTimeout": "0",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}),
            },
        )["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        yield sqs, url, arn, dlq


def poller(queues, invoke, report: bool = True) -> SqsPoller:
    sqs, url, arn, _ = queues
    return SqsPoller(SqsSource("Worker", "WorkQueue", 10, report), sqs, url, arn, invoke, log=lambda _: None)


def test_only_the_reported_failure_is_redelivered_and_ends_in_the_dlq_intact(queues) -> None:
    sqs, url, _, dlq = queues
    # Given ten messages, one of them poisoned
    for n in range(10):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": n, "poison": n == 7}))
    seen: list[int] = []

    def worker(_: str, event: dict[str, Any]) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            body = json.loads(record["body"])
            seen.append(body["n"])
            if body["poison"]:
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    # When the queue is polled until empty (bounded)
    source = poller(queues, worker)
    for _ in range(10):
        if source.poll_once(wait_seconds=0) == 0:
            break

    # Then the nine others ran once, the poisoned one ran maxReceiveCount times, then moved to the DLQ whole
    assert sorted(n for n in seen if n != 7) == [0, 1, 2, 3, 4, 5, 6, 8, 9]
    assert seen.count(7) == 3
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"]) for m in dead] == [{"n": 7, "poison": True}]


def test_a_crashed_invocation_leaves_the_whole_batch_for_retry(queues) -> None:
    # Given one message on the work queue and a worker whose invocation crashes (times out)
    sqs, url, _, _ = queues
    sqs.send_message(QueueUrl=url, MessageBody="{}")

    def crash(_: str, __: dict[str, Any]) -> Any:
        raise InvocationError("Worker timed out after 15s")

    # When the queue is polled once, Then the one message was handed to the crashing worker
    assert poller(queues, crash).poll_once(wait_seconds=0) == 1

    # Then it was not deleted: the same message comes back for a second delivery
    again = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"


def test_batch_response_is_read_as_lambda_reads_it() -> None:
    # Given an SQS event of two records, "a" and "b"
    event = sqs_event(
        [
            {"MessageId": "a", "ReceiptHandle": "ra", "Body": "x"},
            {"MessageId": "b", "ReceiptHandle": "rb", "Body": "y"},
        ],
        "arn:aws:sqs:us-east-1:000000000000:q",
    )

    # When failed_ids reads each response, Then an empty list fails none and a listed id fails only that one
    assert failed_ids({"batchItemFailures": []}, event, True) == set()
    assert failed_ids({"batchItemFailures": [{"itemIdentifier": "b"}]}, event, True) == {"b"}
    # an identifier that is not in the batch fails the whole batch
    assert failed_ids({"batchItemFailures": [{"itemIdentifier": "zz"}]}, event, True) == {"a", "b"}
    # without ReportBatchItemFailures a returned value is ignored: success means all done
    assert failed_ids({"batchItemFailures": [{"itemIdentifier": "b"}]}, event, False) == set()


@pytest.mark.parametrize(
    ("expression", "seconds"), [("rate(24 hours)", 86400), ("rate(1 hour)", 3600), ("rate(5 minutes)", 300)]
)
def test_rate_expressions_run_locally(expression: str, seconds: int) -> None:
    # Given a rate() schedule expression, When parse_rate reads it, Then it yields the period in seconds
    assert parse_rate(expression) == seconds


def test_cron_expressions_are_refused_with_the_reason() -> None:
    # When a cron() expression is parsed, Then a ValueError says only rate() is supported
    with pytest.raises(ValueError, match="only rate"):
        parse_rate("cron(0 12 * * ? *)")


def test_scheduler_fires_with_the_template_payload() -> None:
    # Given a daily schedule with a template payload, fired locally every 50 ms
    calls: list[tuple[str, dict[str, Any]]] = []
    source = ScheduleSource("Scraper", "Daily", 86400, {"source": "schedule"})
    scheduler = LocalScheduler(
        source, lambda fn, event: calls.append((fn, event)), every_seconds=0.05, log=lambda _: None
    )

    # When the scheduler runs until it has fired twice (bounded), then stops
    scheduler.start()
    try:
        for _ in range(100):
            if len(calls) >= 2:
                break
            scheduler.stopping.wait(0.05)
    finally:
        scheduler.stop()

    # Then each call invoked the Scraper function with the template's payload unchanged
    assert calls[:2] == [("Scraper", {"source": "schedule"})] * 2
