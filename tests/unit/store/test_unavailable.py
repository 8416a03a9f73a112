"""A store that does not answer is a clean 503 with Retry-After, mapped in one place (achievements.http.resolver).

Faults come from a client wrapper around moto's DynamoDB that raises botocore's own exceptions, as the real
client does when DynamoDB refuses connections, drops them, times out, throttles or fails on its side.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from achievements.core.aws import make_client
from achievements.kpi.deps import deps as kpi_deps
from achievements.store.aggregates import read_aggregates
from achievements.threads.deps import deps as threads_deps
from devstack.template import load_template
from functions.kpi_milestone import app as kpi_app
from functions.threads_webhook import app as threads_app
from tests.conftest import Tables, api_event, clients_of, load_event

ENDPOINT = "http://127.0.0.1:9"


class FaultyClient:
    """Delegates to a real (moto) client; `faults[operation]` runs instead of, or after, the real call."""

    def __init__(self, client: Any, faults: dict[str, Callable[[Callable[[], Any]], Any]]) -> None:
        self.client = client
        self.faults = faults
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.client, name)
        if not callable(real):
            return real

        def call(**kwargs: Any) -> Any:
            self.calls.append(name)
            fault = self.faults.get(name)
            return real(**kwargs) if fault is None else fault(lambda: real(**kwargs))

        return call


def raise_(error: Exception) -> Callable[[Callable[[], Any]], Any]:
    def fault(_: Callable[[], Any]) -> Any:
        raise error

    return fault


def client_error(code: str, status: int, operation: str = "GetItem", **extra: Any) -> ClientError:
    response: dict[str, Any] = {
        "Error": {"Code": code, "Message": f"{code} from DynamoDB"},
        "ResponseMetadata": {"HTTPStatusCode": status},
        **extra,
    }
    return ClientError(response, operation)  # type: ignore[arg-type]


def throttled_transaction() -> ClientError:
    reasons = [{"Code": "None"}, {"Code": "ThrottlingError", "Message": "Throttled"}]
    return client_error("TransactionCanceledException", 400, "TransactWriteItems", CancellationReasons=reasons)


def track(event: dict[str, Any], context: Any) -> tuple[int, dict[str, str], dict[str, Any]]:
    response = threads_app.lambda_handler(event, context)
    headers = {**(response.get("headers") or {})}
    for key, values in (response.get("multiValueHeaders") or {}).items():
        headers[key] = ", ".join(values)
    return int(response["statusCode"]), headers, json.loads(response["body"])


def use_client(monkeypatch: pytest.MonkeyPatch, moto_tables: Tables, client: FaultyClient) -> None:
    threads_deps.build(clients=clients_of(moto_tables, dynamodb=client))


UNAVAILABLE = {
    "connection refused": ("batch_get_item", EndpointConnectionError(endpoint_url=ENDPOINT), "could not connect"),
    "connection dropped": (
        "batch_get_item",
        ConnectionClosedError(endpoint_url=ENDPOINT),
        "the connection failed or timed out",
    ),
    "read timeout": ("batch_get_item", ReadTimeoutError(endpoint_url=ENDPOINT), "the connection failed or timed out"),
    "throttled read": ("batch_get_item", client_error("ProvisionedThroughputExceededException", 400), "throttled"),
    "throttled request": ("batch_get_item", client_error("ThrottlingException", 400), "throttled"),
    "internal error": ("batch_get_item", client_error("InternalServerError", 500), "server error 500"),
    "unavailable": ("batch_get_item", client_error("ServiceUnavailable", 503), "server error 503"),
    "throttled transaction": ("transact_write_items", throttled_transaction(), "throttled"),
    "throttled id counter": ("update_item", client_error("RequestLimitExceeded", 400, "UpdateItem"), "throttled"),
}


@pytest.mark.parametrize("case", sorted(UNAVAILABLE))
def test_a_store_that_does_not_answer_is_a_503_with_retry_after_and_a_json_message(
    case: str, monkeypatch: pytest.MonkeyPatch, moto_tables: Tables, lambda_context
) -> None:
    # Given DynamoDB failing one operation in a way that clears by itself
    operation, error, reason = UNAVAILABLE[case]
    use_client(monkeypatch, moto_tables, FaultyClient(moto_tables.client, {operation: raise_(error)}))

    # When a viral post is tracked
    status, headers, body = track(load_event("threads_track.json"), lambda_context)

    # Then the answer is a 503 naming the store and the reason, with Retry-After, and no trace; nothing is written
    assert status == 503
    assert headers["Retry-After"] == "1"
    assert headers["Content-Type"] == "application/json"
    assert body == {"message": f"the store is unavailable ({reason}); retry in 1 s"}
    assert moto_tables.achievement_items() == []


def test_the_same_mapping_serves_every_route_of_the_resolver(
    monkeypatch: pytest.MonkeyPatch, moto_tables: Tables, lambda_context
) -> None:
    # Given the KPI route's store refusing connections
    client = FaultyClient(
        moto_tables.client, {"batch_get_item": raise_(EndpointConnectionError(endpoint_url=ENDPOINT))}
    )
    kpi_deps.build(clients=clients_of(moto_tables, dynamodb=client))

    # When a milestone is posted, Then it is the same clean 503
    response = kpi_app.lambda_handler(load_event("kpi_milestone.json"), lambda_context)
    assert response["statusCode"] == 503
    assert json.loads(response["body"])["message"] == "the store is unavailable (could not connect); retry in 1 s"


@pytest.mark.parametrize(
    "error",
    [
        client_error("ValidationException", 400),
        client_error("AccessDeniedException", 400),
        client_error("ResourceNotFoundException", 400),
    ],
    ids=lambda e: e.response["Error"]["Code"],
)
def test_errors_that_retrying_cannot_fix_are_not_disguised_as_unavailable(
    error: ClientError, monkeypatch: pytest.MonkeyPatch, moto_tables: Tables, lambda_context
) -> None:
    # Given DynamoDB refusing the request for good (a bug or a permissions problem)
    use_client(monkeypatch, moto_tables, FaultyClient(moto_tables.client, {"batch_get_item": raise_(error)}))

    # When a post is tracked, Then the error is not answered as a retryable 503: the invocation fails
    with pytest.raises(ClientError) as raised:
        threads_app.lambda_handler(load_event("threads_track.json"), lambda_context)
    assert raised.value is error


def test_a_write_whose_answer_was_lost_is_not_duplicated_when_the_client_retries(
    monkeypatch: pytest.MonkeyPatch, moto_tables: Tables, lambda_context
) -> None:
    # Given DynamoDB that applies the transaction, then drops the connection before answering (outcome unknown)
    def applied_then_dropped(real: Callable[[], Any]) -> Any:
        real()
        raise ConnectionClosedError(endpoint_url=ENDPOINT)

    client = FaultyClient(moto_tables.client, {"transact_write_items": applied_then_dropped})
    use_client(monkeypatch, moto_tables, client)
    post = json.loads(load_event("threads_track.json")["body"]) | {"post_id": "lost-answer"}

    # When the post is tracked (503: the caller cannot know it was stored) and the caller retries it
    first, headers, _ = track(api_event("threads_track.json", body=post), lambda_context)
    client.faults.clear()
    status, _, body = track(api_event("threads_track.json", body=post), lambda_context)

    # Then the retry finds the stored achievement: one achievement, one ref, aggregates counted once
    assert (first, headers["Retry-After"]) == (503, "1")
    assert (status, body) == (200, {"status": "unchanged", "achievement_id": 1})
    assert len(moto_tables.achievement_items()) == 1
    refs = [item for item in moto_tables.items() if item["sk"]["S"] == "REF"]
    assert [item["achievement_id"]["N"] for item in refs] == ["1"]
    assert read_aggregates(moto_tables.client, moto_tables.achievements).total == 1


@pytest.mark.parametrize("budget", ["dynamodb", "sqs", "secretsmanager"])
def test_botocore_retries_of_one_request_path_call_end_well_inside_the_lambda_timeout(budget: str) -> None:
    # Given a client from the one factory and the API functions' timeout
    lambda_timeout = float(load_template()["Globals"]["Function"]["Timeout"])
    config = make_client(budget).meta.config
    attempts = config.retries["total_max_attempts"]  # as the client reads it: the first try included
    assert config.retries["mode"] == "standard"

    # When every attempt waits out both timeouts and botocore's standard backoff (random * 2**n, n < attempts-1)
    worst = attempts * (config.connect_timeout + config.read_timeout) + sum(2**n for n in range(attempts - 1))

    # Then the call has failed with time left for the 503 answer
    assert attempts == 3
    assert worst <= 0.8 * lambda_timeout
