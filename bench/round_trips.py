"""DynamoDB round trips per request, for every API route, counted on the wire in front of DynamoDB Local.

Each route's ready event (events/index.json) is sent twice over HTTP to the local stack: the first
call (e.g. a new post) and a repeat (e.g. the same post again) are counted separately.

    .venv/bin/python -m bench.round_trips
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import httpx

from devstack.stack import LocalStack
from devstack.template import ROOT, api_routes

KEY = "bench-key"


def api_events() -> list[tuple[str, dict[str, Any]]]:
    index = json.loads((ROOT / "events" / "index.json").read_text())
    found = []
    for name in dict.fromkeys(name for events in index.values() for name in events):
        event = json.loads((ROOT / "events" / name).read_text())
        if "httpMethod" in event:
            found.append((name, event))
    return found


def send(client: httpx.Client, event: dict[str, Any]) -> int:
    headers = {key: value for key, value in (event.get("headers") or {}).items() if key.lower() != "content-length"}
    headers["Authorization"] = f"Bearer {KEY}"
    query = event.get("queryStringParameters") or {}
    body = event.get("body")
    content = body.encode() if isinstance(body, str) and not event.get("isBase64Encoded") else None
    if event.get("isBase64Encoded") and body:
        import base64

        content = base64.b64decode(body)
    response = client.request(event["httpMethod"], event["path"], params=query, headers=headers, content=content)
    return response.status_code


def measure() -> list[tuple[str, str, int, Counter[str], int, Counter[str]]]:
    rows = []
    with LocalStack(port=0, admin_token=KEY, count_dynamodb_calls=True, quiet=True) as stack:
        assert stack.gateway is not None
        assert stack.call_counter is not None
        counter = stack.call_counter
        with httpx.Client(base_url=stack.gateway.url, timeout=60) as client:
            for name, event in api_events():
                counter.reset()
                first_status = send(client, event)
                first = counter.snapshot()
                counter.reset()
                again_status = send(client, event)
                rows.append(
                    (
                        f"{event['httpMethod']} {event['resource']}",
                        name,
                        first_status,
                        first,
                        again_status,
                        counter.snapshot(),
                    )
                )
    return rows


def main() -> None:
    rows = measure()
    print(f"{'route':34} {'event':34} {'1st':>4} {'calls':>5}  {'again':>5} {'calls':>5}  operations (1st)")
    for route, name, status1, first, status2, again in rows:
        ops = ", ".join(f"{op} x{n}" for op, n in sorted(first.items()))
        print(
            f"{route:34} {name:34} {status1:>4} {sum(first.values()):>5}  {status2:>5} {sum(again.values()):>5}  {ops}"
        )
    covered = {route for route, *_ in rows}
    missing = [f"{r.method} {r.path}" for r in api_routes() if f"{r.method} {r.path}" not in covered]
    if missing:
        print("routes without an event:", ", ".join(missing))


if __name__ == "__main__":
    main()
