"""The local pipeline: DynamoDB Local's stream polled like Lambda's mapping, the bus and rules from template.yaml.

- `StreamPoller`: each `Type: DynamoDB` event of a function, as Lambda's event-source mapping runs it: batches
  of `BatchSize` from `TRIM_HORIZON`, partial batch failures (retry from the first failed record), a batch that
  fails bisected (`BisectBatchOnFunctionError`) until the poison record is alone, which is retried
  `MaximumRetryAttempts` times and then parked in the `OnFailure` SQS destination; the records behind it go on.
- `LocalBus`: the template's `AWS::Events::EventBus` and `AWS::Events::Rule`s created in moto's EventBridge with
  their own `EventPattern` and `InputTransformer` (moto matches and transforms). SQS targets are the local
  queues; an SNS topic or API destination target (moto delivers to neither) becomes a local delivery queue,
  with the target's retry policy as its `maxReceiveCount` into the target's `DeadLetterConfig` queue.
- `DeliveryPoller`: sends what reaches a delivery queue: a topic's message printed and POSTed to the local
  receiver, an API destination's body POSTed to its endpoint (the receiver too, by default) with its header;
  a connection refused or a 5xx leaves the message for another try, then the dead-letter queue.
- `NotificationReceiver`: a loopback HTTP server keeping what it received (the README walkthrough's last step).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx

from devstack.event_sources import BackgroundLoop, Invoker
from devstack.functions import NO_VALUE, InvocationError, resolve
from devstack.loopback import serve, shutdown
from devstack.template import condition_holds, load_template, resources

LOCAL_MAX_DELIVERY_RECEIVES = 3  # EventBridge retries for up to 24 h; locally a few tries show the same path
DELIVERY_VISIBILITY_SECONDS = 1


def materialize(value: Any, names: dict[str, str], params: dict[str, str]) -> Any:
    """A template value with its intrinsics resolved, recursively (Fn::If items resolving to NoValue dropped)."""
    if isinstance(value, list):
        items = [materialize(item, names, params) for item in value]
        return [item for item in items if item is not NO_VALUE]
    if isinstance(value, dict):
        if "Fn::If" in value:
            condition, when_true, when_false = value["Fn::If"]
            chosen = when_true if condition_holds(condition, params) else when_false
            return materialize(chosen, names, params)
        if "Fn::Split" in value:
            separator, text = value["Fn::Split"]
            return str(materialize(text, names, params)).split(separator)
        if len(value) == 1 and next(iter(value)) in ("Ref", "Fn::GetAtt", "Fn::Sub"):
            return resolve(value, names, params)
        return {key: materialize(item, names, params) for key, item in value.items()}
    return value


# ---- the stream -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamSource:
    function: str
    table_logical_id: str
    batch_size: int
    bisect: bool
    max_retries: int
    max_age_seconds: int
    report_batch_item_failures: bool
    on_failure_queue: str | None  # logical id of the OnFailure SQS destination


def stream_sources() -> list[StreamSource]:
    sources = []
    for function, resource in resources("AWS::Serverless::Function").items():
        for event in resource["Properties"].get("Events", {}).values():
            if event.get("Type") != "DynamoDB":
                continue
            props = event["Properties"]
            stream = props["Stream"]
            table = stream["Fn::GetAtt"][0] if isinstance(stream, dict) else str(stream)
            destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
            sources.append(
                StreamSource(
                    function=function,
                    table_logical_id=table,
                    batch_size=int(props.get("BatchSize", 100)),
                    bisect=bool(props.get("BisectBatchOnFunctionError", False)),
                    max_retries=int(props.get("MaximumRetryAttempts", -1)),
                    max_age_seconds=int(props.get("MaximumRecordAgeInSeconds", -1)),
                    report_batch_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                    on_failure_queue=destination["Fn::GetAtt"][0] if isinstance(destination, dict) else None,
                )
            )
    return sources


def _attribute(value: Any) -> Any:
    """An attribute value as DynamoDB's stream sends it: DynamoDB Local's stream writes an empty map as `{}`
    (no `M`), which no AttributeValue is and which the function's deserializer refuses."""
    if value == {}:
        return {"M": {}}
    if isinstance(value, dict) and len(value) == 1:
        kind, inner = next(iter(value.items()))
        if kind == "M" and isinstance(inner, dict):
            return {"M": {name: _attribute(item) for name, item in inner.items()}}
        if kind == "L" and isinstance(inner, list):
            return {"L": [_attribute(item) for item in inner]}
    return value


