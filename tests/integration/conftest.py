"""Integration fixtures: one real DynamoDB Local per test session (loopback, -disableTelemetry, stopped by PID)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from devstack.dynamodb_local import DynamoDBLocal
from devstack.template import create_tables
from tests.conftest import Tables

_prefixes = itertools.count()


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    with DynamoDBLocal() as server:
        yield server


def local_client(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(max_pool_connections=64, retries={"max_attempts": 4, "mode": "standard"}),
    )


@pytest.fixture
def local_tables(dynamodb_local: DynamoDBLocal) -> Tables:
    """Fresh tables from template.yaml in DynamoDB Local for each test."""
    client = local_client(dynamodb_local.endpoint)
    return Tables(client, create_tables(client, f"it{next(_prefixes)}"))
