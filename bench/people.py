"""People: insights and portfolios of one person / one team at 1,000 vs 20,000 achievements, and re-attribution.

Two tables in DynamoDB Local (loopback, in memory). The small one holds 1,000 achievements of ten people in
two teams; the large one the same 1,000 plus 19,000 more, outside the measured quarter. Items are pre-built
with the store's own item code and write hooks (global, per-person/team aggregates), written by BatchWriteItem.
Then, through the Lambda handler in-process (a warm Lambda), alternating between the tables:
- `GET /analyze/career-insights?person=alice` and `?team=platform`: median latency and DynamoDB calls;
- `GET /portfolio?person=alice&from=2026-04-01&to=2026-06-30&format=json`: items read follow the quarter.
Last, re-attribution: `--reattribute` achievements the default owner got from github:zed, moved by the worker
(in-process, message after message) once zed claims the alias; printed: seconds and achievements per second.

    .venv/bin/python -m bench.people [--small 1000] [--large 20000] [--runs 30] [--reattribute 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.inprocess import ROOT, prepare

prepare(CURSOR_SIGNING_KEY="bench-cursor-key", REATTRIBUTION_QUEUE_URL="http://127.0.0.1:1/unused")

from botocore.config import Config  # noqa: E402

from achievements.core.aws import AwsClients  # noqa: E402
from achievements.core.models import Achievement, AchievementDraft, Category, Source  # noqa: E402
from achievements.core.ownership import Person  # noqa: E402
from achievements.insights.deps import deps  # noqa: E402
from achievements.insights.settings import insights_settings  # noqa: E402
from achievements.people.queue import ReattributionJob  # noqa: E402
from achievements.people.reattribution import reattribute  # noqa: E402
from achievements.store.achievements import AchievementStore, fingerprint  # noqa: E402
from achievements.store.aggregates import AggregateWriteHook, ScopedAggregateWriteHook  # noqa: E402
from achievements.store.people import PeopleRegistry, UnclaimedWriteHook  # noqa: E402
from bench.seeding import store_items, write_items  # noqa: E402
from devstack.aws_services import local_client  # noqa: E402
from devstack.dynamodb_local import DynamoDBLocal  # noqa: E402
from devstack.template import create_tables  # noqa: E402
from devstack.worker import LocalContext  # noqa: E402

EVENT = json.loads((ROOT / "events" / "career_insights.json").read_text())
PORTFOLIO = json.loads((ROOT / "events" / "portfolio.json").read_text())
PEOPLE = [f"p{n}" for n in range(9)] + ["alice"]
TEAM_OF = {person: "platform" if n % 2 else "data" for n, person in enumerate(PEOPLE)}
SKILLS = ["Python", "Go", "Kubernetes", "DynamoDB", "Terraform", "Mentoring", "SQL"]
QUARTER = (datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 6, 30, 23, 59, tzinfo=UTC))


def achievements(first: int, count: int, in_quarter: bool, seed: int) -> Iterator[Achievement]:
    rng = random.Random(seed)
    for number in range(first, first + count):
        person = PEOPLE[number % len(PEOPLE)]
        if in_quarter:
            moment = datetime(2025, 7, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 500))
        else:  # the large table's extra achievements: all before the quarter
            moment = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 800))
        draft = AchievementDraft(
            title=f"Achievement {number}",
            description="Cut p99 latency of the checkout API from 900 ms to 300 ms",
            category=rng.choice(list(Category)),
            source=rng.choice([Source.GITHUB, Source.MANUAL]),
            source_ref=f"bench-{number}",
            occurred_at=moment,
            technologies=rng.sample(SKILLS, k=2),
        )
        score = rng.randint(10, 100) if rng.random() < 0.5 else None
        yield Achievement(
            **draft.model_dump(exclude={"occurred_at", "impact_score"}),
            occurred_at=moment,
            id=number,
            created_at=moment,
            updated_at=moment,
            fingerprint=fingerprint(draft),
            impact_score=score,
            person=person,
            teams=[TEAM_OF[person]],
            attributed_by="explicit",
        )


def zed(first: int, count: int) -> Iterator[Achievement]:
    for number in range(first, first + count):
        draft = AchievementDraft(
            title=f"PR {number}", description="", category=Category.DEVELOPMENT, source=Source.GITHUB,
            source_ref=f"zed-{number}", author="zed", technologies=["Go"],
            occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        )  # fmt: skip
        moment = datetime(2026, 1, 1, tzinfo=UTC)
        yield Achievement(
            **draft.model_dump(exclude={"occurred_at"}),
            occurred_at=moment, id=number, created_at=moment, updated_at=moment,
            fingerprint=fingerprint(draft), person="me", teams=[], attributed_by="default",
        )  # fmt: skip


def items_of(table: str, stored: list[Achievement]) -> list[dict[str, Any]]:
    """The items the store would have written: achievements, unclaimed items, every aggregate added up."""
    return store_items(stored, [AggregateWriteHook(table), ScopedAggregateWriteHook(table), UnclaimedWriteHook(table)])


def register_people(client: Any, table: str) -> None:
    registry = PeopleRegistry(table, client, "me")
    for person in PEOPLE:
        registry.put(Person(slug=person, name=person, teams=[TEAM_OF[person]]))


def bench_client(endpoint: str) -> Any:
    """A DynamoDB client for parallel seeding: a connection per writer, DynamoDB Local's throttles retried."""
    return local_client("dynamodb", endpoint, Config(max_pool_connections=32, retries={"max_attempts": 8}))


