"""What each kind of GitHub delivery costs: handler time and DynamoDB calls, on a real DynamoDB Local.

The handler runs in-process (as a warm Lambda would) against DynamoDB Local on loopback. For each kind of
delivery, N requests; printed: median time as a ratio to refusing an unsigned delivery (measured in the
same run), and the DynamoDB calls one request makes. Bounded: N per kind (default 100), well under 60 s.

    .venv/bin/python -m bench.github_webhook [--runs 100]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import hmac
import json
import os
import statistics
import time
import uuid
import warnings
from collections.abc import Callable
from typing import Any

from bench.inprocess import ROOT, prepare

prepare(GITHUB_WEBHOOK_SECRET="local-github-webhook-secret")


from devstack.aws_services import local_client  # noqa: E402
from devstack.dynamodb_local import DynamoDBLocal  # noqa: E402
from devstack.template import create_tables  # noqa: E402
from devstack.worker import LocalContext  # noqa: E402

SECRET = b"local-github-webhook-secret"
EVENTS = ROOT / "events"


def signed(name: str, payload: Any | None = None, delivery: str | None = None, **headers: str) -> dict[str, Any]:
    event = json.loads((EVENTS / name).read_text())
    body = event["body"].encode() if payload is None else json.dumps(payload).encode()
    event["body"] = body.decode()
    event["headers"]["X-Hub-Signature-256"] = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    if delivery:
        event["headers"]["X-GitHub-Delivery"] = delivery
    event["headers"].update(headers)
    return event


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    runs = max(10, min(args.runs, 500))

    with DynamoDBLocal() as dynamodb:
        client = local_client("dynamodb", dynamodb.endpoint)
        names = create_tables(client, "bench")
        calls: list[str] = []
        client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))

        from achievements.core.aws import AwsClients
        from achievements.github.deps import deps
        from achievements.github.settings import github_webhook_settings
        from functions.github_webhook import app

        settings = github_webhook_settings().model_copy(update={"achievements_table_name": names["AchievementsTable"]})
        deps.build(settings, AwsClients(dynamodb=client))
        context = LocalContext("bench")
        pr = json.loads(signed("github_pull_request_merged.json")["body"])
        numbers = iter(range(1000, 10**6))

        def new_pr() -> dict[str, Any]:
            payload = copy.deepcopy(pr)
            payload["number"] = payload["pull_request"]["number"] = next(numbers)
            return signed("github_pull_request_merged.json", payload, delivery=str(uuid.uuid4()))

        warnings.simplefilter("ignore")
        quiet = contextlib.redirect_stdout(open(os.devnull, "w"))  # noqa: SIM115 - EMF metrics lines
        seen = signed("github_pull_request_merged.json", delivery=str(uuid.uuid4()))
        with quiet:
            app.lambda_handler(copy.deepcopy(seen), context)  # the delivery redelivered below
        unsigned = signed("github_ping.json")
        del unsigned["headers"]["X-Hub-Signature-256"]
        wrong = signed("github_ping.json")
        wrong["headers"]["X-Hub-Signature-256"] = "sha256=" + "0" * 64
        big = json.dumps({"pad": "x" * 1_000_000})
        oversized = signed("github_ping.json")
        oversized["body"] = big

        cases: list[tuple[str, int, Callable[[], dict[str, Any]]]] = [
            ("unsigned -> 401", 401, lambda: copy.deepcopy(unsigned)),
            ("1 MB body -> 413", 413, lambda: copy.deepcopy(oversized)),
            ("wrong signature -> 401", 401, lambda: copy.deepcopy(wrong)),
            ("ping -> 200", 200, lambda: signed("github_ping.json")),
            ("push (ignored) -> 202", 202, lambda: signed("github_ping.json", **{"X-GitHub-Event": "push"})),
            ("merged PR, new -> 201", 201, new_pr),
            ("redelivery -> 200 duplicate", 200, lambda: copy.deepcopy(seen)),
            (
                "same PR, new delivery -> 200",
                200,
                lambda: signed("github_pull_request_merged.json", delivery=str(uuid.uuid4())),
            ),
        ]
        results = []
        started = time.monotonic()
        for label, status, make in cases:
            times, per_call = [], []
            for _ in range(runs):
                event = make()
                calls.clear()
                with quiet:
                    t0 = time.perf_counter()
                    answer = app.lambda_handler(event, context)
                    times.append(time.perf_counter() - t0)
                per_call.append(len(calls))
                assert answer["statusCode"] == status, (label, answer)
            results.append((label, statistics.median(times), statistics.median(per_call)))
        elapsed = time.monotonic() - started

    baseline = results[0][1]
    first = next(median for label, median, _ in results if label.startswith("merged PR, new"))
    print(f"GitHub webhook, {runs} requests per kind, DynamoDB Local on loopback ({elapsed:.1f} s)")
    print(f"  {'delivery (median time as ratios)':32} {'x unsigned 401':>15} {'x new PR':>9} {'DynamoDB calls':>15}")
    for label, median, ddb in results:
        print(f"  {label:32} {median / baseline:15.1f} {median / first:9.2f} {ddb:15.0f}")
    size_small = len(signed("github_pull_request_merged.json")["body"])
    small = min(_hmac_time(size_small) for _ in range(5))
    large = min(_hmac_time(512 * 1024) for _ in range(5))
    print(f"  HMAC of a 512 KiB body vs the {size_small:,}-byte sample PR: {large / small:.0f}x")


def _hmac_time(size: int) -> float:
    body = b"x" * size
    t0 = time.perf_counter()
    for _ in range(200):
        hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
