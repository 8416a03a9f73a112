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
| scoped aggregates | `AGGREGATE#<scope>` | `COUNTS#<shard>`, `TERMS#<shard>#<bucket>` | | |
| person | `PERSON#<slug>` | `PERSON` | `PEOPLE` / `<slug>` | |
| alias claim | `ALIAS#<alias>` | `ALIAS` | | |
| team member | `TEAM#<team>` | `MEMBER#<slug>` | | |
| unclaimed identity | `UNCLAIMED#<kind>` | `<quoted value>#<id>` | | |

The tokens table (`TokensTable`, access/): an access token is `TOKEN#<id>` / `TOKEN`, on its gsi1
`TOKENS` / `<created_at>#<id>` (GET /tokens); it holds the token's hash, never the token.

Scopes: `ATTRIBUTED`, `PERSON#<slug>`, `TEAM#<team>` (core/ownership.py). gsi3 (owner / period):
`OWNER#<person>` / `<occurred_at UTC>#<id>` on attributed, not deleted achievements. An unclaimed-identity
item stands for an achievement that went to the default owner for want of an alias (written and removed in
the achievement's transaction): claiming the alias later re-attributes exactly these (a Query of the table).
"""

from __future__ import annotations

from typing import Any

PK = "pk"
SK = "sk"
LIST_INDEX = "gsi1"
LIST_PK, LIST_SK = "gsi1pk", "gsi1sk"
IMPACT_INDEX = "gsi2"
IMPACT_PK, IMPACT_SK = "gsi2pk", "gsi2sk"
OWNER_INDEX = "gsi3"
OWNER_PK, OWNER_SK = "gsi3pk", "gsi3sk"
KEY_ATTRIBUTES = (PK, SK, LIST_PK, LIST_SK, IMPACT_PK, IMPACT_SK, OWNER_PK, OWNER_SK)

ACHIEVEMENT_SK = "ACHIEVEMENT"
REF_SK = "REF"
LIST_PARTITION = "ACHIEVEMENTS"
IMPACT_PARTITION = "IMPACT"
AGGREGATE_PK = "AGGREGATE"
DELIVERY_SK = "DELIVERY"
STATE_SK = "STATE"
SCRAPE_PK = "SCRAPE"
METRIC_PREFIX = "METRIC#"
PERSON_SK = "PERSON"
PEOPLE_PARTITION = "PEOPLE"
ALIAS_SK = "ALIAS"
MEMBER_PREFIX = "MEMBER#"
OWNER_PREFIX = "OWNER#"
UNCLAIMED_PREFIX = "UNCLAIMED#"
TOKEN_SK = "TOKEN"  # noqa: S105 - a sort key, not a secret
TOKENS_PARTITION = "TOKENS"

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


def scoped_counts_key(scope: str, shard: int) -> Key:
    return {PK: {"S": f"{AGGREGATE_PK}#{scope}"}, SK: {"S": f"COUNTS#{shard}"}}


def scoped_terms_key(scope: str, shard: int, bucket: int) -> Key:
    return {PK: {"S": f"{AGGREGATE_PK}#{scope}"}, SK: {"S": f"TERMS#{shard}#{bucket}"}}


def scope_of_partition(pk: str) -> str | None:
    """The scope of an aggregate item's partition (None for the global aggregates)."""
    return pk.removeprefix(f"{AGGREGATE_PK}#") if pk.startswith(f"{AGGREGATE_PK}#") else None


def person_key(slug: str) -> Key:
    return {PK: {"S": f"PERSON#{slug}"}, SK: {"S": PERSON_SK}}


def alias_key(alias: str) -> Key:
    return {PK: {"S": f"ALIAS#{alias}"}, SK: {"S": ALIAS_SK}}


def team_partition(team: str) -> str:
    return f"TEAM#{team}"


def member_key(team: str, slug: str) -> Key:
    return {PK: {"S": team_partition(team)}, SK: {"S": f"{MEMBER_PREFIX}{slug}"}}


def owner_partition(person: str) -> str:
    return f"{OWNER_PREFIX}{person}"


def unclaimed_partition(kind: str) -> str:
    return f"{UNCLAIMED_PREFIX}{kind}"


def unclaimed_key(kind: str, sort_prefix: str, achievement_id: int) -> Key:
    return {PK: {"S": unclaimed_partition(kind)}, SK: {"S": f"{sort_prefix}{achievement_id:012d}"}}


def token_key(token_id: str) -> Key:
    """An access token's item in the tokens table (not the achievements table)."""
    return {PK: {"S": f"TOKEN#{token_id}"}, SK: {"S": TOKEN_SK}}
