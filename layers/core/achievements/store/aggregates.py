"""Aggregates kept on write, in the same transaction as the achievement, and read in one BatchGetItem.

Items (pk `AGGREGATE`):
- `COUNTS#<shard>`: totals, counts by category/source/month, impact and leadership sums, salary sums;
- `TERMS#<shard>#<bucket>`: counts of free-text terms (technologies, skills, roles, levels).

An achievement's numbers live in shard `id % SHARDS`, so concurrent writes of different achievements
mostly touch different items (fewer transaction conflicts); a term lives in bucket `crc32(term) % TERM_BUCKETS`,
so no item grows past DynamoDB's 400 KB with the vocabulary. Reading everything is always
SHARDS * (1 + TERM_BUCKETS) = 36 keys: one BatchGetItem, whatever the number of achievements.

Exactness: every write's delta is computed against exactly the achievement it replaces; the store's
conditions (attribute_not_exists on create, `updated_at` unchanged on update and analysis) cancel the whole
transaction when another write got there first, and the store retries from a fresh read.

The impact index (GSI `gsi2`): achievements with an `impact_score` carry `gsi2pk = IMPACT` and
`gsi2sk = <score 000.000>#<id 000000000000>`, so the top N by impact is one Query with Limit N.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from achievements.core.aggregates import AggregateSnapshot, Contribution, contribution, delta
from achievements.core.errors import Unavailable
from achievements.core.models import Achievement
from achievements.core.ownership import scopes_of
from achievements.store.keys import (
    AGGREGATE_PK,
    IMPACT_PARTITION,
    counts_key,
    scope_of_partition,
    scoped_counts_key,
    scoped_terms_key,
    terms_key,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

SHARDS = 4
TERM_BUCKETS = 8
# A person's or team's vocabulary is a fraction of the deployment's: fewer buckets keep a write's transaction small.
SCOPED_TERM_BUCKETS = 4
BATCH_GET_ATTEMPTS = 5


class AggregatesUnavailable(Unavailable):
    """DynamoDB kept the aggregate items unprocessed (throttled): the caller retries later."""


def aggregate_keys() -> list[dict[str, Any]]:
    """Every aggregate item's key: a constant number, however many achievements exist."""
    keys = []
    for shard in range(SHARDS):
        keys.append(counts_key(shard))
        keys.extend(terms_key(shard, bucket) for bucket in range(TERM_BUCKETS))
    return keys


def term_bucket(attribute: str) -> int:
    return zlib.crc32(attribute.casefold().encode()) % TERM_BUCKETS


def impact_sort_key(score: float, achievement_id: int) -> str:
    # Fixed width keeps string order equal to numeric order; scores are 0..100 (clamped for the key only).
    return f"{min(100.0, max(0.0, score)):07.3f}#{achievement_id:012d}"


def impact_index_attributes(achievement: Achievement) -> dict[str, Any]:
    """The gsi2 keys of a scored achievement; empty for an unscored one (the index is sparse)."""
    if achievement.impact_score is None or not math.isfinite(achievement.impact_score):
        return {}
    return {
        "gsi2pk": {"S": IMPACT_PARTITION},
        "gsi2sk": {"S": impact_sort_key(achievement.impact_score, achievement.id)},
    }


def _number(value: Decimal) -> dict[str, str]:
    return {"N": str(value)}


