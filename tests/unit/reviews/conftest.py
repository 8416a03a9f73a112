"""Review tests through the Lambda handler on moto: seeded people, achievements of two quarters."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from achievements.core.models import AchievementDraft, Category, Source, utcnow
from achievements.core.ownership import Owner, Person
from achievements.reviews.deps import ReviewsDeps
from achievements.reviews.deps import deps as reviews_deps
from achievements.store import AchievementStore
from functions.reviews import app as reviews_app  # imported first: its import builds the default graph
from tests.conftest import Tables, build_on, load_event

Call = Callable[..., tuple[int, dict[str, str], Any]]


@pytest.fixture
def reviews(moto_tables: Tables) -> ReviewsDeps:
    graph: ReviewsDeps = build_on(reviews_deps, moto_tables)
    return graph


@pytest.fixture
def call(reviews: ReviewsDeps, lambda_context: Any) -> Call:
    """GET /reviews with these query parameters, as API Gateway would call the function."""

    def invoke(**query: str) -> tuple[int, dict[str, str], Any]:
        event = copy.deepcopy(load_event("review.json"))
        event["queryStringParameters"] = query or None
        event["multiValueQueryStringParameters"] = {key: [value] for key, value in query.items()} or None
        response = reviews_app.lambda_handler(event, lambda_context)
        headers = dict(response.get("headers") or {})
        for key, values in (response.get("multiValueHeaders") or {}).items():
            headers[key] = ", ".join(values)
        body = response.get("body") or ""
        if headers.get("Content-Type", "").startswith("application/json"):
            return int(response["statusCode"]), headers, json.loads(body)
        return int(response["statusCode"]), headers, body

    return invoke


def add(
    store: AchievementStore,
    ref: str,
    person: str,
    occurred_at: datetime,
    category: Category = Category.DEVELOPMENT,
    source: Source = Source.MANUAL,
    score: float | None = None,
    analysis: dict[str, Any] | None = None,
    hidden: bool = False,
    **fields: Any,
) -> int:
    """One achievement of `person` (explicit owner), scored/analysed and hidden as asked."""
    person_record = store.registry.get(person)
    teams = person_record.teams if person_record else []
    result = store.upsert(
        AchievementDraft(
            title=fields.pop("title", f"Achievement {ref}"),
            description=fields.pop("description", ""),
            category=category,
            source=source,
            source_ref=ref,
            occurred_at=occurred_at.replace(tzinfo=UTC) if occurred_at.tzinfo is None else occurred_at,
            **fields,
        ),
        owner=Owner(person, teams, "explicit"),
    )
    current = store.get(result.achievement_id)
    assert current is not None
    if score is not None or analysis is not None:
        stored = {"impact_score": score, **(analysis or {})}
        assert store.save_analysis(result.achievement_id, stored, score, current.fingerprint)
        current = store.get(result.achievement_id)
        assert current is not None
    if hidden:
        assert store.replace(current.model_copy(update={"hidden": True, "updated_at": utcnow()}), current)
    return result.achievement_id


def register(store: AchievementStore, slug: str, name: str, teams: list[str]) -> None:
    store.registry.put(Person(slug=slug, name=name, teams=teams))