def lambda_record(raw: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A record of GetRecords as Lambda hands it to the function (JSON: the creation time in epoch seconds)."""
    stream = dict(raw["dynamodb"])
    for image in ("NewImage", "OldImage"):
        if image in stream:
            stream[image] = {name: _attribute(value) for name, value in stream[image].items()}
    created = stream.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        stream["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": raw.get("awsRegion", "us-east-1"),
        "dynamodb": stream,
        "eventSourceARN": stream_arn,
    }


@dataclass
class StreamPoller(BackgroundLoop):
    """One stream event source: polls every shard of the table's stream and invokes the function as Lambda does."""

    source: StreamSource
    streams: Any  # a dynamodbstreams client on DynamoDB Local
    stream_arn: str
    invoke: Invoker
    sqs: Any = None
    failure_queue_url: str | None = None
    log: Callable[[str], None] = print
    poll_seconds: float = 0.2
    stopping: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    iterators: dict[str, str | None] = field(default_factory=dict)
    last_sequence: dict[str, str] = field(default_factory=dict)  # per shard: where to resume after an error
    invocations: int = 0
    parked: list[dict[str, Any]] = field(default_factory=list)

    def _refresh_shards(self) -> None:
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"].get("Shards", [])
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id in self.iterators:
                continue
            position: dict[str, str] = {"ShardIteratorType": "TRIM_HORIZON"}
            if shard_id in self.last_sequence:
                position = {
                    "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                    "SequenceNumber": self.last_sequence[shard_id],
                }
            self.iterators[shard_id] = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, **position
            )["ShardIterator"]

    def poll_once(self) -> int:
        """Read every shard once and deliver what it had; returns the number of records read."""
        self._refresh_shards()
        read = 0
        for shard_id, iterator in list(self.iterators.items()):
            if iterator is None:
                continue  # a closed shard, read to its end
            response = self.streams.get_records(ShardIterator=iterator, Limit=self.source.batch_size)
            self.iterators[shard_id] = response.get("NextShardIterator")
            records = [lambda_record(raw, self.stream_arn) for raw in response.get("Records", [])]
            if records:
                read += len(records)
                self.deliver(records, shard_id)
                self.last_sequence[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
        return read

    def _invoke(self, records: list[dict[str, Any]]) -> int | None:
        """Index of the first record to retry (Lambda's checkpoint), or None when the batch succeeded."""
        self.invocations += 1
        try:
            result = self.invoke(self.source.function, {"Records": records})
        except InvocationError as error:
            self.log(f"{self.source.function}: batch of {len(records)} failed: {error}")
            return 0
        if not self.source.report_batch_item_failures or not isinstance(result, dict):
            return None
        failures = {item.get("itemIdentifier") for item in result.get("batchItemFailures") or []}
        if not failures:
            return None
        numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
        if not failures <= set(numbers):
            return 0  # an invalid response fails the whole batch, as on Lambda
        return min(numbers.index(failure) for failure in failures)

    def deliver(self, records: list[dict[str, Any]], shard_id: str, attempt: int = 0) -> None:
        """Run one batch to completion: retried from its checkpoint, bisected, the last poison record parked."""
        while records and not self.stopping.is_set():  # stopped: left unread, as a mapping that is disabled
            checkpoint = self._invoke(records)
            if checkpoint is None:
                return
            records = records[checkpoint:]
            if self.source.bisect and len(records) > 1:
                half = len(records) // 2
                self.deliver(records[:half], shard_id, attempt)
                self.deliver(records[half:], shard_id, attempt)
                return
            attempt += 1
            if 0 <= self.source.max_retries < attempt or self._too_old(records[0]):
                self._park(records, shard_id)
                return
            self.log(f"{self.source.function}: retrying {len(records)} record(s) from {checkpoint} (try {attempt})")
            self.stopping.wait(min(0.05 * 2**attempt, 1.0))

    def _too_old(self, record: dict[str, Any]) -> bool:
        created = record["dynamodb"].get("ApproximateCreationDateTime")
        limit = self.source.max_age_seconds
        return limit >= 0 and isinstance(created, int | float) and time.time() - created > limit

    def _park(self, records: list[dict[str, Any]], shard_id: str) -> None:
        numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
        # The shape of Lambda's on-failure record for a stream: where the batch is, not the records themselves.
        info = {
            "requestContext": {"condition": "RetryAttemptsExhausted", "functionArn": self.source.function},
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": numbers[0],
                "endSequenceNumber": numbers[-1],
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
        }
        self.parked.append(info)
        self.log(f"{self.source.function}: {len(records)} record(s) parked in {self.source.on_failure_queue}")
        if self.sqs is not None and self.failure_queue_url:
            self.sqs.send_message(QueueUrl=self.failure_queue_url, MessageBody=json.dumps(info))

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                if not self.poll_once():
                    self.stopping.wait(self.poll_seconds)
            except Exception as error:  # noqa: BLE001 - the poller outlives a failed poll, as Lambda's does
                self.log(f"{self.source.function}: stream poll failed: {error}")
                self.iterators.clear()  # iterators may be gone (DynamoDB Local restarted): resume after the last read
                self.stopping.wait(1)

    @property
    def thread_name(self) -> str:
        return f"stream-{self.source.function}"


def stream_arn(dynamodb: Any, table_name: str) -> str:
    return str(dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"])


# ---- the bus ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """A rule target moto cannot deliver itself, standing as a local queue this stack's poller empties."""

    rule: str
    target_id: str
    kind: str  # "topic" | "api-destination"
    logical_id: str  # the topic's or the API destination's
    queue_url: str
    endpoint: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _target_logical_id(arn: Any) -> str | None:
    if isinstance(arn, dict) and "Ref" in arn:
        return str(arn["Ref"])
    if isinstance(arn, dict) and "Fn::GetAtt" in arn:
        return str(arn["Fn::GetAtt"][0])
    return None


@dataclass
class LocalBus:
    """The template's buses and rules in moto's EventBridge; `deliveries` are the targets this stack sends."""

    events: Any
    sqs: Any
    names: dict[str, str]
    params: dict[str, str]
    deliveries: list[Delivery] = field(default_factory=list)

    def create(self, receiver_url: str) -> LocalBus:
        template = load_template()
        for logical_id, bus in resources("AWS::Events::EventBus").items():
            name = str(materialize(bus["Properties"]["Name"], self.names, self.params))
            try:
                arn = self.events.create_event_bus(Name=name)["EventBusArn"]
            except self.events.exceptions.ResourceAlreadyExistsException:
                arn = self.events.describe_event_bus(Name=name)["Arn"]
                self._clear_rules(name)
            self.names.update({logical_id: name, f"{logical_id}.Arn": arn, f"{logical_id}.Name": name})
        for logical_id, rule in resources("AWS::Events::Rule").items():
            if rule.get("Condition") and not condition_holds(rule["Condition"], self.params, template):
                continue
            self._create_rule(logical_id, rule["Properties"], receiver_url)
        return self

    def _clear_rules(self, bus: str) -> None:
        """A bus kept by the process's local services from an earlier stack loses that stack's rules: their
        parameters (AutoAnalysis, the chat webhook) may differ from this stack's, and their targets are gone."""
        for rule in self.events.list_rules(EventBusName=bus).get("Rules", []):
            targets = self.events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus).get("Targets", [])
            if targets:
                self.events.remove_targets(Rule=rule["Name"], EventBusName=bus, Ids=[t["Id"] for t in targets])
            self.events.delete_rule(Name=rule["Name"], EventBusName=bus)

    def _create_rule(self, logical_id: str, props: dict[str, Any], receiver_url: str) -> None:
        bus = str(materialize(props["EventBusName"], self.names, self.params))
        pattern = materialize(props["EventPattern"], self.names, self.params)
        name = f"local-{logical_id}"
        self.events.put_rule(
            Name=name,
            EventBusName=bus,
            EventPattern=pattern if isinstance(pattern, str) else json.dumps(pattern),
            State=props.get("State", "ENABLED"),
        )
        self.names[logical_id] = name
        targets = []
        for raw in materialize_targets(props["Targets"], self.params):
            target = materialize({key: value for key, value in raw.items() if key != "Arn"}, self.names, self.params)
            logical_target = _target_logical_id(raw["Arn"])
            kind = self._kind(logical_target)
            if kind is None:
                target["Arn"] = materialize(raw["Arn"], self.names, self.params)
            else:
                assert logical_target is not None
                target["Arn"] = self._delivery_queue(logical_id, target, kind, logical_target, receiver_url)
            target.pop("RoleArn", None)
            target.pop("RetryPolicy", None)
            target.pop("DeadLetterConfig", None)
            targets.append(target)
        self.events.put_targets(Rule=name, EventBusName=bus, Targets=targets)

    @staticmethod
    def _kind(logical_id: str | None) -> str | None:
        kind = load_template()["Resources"].get(logical_id or "", {}).get("Type")
        return {"AWS::SNS::Topic": "topic", "AWS::Events::ApiDestination": "api-destination"}.get(str(kind))

    def _delivery_queue(self, rule: str, target: dict[str, Any], kind: str, logical_id: str, receiver_url: str) -> str:
        queue_name = f"local-delivery-{rule}-{target['Id']}"
        attributes = {"VisibilityTimeout": str(DELIVERY_VISIBILITY_SECONDS)}
        dead_letter = target.get("DeadLetterConfig", {}).get("Arn")
        retries = int(target.get("RetryPolicy", {}).get("MaximumRetryAttempts", 185))
        if dead_letter:
            receives = max(1, min(retries + 1, LOCAL_MAX_DELIVERY_RECEIVES))
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dead_letter, "maxReceiveCount": receives})
        url = self.sqs.create_queue(QueueName=queue_name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        endpoint, headers = receiver_url, {}
        if kind == "api-destination":
            destination = load_template()["Resources"][logical_id]["Properties"]
            endpoint = str(materialize(destination["InvocationEndpoint"], self.names, self.params)) or receiver_url
            connection = _target_logical_id(destination["ConnectionArn"])
            auth = load_template()["Resources"][connection or ""]["Properties"].get("AuthParameters", {})
            api_key = auth.get("ApiKeyAuthParameters")
            if api_key:
                headers[str(api_key["ApiKeyName"])] = str(materialize(api_key["ApiKeyValue"], self.names, self.params))
        else:
            endpoint = f"{receiver_url.rstrip('/')}/topics/{logical_id}"
        self.deliveries.append(Delivery(rule, str(target["Id"]), kind, logical_id, url, endpoint, headers))
        return str(arn)


def materialize_targets(targets: list[Any], params: dict[str, str]) -> list[dict[str, Any]]:
    """The rule's targets for these parameters: `!If [cond, target, !Ref AWS::NoValue]` items kept or dropped."""
    found = []
    for target in targets:
        if isinstance(target, dict) and "Fn::If" in target:
            condition, when_true, when_false = target["Fn::If"]
            target = when_true if condition_holds(condition, params) else when_false
        if isinstance(target, dict) and target.get("Ref") == "AWS::NoValue":
            continue
        found.append(target)
    return found


@dataclass
class DeliveryPoller(BackgroundLoop):
    """Empties one delivery queue: POSTs each message; a failure leaves it for a retry, then the DLQ."""

    delivery: Delivery
    sqs: Any
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=5))
    log: Callable[[str], None] = print
    stopping: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    sent: int = 0
    failed: int = 0

    def poll_once(self, wait_seconds: int = 1) -> int:
        messages = self.sqs.receive_message(
            QueueUrl=self.delivery.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        ).get("Messages", [])
        for message in messages:
            if self._send(message["Body"]):
                self.sent += 1
                self.sqs.delete_message(QueueUrl=self.delivery.queue_url, ReceiptHandle=message["ReceiptHandle"])
            else:
                self.failed += 1
        return len(messages)

    def _send(self, body: str) -> bool:
        payload = json.loads(body)
        label = f"[{self.delivery.kind} {self.delivery.logical_id} <- {self.delivery.rule}]"
        if self.delivery.kind == "topic":
            self.log(f"{label} {payload}")
            request = {"content": str(payload).encode(), "headers": {"content-type": "text/plain; charset=utf-8"}}
        else:
            request = {"content": json.dumps(payload).encode(), "headers": {"content-type": "application/json"}}
        request["headers"] = {**request["headers"], **self.delivery.headers}  # type: ignore[dict-item]
        try:
            response = self.http.post(str(self.delivery.endpoint), **request)  # type: ignore[arg-type]
        except httpx.HTTPError as error:
            self.log(f"{label} delivery failed ({error}); retried, then dead-lettered")
            return False
        if response.status_code >= 500 or response.status_code == 429:
            self.log(f"{label} delivery answered {response.status_code}; retried, then dead-lettered")
            return False
        return True

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.poll_once()
            except Exception as error:  # noqa: BLE001 - the poller outlives a failed poll
                self.log(f"{self.delivery.queue_url}: delivery poll failed: {error}")
                self.stopping.wait(1)

    @property
    def thread_name(self) -> str:
        return f"delivery-{self.delivery.rule}-{self.delivery.target_id}"


# ---- the receiver -----------------------------------------------------------------------------------------


@dataclass
class NotificationReceiver:
    """Local stand-in for the people topic's subscribers and the chat webhook: keeps every request it gets."""

    port: int = 0
    status: int = 200  # tests make it answer 500
    received: list[dict[str, Any]] = field(default_factory=list)
    server: Any = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> NotificationReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length).decode()
                if receiver.status < 400:
                    receiver.received.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = serve(Handler, self.port, "notification-receiver")
        return self

    def messages(self) -> list[str]:
        return [item["body"] for item in self.received]

    def stop(self) -> None:
        if self.server is not None:
            shutdown(self.server)
            self.server = None
