"""Every key of the achievements table in one place: item keys, partitions and index names.

| item | pk | sk | gsi1 (listing) | gsi2 (impact, sparse) |
|---|---|---|---|---|
| achievement | `ACHIEVEMENT#<id>` | `ACHIEVEMENT` | `ACHIEVEMENTS` / `<created_at>#<id>` | `IMPACT` / `<score>#<id>` |
| dedupe ref | `REF#<source>#<source_ref>` | `REF` | | |
| id counter | `COUNTER` | `ACHIEVEMENT_ID` | | |
| aggregates | `AGGREGATE` | `COUNTS#<shard>`, `TERMS#<shard>#<bucket>` | | |
| GitHub delivery | `DELIVERY#<source>#<delivery id>` | `DELIVERY` | | |
| metric state | `METRIC#<name>` | `STATE` | | |
| scrape status | `SCRAPE` | `STATUS` | | |
| Threads sync status | `THREADS_SYNC` | `STATUS` | | |
| automatic analyses of a day (the cap) | `AUTO_ANALYSES#<yyyy-mm-dd>` | `COUNT` | | |
"""

from __future__ import annotations

from typing import Any

PK = "pk"
SK = "sk"
LIST_INDEX = "gsi1"
LIST_PK, LIST_SK = "gsi1pk", "gsi1sk"
IMPACT_INDEX = "gsi2"
IMPACT_PK, IMPACT_SK = "gsi2pk", "gsi2sk"
KEY_ATTRIBUTES = (PK, SK, LIST_PK, LIST_SK, IMPACT_PK, IMPACT_SK)

ACHIEVEMENT_SK = "ACHIEVEMENT"
REF_SK = "REF"
LIST_PARTITION = "ACHIEVEMENTS"
IMPACT_PARTITION = "IMPACT"
AGGREGATE_PK = "AGGREGATE"
DELIVERY_SK = "DELIVERY"
STATE_SK = "STATE"
SCRAPE_PK = "SCRAPE"
METRIC_PREFIX = "METRIC#"

Key = dict[str, dict[str, Any]]
COUNTER_KEY: Key = {PK: {"S": "COUNTER"}, SK: {"S": "ACHIEVEMENT_ID"}}
SCRAPE_STATUS_KEY: Key = {PK: {"S": SCRAPE_PK}, SK: {"S": "STATUS"}}
THREADS_SYNC_STATUS_KEY: Key = {PK: {"S": "THREADS_SYNC"}, SK: {"S": "STATUS"}}


def achievement_key(achievement_id: int) -> Key:
    return {PK: {"S": f"ACHIEVEMENT#{achievement_id}"}, SK: {"S": ACHIEVEMENT_SK}}


ACHIEVEMENT_PREFIX = "ACHIEVEMENT#"


def is_achievement_key(key: Key) -> bool:
    """Whether a key (e.g. a stream record's Keys) is an achievement item's, not a ref, counter or aggregate."""
    pk, sk = key.get(PK, {}).get("S", ""), key.get(SK, {}).get("S", "")
    return sk == ACHIEVEMENT_SK and pk.startswith(ACHIEVEMENT_PREFIX)


def auto_analysis_count_key(day: str) -> Key:
    return {PK: {"S": f"AUTO_ANALYSES#{day}"}, SK: {"S": "COUNT"}}


def ref_key(source: str, source_ref: str) -> Key:
    return {PK: {"S": f"REF#{source}#{source_ref}"}, SK: {"S": REF_SK}}


def counts_key(shard: int) -> Key:
    return {PK: {"S": AGGREGATE_PK}, SK: {"S": f"COUNTS#{shard}"}}


def terms_key(shard: int, bucket: int) -> Key:
    return {PK: {"S": AGGREGATE_PK}, SK: {"S": f"TERMS#{shard}#{bucket}"}}


def delivery_key(source: str, delivery_id: str) -> Key:
    return {PK: {"S": f"DELIVERY#{source}#{delivery_id}"}, SK: {"S": DELIVERY_SK}}


def metric_key(name: str) -> Key:
    return {PK: {"S": f"{METRIC_PREFIX}{name}"}, SK: {"S": STATE_SK}}
