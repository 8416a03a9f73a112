"""Read side of the achievements table: aggregates, the impact index and index queries. Never a Scan.

- `aggregates()`: one BatchGetItem of a constant set of keys (store/aggregates.py).
- `top_by_impact(n)`: one Query of the sparse impact index gsi2 with Limit n.
- `query(...)`: one Query page of gsi1 (`ACHIEVEMENTS` / `<created_at>#<id>`) or gsi2 (`IMPACT` /
  `<score>#<id>`) with key conditions and filter expressions; the caller pages with the returned key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from achievements.core.aggregates import AggregateSnapshot
from achievements.core.callers import Within
from achievements.core.models import Achievement, Category, Source
from achievements.store.achievements import default_client
from achievements.store.aggregates import read_aggregates, read_combined
from achievements.store.codec import from_item, serialize
from achievements.store.keys import (
    ACHIEVEMENT_SK,
    IMPACT_INDEX,
    IMPACT_PARTITION,
    IMPACT_PK,
    IMPACT_SK,
    KEY_ATTRIBUTES,
    LIST_INDEX,
    LIST_PARTITION,
    LIST_PK,
    LIST_SK,
    OWNER_INDEX,
    OWNER_PK,
    OWNER_SK,
    PK,
    SK,
    owner_partition,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

Index = Literal["gsi1", "gsi2", "gsi3"]
INDEX_KEYS: dict[str, tuple[str, ...]] = {
    LIST_INDEX: (PK, SK, LIST_PK, LIST_SK),
    IMPACT_INDEX: (PK, SK, IMPACT_PK, IMPACT_SK),
    OWNER_INDEX: (PK, SK, OWNER_PK, OWNER_SK),
}
_ITEM_ONLY = KEY_ATTRIBUTES


def _four_digit_year(moment: datetime, rest: str) -> str:
    # strftime's %Y does not pad years before 1000 ("321-05-28"), which would sort after "2000-...": stored
    # times are ISO 8601 (four digits), so the key bounds are too.
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}" + utc.strftime(rest)


def occurred_bound(moment: datetime, upper: bool) -> str:
    """An occurred_at key bound of gsi3 (`<%Y-%m-%dT%H:%M:%S.%fZ>#<id>`)."""
    text = _four_digit_year(moment, "-%m-%dT%H:%M:%S.%fZ")
    return text + "#~" if upper else text


def second_bound(moment: datetime, upper: bool) -> str:
    """A created_at key bound at one-second precision (stored times carry variable fractions)."""
    text = _four_digit_year(moment, "-%m-%dT%H:%M:%S")
    # "~" sorts after ".", "Z" and "#": every stored time within that second is <= the upper bound.
    return text + "~" if upper else text


def sort_key_range(sort_key: str, values: dict[str, Any], low: str | None, high: str | None) -> str:
    """The key condition's sort-key part for an optional lower and upper bound (its values added to `values`)."""
    if low:
        values[":low"] = {"S": low}
    if high:
        values[":high"] = {"S": high}
    if low and high:
        return f" AND {sort_key} BETWEEN :low AND :high"
    if low:
        return f" AND {sort_key} >= :low"
    if high:
        return f" AND {sort_key} <= :high"
    return ""


