"""The pipeline on moto: the template's tables (with their stream), its bus, rules and queues."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from devstack.functions import parameter_values
from devstack.pipeline import LocalBus, lambda_record
from devstack.template import resources
from tests.conftest import Tables, clients_of


@dataclass
class Pipeline:
    tables: Tables
    events: Any
    sqs: Any
    streams: Any
    bus: LocalBus
    names: dict[str, str]
    iterator: str | None = None

    def new_records(self) -> list[dict[str, Any]]:
        """The stream's records since the last call, as Lambda hands them to the function."""
        arn = self.tables.client.describe_table(TableName=self.tables.achievements)["Table"]["LatestStreamArn"]
        if self.iterator is None:
            shard = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
            self.iterator = self.streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        response = self.streams.get_records(ShardIterator=self.iterator)
        self.iterator = response["NextShardIterator"]
        return [lambda_record(raw, arn) for raw in response["Records"]]

    def messages(self, logical_id: str) -> list[str]:
        """Every message on a queue (the template's, or a delivery queue by its URL), consumed."""
        url = self.names.get(logical_id, logical_id)
        bodies: list[str] = []
        while True:
            found = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not found:
                return bodies
            for message in found:
                bodies.append(message["Body"])
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def delivery_queue(self, rule: str, target: str) -> str:
        return next(d.queue_url for d in self.bus.deliveries if d.rule == rule and d.target_id == target)

    def outbox(self, **seams: Any) -> Any:
        from achievements.pipeline.deps import deps

        settings = deps.default_settings().model_copy(
            update={"event_bus_name": self.names["AchievementsBus"], "api_url": "https://api.example/Prod"}
        )
        named = settings.model_copy(update={"achievements_table_name": self.tables.achievements})
        return deps.build(named, clients_of(self.tables, events=seams.pop("events", self.events)), **seams)


@pytest.fixture
def moto_tables(moto_streamed_tables: Tables) -> Tables:
    """Here the tables keep their streams: the pipeline reads them."""
    return moto_streamed_tables


def make_pipeline(moto_tables: Tables, overrides: dict[str, str] | None = None) -> Pipeline:
    sqs = boto3.client("sqs", region_name="us-east-1")
    names: dict[str, str] = {}
    for logical_id in resources("AWS::SQS::Queue"):
        url = sqs.create_queue(QueueName=f"test-{logical_id}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        names.update({logical_id: url, f"{logical_id}.Arn": arn})
    params = parameter_values({"ChatWebhookUrl": "http://127.0.0.1:9/chat", **(overrides or {})})
    events = boto3.client("events", region_name="us-east-1")
    bus = LocalBus(events, sqs, names, params).create("http://127.0.0.1:9")
    return Pipeline(moto_tables, events, sqs, boto3.client("dynamodbstreams", region_name="us-east-1"), bus, names)


@pytest.fixture
def pipeline(moto_tables: Tables) -> Pipeline:
    return make_pipeline(moto_tables)
