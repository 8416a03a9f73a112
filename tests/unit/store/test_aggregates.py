"""Aggregates kept on write: exact after creates, updates, re-categorisations and analyses; cheap to keep."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from achievements.core.models import AchievementDraft, Category, Source, WriteStatus
from achievements.store import AchievementStore
from achievements.store.aggregates import (
    SCOPED_TERM_BUCKETS,
    SHARDS,
    TERM_BUCKETS,
    AggregateWriteHook,
    ScopedAggregateWriteHook,
    aggregate_keys,
)
from achievements.store.people import UnclaimedWriteHook
from achievements.store.reads import AchievementReader
from tests.conftest import Tables


def draft(ref: str = "r1", **changes: Any) -> AchievementDraft:
    fields: dict[str, Any] = {
        "title": "Shipped it",
        "description": "desc",
        "category": Category.DEVELOPMENT,
        "source": Source.GITHUB,
        "source_ref": ref,
        "occurred_at": datetime(2025, 3, 10, tzinfo=UTC),
        "technologies": ["Python"],
        **changes,
    }
    return AchievementDraft(**fields)


def analysis(score: int = 80, roles: list[str] | None = None, soft: list[str] | None = None) -> dict[str, Any]:
    return {
        "impact_score": score,
        "skills": {
            "technical_skills": ["Python", "DynamoDB"],
            "soft_skills": soft or ["Communication"],
            "transferable_skills": ["System Design"],
            "skill_level": "Senior",
        },
        "career_implications": {
            "suitable_roles": roles or ["Staff Engineer"],
            "salary_range": {"min": 150000, "max": 210000, "currency": "USD"},
            "career_level": "Senior",
            "advancement_potential": "High",
        },
    }


@pytest.fixture
def reader(moto_tables: Tables) -> AchievementReader:
    return AchievementReader(moto_tables.achievements, client=moto_tables.client)


def test_the_store_keeps_aggregates_by_default(store: AchievementStore) -> None:
    assert [type(hook) for hook in store.write_hooks] == [
        AggregateWriteHook,
        ScopedAggregateWriteHook,
        UnclaimedWriteHook,
    ]


def test_creates_count_by_category_source_and_month(store: AchievementStore, reader: AchievementReader) -> None:
    # Given three achievements in two categories, two sources and two months
    store.upsert(draft("a"))
    store.upsert(draft("b", category=Category.RELIABILITY, occurred_at=datetime(2025, 4, 1, tzinfo=UTC)))
    store.upsert(draft("c", source=Source.MANUAL))

    # When the aggregates are read
    snapshot = reader.aggregates()

    # Then they count each of them once, in the right buckets
    assert snapshot.total == 3
    assert snapshot.by_category == {"development": 2, "reliability": 1}
    assert snapshot.by_source == {"github": 2, "manual": 1}
    assert snapshot.by_month == {"2025-03": 2, "2025-04": 1}
    assert snapshot.technologies == {"Python": 3}


def test_update_moves_counts_to_the_new_category_and_month(store: AchievementStore, reader: AchievementReader) -> None:
    # Given an achievement counted as development in March
    first = store.upsert(draft("a"))

    # When the same event comes again as reliability in May
    again = store.upsert(draft("a", category=Category.RELIABILITY, occurred_at=datetime(2025, 5, 2, tzinfo=UTC)))

    # Then it moved: still one achievement, counted only where it is now
    assert (again.status, again.achievement_id) == (WriteStatus.UPDATED, first.achievement_id)
    snapshot = reader.aggregates()
    assert snapshot.total == 1
    assert snapshot.by_category == {"reliability": 1}
    assert snapshot.by_month == {"2025-05": 1}


def test_an_unchanged_repeat_writes_no_aggregate(store: AchievementStore, moto_tables: Tables) -> None:
    store.upsert(draft("a"))
    before = [item for item in moto_tables.items() if item["pk"]["S"] == "AGGREGATE"]
    assert store.upsert(draft("a")).status is WriteStatus.UNCHANGED
    assert [item for item in moto_tables.items() if item["pk"]["S"] == "AGGREGATE"] == before


def test_analysis_adds_scores_skills_roles_and_salary_and_a_new_one_replaces_it(
    store: AchievementStore, reader: AchievementReader
) -> None:
    # Given an analysed achievement
    result = store.upsert(draft("a"))
    current = store.get(result.achievement_id)
    assert current is not None
    assert store.save_analysis(result.achievement_id, analysis(80), 80, current.fingerprint)

    # When it is analysed again with another score and roles
    assert store.save_analysis(result.achievement_id, analysis(60, roles=["Tech Lead"]), 60, current.fingerprint)

    # Then the aggregates hold the second analysis only
    snapshot = reader.aggregates()
    assert (snapshot.analysed, snapshot.scored, snapshot.impact_sum) == (1, 1, 60)
    assert snapshot.month_impact == {"2025-03": 60}
    assert snapshot.roles == {"Tech Lead": 1}
    assert snapshot.skills == {"Python": 1, "DynamoDB": 1, "Communication": 1, "System Design": 1}
    assert snapshot.levels == {"Senior": 1}
    assert snapshot.salary["USD"].model_dump() == {"count": 1, "min_sum": 150000, "max_sum": 210000}


def test_leadership_signals_come_from_category_tags_and_soft_skills(
    store: AchievementStore, reader: AchievementReader
) -> None:
    store.upsert(draft("a", category=Category.LEADERSHIP))
    store.upsert(draft("b", tags=["Mentoring"]))
    tagged_none = store.upsert(draft("c"))
    plain = store.get(tagged_none.achievement_id)
    assert plain is not None
    store.save_analysis(tagged_none.achievement_id, analysis(90, soft=["Team Leadership"]), 90, plain.fingerprint)
    store.upsert(draft("d"))

    snapshot = reader.aggregates()
    assert (snapshot.leadership_signals, snapshot.leadership_scored, snapshot.leadership_impact_sum) == (3, 1, 90)


def test_a_write_that_read_a_stale_achievement_is_retried_and_counts_stay_exact(
    store: AchievementStore, moto_tables: Tables, reader: AchievementReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an update that read the achievement before an analysis was attached to it
    result = store.upsert(draft("a"))
    stale = store.get(result.achievement_id)
    assert stale is not None
    store.save_analysis(result.achievement_id, analysis(70), 70, stale.fingerprint)
    real_get = store.get
    reads = iter([stale])
    monkeypatch.setattr(store, "get", lambda achievement_id: next(reads, None) or real_get(achievement_id))

    # When the update is written (its first transaction's delta would subtract no score)
    again = store.upsert(draft("a", category=Category.RELIABILITY))

    # Then the stale transaction was refused, the retry won, and the aggregates equal the stored achievements
    assert again.status is WriteStatus.UPDATED
    assert reader.aggregates() == moto_tables.recomputed_aggregates()
    assert reader.aggregates().scored == 0  # the draft carries no score: the update cleared it


def test_random_writes_leave_aggregates_equal_to_the_stored_achievements(
    store: AchievementStore, moto_tables: Tables, reader: AchievementReader
) -> None:
    # Given 120 random creates, repeats with changes, and analyses
    rng = random.Random(5)
    for step in range(120):
        ref = f"r{rng.randrange(25)}"
        fields: dict[str, Any] = {
            "category": rng.choice(list(Category)),
            "source": rng.choice([Source.GITHUB, Source.MANUAL]),
            "occurred_at": datetime(2025, rng.randint(1, 12), rng.randint(1, 28), tzinfo=UTC),
            "technologies": rng.sample(["Python", "python", "Go", "AWS", "Rust", "SQL"], k=rng.randint(0, 3)),
            "tags": rng.choice([[], ["mentoring"], ["oncall"]]),
            "metrics": {"estimated_revenue_usd": rng.choice([1.25, 8.0, 0.1])} if step % 3 == 0 else {},
        }
        if ref.endswith("7"):
            fields["source"] = Source.THREADS
        result = store.upsert(draft(ref, **fields))
        if rng.random() < 0.3:
            current = store.get(result.achievement_id)
            assert current is not None
            store.save_analysis(
                result.achievement_id, analysis(rng.randint(0, 100)), rng.randint(0, 100), current.fingerprint
            )

    # Then the aggregates read in one BatchGetItem equal the sum over the stored achievements
    assert reader.aggregates() == moto_tables.recomputed_aggregates()


def test_new_post_still_costs_three_round_trips_and_a_small_transaction(moto_tables: Tables) -> None:
    # Given a store whose client records every call
    calls: list[tuple[str, dict[str, Any]]] = []
    moto_tables.client.meta.events.register(
        "before-parameter-build.dynamodb.*", lambda model, params, **_: calls.append((model.name, params))
    )
    store = AchievementStore(moto_tables.achievements, client=moto_tables.client)

    # When a new achievement with many technologies is stored
    store.upsert(draft("a", technologies=[f"tech-{n}" for n in range(200)]))

    # Then: ref and owner read together, id counter, one transaction holding the aggregates global and of the
    # owner (terms capped), no other call
    assert [name for name, _ in calls] == ["BatchGetItem", "UpdateItem", "TransactWriteItems"]
    items = calls[-1][1]["TransactItems"]
    assert len(items) <= 2 + (1 + TERM_BUCKETS) + 2 * (1 + SCOPED_TERM_BUCKETS) < 100


def test_reading_aggregates_is_one_batch_get_of_a_constant_set_of_keys(
    store: AchievementStore, moto_tables: Tables
) -> None:
    names: list[str] = []
    moto_tables.client.meta.events.register("before-call.dynamodb.*", lambda model, **_: names.append(model.name))
    for n in range(12):
        store.upsert(draft(f"r{n}", technologies=[f"t{n}"]))
    names.clear()

    AchievementReader(moto_tables.achievements, client=moto_tables.client).aggregates()

    assert names == ["BatchGetItem"]
    assert len(aggregate_keys()) == SHARDS * (1 + TERM_BUCKETS) <= 100


def test_impact_index_follows_the_score(store: AchievementStore, moto_tables: Tables) -> None:
    result = store.upsert(draft("a"))
    current = store.get(result.achievement_id)
    assert current is not None
    store.save_analysis(result.achievement_id, analysis(7.5), 7.5, current.fingerprint)  # type: ignore[arg-type]

    def index_keys() -> tuple[str | None, str | None]:
        item = next(
            item
            for item in moto_tables.achievement_items()
            if item["pk"]["S"] == f"ACHIEVEMENT#{result.achievement_id}"
        )
        return item.get("gsi2pk", {}).get("S"), item.get("gsi2sk", {}).get("S")

    assert index_keys() == ("IMPACT", f"007.500#{result.achievement_id:012d}")
    store.upsert(draft("a", description="new content, no score yet"))
    assert index_keys() == (None, None)
