"""Shared fixtures: the environment functions read at import, moto tables built from template.yaml, events."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"
TEST_PREFIX = "test"

# Before any function module is imported: they validate their settings at import, as on a cold start.
os.environ.update(
    {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "AchievementCollector",
        "POWERTOOLS_SERVICE_NAME": "tests",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "ACHIEVEMENTS_TABLE_NAME": f"{TEST_PREFIX}-AchievementsTable",
        "IDEMPOTENCY_TABLE_NAME": f"{TEST_PREFIX}-IdempotencyTable",
        "GITHUB_WEBHOOK_SECRET_ID": f"{TEST_PREFIX}-GitHubWebhookSecret",
        # Page cursors of GET /achievements are signed with a key from Secrets Manager; tests use a local one.
        "CURSOR_SIGNING_KEY": "test-cursor-signing-key",
        "EVENT_BUS_NAME": f"{TEST_PREFIX}-achievements",
        "ANALYSIS_QUEUE_URL": f"https://sqs.us-east-1.amazonaws.com/123456789012/{TEST_PREFIX}-AnalysisQueue",
        "REATTRIBUTION_QUEUE_URL": f"https://sqs.us-east-1.amazonaws.com/123456789012/{TEST_PREFIX}-ReattributionQueue",
        # access: the tokens table, the bootstrap admin token (a local value), the usage plan (by name)
        "TOKENS_TABLE_NAME": f"{TEST_PREFIX}-TokensTable",
        "BOOTSTRAP_TOKEN": "test-bootstrap-admin-token",
        "USAGE_PLAN_NAME": f"{TEST_PREFIX}-callers",
        "BOOTSTRAP_USAGE_KEY": f"{TEST_PREFIX}-bootstrap-admin-usage",
    }
)
# A developer's own OpenAI settings must not reach the tests: each test says which analyzer it uses.
for _openai in ("OPENAI_API_KEY", "OPENAI_API_KEY_SECRET_ID", "OPENAI_BASE_URL"):
    os.environ.pop(_openai, None)
for _endpoint in (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL_SQS",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
):
    os.environ.pop(_endpoint, None)


@dataclass
class LambdaContext:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "52fdfc07-2182-154f-163f-5f0f9a621d72"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


@pytest.fixture(autouse=True)
def _fresh_object_graphs() -> Iterator[None]:
    """Each test builds the graphs it uses (`deps.build(settings, clients=...)`); none outlives its test."""
    yield
    from achievements.core.container import Container

    Container.reset_all()


def clients_of(tables: Tables, **more: Any) -> Any:
    """The AWS clients a function's graph is built from: the tables' DynamoDB client plus any others given."""
    from achievements.core.aws import AwsClients

    return AwsClients(**{"dynamodb": tables.client, **more})


def build_on(deps: Any, tables: Tables, settings: Any = None, **clients: Any) -> Any:
    """A function's graph on these tables: its settings naming them, their client (and any other clients given)."""
    named = (settings or deps.default_settings()).model_copy(update={"achievements_table_name": tables.achievements})
    return deps.build(named, clients_of(tables, **clients))


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext()


def at_once[Item, Result](work: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """`work` on every item at the same moment, one thread each, as that many Lambda instances would run it.

    `work` is the code a route runs, not the handler: Powertools keeps the request being resolved on
    `BaseRouter`'s class, so one process must never resolve two at once (and Lambda never does)."""
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(work, items))


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def api_event(name: str, body: Any = None, raw_body: str | None = None, **overrides: Any) -> dict[str, Any]:
    """An event from events/ with another body (a JSON value, or raw text) and other fields."""
    event = load_event(name)
    if raw_body is not None:
        event["body"] = raw_body
    elif body is not None:
        event["body"] = json.dumps(body)
    event.update(overrides)
    return event


@dataclass
class Tables:
    client: Any
    names: dict[str, str]

    @property
    def achievements(self) -> str:
        return self.names["AchievementsTable"]

    def items(self, table: str | None = None) -> list[dict[str, Any]]:
        """Every item of a table (tests only: the app itself never scans)."""
        paginator = self.client.get_paginator("scan")
        return [item for page in paginator.paginate(TableName=table or self.achievements) for item in page["Items"]]

    def achievement_items(self) -> list[dict[str, Any]]:
        return [item for item in self.items() if item["sk"]["S"] == "ACHIEVEMENT"]

    def recomputed_aggregates(self) -> Any:
        """What the aggregates must be: every stored achievement's contribution, added up (tests may scan)."""
        from achievements.core.aggregates import AggregateSnapshot, contribution
        from achievements.store.reads import achievement_of

        totals: dict[str, Decimal] = {}
        for item in self.achievement_items():
            part = contribution(achievement_of(item))
            for name, value in {**part.counts, **part.terms}.items():
                totals[name] = totals.get(name, Decimal(0)) + value
        return AggregateSnapshot.from_attributes(totals)


def moto_tables_of(streams: bool) -> Iterator[Tables]:
    import boto3
    from moto import mock_aws

    from devstack.template import create_tables

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        yield Tables(client, create_tables(client, TEST_PREFIX, streams=streams))


@pytest.fixture
def moto_tables() -> Iterator[Tables]:
    """The template's tables in moto, named like the function environment expects; without their streams
    (moto copies them on every transaction): a test reading the stream uses `moto_streamed_tables`."""
    yield from moto_tables_of(streams=False)


@pytest.fixture
def moto_streamed_tables() -> Iterator[Tables]:
    """The template's tables in moto with their streams, as deployed (the pipeline's tests read them)."""
    yield from moto_tables_of(streams=True)


@pytest.fixture
def store(moto_tables: Tables) -> Any:
    from achievements.store import AchievementStore

    return AchievementStore(moto_tables.achievements, client=moto_tables.client)
