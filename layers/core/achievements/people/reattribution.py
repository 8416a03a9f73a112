"""Re-attribution: when an alias is claimed, the achievements the default owner got for want of it move.

Asynchronous and bounded: one SQS message walks at most MAX_PER_MESSAGE of them (the unclaimed-identity items
of exactly that identity, store/keys.py), then queues the rest as a new message from where it stopped. Each move is one
transaction holding the achievement and the aggregates it moves (the default owner's and their teams' down,
the new person's and teams' up); a concurrent write makes it re-read and retry. Idempotent: a moved
achievement's unclaimed item goes in the same transaction, so a redelivered message finds less to do.
"""

from __future__ import annotations

from datetime import datetime

from achievements.core.errors import StoreConflict
from achievements.core.models import Achievement, utcnow
from achievements.core.observability import logger
from achievements.core.ownership import claims, identity_of
from achievements.people.queue import ReattributionJob, ReattributionQueue
from achievements.store import AchievementStore
from achievements.store.people import PeopleRegistry

MAX_PER_MESSAGE = 500
PAGE = 100
ATTEMPTS = 5


def moved(achievement: Achievement, person: str, teams: list[str], now: datetime) -> Achievement:
    return achievement.model_copy(
        update={"person": person, "teams": list(teams), "attributed_by": "alias", "updated_at": now}
    )


def _move(store: AchievementStore, achievement_id: int, alias: str, person: str, teams: list[str]) -> bool:
    current = store.get(achievement_id)
    for _ in range(ATTEMPTS):
        if current is None or current.attributed_by != "default" or not claims(alias, identity_of(current)):
            return False  # deleted meanwhile, or already someone's
        if store.replace(moved(current, person, teams, utcnow()), current):
            return True
        current = store.get(achievement_id)
    raise StoreConflict(f"achievement {achievement_id} kept changing during its re-attribution")


def reattribute(
    store: AchievementStore, registry: PeopleRegistry, queue: ReattributionQueue, job: ReattributionJob
) -> int:
    """Move up to MAX_PER_MESSAGE achievements of `job.alias` to `job.person`; queue the rest. Returns how many."""
    person = registry.get(job.person)
    if person is None or not person.registered or job.alias not in person.aliases:
        logger.info("re-attribution dropped: the alias is no longer this person's", extra=job.model_dump())
        return 0
    count, seen, start = 0, 0, job.start
    while seen < MAX_PER_MESSAGE:
        ids, start = registry.unclaimed(job.alias, start, min(PAGE, MAX_PER_MESSAGE - seen))
        for achievement_id in ids:
            seen += 1
            count += _move(store, achievement_id, job.alias, job.person, person.teams)
        if start is None:
            logger.info("re-attribution done", extra={**job.model_dump(exclude={"start"}), "moved": job.moved + count})
            return count
    queue.send(job.model_copy(update={"start": start, "moved": job.moved + count}))
    return count
