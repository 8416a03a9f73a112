"""The local pipeline behaves as Lambda's stream mapping and EventBridge's targets: bisect, park, retry, DLQ."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from moto import mock_aws

from achievements.store.codec import from_item
from devstack.functions import InvocationError
from devstack.pipeline import (
    Delivery,
    DeliveryPoller,
    NotificationReceiver,
    StreamPoller,
    StreamSource,
    lambda_record,
    stream_sources,
)


def record(sequence: int) -> dict[str, Any]:
    return {"eventName": "INSERT", "dynamodb": {"SequenceNumber": f"{sequence:021d}", "Keys": {}}}


class Function:
    """A stream function failing on `poison` records: as a partial failure, or as a function error."""

    def __init__(self, poison: set[int], partial: bool) -> None:
        self.poison, self.partial = poison, partial
        self.batches: list[list[int]] = []
        self.done: list[int] = []

    def __call__(self, _: str, event: dict[str, Any]) -> Any:
        numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in event["Records"]]
        self.batches.append(numbers)
        bad = [n for n in numbers if n in self.poison]
        if bad and not self.partial:
            raise InvocationError("all records failed")
        self.done.extend(n for n in numbers if n not in self.poison)
        return {"batchItemFailures": [{"itemIdentifier": f"{n:021d}"} for n in bad]}


def poller(function: Function, retries: int = 2) -> StreamPoller:
    source = StreamSource("Outbox", "Table", 10, True, retries, -1, True, "FailureQueue")
    return StreamPoller(source, streams=None, stream_arn="arn:stream", invoke=function, log=lambda _: None)


@pytest.mark.parametrize("partial", [True, False], ids=["partial-failure", "function-error"])
def test_a_poison_record_is_bisected_out_retried_then_parked_and_the_others_go_through(partial: bool) -> None:
    # Given a batch of eight records, the fourth a poison one
    function = Function(poison={4}, partial=partial)
    stream = poller(function, retries=2)
    # When the batch is delivered
    stream.deliver([record(n) for n in range(1, 9)], "shard-1")
    # Then every other record was handled, the poison one alone was retried twice and then parked
    assert sorted(set(function.done)) == [1, 2, 3, 5, 6, 7, 8]
    assert [batch for batch in function.batches if batch == [4]] == [[4]] * 3
    [parked] = stream.parked
    assert parked["DDBStreamBatchInfo"]["startSequenceNumber"] == parked["DDBStreamBatchInfo"]["endSequenceNumber"]
    assert parked["DDBStreamBatchInfo"]["batchSize"] == 1


def test_the_template_stream_source_is_read_with_its_settings() -> None:
    # Given the template, When its stream event sources are read, Then the outbox's with bisect and bounds
    [source] = stream_sources()
    assert (source.function, source.table_logical_id) == ("PipelineOutboxFunction", "AchievementsTable")
    assert (source.bisect, source.max_retries, source.report_batch_item_failures) == (True, 5, True)
    assert source.on_failure_queue == "PipelineStreamFailureQueue"


@pytest.fixture
def delivery_queues() -> Any:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
        url = sqs.create_queue(QueueName="delivery", Attributes={"VisibilityTimeout": "0", "RedrivePolicy": policy})
        yield sqs, url["QueueUrl"], dlq


def webhook(sqs: Any, url: str, endpoint: str) -> DeliveryPoller:
    target = Delivery("Rule", "chat-webhook", "api-destination", "ChatWebhookDestination", url, endpoint, {"X-T": "t"})
    return DeliveryPoller(target, sqs, log=lambda _: None)


def test_a_webhook_answering_500_is_retried_then_dead_lettered_and_never_sent_twice(delivery_queues: Any) -> None:
    # Given a chat webhook answering 500 and one notification waiting
    sqs, url, dlq = delivery_queues
    receiver = NotificationReceiver(status=500).start()
    try:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"text": "New achievement #1"}))
        poller = webhook(sqs, url, f"{receiver.url}/chat")
        # When it is polled five times
        for _ in range(5):
            poller.poll_once(wait_seconds=0)
        # Then it was tried three times (maxReceiveCount), then moved to the dead-letter queue intact
        assert (poller.sent, poller.failed) == (0, 3)
        [parked] = sqs.receive_message(QueueUrl=dlq)["Messages"]
        assert json.loads(parked["Body"]) == {"text": "New achievement #1"}
        # When the webhook is healthy again, Then nothing is re-sent from the delivery queue (it is empty)
        receiver.status = 200
        assert poller.poll_once(wait_seconds=0) == 0
        assert receiver.received == []
    finally:
        receiver.stop()


def test_a_webhook_that_is_down_is_retried_and_a_recovered_one_gets_the_message_once(delivery_queues: Any) -> None:
    # Given a notification for a webhook nobody listens on yet
    sqs, url, _ = delivery_queues
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"text": "Achievement #2 analysed"}))
    receiver = NotificationReceiver().start()
    try:
        down = webhook(sqs, url, "http://127.0.0.1:9/chat")
        # When the first try finds it down, then the next goes to the running receiver
        down.poll_once(wait_seconds=0)
        up = webhook(sqs, url, f"{receiver.url}/chat")
        up.poll_once(wait_seconds=0)
        up.poll_once(wait_seconds=0)
        # Then it failed once and was delivered exactly once, with its header
        assert (down.failed, up.sent) == (1, 1)
        [received] = receiver.received
        assert json.loads(received["body"]) == {"text": "Achievement #2 analysed"}
        assert received["headers"]["X-T"] == "t"
    finally:
        receiver.stop()


def test_empty_maps_of_dynamodb_locals_stream_reach_the_function_as_dynamodb_sends_them() -> None:
    # Given a GetRecords record as DynamoDB Local writes it: empty maps as {} (a manual achievement has no metrics)
    image = {"id": {"N": "1"}, "metrics": {}, "analysis": {"M": {"skills": {}, "tags": {"L": [{}]}}}}
    raw = {"eventID": "1", "eventName": "INSERT", "dynamodb": {"Keys": {}, "NewImage": image, "SequenceNumber": "1"}}
    # When the local mapping hands it to the function
    record = lambda_record(raw, "arn:stream")
    # Then each empty map is {"M": {}}, as in Lambda's event, and the image reads back
    new = record["dynamodb"]["NewImage"]
    assert new["metrics"] == {"M": {}}
    assert new["analysis"] == {"M": {"skills": {"M": {}}, "tags": {"L": [{"M": {}}]}}}
    assert from_item(new) == {"id": 1, "metrics": {}, "analysis": {"skills": {}, "tags": [{}]}}