@dataclass(frozen=True)
class IndexQuery:
    """One ordered walk over an index, narrowed by key conditions and filter expressions."""

    index: Index = "gsi1"
    ascending: bool = False
    created_from: datetime | None = None
    created_to: datetime | None = None
    category: Category | None = None
    source: Source | None = None
    min_impact: float | None = None
    # Only achievements without an impact score (not in the sparse impact index): gsi1 only.
    unscored: bool = False
    # People (SPEC §8): whose, which team's; `legacy` also admits achievements stored before people existed
    # (no `person`: the default owner's). gsi3 walks one owner's achievements by occurred_at.
    person: str | None = None
    team: str | None = None
    legacy: bool = False
    legacy_only: bool = False
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    visible_only: bool = False
    # SPEC §9: only what the caller reaches (core/callers.py); None: everything.
    within: Within | None = None

    def arguments(self, table_name: str) -> dict[str, Any]:
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        filters: list[str] = []
        if self.index == OWNER_INDEX:
            if self.person is None:
                raise ValueError("a walk of gsi3 needs a person")
            key = "gsi3pk = :partition"
            values[":partition"] = {"S": owner_partition(self.person)}
            key += sort_key_range(
                "gsi3sk",
                values,
                low=occurred_bound(self.occurred_from, upper=False) if self.occurred_from else None,
                high=occurred_bound(self.occurred_to, upper=True) if self.occurred_to else None,
            )
        elif self.index == LIST_INDEX:
            key = "gsi1pk = :partition"
            values[":partition"] = {"S": LIST_PARTITION}
            key += sort_key_range(
                "gsi1sk",
                values,
                low=second_bound(self.created_from, upper=False) if self.created_from else None,
                high=second_bound(self.created_to, upper=True) if self.created_to else None,
            )
            if self.min_impact is not None:
                names["#impact"] = "impact_score"
                values[":min_impact"] = serialize(self.min_impact)
                filters.append("#impact >= :min_impact")
            if self.unscored:
                names["#impact_pk"] = IMPACT_PK
                filters.append("attribute_not_exists(#impact_pk)")
        else:
            key = "gsi2pk = :partition"
            values[":partition"] = {"S": IMPACT_PARTITION}
            if self.min_impact is not None:
                key += " AND gsi2sk >= :low"
                values[":low"] = {"S": f"{self.min_impact:07.3f}"}
            if self.created_from or self.created_to:
                names["#created"] = "created_at"
            if self.created_from:
                filters.append("#created >= :created_low")
                values[":created_low"] = {"S": second_bound(self.created_from, upper=False)}
            if self.created_to:
                filters.append("#created <= :created_high")
                values[":created_high"] = {"S": second_bound(self.created_to, upper=True)}
        if self.category is not None:
            names["#category"] = "category"
            values[":category"] = {"S": self.category.value}
            filters.append("#category = :category")
        if self.source is not None:
            names["#source"] = "source"
            values[":source"] = {"S": self.source.value}
            filters.append("#source = :source")
        if self.legacy_only:
            names["#person"] = "person"
            filters.append("attribute_not_exists(#person)")
        elif self.person is not None and self.index != OWNER_INDEX:
            names["#person"] = "person"
            values[":person"] = {"S": self.person}
            filters.append(
                "(#person = :person OR attribute_not_exists(#person))" if self.legacy else "#person = :person"
            )
        if self.team is not None:
            names["#teams"] = "teams"
            values[":team"] = {"S": self.team}
            filters.append("contains(#teams, :team)")
        if self.visible_only:
            names["#hidden"] = "hidden"
            values[":hidden"] = {"BOOL": True}
            filters.append("(attribute_not_exists(#hidden) OR #hidden <> :hidden)")
        if self.within is not None:
            filters.append(_within_filter(self.within, names, values))
        arguments: dict[str, Any] = {
            "TableName": table_name,
            "IndexName": self.index,
            "KeyConditionExpression": key,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": self.ascending,
        }
        if filters:
            arguments["FilterExpression"] = " AND ".join(filters)
        if names:
            arguments["ExpressionAttributeNames"] = names
        return arguments


def _within_filter(scope: Within, names: dict[str, str], values: dict[str, Any]) -> str:
    names["#person"] = "person"
    values[":within_person"] = {"S": scope.person}
    held = ["#person = :within_person"]
    if scope.default_owner:
        held.append("attribute_not_exists(#person)")
    for number, team in enumerate(scope.teams):
        names["#teams"] = "teams"
        values[f":within_team{number}"] = {"S": team}
        held.append(f"contains(#teams, :within_team{number})")
    return "(" + " OR ".join(held) + ")"


def achievement_of(item: dict[str, Any]) -> Achievement:
    data = from_item(item)
    for key in _ITEM_ONLY:
        data.pop(key, None)
    return Achievement.model_validate(data)


def position_of(item: dict[str, Any], index: Index) -> dict[str, str]:
    """Where a walk over `index` stands after `item`: its ExclusiveStartKey, as plain strings."""
    return {name: item[name]["S"] for name in INDEX_KEYS[index]}


