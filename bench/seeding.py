"""Seeding a benchmark's table fast: the items the store would write, put in parallel batches.

Import after `bench.inprocess.prepare()` (it imports the layer)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from achievements.core.models import Achievement
from achievements.store.achievements import AchievementStore, WriteHook


def store_items(stored: Sequence[Achievement], hooks: Sequence[WriteHook]) -> list[dict[str, Any]]:
    """The achievements' items, the hooks' Puts, and their ADD updates added up per item (as many writes would)."""
    totals: dict[tuple[str, str], dict[str, Decimal]] = {}
    items = [AchievementStore._item(a) for a in stored]
    for achievement in stored:
        for hook in hooks:
            for entry in hook(achievement, None):
                if "Put" in entry:
                    items.append(entry["Put"]["Item"])
                    continue
                update = entry["Update"]
                target = totals.setdefault((update["Key"]["pk"]["S"], update["Key"]["sk"]["S"]), {})
                for alias, name in update["ExpressionAttributeNames"].items():
                    value = Decimal(update["ExpressionAttributeValues"][":" + alias[1:]]["N"])
                    target[name] = target.get(name, Decimal(0)) + value
    items += [
        {"pk": {"S": pk}, "sk": {"S": sk}, **{name: {"N": str(value)} for name, value in attributes.items()}}
        for (pk, sk), attributes in totals.items()
    ]
    return items


def write_items(client: Any, table: str, items: list[dict[str, Any]]) -> None:
    """BatchWriteItem in 25s on 16 threads, unprocessed items sent again until none is left."""

    def batch(chunk: list[dict[str, Any]]) -> None:
        pending = {table: [{"PutRequest": {"Item": item}} for item in chunk]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(batch, [items[i : i + 25] for i in range(0, len(items), 25)]))
