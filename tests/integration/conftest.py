"""Integration fixtures: one real DynamoDB Local per test session (loopback, -disableTelemetry, stopped by PID)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from botocore.config import Config

from devstack.aws_services import local_client as aws_local_client
from devstack.dynamodb_local import DynamoDBLocal
from devstack.stack import LocalStack
from devstack.template import create_tables
from tests.conftest import Tables

_prefixes = itertools.count()


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    with DynamoDBLocal() as server:
        yield server


def local_client(endpoint: str) -> Any:
    """A DynamoDB client for DynamoDB Local, sized for the concurrent tests."""
    config = Config(max_pool_connections=64, retries={"max_attempts": 4, "mode": "standard"})
    return aws_local_client("dynamodb", endpoint, config)


@contextmanager
def api_client(stack: LocalStack, key: str, timeout: float = 60) -> Iterator[httpx.Client]:
    """Plain HTTP to a running local stack's API, with a token (the bootstrap admin's, by default)."""
    assert stack.gateway is not None
    with httpx.Client(
        base_url=stack.gateway.url, headers={"Authorization": f"Bearer {key}"}, timeout=timeout
    ) as client:
        yield client


def stored_achievements(stack: LocalStack, source: str | None = None) -> list[dict[str, Any]]:
    """The achievement items a local stack holds (tests only: the app itself never scans)."""
    assert stack.dynamodb is not None
    client = local_client(stack.dynamodb.endpoint)
    paginator = client.get_paginator("scan")
    return [
        item
        for page in paginator.paginate(TableName=stack.table_names["AchievementsTable"])
        for item in page["Items"]
        if item["sk"]["S"] == "ACHIEVEMENT" and (source is None or item["source"]["S"] == source)
    ]


def wait_until(check: Callable[[], Any], seconds: float = 60, what: str = "the condition") -> Any:
    """Poll `check` until it answers something truthy (returned), bounded by `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what} not reached within {seconds}s")


def wait_for_status(http: httpx.Client, ready: Callable[[dict[str, Any]], bool], timeout: float = 60) -> dict[str, Any]:
    """Poll `GET /prometheus/status` until `ready(body)` (bounded)."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        answer = http.get("/prometheus/status")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        if ready(body):
            return body
        time.sleep(0.3)
    raise AssertionError(f"status not ready within {timeout}s: {body}")


@pytest.fixture
def local_tables(dynamodb_local: DynamoDBLocal) -> Tables:
    """Fresh tables from template.yaml in DynamoDB Local for each test."""
    client = local_client(dynamodb_local.endpoint)
    return Tables(client, create_tables(client, f"it{next(_prefixes)}"))
