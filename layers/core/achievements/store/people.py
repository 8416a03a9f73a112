"""The people registry's DynamoDB code: people, their alias claims and team memberships; attribution reads.

Items: `PERSON#<slug>` / `PERSON` (also on gsi1 `PEOPLE` / `<slug>`), `ALIAS#<alias>` / `ALIAS` (which person
holds it, and their teams: attribution is one BatchGetItem), `TEAM#<team>` / `MEMBER#<slug>`. A PUT writes the
person, every alias claim and membership in one transaction; an alias held by someone else cancels it (409).
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from achievements.core.errors import Conflict
from achievements.core.models import Achievement, AchievementDraft, utcnow
from achievements.core.ownership import Owner, Person, candidate_aliases, identity_of
from achievements.store.codec import from_item, serialize, to_item
from achievements.store.keys import (
    LIST_INDEX,
    MEMBER_PREFIX,
    PEOPLE_PARTITION,
    alias_key,
    member_key,
    owner_partition,
    person_key,
    team_partition,
    unclaimed_key,
    unclaimed_partition,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

PAGE = 100


def sortable_time(achievement: Achievement) -> str:
    moment = achievement.occurred_at.astimezone(UTC)
    return f"{moment.year:04d}" + moment.strftime("-%m-%dT%H:%M:%S.%fZ")  # four digits, as ISO 8601 sorts


def unclaimed_sort_prefix(value: str) -> str:
    """The unclaimed-item sort-key prefix of one identity value (quoted: no value is a prefix of another's key)."""
    return quote(value, safe="") + "#"


def owner_index_attributes(achievement: Achievement) -> dict[str, Any]:
    """gsi3 (owner / occurred_at) of an attributed, live achievement."""
    if achievement.person is None or achievement.deleted_at is not None:
        return {}
    return {
        "gsi3pk": {"S": owner_partition(achievement.person)},
        "gsi3sk": {"S": f"{sortable_time(achievement)}#{achievement.id:012d}"},
    }


def unclaimed_of(achievement: Achievement | None) -> dict[str, Any] | None:
    """The unclaimed-identity item's key of an achievement the default owner got for want of an alias."""
    if achievement is None or achievement.attributed_by != "default":
        return None
    identity = identity_of(achievement)
    if not identity:
        return None
    kind, _, value = identity.partition(":")
    return unclaimed_key(kind, unclaimed_sort_prefix(value), achievement.id)


class UnclaimedWriteHook:
    """Keeps the unclaimed-identity items in step with the achievements, in the same transaction."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def __call__(self, achievement: Achievement, previous: Achievement | None) -> list[dict[str, Any]]:
        now, before = unclaimed_of(achievement), unclaimed_of(previous)
        if now == before:
            return []
        items: list[dict[str, Any]] = []
        if before is not None:
            items.append({"Delete": {"TableName": self.table_name, "Key": before}})
        if now is not None:
            item = {**now, "achievement_id": {"N": str(achievement.id)}}
            items.append({"Put": {"TableName": self.table_name, "Item": item}})
        return items


def _person_of(item: dict[str, Any]) -> Person:
    data = from_item(item)
    return Person.model_validate({name: data[name] for name in Person.model_fields if name in data})


class PeopleRegistry:
    """People, aliases and teams; every method is a bounded number of DynamoDB calls."""

    def __init__(self, table_name: str, client: DynamoDBClient, default_owner: str) -> None:
        self.table_name = table_name
        self.client = client
        self.default_owner = default_owner

    # ---- attribution -------------------------------------------------------------------------------

    def attribution_keys(self, draft: AchievementDraft) -> list[dict[str, Any]]:
        """The registry items deciding a new event's owner (read with the event's ref, in one BatchGetItem)."""
        return [alias_key(alias) for alias in candidate_aliases(draft)] + [person_key(self.default_owner)]

    def owner_from(self, draft: AchievementDraft, found: dict[str, dict[str, Any]]) -> Owner:
        """The alias owning the event, else the default owner (with their teams), from the items read by pk."""
        for alias in candidate_aliases(draft):
            item = found.get(alias_key(alias)["pk"]["S"])
            if item:
                claim = from_item(item)
                return Owner(str(claim["person"]), list(claim.get("teams", [])), "alias")
        default = found.get(person_key(self.default_owner)["pk"]["S"])
        teams = list(from_item(default).get("teams", [])) if default else []
        return Owner(self.default_owner, teams, "default")

    def owner_of(self, draft: AchievementDraft) -> Owner:
        """The owner of a new event on its own (one BatchGetItem)."""
        keys = self.attribution_keys(draft)
        response = self.client.batch_get_item(RequestItems={self.table_name: {"Keys": keys, "ConsistentRead": True}})
        items = response.get("Responses", {}).get(self.table_name, [])
        return self.owner_from(draft, {item["pk"]["S"]: item for item in items})

    def owner_for(self, slug: str) -> Owner | None:
        """An explicitly named person as an owner (None when unknown; the default owner always exists)."""
        person = self.get(slug)
        return Owner(slug, person.teams, "explicit") if person else None

    # ---- registry ----------------------------------------------------------------------------------

    def get(self, slug: str) -> Person | None:
        response = self.client.get_item(TableName=self.table_name, Key=person_key(slug), ConsistentRead=True)
        item = response.get("Item")
        if item:
            return _person_of(item)
        if slug == self.default_owner:
            return Person(slug=slug, name=slug, registered=False)
        return None

    def put(self, person: Person) -> tuple[Person, list[str]]:
        """Create or replace a person; returns them and the aliases newly claimed (to re-attribute)."""
        previous = self.get(person.slug)
        now = utcnow()
        stored = person.model_copy(
            update={
                "registered": True,
                "created_at": (previous.created_at if previous and previous.registered else None) or now,
                "updated_at": now,
            }
        )
        old_aliases = set(previous.aliases) if previous and previous.registered else set()
        old_teams = set(previous.teams) if previous and previous.registered else set()
        p = {":p": {"S": person.slug}}
        person_item = {
            **person_key(person.slug),
            **to_item(stored.model_dump(mode="json", exclude={"registered"})),
            "gsi1pk": {"S": PEOPLE_PARTITION},
            "gsi1sk": {"S": person.slug},
        }
        if previous and previous.registered and previous.updated_at:
            guard = {
                "ConditionExpression": "updated_at = :previous",
                "ExpressionAttributeValues": {":previous": serialize(previous.model_dump(mode="json")["updated_at"])},
            }
        else:
            guard = {"ConditionExpression": "attribute_not_exists(pk)"}
        items: list[dict[str, Any]] = [{"Put": {"TableName": self.table_name, "Item": person_item, **guard}}]
        for alias in person.aliases:
            claim = {**alias_key(alias), "alias": {"S": alias}, "person": {"S": person.slug}}
            claim["teams"] = serialize(list(person.teams))
            items.append(
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": claim,
                        "ConditionExpression": "attribute_not_exists(pk) OR person = :p",
                        "ExpressionAttributeValues": p,
                    }
                }
            )
        for alias in sorted(old_aliases - set(person.aliases)):
            items.append(self._release(alias_key(alias), person.slug))
        for team in person.teams:
            items.append({"Put": {"TableName": self.table_name, "Item": {**member_key(team, person.slug)}}})
        for team in sorted(old_teams - set(person.teams)):
            items.append({"Delete": {"TableName": self.table_name, "Key": member_key(team, person.slug)}})
        self._write(items, person.slug, [None, *person.aliases])
        return stored, [alias for alias in person.aliases if alias not in old_aliases]

    def delete(self, slug: str) -> bool:
        previous = self.get(slug)
        if previous is None or not previous.registered:
            return False
        items: list[dict[str, Any]] = [{"Delete": {"TableName": self.table_name, "Key": person_key(slug)}}]
        items += [self._release(alias_key(alias), slug) for alias in previous.aliases]
        items += [{"Delete": {"TableName": self.table_name, "Key": member_key(t, slug)}} for t in previous.teams]
        self._write(items, slug, [])
        return True

    def people(self) -> list[Person]:
        """Every registered person, by slug (paged Query of gsi1 `PEOPLE`)."""
        found: list[Person] = []
        start: dict[str, Any] | None = None
        while True:
            arguments: dict[str, Any] = {
                "TableName": self.table_name,
                "IndexName": LIST_INDEX,
                "KeyConditionExpression": "gsi1pk = :people",
                "ExpressionAttributeValues": {":people": {"S": PEOPLE_PARTITION}},
                "Limit": PAGE,
            }
            if start:
                arguments["ExclusiveStartKey"] = start
            response = self.client.query(**arguments)
            found += [_person_of(item) for item in response.get("Items", [])]
            start = response.get("LastEvaluatedKey")
            if not start:
                return found

    def members(self, team: str) -> list[str]:
        """The slugs of a team's members (Query of its partition, strongly consistent)."""
        slugs: list[str] = []
        start: dict[str, Any] | None = None
        while True:
            arguments: dict[str, Any] = {
                "TableName": self.table_name,
                "KeyConditionExpression": "pk = :team AND begins_with(sk, :member)",
                "ExpressionAttributeValues": {":team": {"S": team_partition(team)}, ":member": {"S": MEMBER_PREFIX}},
                "ConsistentRead": True,
            }
            if start:
                arguments["ExclusiveStartKey"] = start
            response = self.client.query(**arguments)
            slugs += [item["sk"]["S"].removeprefix(MEMBER_PREFIX) for item in response.get("Items", [])]
            start = response.get("LastEvaluatedKey")
            if not start:
                return slugs

    # ---- re-attribution: the achievements waiting for an alias ---------------------------------------

    def unclaimed(
        self, alias: str, start: dict[str, Any] | None, limit: int
    ) -> tuple[list[int], dict[str, Any] | None]:
        """One page of the ids of the achievements the default owner got for want of `alias`."""
        kind, _, value = alias.partition(":")
        arguments: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :kind",
            "ExpressionAttributeValues": {":kind": {"S": unclaimed_partition(kind)}},
            "Limit": limit,
        }
        if value != "*":
            arguments["KeyConditionExpression"] += " AND begins_with(sk, :value)"
            arguments["ExpressionAttributeValues"][":value"] = {"S": unclaimed_sort_prefix(value)}
        if start:
            arguments["ExclusiveStartKey"] = start
        response = self.client.query(**arguments)
        ids = [int(item["achievement_id"]["N"]) for item in response.get("Items", [])]
        return ids, response.get("LastEvaluatedKey")

    # ---- helpers -----------------------------------------------------------------------------------

    def _release(self, key: dict[str, Any], slug: str) -> dict[str, Any]:
        return {
            "Delete": {
                "TableName": self.table_name,
                "Key": key,
                "ConditionExpression": "attribute_not_exists(pk) OR person = :p",
                "ExpressionAttributeValues": {":p": {"S": slug}},
            }
        }

    def _write(self, items: list[dict[str, Any]], slug: str, aliases: list[str | None]) -> None:
        """One transaction; a cancelled alias claim names the alias (409), a cancelled person write retries."""
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
            for index, code in enumerate(reasons):
                if code == "ConditionalCheckFailed" and 0 < index < len(aliases) and aliases[index]:
                    raise Conflict(f"alias {aliases[index]!r} belongs to another person") from error
            if any(code in {"ConditionalCheckFailed", "TransactionConflict"} for code in reasons):
                raise Conflict(f"person {slug!r} changed meanwhile: read it again and retry") from error
            raise
