"""AchievementStore: dedupe by (source, source_ref), sequential ids, all-or-nothing writes.

Items of the single table (pk, sk):
- `ACHIEVEMENT#<id>` / `ACHIEVEMENT`  the achievement (also on GSI1: `ACHIEVEMENTS` / `<created_at>#<id>`)
- `REF#<source>#<source_ref>` / `REF`  the dedupe record: which id an external event got, and its fingerprint
- `COUNTER` / `ACHIEVEMENT_ID`  the atomic id counter
- `AGGREGATE` / `COUNTS#<shard>`, `TERMS#<shard>#<bucket>`  aggregates kept in each write's transaction
  (store/aggregates.py); a scored achievement is also on GSI2: `IMPACT` / `<score>#<id>`
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from achievements.core.aws import make_client
from achievements.core.errors import InvalidInput, StoreConflict, Unavailable
from achievements.core.models import Achievement, AchievementDraft, Source, WriteResult, WriteStatus, utcnow
from achievements.core.ownership import Owner
from achievements.core.rules import regression
from achievements.store.aggregates import AggregateWriteHook, ScopedAggregateWriteHook, impact_index_attributes
from achievements.store.codec import from_item, serialize, to_item
from achievements.store.keys import COUNTER_KEY, KEY_ATTRIBUTES, LIST_PARTITION, achievement_key, ref_key
from achievements.store.people import PeopleRegistry, UnclaimedWriteHook, owner_index_attributes

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

    from achievements.core.aws import AwsClients
    from achievements.core.settings import CoreSettings

MAX_ATTEMPTS = 30
BACKOFF_BASE_SECONDS = 0.005
BACKOFF_CAP_SECONDS = 0.2

# Extra transaction items added to every achievement write (e.g. aggregates kept on write).
WriteHook = Callable[[Achievement, Achievement | None], Sequence[dict[str, Any]]]


def _everything(_: Achievement) -> bool:
    return True


class IdempotencyKeyReused(InvalidInput):
    """The same Idempotency-Key came with a different body: the first body's achievement stands."""


