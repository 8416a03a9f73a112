"""Reviews: one quarter's review at 1,000 vs 20,000 stored achievements — time and items read follow the quarter.

The same two tables as bench.people (DynamoDB Local, loopback, in memory): the small one holds 1,000
achievements of ten people in two teams from 2025-07 to 2026-11; the large one the same 1,000 plus 19,000
older ones (2023 to early 2025), outside the reviewed quarter and the one before it. Then, through the reviews
Lambda handler in-process (a warm Lambda), alternating between the tables, `GET /reviews?period=2026-Q2` of
alice, of team platform and of everyone (JSON, and alice's as the HTML page with its charts): median latency,
DynamoDB calls and items read, and their ratios large/small (1.0: the store's size does not matter).

    .venv/bin/python -m bench.reviews [--small 1000] [--large 20000] [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import warnings

from bench.inprocess import ROOT, prepare

prepare(CURSOR_SIGNING_KEY="bench-cursor-key", REATTRIBUTION_QUEUE_URL="http://127.0.0.1:1/unused")


from achievements.core.aws import AwsClients  # noqa: E402
from achievements.reviews.deps import deps  # noqa: E402
from achievements.reviews.settings import reviews_settings  # noqa: E402
from bench.people import bench_client, record_calls, seed_two_tables, timed_request  # noqa: E402 - the same tables as bench.people
from devstack.dynamodb_local import DynamoDBLocal  # noqa: E402
from devstack.worker import LocalContext  # noqa: E402

EVENT = json.loads((ROOT / "events" / "review.json").read_text())
REQUESTS = {
    "alice 2026-Q2 json": {"person": "alice", "period": "2026-Q2", "format": "json"},
    "alice 2026-Q2 html": {"person": "alice", "period": "2026-Q2", "format": "html"},
    "team platform 2026-Q2": {"team": "platform", "period": "2026-Q2", "format": "json"},
    "everyone 2026-Q2": {"period": "2026-Q2", "format": "json"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="No application metrics to publish")

    from functions.reviews import app as reviews_app

    with DynamoDBLocal() as dynamodb:
        client = bench_client(dynamodb.endpoint)
        tables = seed_two_tables(client, args.small, args.large, "benchreview")
        calls = record_calls(client)
        samples: dict[tuple[str, int], list[float]] = {(name, size): [] for name in REQUESTS for size in tables}
        reads: dict[tuple[str, int], list[tuple[str, int]]] = {}
        counted: dict[tuple[str, int], int] = {}
        context = LocalContext("bench")
        for run in range(args.runs + 3):
            for name, query in REQUESTS.items():
                for size, table in tables.items():
                    settings = reviews_settings().model_copy(update={"achievements_table_name": table})
                    deps.build(settings, AwsClients(dynamodb=client))
                    calls.clear()
                    response, elapsed = timed_request(reviews_app.lambda_handler, EVENT, query, context)
                    if run >= 3:
                        samples[(name, size)].append(elapsed)
                    reads[(name, size)] = list(calls)
                    if query["format"] == "json":
                        body = json.loads(response["body"])
                        counted[(name, size)] = body["headline"][0]["current"] + body["headline"][0]["previous"]

        print(f"\n{args.runs} runs each (handler in-process, DynamoDB Local on loopback)")
        print(
            f"{'request':<24} {'stored':>7} {'median ms':>10} {'DynamoDB calls':>15} {'items read':>11} "
            f"{'in both quarters':>17}"
        )
        small, large = args.small, args.large
        for name in REQUESTS:
            for size in tables:
                print(
                    f"{name:<24} {size:>7,} {statistics.median(samples[(name, size)]) * 1000:>10.2f} "
                    f"{len(reads[(name, size)]):>15} {sum(n for _, n in reads[(name, size)]):>11} "
                    f"{counted.get((name, size), '-'):>17}"
                )
            ratio = statistics.median(samples[(name, large)]) / statistics.median(samples[(name, small)])
            call_ratio = len(reads[(name, large)]) / len(reads[(name, small)])
            item_ratio = sum(n for _, n in reads[(name, large)]) / max(1, sum(n for _, n in reads[(name, small)]))
            print(
                f"  ratio {large:,}/{small:,}: latency {ratio:.2f}, DynamoDB calls {call_ratio:.2f}, "
                f"items read {item_ratio:.2f} (stored x{large / small:.0f})"
            )


if __name__ == "__main__":
    main()