_ACHIEVEMENT_PK = re.compile(r"^ACHIEVEMENT#[1-9][0-9]{0,14}$")
_SORT_KEYS = {
    LIST_SK: re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[^#]{1,40}#[0-9]{12,15}$"),
    IMPACT_SK: re.compile(r"^[0-9]{3}\.[0-9]{3}#[0-9]{12,15}$"),
}
_PARTITIONS = {LIST_PK: LIST_PARTITION, IMPACT_PK: IMPACT_PARTITION}


def position_problem(index: str, position: dict[str, str]) -> str | None:
    """Why `position` cannot be where a walk over `index` stands (another index, partition or item kind)."""
    if set(position) != set(INDEX_KEYS.get(index, ())):
        return "it belongs to another order"
    if not _ACHIEVEMENT_PK.match(position[PK]) or position[SK] != ACHIEVEMENT_SK:
        return "it does not point at an achievement"
    for name, partition in _PARTITIONS.items():
        if name in position and position[name] != partition:
            return f"it points into another partition ({name})"
    for name, pattern in _SORT_KEYS.items():
        if name in position and not pattern.match(position[name]):
            return f"its {name} is not of this index"
    return None


def start_key(position: dict[str, str]) -> dict[str, Any]:
    return {name: {"S": value} for name, value in position.items()}


class AchievementReader:
    """Queries for the read API; each method is a bounded number of DynamoDB calls."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self.client = client or default_client()

    def aggregates(self) -> AggregateSnapshot:
        return read_aggregates(self.client, self.table_name)

    def scoped_aggregates(self, signs: dict[str | None, int]) -> AggregateSnapshot:
        """Aggregates of scopes added with signs (core/ownership.py aggregate_signs): one BatchGetItem."""
        return read_combined(self.client, self.table_name, signs)

    def top_by_impact_of(self, spec: IndexQuery, limit: int, pages: int) -> list[Achievement]:
        """The highest-impact achievements matching a person/team filter, from at most `pages` Query pages."""
        found: list[Achievement] = []
        position = None
        for _ in range(pages):
            items, position = self.query(spec, position, 100)
            found += [achievement_of(item) for item in items]
            if len(found) >= limit or position is None:
                break
        return found[:limit]

    def top_by_impact(self, limit: int, visible_only: bool = False) -> list[Achievement]:
        """One Query page of the impact index; `visible_only` filters hidden ones out (the page may come back short)."""
        arguments: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": IMPACT_INDEX,
            "KeyConditionExpression": "gsi2pk = :partition",
            "ExpressionAttributeValues": {":partition": {"S": IMPACT_PARTITION}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if visible_only:
            arguments["FilterExpression"] = "attribute_not_exists(#hidden) OR #hidden <> :hidden"
            arguments["ExpressionAttributeNames"] = {"#hidden": "hidden"}
            arguments["ExpressionAttributeValues"][":hidden"] = {"BOOL": True}
        response = self.client.query(**arguments)
        return [achievement_of(item) for item in response.get("Items", [])]

    def query(
        self,
        spec: IndexQuery,
        position: dict[str, str] | None,
        limit: int,
        attributes: tuple[str, ...] | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
        """One Query page: raw items in index order, and where the next page starts (None at the end).

        `attributes`: only these come back (ProjectionExpression), so botocore parses no other; the page's
        position still does (DynamoDB returns LastEvaluatedKey whatever is projected).
        """
        arguments = spec.arguments(self.table_name)
        arguments["Limit"] = limit
        if attributes:
            names = {f"#a{i}": name for i, name in enumerate(attributes)}
            arguments["ProjectionExpression"] = ", ".join(names)
            arguments["ExpressionAttributeNames"] = {**arguments.get("ExpressionAttributeNames", {}), **names}
        if position:
            arguments["ExclusiveStartKey"] = start_key(position)
        response = self.client.query(**arguments)
        last = response.get("LastEvaluatedKey")
        return response.get("Items", []), ({name: value["S"] for name, value in last.items()} if last else None)
