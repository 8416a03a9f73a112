"""Priming: the first-use work of a request done at init, when init runs ahead of time (SnapStart).

A cold function's first request costs about twice a steady one in CPU (docs/quality.md): botocore loads the
service model and builds each operation's serializer on first use, Powertools compiles the routes and the
validation of their models on the first request. `prime` does that work at init, without any I/O:

- it makes the function's AWS clients and sends each operation the functions use through botocore's whole
  request path (validation, serialization, endpoint rules, signing) up to the wire, where a `before-send`
  hook answers an empty 200 instead of the service, which botocore parses: no connection is opened, so
  none can be stale in a snapshot. The credentials it signs with are those the client was made with
  (botocore resolves them when the client is made, priming or not): on SnapStart, refreshable ones from
  the container endpoint, fetched again once expired;
- it resolves synthetic requests that the app refuses before reading any store (a 4xx of validation).

Only when init runs ahead of the invokes (`AWS_LAMBDA_INITIALIZATION_TYPE` snap-start or
provisioned-concurrency): on an on-demand cold start the first request would wait for the priming instead.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from botocore.awsrequest import AWSResponse

from achievements.core.aws import AwsClients
from achievements.core.observability import logger
from achievements.core.snapstart import ahead_of_time

TABLE = "priming"
KEY = {"pk": {"S": "PRIMING"}, "sk": {"S": "PRIMING"}}
# One call per operation the functions use; parameters only have to pass botocore's validation.
OPERATIONS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "dynamodb": [
        ("get_item", {"TableName": TABLE, "Key": KEY}),
        ("put_item", {"TableName": TABLE, "Item": KEY}),
        (
            "update_item",
            {
                "TableName": TABLE,
                "Key": KEY,
                "UpdateExpression": "SET a = :a",
                "ExpressionAttributeValues": {":a": {"N": "1"}},
            },
        ),
        (
            "query",
            {
                "TableName": TABLE,
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :p",
                "ExpressionAttributeValues": {":p": {"S": "PRIMING"}},
                "Limit": 1,
            },
        ),
        ("batch_get_item", {"RequestItems": {TABLE: {"Keys": [KEY]}}}),
        ("transact_write_items", {"TransactItems": [{"Put": {"TableName": TABLE, "Item": KEY}}]}),
    ],
    "secretsmanager": [("get_secret_value", {"SecretId": "priming"})],
    "sqs": [
        ("send_message", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/priming", "MessageBody": "{}"})
    ],
}


def request(method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> dict[str, Any]:
    """A REST API (v1) proxy event, as API Gateway sends it."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {key: [value] for key, value in query.items()} if query else None,
        "pathParameters": None,
        "requestContext": {"requestId": "priming", "stage": "priming", "httpMethod": method, "path": path},
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


class _Body:
    """The raw body of a canned answer (what urllib3 would hand botocore)."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: Any) -> Any:
        yield self.content


def _answer_locally(request: Any, **_: Any) -> AWSResponse:
    # An empty JSON answer: botocore parses it as the service's (every operation here answers JSON or XML).
    xml = "sqs" in request.url and "json" not in request.headers.get("Content-Type", "")
    body = b"<SendMessageResponse/>" if xml else b"{}"
    headers = {"Content-Type": "text/xml" if xml else "application/x-amz-json-1.0", "x-amzn-RequestId": "priming"}
    return AWSResponse(request.url, 200, headers, _Body(body))  # type: ignore[arg-type]


def prime_clients(clients: AwsClients, services: tuple[str, ...]) -> int:
    """Each service's client made and its operations serialized up to the wire; returns the calls made."""
    calls = 0
    for service in services:
        client = clients.get(service)
        event = f"before-send.{client.meta.service_model.service_id.hyphenize()}"
        client.meta.events.register_first(event, _answer_locally, unique_id="achievements-priming")
        try:
            for operation, parameters in OPERATIONS.get(service, []):
                getattr(client, operation)(**parameters)
                calls += 1
        finally:
            client.meta.events.unregister(event, unique_id="achievements-priming")
    return calls


def prime(
    app: APIGatewayRestResolver,
    clients: AwsClients,
    *requests: dict[str, Any],
    services: tuple[str, ...] = ("dynamodb",),
    force: bool = False,
) -> bool:
    """Prime the clients and resolve `requests` (each refused before any I/O) when init runs ahead of time."""
    if not (force or ahead_of_time()):
        return False
    prime_clients(clients, services)
    for event in requests:
        answer = app.resolve(event, None)  # type: ignore[arg-type]  # no invocation: no context
        if answer.get("statusCode", 500) >= 500 or answer.get("statusCode", 0) < 400:
            # A priming request must be refused (no I/O); an answer otherwise means it read or wrote something.
            raise RuntimeError(f"priming request {event['httpMethod']} {event['path']} answered {answer['statusCode']}")
    logger.debug("primed", extra={"services": services, "requests": len(requests)})
    return True
