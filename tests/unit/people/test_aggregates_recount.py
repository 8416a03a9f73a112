"""Seeded random creates, edits, hides, deletes, restores and re-attributions: every aggregate equals a recount."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from achievements.core.aggregates import AggregateSnapshot, contribution
from achievements.core.models import Achievement, AchievementDraft, Category, Source
from achievements.core.ownership import Owner, Person, aggregate_signs, scopes_of
from achievements.manual import service as manual
from achievements.manual.models import AchievementPatch, ManualAchievementIn
from achievements.people.deps import PeopleDeps
from achievements.people.queue import ReattributionJob
from achievements.people.reattribution import reattribute
from achievements.store import AchievementStore
from achievements.store.aggregates import AggregateWriteHook
from achievements.store.reads import achievement_of
from tests.conftest import Tables
from tests.unit.people.conftest import queued

PEOPLE = ["alice", "bob", "carol"]
TEAMS = ["platform", "data", "web"]
LOGINS = ["alice", "bob", "carol", "dave"]
NEW_ATTRIBUTES = ("person", "teams", "attributed_by", "hidden", "deleted_at", "edited", "gsi3pk", "gsi3sk")


def recount(moto_tables: Tables, keep: Any) -> AggregateSnapshot:
    totals: dict[str, Decimal] = {}
    for item in moto_tables.achievement_items():
        achievement = achievement_of(item)
        if keep(achievement):
            part = contribution(achievement)
            for name, value in {**part.counts, **part.terms}.items():
                totals[name] = totals.get(name, Decimal(0)) + value
    return AggregateSnapshot.from_attributes(totals)


def legacy(moto_tables: Tables, n: int) -> None:
    """Achievements as the code before people wrote them: global aggregates only, no person attributes."""
    old = AchievementStore(moto_tables.achievements, client=moto_tables.client, write_hooks=[])
    old.write_hooks = [AggregateWriteHook(moto_tables.achievements)]
    for i in range(n):
        draft = AchievementDraft(
            title=f"old {i}",
            description="",
            category=Category.RELIABILITY,
            source=Source.GITHUB,
            source_ref=f"old-{i}",
            author="dave",
            technologies=["Go"],
        )
        result = old.upsert(draft, owner=Owner(None, [], None))  # type: ignore[arg-type]
        moto_tables.client.update_item(
            TableName=moto_tables.achievements,
            Key={"pk": {"S": f"ACHIEVEMENT#{result.achievement_id}"}, "sk": {"S": "ACHIEVEMENT"}},
            UpdateExpression="REMOVE " + ", ".join(f"#a{i}" for i in range(len(NEW_ATTRIBUTES))),
            ExpressionAttributeNames={f"#a{i}": name for i, name in enumerate(NEW_ATTRIBUTES)},
        )


def drain(people: PeopleDeps, queue_url: str) -> None:
    while jobs := queued(queue_url):
        for job in jobs:
            reattribute(people.store, people.registry, people.queue, ReattributionJob.model_validate(job))


def patch(people: PeopleDeps, achievement: Achievement, **changes: Any) -> None:
    from achievements.core.ownership import etag_of

    manual.edit(people.store, people.registry, achievement.id, AchievementPatch(**changes), etag_of(achievement))


@pytest.mark.parametrize("seed", [3, 11])
def test_every_aggregate_equals_a_recount_after_random_writes(
    seed: int, people: PeopleDeps, moto_tables: Tables, queue_url: str
) -> None:
    # Given achievements stored before people existed, and a seeded mix of every kind of write
    rng = random.Random(seed)
    legacy(moto_tables, 4)
    store, registry = people.store, people.registry
    for step in range(70):
        ids = [int(item["id"]["N"]) for item in moto_tables.achievement_items()]
        action = rng.choice(["github", "manual", "edit", "hide", "delete", "restore", "person", "analysis"])
        if action == "github":
            ref = rng.randrange(30)
            login = LOGINS[ref % len(LOGINS)]  # a pull request's author never changes between its deliveries
            store.upsert(
                AchievementDraft(
                    title=f"PR {step}",
                    description="",
                    category=rng.choice(list(Category)),
                    source=Source.GITHUB,
                    source_ref=f"pr-{ref}",
                    author=login,
                    technologies=rng.sample(["Python", "Go", "AWS", "SQL"], k=rng.randint(0, 2)),
                    occurred_at=datetime(2025, rng.randint(1, 12), 1, tzinfo=UTC),
                )
            )
        elif action == "manual":
            body = ManualAchievementIn(
                title=f"Talk {step}",
                category=rng.choice(list(Category)),
                tags=rng.choice([[], ["mentoring"]]),
                person=rng.choice([None, *PEOPLE]) if registry.people() else None,
            )
            if body.person and registry.get(body.person) is None:
                body = body.model_copy(update={"person": None})
            manual.create(store, registry, body, f"key-{step}")
        elif action == "person":
            slug = rng.choice(PEOPLE)
            registry_person = registry.get(slug)
            aliases = [] if registry_person is None else [a for a in registry_person.aliases]
            login = f"github:{slug}"
            free = all(p.slug == slug or login not in p.aliases for p in registry.people())
            if free and login not in aliases:
                aliases.append(login)
            teams = rng.sample(TEAMS, k=rng.randint(0, 2))
            _stored, claimed = registry.put(Person(slug=slug, name=slug.title(), aliases=aliases, teams=teams))
            for alias in claimed:
                people.queue.send(ReattributionJob(alias=alias, person=slug))
            if rng.random() < 0.7:
                drain(people, queue_url)
        elif ids:
            current = store.get(rng.choice(ids))
            assert current is not None
            if action == "edit" and current.deleted_at is None:
                changes: dict[str, Any] = rng.choice(
                    [
                        {"category": rng.choice(list(Category))},
                        {"technologies": rng.sample(["Rust", "Go", "Kafka"], k=2)},
                        {"occurred_at": datetime(2025, rng.randint(1, 12), 2, tzinfo=UTC)},
                        {"tags": ["leadership"]},
                    ]
                )
                known = [p.slug for p in registry.people()]
                if known and rng.random() < 0.4:
                    changes["person"] = rng.choice(known)
                patch(people, current, **changes)
            elif action == "hide" and current.deleted_at is None:
                patch(people, current, hidden=not current.hidden)
            elif action == "delete":
                manual.delete(store, current.id, None)
            elif action == "restore" and current.deleted_at is not None:
                manual.restore(store, current.id, None)
            elif action == "analysis" and current.deleted_at is None:
                analysis = {"skills": {"technical_skills": [rng.choice(["Python", "SQL"])], "soft_skills": []}}
                store.save_analysis(current.id, analysis, float(rng.randint(0, 100)), current.fingerprint)
    drain(people, queue_url)

    # Then the global aggregates, every person's and every team's (and the default owner's) equal a recount
    reader = people.reader
    assert reader.aggregates() == moto_tables.recomputed_aggregates()
    for slug in [*PEOPLE, "me"]:
        expected = recount(moto_tables, lambda a, s=slug: (a.person or "me") == s)
        assert reader.scoped_aggregates(aggregate_signs(slug, None, "me")) == expected, slug
    for team in TEAMS:
        expected = recount(moto_tables, lambda a, t=team: a.person is not None and t in a.teams)
        assert reader.scoped_aggregates(aggregate_signs(None, team, "me")) == expected, team
    # and no achievement an alias claims still waits with the default owner
    owners = {alias: p.slug for p in registry.people() for alias in p.aliases}
    for item in moto_tables.achievement_items():
        a = achievement_of(item)
        if a.attributed_by == "default" and a.author and f"github:{a.author}" in owners:
            pointers = [i["sk"]["S"] for i in moto_tables.items() if i["pk"]["S"].startswith("UNCLAIMED")]
            pytest.fail(f"achievement {a!r} of github:{a.author} was not re-attributed {pointers}")
    assert any(scopes_of(achievement_of(i)) for i in moto_tables.achievement_items())