def _add_update(table_name: str, key: dict[str, Any], changes: dict[str, Decimal]) -> dict[str, Any]:
    names = {f"#a{i}": name for i, name in enumerate(changes)}
    values = {f":a{i}": _number(value) for i, value in enumerate(changes.values())}
    return {
        "Update": {
            "TableName": table_name,
            "Key": key,
            # ADD creates a missing item/attribute at 0 first: no initialisation round trip is ever needed.
            "UpdateExpression": "ADD " + ", ".join(f"#a{i} :a{i}" for i in range(len(changes))),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


class AggregateWriteHook:
    """The store's default write hook: the aggregate updates of one write, as TransactWriteItems items.

    At most 1 + TERM_BUCKETS items (all in the achievement's shard); none when nothing counted changed.
    """

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def __call__(self, achievement: Achievement, previous: Achievement | None) -> Sequence[dict[str, Any]]:
        change = delta(achievement, previous)
        shard = achievement.id % SHARDS
        items = []
        if change.counts:
            items.append(_add_update(self.table_name, counts_key(shard), change.counts))
        buckets: dict[int, dict[str, Decimal]] = {}
        for name, value in change.terms.items():
            buckets.setdefault(term_bucket(name), {})[name] = value
        for bucket, changes in sorted(buckets.items()):
            items.append(_add_update(self.table_name, terms_key(shard, bucket), changes))
        return items


def scoped_aggregate_keys(scope: str) -> list[dict[str, Any]]:
    """Every aggregate item of one scope (a person, a team, ATTRIBUTED): SHARDS * (1 + SCOPED_TERM_BUCKETS)."""
    keys = []
    for shard in range(SHARDS):
        keys.append(scoped_counts_key(scope, shard))
        keys.extend(scoped_terms_key(scope, shard, bucket) for bucket in range(SCOPED_TERM_BUCKETS))
    return keys


def _changes(after: Contribution, before: Contribution) -> Contribution:
    def difference(new: dict[str, Decimal], old: dict[str, Decimal]) -> dict[str, Decimal]:
        changed = {name: new.get(name, Decimal(0)) - old.get(name, Decimal(0)) for name in new.keys() | old.keys()}
        return {name: value for name, value in sorted(changed.items()) if value != 0}

    return Contribution(difference(after.counts, before.counts), difference(after.terms, before.terms))


class ScopedAggregateWriteHook:
    """Per person, per team (and ATTRIBUTED) aggregates, in the same transaction as the write.

    A write moves each scope the achievement is in, or was in, by what it adds there now minus what it added
    before: an edit moves its own delta, a re-attribution moves the whole contribution from the old person and
    teams to the new ones. Sharded like the global aggregates (`id % SHARDS`): one busy person is SHARDS items,
    not one hot key. At most (1 + SCOPED_TERM_BUCKETS) items per scope touched.
    """

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def __call__(self, achievement: Achievement, previous: Achievement | None) -> Sequence[dict[str, Any]]:
        after, before = contribution(achievement), contribution(previous)
        empty = Contribution({}, {})
        now_in, was_in = scopes_of(achievement), scopes_of(previous)
        shard = achievement.id % SHARDS
        items = []
        for scope in sorted({*now_in, *was_in}):
            change = _changes(after if scope in now_in else empty, before if scope in was_in else empty)
            if change.counts:
                items.append(_add_update(self.table_name, scoped_counts_key(scope, shard), change.counts))
            buckets: dict[int, dict[str, Decimal]] = {}
            for name, value in change.terms.items():
                buckets.setdefault(zlib.crc32(name.casefold().encode()) % SCOPED_TERM_BUCKETS, {})[name] = value
            for bucket, changes in sorted(buckets.items()):
                items.append(_add_update(self.table_name, scoped_terms_key(scope, shard, bucket), changes))
        return items


def sum_attributes(items: Sequence[dict[str, Any]]) -> dict[str, Decimal]:
    """Add the numeric attributes of aggregate items (DynamoDB JSON) across shards and buckets."""
    totals: dict[str, Decimal] = {}
    for item in items:
        for name, value in item.items():
            if name in {"pk", "sk"} or "N" not in value:
                continue
            totals[name] = totals.get(name, Decimal(0)) + Decimal(value["N"])
    return totals


def batch_get_consistent(client: DynamoDBClient, table_name: str, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items of `keys`, strongly consistent, 100 keys per BatchGetItem; unprocessed keys retried a bounded time."""
    items: list[dict[str, Any]] = []
    for start in range(0, len(keys), 100):
        pending: dict[str, Any] = {table_name: {"Keys": keys[start : start + 100], "ConsistentRead": True}}
        for attempt in range(BATCH_GET_ATTEMPTS):
            if attempt:
                time.sleep(min(0.5, 0.02 * 2**attempt))
            response = client.batch_get_item(RequestItems=pending)
            items.extend(response.get("Responses", {}).get(table_name, []))
            pending = dict(response.get("UnprocessedKeys") or {})
            if not pending:
                break
        else:
            raise AggregatesUnavailable(f"aggregates still throttled after {BATCH_GET_ATTEMPTS} reads; retry later")
    return items


def read_aggregates(client: DynamoDBClient, table_name: str) -> AggregateSnapshot:
    """All aggregate items in one BatchGetItem (strongly consistent); unprocessed keys retried a bounded time."""
    return AggregateSnapshot.from_attributes(sum_attributes(batch_get_consistent(client, table_name, aggregate_keys())))


def read_combined(client: DynamoDBClient, table_name: str, signs: dict[str | None, int]) -> AggregateSnapshot:
    """Aggregates of several scopes added with signs (None: the global ones) in one BatchGetItem.

    The default owner's numbers are `{None: 1, ATTRIBUTED: -1, PERSON#<owner>: 1}`: 36 + 2 * 20 keys, one call.
    """
    keys: list[dict[str, Any]] = []
    for scope in signs:
        keys.extend(aggregate_keys() if scope is None else scoped_aggregate_keys(scope))
    totals: dict[str, Decimal] = {}
    for item in batch_get_consistent(client, table_name, keys):
        pk = item["pk"]["S"]
        sign = signs.get(None if pk == AGGREGATE_PK else scope_of_partition(pk), 0)
        for name, value in sum_attributes([item]).items():
            totals[name] = totals.get(name, Decimal(0)) + sign * value
    return AggregateSnapshot.from_attributes(totals)
