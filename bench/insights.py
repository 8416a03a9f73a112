"""Career insights and the portfolio at 1,000 vs 20,000 stored achievements: latency and reads, on DynamoDB Local.

Two tables are seeded in DynamoDB Local (loopback, in memory) with N achievements each (half of them
analysed and scored), written as pre-built items with BatchWriteItem, plus the aggregate items computed
by the store's own write hook (AggregateWriteHook) added up. Then `GET /analyze/career-insights` runs
through the Lambda handler in-process (a warm Lambda), alternating between the two tables; printed: median
and p95 latency, DynamoDB calls and items read per request, and the 20k/1k ratios. Then `GET /portfolio`
(JSON) the same way: items included, Queries, items returned and items read (DynamoDB's ScannedCount: what
a filter evaluated too), and its 20k/1k ratios. Bounded: ~90 s.

    .venv/bin/python -m bench.insights [--small 1000] [--large 20000] [--runs 60]
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

prepare(CURSOR_SIGNING_KEY="bench-cursor-key")

from botocore.config import Config  # noqa: E402

from achievements.core.aws import AwsClients  # noqa: E402
from achievements.core.models import Achievement, AchievementDraft, Category, Source  # noqa: E402
from achievements.insights.deps import deps  # noqa: E402
from achievements.insights.settings import insights_settings  # noqa: E402
from achievements.store.achievements import fingerprint  # noqa: E402
from achievements.store.aggregates import AggregateWriteHook  # noqa: E402
from bench.seeding import store_items, write_items  # noqa: E402
from devstack.aws_services import local_client  # noqa: E402
from devstack.dynamodb_local import DynamoDBLocal  # noqa: E402
from devstack.template import create_tables  # noqa: E402
from devstack.worker import LocalContext  # noqa: E402

EVENT = json.loads((ROOT / "events" / "career_insights.json").read_text())
PORTFOLIO_EVENT = {
    **json.loads((ROOT / "events" / "portfolio.json").read_text()),
    "queryStringParameters": {"format": "json"},
    "multiValueQueryStringParameters": {"format": ["json"]},
}
SKILLS = ["Python", "Go", "Kubernetes", "DynamoDB", "Terraform", "Mentoring", "Incident Response", "SQL"]
ROLES = ["Staff Engineer", "Tech Lead", "Site Reliability Engineer", "Platform Engineer"]


def achievements(count: int, seed: int) -> Iterator[Achievement]:
    rng = random.Random(seed)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for number in range(1, count + 1):
        draft = AchievementDraft(
            title=f"Achievement {number}",
            description="Cut p99 latency of the checkout API from 900 ms to 300 ms " * 2,
            category=rng.choice(list(Category)),
            source=rng.choice(list(Source)),
            source_ref=f"bench-{number}",
            occurred_at=start - timedelta(days=rng.randint(0, 720)),
            technologies=rng.sample(SKILLS, k=3),
            tags=rng.choice([[], ["mentoring"], ["oncall"]]),
            metrics={"views": rng.randint(0, 10**6), "estimated_revenue_usd": round(rng.random() * 50, 2)},
        )
        analysed = rng.random() < 0.5
        score = rng.randint(10, 100) if analysed else None
        analysis = (
            {
                "impact_score": score,
                "skills": {"technical_skills": rng.sample(SKILLS, k=3), "soft_skills": ["Communication"]},
                "career_implications": {
                    "suitable_roles": rng.sample(ROLES, k=2),
                    "salary_range": {"min": 140000, "max": 200000, "currency": "USD"},
                    "career_level": "Senior",
                },
            }
            if analysed
            else None
        )
        moment = draft.occurred_at or start
        yield Achievement(
            **draft.model_dump(exclude={"occurred_at", "impact_score"}),
            occurred_at=moment,
            id=number,
            created_at=moment,
            updated_at=moment,
            fingerprint=fingerprint(draft),
            impact_score=score,
            analysis=analysis,
        )


def seed(client: Any, table: str, count: int) -> float:
    started = time.perf_counter()
    write_items(client, table, store_items(list(achievements(count, seed=count)), [AggregateWriteHook(table)]))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--portfolio-runs", type=int, default=8)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="No application metrics to publish")

    from functions.insights_query import app as insights_app

    with DynamoDBLocal() as dynamodb:
        client = local_client(
            "dynamodb",
            dynamodb.endpoint,
            Config(max_pool_connections=32, retries={"max_attempts": 8, "mode": "standard"}),
        )
        tables: dict[int, str] = {}
        for size in (args.small, args.large):
            table = create_tables(client, f"bench{size}")["AchievementsTable"]
            took = seed(client, table, size)
            print(f"seeded {size:>6,} achievements in {took:5.1f} s")
            tables[size] = table

        calls: list[tuple[str, int]] = []
        scanned: list[int] = []

        def count(model: Any, parsed: dict[str, Any], **_: Any) -> None:
            items = sum(len(v) for v in parsed.get("Responses", {}).values()) + len(parsed.get("Items", []))
            calls.append((model.name, items))
            scanned.append(int(parsed.get("ScannedCount", items)))

        client.meta.events.register("after-call.dynamodb.*", count)
        samples: dict[int, list[float]] = {size: [] for size in tables}
        reads: dict[int, list[tuple[str, int]]] = {}
        totals: dict[int, int] = {}
        context = LocalContext("bench")
        for run in range(args.runs + 5):
            for size, table in tables.items():
                settings = insights_settings().model_copy(update={"achievements_table_name": table})
                deps.build(settings, AwsClients(dynamodb=client))
                calls.clear()
                started = time.perf_counter()
                response = insights_app.lambda_handler(json.loads(json.dumps(EVENT)), context)
                elapsed = time.perf_counter() - started
                assert response["statusCode"] == 200, response["body"]
                if run >= 5:  # the first runs warm the connection pool and the code
                    samples[size].append(elapsed)
                reads[size] = list(calls)
                totals[size] = json.loads(response["body"])["numbers"]["total"]

        # GET /portfolio (an export: up to PORTFOLIO_MAX_ACHIEVEMENTS, 500) at both sizes, fewer runs.
        portfolio: dict[int, list[float]] = {size: [] for size in tables}
        portfolio_reads: dict[int, tuple[int, int, int, int]] = {}
        for run in range(args.portfolio_runs + 2):
            for size, table in tables.items():
                settings = insights_settings().model_copy(update={"achievements_table_name": table})
                deps.build(settings, AwsClients(dynamodb=client))
                calls.clear()
                scanned.clear()
                started = time.perf_counter()
                response = insights_app.lambda_handler(json.loads(json.dumps(PORTFOLIO_EVENT)), context)
                elapsed = time.perf_counter() - started
                assert response["statusCode"] == 200, response["body"]
                if run >= 2:
                    portfolio[size].append(elapsed)
                included = json.loads(response["body"])["summary"]["included"]
                returned = sum(n for name, n in calls if name == "Query")
                queries = sum(1 for name, _ in calls if name == "Query")
                evaluated = sum(n for (name, _), n in zip(calls, scanned, strict=True) if name == "Query")
                portfolio_reads[size] = (included, queries, returned, evaluated)

    print(f"\nGET /analyze/career-insights, {args.runs} runs each (handler in-process, DynamoDB Local on loopback)")
    print(
        f"{'stored':>8} {'answer total':>13} {'median ms':>10} {'p95 ms':>8} {'DynamoDB calls':>16} {'items read':>11}"
    )
    for size in tables:
        ordered = sorted(samples[size])
        median = statistics.median(ordered) * 1000
        p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000
        names = "+".join(name for name, _ in reads[size])
        print(
            f"{size:>8,} {totals[size]:>13,} {median:>10.2f} {p95:>8.2f} {len(reads[size]):>3} ({names}) "
            f"{sum(n for _, n in reads[size]):>6}"
        )
    print(f"\nGET /portfolio?format=json, {args.portfolio_runs} runs each (cap 500; half the achievements scored)")
    print(f"{'stored':>8} {'included':>9} {'median ms':>10} {'Queries':>8} {'items returned':>15} {'items read':>11}")
    for size in tables:
        included, queries, returned, evaluated = portfolio_reads[size]
        median = statistics.median(portfolio[size]) * 1000
        print(f"{size:>8,} {included:>9} {median:>10.1f} {queries:>8} {returned:>15} {evaluated:>11}")
    small, large = args.small, args.large
    print(
        f"ratio {large:,}/{small:,}: portfolio latency (median) "
        f"{statistics.median(portfolio[large]) / statistics.median(portfolio[small]):.2f}, items read "
        f"{portfolio_reads[large][3] / max(1, portfolio_reads[small][3]):.2f}"
    )
    ratio = statistics.median(samples[large]) / statistics.median(samples[small])
    print(
        f"\nratio {large:,}/{small:,}: latency (median) {ratio:.2f}, DynamoDB calls "
        f"{len(reads[large]) / len(reads[small]):.2f}, items read "
        f"{sum(n for _, n in reads[large]) / max(1, sum(n for _, n in reads[small])):.2f} "
        f"(stored achievements x{large / small:.0f})"
    )


if __name__ == "__main__":
    main()