def seed_two_tables(client: Any, small: int, large: int, prefix: str) -> dict[int, str]:
    """Two tables by size: `small` achievements of ten people from 2025-07 to 2026-11 (the small one), and the
    same plus older ones up to `large` (the large one); each with the people registered."""
    tables: dict[int, str] = {}
    for size in (small, large):
        table = create_tables(client, f"{prefix}{size}")["AchievementsTable"]
        stored = list(achievements(1, small, True, seed=1))
        stored += list(achievements(small + 1, size - small, False, seed=2))
        started = time.perf_counter()
        write_items(client, table, items_of(table, stored))
        register_people(client, table)
        print(f"seeded {size:>6,} achievements in {time.perf_counter() - started:5.1f} s")
        tables[size] = table
    return tables


def record_calls(client: Any) -> list[tuple[str, int]]:
    """Every DynamoDB call the client makes from now on, as (operation, items read); clear it between requests."""
    calls: list[tuple[str, int]] = []

    def count(model: Any, parsed: dict[str, Any], **_: Any) -> None:
        items = sum(len(v) for v in parsed.get("Responses", {}).values()) + len(parsed.get("Items", []))
        calls.append((model.name, items))

    client.meta.events.register("after-call.dynamodb.*", count)
    return calls


def timed_request(handler: Any, event: dict[str, Any], query: dict[str, str], context: Any) -> tuple[Any, float]:
    """One API Gateway request (`event` with `query`) through a Lambda handler in-process: its answer, its seconds."""
    request = json.loads(json.dumps(event))
    request["queryStringParameters"] = query
    request["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
    started = time.perf_counter()
    response = handler(request, context)
    elapsed = time.perf_counter() - started
    assert response["statusCode"] == 200, response["body"]
    return response, elapsed


class FakeQueue:
    """The worker's continuation messages, kept in memory (the bench runs the messages one after another)."""

    def __init__(self) -> None:
        self.jobs: list[ReattributionJob] = []

    def send(self, job: ReattributionJob) -> None:
        self.jobs.append(job)


def measure_reattribution(client: Any, count: int) -> None:
    table = create_tables(client, "benchzed")["AchievementsTable"]
    write_items(client, table, items_of(table, list(zed(1, count))))
    store = AchievementStore(table, client=client, default_owner="me")
    registry = store.registry
    _, claimed = registry.put(Person(slug="zed", name="Zed", aliases=["github:zed"], teams=["platform"]))
    queue = FakeQueue()
    queue.jobs = [ReattributionJob(alias=alias, person="zed") for alias in claimed]
    started = time.perf_counter()
    messages = moved = 0
    while queue.jobs:
        moved += reattribute(store, registry, queue, queue.jobs.pop(0))  # type: ignore[arg-type]
        messages += 1
    took = time.perf_counter() - started
    left = client.query(
        TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "UNCLAIMED#github"}}
    )["Count"]
    print(
        f"\nre-attribution of {count:,} achievements (github:zed -> zed): {took:.1f} s in {messages} messages "
        f"({moved / took:.0f} achievements/s), moved {moved:,}, still unclaimed {left}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reattribute", type=int, default=10000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="No application metrics to publish")

    from functions.insights_query import app as insights_app

    with DynamoDBLocal() as dynamodb:
        client = bench_client(dynamodb.endpoint)
        tables = seed_two_tables(client, args.small, args.large, "bench")
        calls = record_calls(client)
        requests = {
            "insights person=alice": (EVENT, {"person": "alice"}),
            "insights team=platform": (EVENT, {"team": "platform"}),
            "portfolio alice 2026-Q2": (
                PORTFOLIO,
                {"person": "alice", "from": "2026-04-01", "to": "2026-06-30", "format": "json"},
            ),
        }
        samples = {(name, size): [] for name in requests for size in tables}  # type: ignore[var-annotated]
        reads: dict[tuple[str, int], list[tuple[str, int]]] = {}
        context = LocalContext("bench")
        for run in range(args.runs + 3):
            for name, (event, query) in requests.items():
                for size, table in tables.items():
                    settings = insights_settings().model_copy(update={"achievements_table_name": table})
                    deps.build(settings, AwsClients(dynamodb=client))
                    calls.clear()
                    _, elapsed = timed_request(insights_app.lambda_handler, event, query, context)
                    if run >= 3:
                        samples[(name, size)].append(elapsed)
                    reads[(name, size)] = list(calls)

        print(f"\n{args.runs} runs each (handler in-process, DynamoDB Local on loopback)")
        print(f"{'request':<26} {'stored':>7} {'median ms':>10} {'DynamoDB calls':>15} {'items read':>11}")
        small, large = args.small, args.large
        for name in requests:
            for size in tables:
                ordered = sorted(samples[(name, size)])
                print(
                    f"{name:<26} {size:>7,} {statistics.median(ordered) * 1000:>10.2f} "
                    f"{len(reads[(name, size)]):>15} {sum(n for _, n in reads[(name, size)]):>11}"
                )
            ratio = statistics.median(samples[(name, large)]) / statistics.median(samples[(name, small)])
            call_ratio = len(reads[(name, large)]) / len(reads[(name, small)])
            item_ratio = sum(n for _, n in reads[(name, large)]) / max(1, sum(n for _, n in reads[(name, small)]))
            print(
                f"  ratio {large:,}/{small:,}: latency {ratio:.2f}, DynamoDB calls {call_ratio:.2f}, "
                f"items read {item_ratio:.2f} (stored x{large / small:.0f})"
            )
        if args.reattribute:
            measure_reattribution(client, args.reattribute)


if __name__ == "__main__":
    main()