def fingerprint(draft: AchievementDraft) -> str:
    """Hash of what the event said; equal fingerprints mean a repeat changes nothing."""
    canonical = json.dumps(draft.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def default_client() -> DynamoDBClient:
    """Bounded by the dynamodb budget (achievements.core.aws): a DynamoDB down or hanging answers 503 in time."""
    return make_client("dynamodb")  # type: ignore[no-any-return]


def default_write_hooks(table_name: str) -> list[WriteHook]:
    """The aggregates every write keeps in its own transaction: global, per person/team, and the unclaimed ones."""
    return [AggregateWriteHook(table_name), ScopedAggregateWriteHook(table_name), UnclaimedWriteHook(table_name)]


def _impact_index_clause(achievement: Achievement, names: dict[str, str], values: dict[str, Any]) -> str:
    """What follows a SET list to keep the sparse impact index (gsi2) in step with `impact_score`."""
    names.update({"#gsi2pk": "gsi2pk", "#gsi2sk": "gsi2sk"})
    owner = ""
    owner_index = owner_index_attributes(achievement)
    if "gsi3sk" in owner_index:
        # occurred_at may move with a repeat: the owner/period index follows it.
        names.update({"#gsi3pk": "gsi3pk", "#gsi3sk": "gsi3sk"})
        values.update({":gsi3pk": owner_index["gsi3pk"], ":gsi3sk": owner_index["gsi3sk"]})
        owner = ", #gsi3pk = :gsi3pk, #gsi3sk = :gsi3sk"
    index = impact_index_attributes(achievement) if achievement.deleted_at is None else {}
    if not index:
        return owner + " REMOVE #gsi2pk, #gsi2sk"
    values.update({":gsi2pk": index["gsi2pk"], ":gsi2sk": index["gsi2sk"]})
    return owner + ", #gsi2pk = :gsi2pk, #gsi2sk = :gsi2sk"


def _unchanged_since(previous: Achievement, names: dict[str, str], values: dict[str, Any]) -> str:
    """Condition: the item is still the `previous` that was read (write hooks computed their deltas from it)."""
    names["#updated_at"] = "updated_at"
    values[":previous_updated_at"] = serialize(previous.model_dump(mode="json")["updated_at"])
    return "#updated_at = :previous_updated_at"


def _not_lowered(draft: AchievementDraft, names: dict[str, str], values: dict[str, Any]) -> str:
    """Condition: no number the stored item keeps in `not_below` is above the repeat's (SPEC §5).

    The caller has compared with the item it read; this makes the write itself refuse to lower one, whatever
    raced in between.
    """
    if not draft.not_below:
        return ""
    names["#not_below"] = "not_below"
    clauses = []
    for i, (name, value) in enumerate(sorted(draft.not_below.items())):
        names[f"#nb{i}"] = name
        values[f":nb{i}"] = serialize(value)
        clauses.append(f"(attribute_not_exists(#not_below.#nb{i}) OR #not_below.#nb{i} <= :nb{i})")
    return " AND ".join(clauses)


def _cancellation_codes(error: ClientError) -> list[str]:
    return [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]


class AchievementStore:
    """Reads and writes achievements; no other module talks to DynamoDB about them."""

    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient | None = None,
        write_hooks: Sequence[WriteHook] | None = None,
        default_owner: str = "me",
    ) -> None:
        self.table_name = table_name
        self.client = client or default_client()
        # By default every write keeps the aggregates (store/aggregates.py), global and per person/team, in
        # its own transaction.
        self.write_hooks = list(write_hooks) if write_hooks is not None else default_write_hooks(table_name)
        self.default_owner = default_owner
        self._visible: Callable[[Achievement], bool] = _everything
        # Whose a new event's achievement is (SPEC §8): read with the event's ref, in the same BatchGetItem.
        self.registry = PeopleRegistry(table_name, self.client, default_owner)

    @classmethod
    def of(
        cls, settings: CoreSettings, clients: AwsClients, write_hooks: Sequence[WriteHook] | None = None
    ) -> AchievementStore:
        """The store a function's settings name: its table, the function's DynamoDB client, its default owner."""
        return cls(
            settings.achievements_table_name,
            client=clients.dynamodb,
            write_hooks=write_hooks,
            default_owner=settings.default_owner,
        )

    # ---- reads -------------------------------------------------------------------------------------

    def get(self, achievement_id: int) -> Achievement | None:
        found = self._read(achievement_id)
        return found if found is None or self._visible(found) else None

    def _read(self, achievement_id: int) -> Achievement | None:
        response = self.client.get_item(
            TableName=self.table_name, Key=achievement_key(achievement_id), ConsistentRead=True
        )
        item = response.get("Item")
        return self._achievement(item) if item else None

    def seen_by(self, visible: Callable[[Achievement], bool]) -> AchievementStore:
        """This store as one caller sees it (access/guard.py): `get` answers None for what they may not see.

        `visible` may raise instead (an achievement the caller may read but not change: 403).
        """
        view = copy.copy(self)
        view._visible = visible
        return view

    def find_by_ref(self, source: Source | str, source_ref: str) -> tuple[int, str] | None:
        """The (id, fingerprint) an external event already got, if any."""
        response = self.client.get_item(TableName=self.table_name, Key=ref_key(source, source_ref), ConsistentRead=True)
        item = response.get("Item")
        if not item:
            return None
        ref = from_item(item)
        return int(ref["achievement_id"]), str(ref["fingerprint"])

    # ---- writes ------------------------------------------------------------------------------------

    def upsert(self, draft: AchievementDraft, owner: Owner | None = None, refuse_changes: bool = False) -> WriteResult:
        """Create the achievement of an event, or update the one it already made.

        At most 3 round trips for a new event (ref read, id counter, one transaction), 1 for an
        unchanged repeat, 3 for an update (ref read, achievement read, one transaction). Concurrent
        deliveries of one event race on the ref item's condition: exactly one creates, the others
        re-read and answer with the winner's id (a lost race may leave a gap in the id sequence).

        The first read is one BatchGetItem of the ref and the registry items that decide a new event's owner
        (`owner` if given, else an alias, else the default owner): a new event still costs 3 round trips.
        `refuse_changes`: a repeat with other content raises IdempotencyKeyReused instead of updating
        (POST /achievements with an Idempotency-Key).
        """
        new_fingerprint = fingerprint(draft)
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                # Full jitter: racing writers of one event spread out instead of colliding again.
                time.sleep(random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)))
            existing, resolved = self._ref_and_owner(draft, owner)
            if existing is not None:
                achievement_id, old_fingerprint = existing
                if old_fingerprint == new_fingerprint:
                    return WriteResult(status=WriteStatus.UNCHANGED, achievement_id=achievement_id)
                if refuse_changes:
                    raise IdempotencyKeyReused(
                        f"this Idempotency-Key already created achievement {achievement_id} from another body: "
                        "use a new key for a new achievement"
                    )
                updated = self._update(achievement_id, draft, old_fingerprint, new_fingerprint)
                if isinstance(updated, str):  # worse than what is stored: kept as it is (SPEC §5)
                    return WriteResult(status=WriteStatus.UNCHANGED, achievement_id=achievement_id, reason=updated)
                if updated:
                    return WriteResult(status=WriteStatus.UPDATED, achievement_id=achievement_id)
                continue
            achievement_id = self._next_id()
            if self._create(achievement_id, draft, new_fingerprint, owner or resolved):
                return WriteResult(status=WriteStatus.CREATED, achievement_id=achievement_id)
        raise StoreConflict(f"gave up writing {draft.source}:{draft.source_ref} after {MAX_ATTEMPTS} races")

    def _ref_and_owner(self, draft: AchievementDraft, owner: Owner | None) -> tuple[tuple[int, str] | None, Owner]:
        """The (id, fingerprint) the event already got, and who would own it if new: one BatchGetItem."""
        ref = ref_key(draft.source, draft.source_ref)
        keys = [ref] if owner else [ref, *self.registry.attribution_keys(draft)]
        found: dict[str, dict[str, Any]] = {}
        pending: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)))
            response = self.client.batch_get_item(RequestItems=pending)
            found.update({item["pk"]["S"]: item for item in response.get("Responses", {}).get(self.table_name, [])})
            pending = dict(response.get("UnprocessedKeys") or {})
            if not pending:
                break
        else:
            raise Unavailable(f"the ref of {draft.source}:{draft.source_ref} stayed unprocessed (throttled)")
        item = found.get(ref["pk"]["S"])
        existing = None
        if item:
            data = from_item(item)
            existing = int(data["achievement_id"]), str(data["fingerprint"])
        return existing, owner or self.registry.owner_from(draft, found)

    def _next_id(self) -> int:
        response = self.client.update_item(
            TableName=self.table_name,
            Key=COUNTER_KEY,
            UpdateExpression="ADD #value :one",
            ExpressionAttributeNames={"#value": "value"},
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["value"]["N"])

    def _create(self, achievement_id: int, draft: AchievementDraft, new_fingerprint: str, owner: Owner) -> bool:
        now = utcnow()
        achievement = Achievement(
            **draft.model_dump(exclude={"occurred_at"}),
            occurred_at=draft.occurred_at or now,
            id=achievement_id,
            created_at=now,
            updated_at=now,
            fingerprint=new_fingerprint,
            person=owner.person,
            teams=owner.teams,
            attributed_by=owner.attributed_by,
        )
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": self._item(achievement),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": {
                        **ref_key(draft.source, draft.source_ref),
                        "achievement_id": {"N": str(achievement_id)},
                        "fingerprint": {"S": new_fingerprint},
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        return self._transact(items, achievement, None)

    def _update(
        self, achievement_id: int, draft: AchievementDraft, old_fingerprint: str, new_fingerprint: str
    ) -> bool | str:
        """True when updated, False when a race was lost (re-read), or why the repeat is worse (kept as stored)."""
        previous = self.get(achievement_id)
        if previous is None:
            return False
        worse = regression(previous.not_below, draft.not_below)
        if worse is not None:
            return worse
        changes = draft.model_dump()
        if draft.occurred_at is None:
            changes.pop("occurred_at")
        if draft.impact_score is None:
            # An update never drops a score: the analysis stays (stale) and keeps counting until replaced.
            changes.pop("impact_score")
        for name in previous.edited:
            # A person's edit of the text outlives repeats of the event (its numbers still update).
            changes.pop(name, None)
        achievement = previous.model_copy(update={**changes, "updated_at": utcnow(), "fingerprint": new_fingerprint})
        fields = achievement.model_dump(mode="json", include={*changes, "updated_at", "fingerprint"})
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values = {f":v{i}": serialize(value) for i, value in enumerate(fields.values())}
        assignments = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields)))
        index_clause = _impact_index_clause(achievement, names, values)
        unchanged = _unchanged_since(previous, names, values)
        not_lowered = _not_lowered(draft, names, values)
        condition = f"attribute_exists(pk) AND {unchanged}" + (f" AND {not_lowered}" if not_lowered else "")
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": achievement_key(achievement_id),
                    "UpdateExpression": assignments + index_clause,
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            },
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": ref_key(draft.source, draft.source_ref),
                    "UpdateExpression": "SET fingerprint = :new",
                    "ConditionExpression": "fingerprint = :old",
                    "ExpressionAttributeValues": {":new": {"S": new_fingerprint}, ":old": {"S": old_fingerprint}},
                }
            },
        ]
        return self._transact(items, achievement, previous)

    def save_analysis(
        self, achievement_id: int, analysis: dict[str, Any], impact_score: float | None, analyzed_fingerprint: str
    ) -> bool:
        """Attach a deep analysis, only if the achievement still has the content that was analysed.

        False when the achievement is gone or changed meanwhile (its fingerprint moved on): the
        caller re-queues or drops the stale analysis instead of attaching it to other content.
        """
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)))
            previous = self._read(achievement_id)
            if previous is None or previous.fingerprint != analyzed_fingerprint:
                return False
            achievement = previous.model_copy(
                update={"analysis": analysis, "impact_score": impact_score, "updated_at": utcnow()}
            )
            fields = achievement.model_dump(mode="json", include={"analysis", "impact_score", "updated_at"})
            names: dict[str, str] = {}
            values: dict[str, Any] = {
                ":analysis": serialize(fields["analysis"]),
                ":score": serialize(fields["impact_score"]),
                ":now": serialize(fields["updated_at"]),
                ":fingerprint": {"S": analyzed_fingerprint},
            }
            # updated_at moves on with the analysis: a concurrent save of the same content retries from a fresh
            # read instead of counting its delta against a state that is gone.
            unchanged = _unchanged_since(previous, names, values)
            assignments = "SET analysis = :analysis, impact_score = :score, #updated_at = :now"
            items: list[dict[str, Any]] = [
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": achievement_key(achievement_id),
                        "UpdateExpression": assignments + _impact_index_clause(achievement, names, values),
                        "ConditionExpression": f"fingerprint = :fingerprint AND {unchanged}",
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values,
                    }
                }
            ]
            if self._transact(items, achievement, previous):
                return True
        raise StoreConflict(f"gave up saving the analysis of {achievement_id} after {MAX_ATTEMPTS} races")

    def replace(self, achievement: Achievement, previous: Achievement) -> bool:
        """Write a person's change of an achievement (edit, hide, delete, restore, re-attribution).

        One transaction: the whole item (its index keys follow its state: a deleted one leaves every listing
        index) and the aggregate deltas. False when `previous` is no longer what is stored (a concurrent write
        moved `updated_at`): the caller re-reads, or answers 412 to a stale If-Match.
        """
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        unchanged = _unchanged_since(previous, names, values)
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": self._item(achievement),
                    "ConditionExpression": f"attribute_exists(pk) AND {unchanged}",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
        ]
        return self._transact(items, achievement, previous)

    def _transact(self, items: list[dict[str, Any]], achievement: Achievement, previous: Achievement | None) -> bool:
        """Run one all-or-nothing write; False when a condition lost a race (the caller re-reads)."""
        for hook in self.write_hooks:
            items.extend(hook(achievement, previous))
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = _cancellation_codes(error)
            if any(code not in {"None", "ConditionalCheckFailed", "TransactionConflict"} for code in codes):
                raise
            return False
        return True

    # ---- (de)serialisation -------------------------------------------------------------------------

    @staticmethod
    def _item(achievement: Achievement) -> dict[str, Any]:
        data = achievement.model_dump(mode="json")
        item = {**achievement_key(achievement.id), **to_item(data), **owner_index_attributes(achievement)}
        if achievement.deleted_at is None:
            # A soft-deleted achievement leaves the listing and impact indexes (restore puts it back).
            item["gsi1pk"] = {"S": LIST_PARTITION}
            item["gsi1sk"] = {"S": f"{data['created_at']}#{achievement.id:012d}"}
            item.update(impact_index_attributes(achievement))
        return item

    @staticmethod
    def _achievement(item: dict[str, Any]) -> Achievement:
        data = from_item(item)
        for key in KEY_ATTRIBUTES:
            data.pop(key, None)
        return Achievement.model_validate(data)
