"""Helpers of the deep-analysis tests: a worker on moto tables, seeded achievements, SQS events and queues."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from achievements.analysis.deps import worker as worker_deps
from achievements.analysis.models import DeepAnalysis
from achievements.analysis.settings import deep_analysis_settings
from achievements.analysis.worker import DeepAnalysisWorker
from achievements.core.aws import AwsClients
from achievements.core.models import Achievement, AchievementDraft
from achievements.kpi.drafts import kpi_milestone_draft
from achievements.store import AchievementStore
from achievements.threads.drafts import viral_post_draft
from achievements.threads.models import ViralPostIn
from devstack.event_sources import sqs_event
from devstack.functions import parameter_values, resolve
from devstack.template import resources
from tests.conftest import Tables

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:test-AnalysisQueue"


def post_draft(
    post_id: str, views: int = 10_000, engagement_rate: float = 0.08, hook: str = "AI hook"
) -> AchievementDraft:
    return viral_post_draft(
        ViralPostIn(hook=hook, body="Full post", engagement_rate=engagement_rate, views=views, post_id=post_id)
    )


def kpi_draft(value: float = 25_000.0) -> AchievementDraft:
    draft = kpi_milestone_draft("revenue_projection_monthly", value, 20_000.0)
    assert draft is not None
    return draft


def seed(store: AchievementStore, *drafts: AchievementDraft) -> list[int]:
    return [store.upsert(draft).achievement_id for draft in drafts]


def seed_posts(store: AchievementStore, count: int) -> list[int]:
    return seed(store, *(post_draft(f"post-{n}", views=1_000 * (n + 1)) for n in range(count)))


def analysis_of(store: AchievementStore, achievement_id: int) -> DeepAnalysis | None:
    achievement = store.get(achievement_id)
    assert achievement is not None
    return DeepAnalysis.model_validate(achievement.analysis) if achievement.analysis else None


def message(body: Any, message_id: str | None = None, receive_count: int = 1) -> dict[str, Any]:
    """A received SQS message (ReceiveMessage's shape); `body` a JSON value or raw text."""
    text = body if isinstance(body, str) else json.dumps(body)
    return {
        "MessageId": message_id or str(uuid.uuid4()),
        "ReceiptHandle": f"handle-{uuid.uuid4()}",
        "Body": text,
        "Attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": "1737822600000",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1737822600010",
        },
    }


def batch(*bodies: Any) -> dict[str, Any]:
    """The SQS event Lambda delivers for these message bodies."""
    return sqs_event([message(body) for body in bodies], QUEUE_ARN)


def job(achievement_id: int) -> dict[str, Any]:
    return {"achievement_id": achievement_id}


@dataclass
class CountingAnalyzer:
    """Wraps an analyzer, counting calls; `during` runs inside each call (e.g. to change the achievement)."""

    inner: Any
    calls: int = 0
    during: Callable[[Achievement], None] | None = None

    @property
    def name(self) -> str:
        return str(self.inner.name)

    @property
    def version(self) -> str:
        return str(self.inner.version)

    def analyze(self, achievement: Achievement) -> DeepAnalysis:
        self.calls += 1
        if self.during is not None:
            self.during(achievement)
        return self.inner.analyze(achievement)


class SerialClient:
    """A boto3 client whose calls run one at a time.

    moto's in-memory DynamoDB is not thread-safe (a transaction deep-copies a table another thread is
    writing); DynamoDB itself is. The worker's threads still overlap everywhere else, OpenAI calls included.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def serial(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attribute(*args, **kwargs)

        return serial


def make_worker(
    tables: Tables,
    key: str | None = None,
    base_url: str | None = None,
    timeout: float = 5.0,
    max_retries: int = 1,
    wrap: Callable[[Any], Any] | None = None,
    serial: bool = True,
    secret_id: str | None = None,
    auto_cap: int | None = None,
) -> DeepAnalysisWorker:
    """DeepAnalysisFunction's graph built on these tables (the handler then uses it); returns its worker.

    OpenAI at `base_url` when a key (or a Secrets Manager `secret_id`) is given, else the offline analyzer.
    `serial` (for moto tables) runs the DynamoDB calls one at a time; DynamoDB Local needs no such thing.
    """
    settings = deep_analysis_settings().model_copy(
        update={
            "idempotency_table_name": tables.names["IdempotencyTable"],
            "openai_api_key": SecretStr(key) if key else None,
            "openai_api_key_secret_id": secret_id,
            "openai_base_url": base_url,
            "openai_timeout_seconds": timeout,
            "openai_max_retries": max_retries,
            "secret_max_age_seconds": 0,
            **({} if auto_cap is None else {"auto_analysis_daily_cap": auto_cap}),
        }
    )
    client = SerialClient(tables.client) if serial else tables.client
    clients = AwsClients(dynamodb=client, idempotency_dynamodb=client)
    return worker_deps.build(settings, clients, wrap_analyzer=wrap).worker


def create_template_queues(sqs: Any, visibility_timeout: str | None = "0") -> dict[str, tuple[str, str]]:
    """template.yaml's queues (attributes and redrive policy) in moto: logical id -> (url, arn).

    `visibility_timeout` overrides the template's (720 s) so a failed message is delivered again at once.
    """
    params = parameter_values()
    names: dict[str, str] = {}
    created: dict[str, tuple[str, str]] = {}
    queues = resources("AWS::SQS::Queue")
    for logical_id, queue in queues.items():
        props = queue.get("Properties", {})
        attributes = {
            key: resolve(props[key], names, params)
            for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds")
            if key in props
        }
        if visibility_timeout is not None:
            attributes["VisibilityTimeout"] = visibility_timeout
        url = sqs.create_queue(QueueName=f"test-{logical_id}", Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        names[f"{logical_id}.Arn"] = arn
        created[logical_id] = (url, arn)
    for logical_id, queue in queues.items():
        redrive = queue.get("Properties", {}).get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            policy = {
                "deadLetterTargetArn": created[target][1],
                "maxReceiveCount": int(resolve(redrive["maxReceiveCount"], names, params)),
            }
            sqs.set_queue_attributes(QueueUrl=created[logical_id][0], Attributes={"RedrivePolicy": json.dumps(policy)})
    return created


def queue_bodies(sqs: Any, url: str) -> list[str]:
    """Every message body currently visible on a queue (received once, then made visible again)."""
    bodies = []
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
    for item in received:
        bodies.append(item["Body"])
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=item["ReceiptHandle"], VisibilityTimeout=0)
    return bodies
