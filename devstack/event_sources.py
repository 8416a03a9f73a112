"""Local event sources from template.yaml: SQS event-source mappings (with partial batch failures) and schedules."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from devstack.functions import InvocationError, resolve
from devstack.template import resources

Invoker = Callable[[str, dict[str, Any]], Any]
RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class SqsSource:
    function: str
    queue_logical_id: str
    batch_size: int
    report_batch_item_failures: bool


@dataclass(frozen=True)
class ScheduleSource:
    function: str
    name: str
    every_seconds: float
    payload: dict[str, Any]


def _events(kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for function, resource in resources("AWS::Serverless::Function").items():
        for event_name, event in resource["Properties"].get("Events", {}).items():
            if event.get("Type") == kind:
                found.append((function, event_name, event.get("Properties", {})))
    return found


def sqs_sources() -> list[SqsSource]:
    sources = []
    for function, _, props in _events("SQS"):
        queue = props["Queue"]
        logical_id = queue["Fn::GetAtt"][0] if isinstance(queue, dict) and "Fn::GetAtt" in queue else str(queue)
        sources.append(
            SqsSource(
                function,
                logical_id,
                int(props.get("BatchSize", 10)),
                "ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
            )
        )
    return sources


def parse_rate(expression: str) -> float:
    found = RATE.match(expression.strip())
    if not found:
        raise ValueError(f"only rate(...) schedules run locally, not {expression!r}")
    return int(found.group(1)) * UNIT_SECONDS[found.group(2).rstrip("s")]


def schedule_sources(params: dict[str, str], names: dict[str, str]) -> list[ScheduleSource]:
    sources = []
    for function, name, props in _events("ScheduleV2") + _events("Schedule"):
        expression = resolve(props["ScheduleExpression"], names, params)
        payload = json.loads(resolve(props["Input"], names, params)) if "Input" in props else {}
        sources.append(ScheduleSource(function, name, parse_rate(expression), payload))
    return sources


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS event-source mapping delivers."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for message in messages
        ]
    }


def failed_ids(result: Any, event: dict[str, Any], report_failures: bool) -> set[str]:
    """Message ids to leave on the queue, read as Lambda reads a (partial) batch response."""
    every = {record["messageId"] for record in event["Records"]}
    if not report_failures:
        return set()
    if not isinstance(result, dict) or "batchItemFailures" not in result:
        return set()
    failures = {item.get("itemIdentifier") for item in result["batchItemFailures"] or []}
    if not failures <= every or None in failures or "" in failures:
        return every  # an invalid response fails the whole batch, as on Lambda
    return {str(failure) for failure in failures}


class BackgroundLoop:
    """Runs `_run` on a daemon thread until `stop` sets `stopping`."""

    stopping: threading.Event
    thread: threading.Thread | None

    @property
    def thread_name(self) -> str:
        raise NotImplementedError

    def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        self.thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.join(5)

    def join(self, timeout: float) -> None:
        """Wait for the loop to end; an invocation in flight finishes first, as Lambda lets it."""
        if self.thread is not None:
            self.thread.join(timeout=timeout)


@dataclass
class SqsPoller(BackgroundLoop):
    """Polls one queue and invokes its function with batches; deletes what succeeded, as Lambda does."""

    source: SqsSource
    sqs: Any
    queue_url: str
    queue_arn: str
    invoke: Invoker
    log: Callable[[str], None] = print
    stopping: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def poll_once(self, wait_seconds: int = 1) -> int:
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.source.batch_size, 10),
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        event = sqs_event(messages, self.queue_arn)
        try:
            result = self.invoke(self.source.function, event)
            failed = failed_ids(result, event, self.source.report_batch_item_failures)
        except InvocationError as error:
            self.log(f"{self.source.function}: batch of {len(messages)} failed: {error}")
            failed = {record["messageId"] for record in event["Records"]}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)],
            )
        if failed:
            self.log(f"{self.source.function}: {len(failed)} of {len(messages)} messages will be retried")
        return len(messages)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.poll_once()
            except Exception as error:  # noqa: BLE001 - the poller outlives a failed poll, as Lambda's does
                self.log(f"{self.source.function}: poll failed: {error}")
                self.stopping.wait(1)

    @property
    def thread_name(self) -> str:
        return f"sqs-{self.source.function}"


@dataclass
class LocalScheduler(BackgroundLoop):
    """Fires a schedule every N seconds (the template's rate, or a shorter one given for local use)."""

    source: ScheduleSource
    invoke: Invoker
    every_seconds: float
    log: Callable[[str], None] = print
    stopping: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    runs: int = 0
    first_after: float | None = None  # seconds before the first run (default: one period, as on AWS)

    def fire(self) -> Any:
        self.runs += 1
        event = dict(self.source.payload)
        self.log(f"schedule {self.source.name}: invoking {self.source.function}")
        try:
            return self.invoke(self.source.function, event)
        except InvocationError as error:
            self.log(f"schedule {self.source.name}: {error}")
            return None

    def _run(self) -> None:
        next_run = time.monotonic() + (self.every_seconds if self.first_after is None else self.first_after)
        while not self.stopping.wait(max(0.0, next_run - time.monotonic())):
            self.fire()
            next_run += self.every_seconds

    @property
    def thread_name(self) -> str:
        return f"schedule-{self.source.name}"
