"""GET /portfolio reads only what it renders: it stops once the cap is filled and projects rendered attributes."""

from __future__ import annotations

from typing import Any

import pytest

from achievements.core.models import AchievementDraft, Category, Source
from achievements.insights.deps import deps
from achievements.insights.portfolio import RENDERED, portfolio_achievements
from achievements.insights.settings import insights_settings
from achievements.store import AchievementStore
from achievements.store.reads import AchievementReader
from tests.conftest import Tables, clients_of
from tests.unit.insights.test_handler import call


@pytest.fixture
def queries(moto_tables: Tables) -> list[dict[str, Any]]:
    """Every Query the reader makes: its parameters and how many items came back."""
    made: list[dict[str, Any]] = []

    def sent(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "Query":
            made.append(dict(params))

    def answered(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "Query":
            made[-1]["returned"] = len(parsed.get("Items", []))

    moto_tables.client.meta.events.register("provide-client-params.dynamodb.Query", sent)
    moto_tables.client.meta.events.register("after-call.dynamodb.Query", answered)
    return made


def seed(store: AchievementStore, scored: int, unscored: int) -> None:
    for n in range(scored + unscored):
        result = store.upsert(
            AchievementDraft(
                title=f"Achievement {n}",
                description="x" * 50,
                category=Category.DEVELOPMENT,
                source=Source.GITHUB,
                source_ref=f"ref-{n}",
                evidence={"large": "y" * 2000},
            )
        )
        if n < scored:
            current = store.get(result.achievement_id)
            assert current is not None
            assert store.save_analysis(result.achievement_id, {"impact_score": 50 + n}, 50 + n, current.fingerprint)


def test_a_full_impact_index_is_read_for_the_cap_only(store, moto_tables, queries) -> None:
    # Given more scored achievements than the cap, and unscored ones besides
    seed(store, scored=12, unscored=5)
    reader = AchievementReader(moto_tables.achievements, client=moto_tables.client)

    # When the portfolio chooses at most 7
    chosen = portfolio_achievements(reader, 7)

    # Then it read 7 items of the impact index, highest first, asking for rendered attributes only
    assert [c.impact_score for c in chosen] == [61, 60, 59, 58, 57, 56, 55]
    assert [q["IndexName"] for q in queries] == ["gsi2"]
    assert sum(q["Limit"] for q in queries) == 7
    assert sum(q["returned"] for q in queries) == 7
    projected = set(
        queries[0]["ExpressionAttributeNames"][name] for name in queries[0]["ProjectionExpression"].split(", ")
    )
    assert projected == set(RENDERED)
    assert "evidence" not in projected


def test_unscored_ones_fill_the_rest_without_reading_scored_ones_again(store, moto_tables, queries) -> None:
    # Given 3 scored and 30 unscored achievements
    seed(store, scored=3, unscored=30)
    reader = AchievementReader(moto_tables.achievements, client=moto_tables.client)

    # When the portfolio chooses at most 10
    chosen = portfolio_achievements(reader, 10)

    # Then the 3 scored come first, then the 7 newest unscored ones, none twice
    assert [c.impact_score for c in chosen[:3]] == [52, 51, 50]
    unscored = chosen[3:]
    assert len(unscored) == 7
    assert all(c.impact_score is None for c in unscored)
    assert [c.title for c in unscored] == [f"Achievement {n}" for n in range(32, 25, -1)]
    assert len({c.id for c in chosen}) == 10
    # and the newest walk returned unscored achievements only, no more than it could use
    newest = [q for q in queries if q["IndexName"] == "gsi1"]
    assert newest
    assert "attribute_not_exists" in newest[0]["FilterExpression"]
    assert sum(q["returned"] for q in queries) == 10


def test_the_handler_renders_the_projected_achievements(store, moto_tables, lambda_context) -> None:
    # Given a cap of 4 and 6 achievements (2 unscored)
    seed(store, scored=4, unscored=2)
    deps.build(insights_settings().model_copy(update={"portfolio_max_achievements": 4}), clients_of(moto_tables))

    # When the portfolio is asked for as JSON
    status, body, _ = call("portfolio.json", {"format": "json"}, context=lambda_context)

    # Then it lists the 4 highest-impact ones with every rendered field, and counts all 6
    assert status == 200
    entries = [entry for section in body["sections"] for entry in section["entries"]]
    assert [e["impact_score"] for e in entries] == [53, 52, 51, 50]
    assert all(e["description"] == "x" * 50 and e["technologies"] == [] for e in entries)
    assert body["summary"]["total"] == 6
    assert body["summary"]["included"] == 4
