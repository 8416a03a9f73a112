"""The one factory of AWS clients, with one table of timeout budgets (every client is bounded)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_apigateway.client import APIGatewayClient
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_events.client import EventBridgeClient
    from mypy_boto3_secretsmanager.client import SecretsManagerClient
    from mypy_boto3_sqs.client import SQSClient


class Budget(NamedTuple):
    """How long one call may take: seconds to connect, seconds to read, attempts in all (the first included)."""

    connect: float
    read: float
    attempts: int

    def config(self) -> Config:
        # total_max_attempts counts the first try (botocore's max_attempts counts only retries).
        return Config(
            connect_timeout=self.connect,
            read_timeout=self.read,
            retries={"total_max_attempts": self.attempts, "mode": "standard"},
        )


# A request path must fail well inside its Lambda's timeout (15 s for the API functions): at worst
# 3 x (1 s + 2 s) + the standard mode's backoff (<= 1 + 2 s) = 12 s; the API then answers 503
# (achievements.http.errors). Background work (the scrape's configuration, the worker's idempotency records)
# may wait longer: its function runs for minutes.
BUDGETS: dict[str, Budget] = {
    "dynamodb": Budget(connect=1, read=2, attempts=3),
    "sqs": Budget(connect=1, read=2, attempts=3),
    # The pipeline's PutEvents: a stream batch may wait (its function runs for a minute); throttling is retried here
    # first, then entry by entry (pipeline/bus.py).
    "events": Budget(connect=1, read=3, attempts=4),
    "secretsmanager": Budget(connect=1, read=2, attempts=3),
    "ssm": Budget(connect=2, read=3, attempts=4),
    "scrape-secretsmanager": Budget(connect=2, read=3, attempts=4),
    "idempotency-dynamodb": Budget(connect=2, read=5, attempts=5),
    # The tokens API's usage-plan keys and the authorizer's one read of the bootstrap key (access/usage.py).
    "apigateway": Budget(connect=1, read=2, attempts=3),
}


def make_client(budget: str) -> Any:
    """A boto3 client for the budget's service (the part after the last '-'), bounded by that budget."""
    service = budget.rsplit("-", 1)[-1]
    return boto3.client(service, config=BUDGETS[budget].config())  # type: ignore[call-overload]


class _Client[C]:
    """An attribute of AwsClients: the client of one budget, made on first use."""

    def __init__(self, budget: str) -> None:
        self.budget = budget

    def __get__(self, clients: AwsClients, owner: type[AwsClients]) -> C:
        return clients.get(self.budget)  # type: ignore[no-any-return]


class AwsClients:
    """The AWS clients of one container, each made on first use; tests and the local stack pass their own."""

    dynamodb: _Client[DynamoDBClient] = _Client("dynamodb")
    sqs: _Client[SQSClient] = _Client("sqs")
    events: _Client[EventBridgeClient] = _Client("events")
    secretsmanager: _Client[SecretsManagerClient] = _Client("secretsmanager")
    apigateway: _Client[APIGatewayClient] = _Client("apigateway")

    def __init__(self, **given: Any) -> None:
        unknown = set(given) - {name.replace("-", "_") for name in BUDGETS}
        if unknown:
            raise TypeError(f"no client budget for {sorted(unknown)}")
        self._clients: dict[str, Any] = {name: client for name, client in given.items() if client is not None}

    def get(self, budget: str) -> Any:
        key = budget.replace("-", "_")
        if key not in self._clients:
            self._clients[key] = make_client(budget)
        return self._clients[key]
