"""GET /reviews through the Lambda handler on moto: scope, periods, formats, hidden ones, bad input, items read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from achievements.core.models import Category, Source
from achievements.reviews.deps import ReviewsDeps
from tests.conftest import Tables
from tests.unit.reviews.conftest import Call, add, register


@pytest.fixture
def seeded(reviews: ReviewsDeps) -> dict[str, int]:
    """Alice (team platform): 3 visible + 1 hidden in 2026-Q3, 1 in Q2, 1 in Q1; Bob (platform): 2 in Q3."""
    store = reviews.store
    register(store, "alice", "Alice Example", ["platform"])
    register(store, "bob", "Bob", ["platform"])
    ids = {
        "pr": add(
            store, "pr", "alice", datetime(2026, 7, 3), source=Source.GITHUB, score=91, title="PR #7: faster checkout",
            evidence={"url": "https://github.com/acme/api/pull/7", "number": 7, "repo": "acme/api"},
            technologies=["Python"], analysis={"next_steps": ["Write a case study"]},
        ),
        "post": add(
            store, "post", "alice", datetime(2026, 8, 9), Category.CONTENT, Source.THREADS, 70,
            title="Viral post: ship small", metrics={"views": 10000, "engagement_rate": 0.08,
            "estimated_revenue_usd": 8.0}, evidence={"post_id": "p-1"},
        ),
        "kpi": add(
            store, "kpi", "alice", datetime(2026, 9, 30, 23), Category.BUSINESS, Source.KPI,
            title="KPI Milestone: Revenue Projection Monthly",
            metrics={"metric_name": "revenue_projection_monthly", "achieved_value": 25000, "target_value": 20000},
        ),
        "secret": add(store, "secret", "alice", datetime(2026, 8, 1), score=99, title="Hidden one", hidden=True),
        "q2": add(store, "q2", "alice", datetime(2026, 5, 2), score=50, technologies=["Python"]),
        "q1": add(store, "q1", "alice", datetime(2026, 2, 2), score=10),
        "bob1": add(store, "bob1", "bob", datetime(2026, 7, 20), Category.RELIABILITY, score=60, technologies=["Go"]),
        "bob2": add(store, "bob2", "bob", datetime(2026, 9, 1), Category.RELIABILITY),
    }  # fmt: skip
    return ids


def test_a_persons_quarter_is_reviewed_against_the_quarter_before(call: Call, seeded: dict[str, int]) -> None:
    # Given Alice's achievements of 2026-Q3 (one hidden), Q2 and Q1
    # When her Q3 review is asked for as JSON
    status, headers, review = call(person="alice", period="2026-Q3", format="json")
    # Then it counts Q3's visible achievements against Q2's, each number citing its ids
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    numbers = {n["name"]: n for n in review["headline"]}
    assert numbers["achievements"]["current"] == 3
    assert numbers["achievements"]["previous"] == 1
    assert numbers["achievements"]["cited"] == sorted([seeded["pr"], seeded["post"], seeded["kpi"]])
    assert numbers["achievements"]["previous_cited"] == [seeded["q2"]]
    assert numbers["average_impact"]["current"] == 80.5
    assert numbers["average_impact"]["previous"] == 50
    assert numbers["revenue_usd"]["current"] == 8.0
    assert numbers["kpi_wins"]["cited"] == [seeded["kpi"]]
    # And the hidden one is nowhere, the highlights lead with the PR and its link, Python is not new, steps cited
    assert seeded["secret"] not in {h["id"] for h in review["highlights"]}
    assert "Hidden one" not in str(review)
    assert review["highlights"][0]["title"] == "PR #7: faster checkout"
    assert review["highlights"][0]["evidence"][0]["url"] == "https://github.com/acme/api/pull/7"
    assert [(s["name"], s["new"]) for s in review["skills"]] == [("Python", False)]
    assert review["next_steps"][0] == {"text": "Write a case study", "cited": [seeded["pr"]]}
    assert review["scope"] == {"person": "alice", "team": None, "name": "Alice Example"}
    assert [m["month"] for m in review["months"]] == ["2026-07", "2026-08", "2026-09"]
    assert review["complete"] is True
    assert review["summary"] is None


def test_a_review_reads_only_the_two_periods_items(call: Call, seeded: dict[str, int]) -> None:
    # Given Alice's six achievements over three quarters (and Bob's)
    # When her Q3 review is built
    _, _, review = call(person="alice", period="2026-Q3", format="json")
    # Then the items read are Q3's four (hidden included: it is filtered after the read) and Q2's one
    assert review["items_read"] == 5


def test_a_teams_review_holds_its_members_achievements(call: Call, seeded: dict[str, int]) -> None:
    # Given / When the platform team's Q3 review
    _, _, review = call(team="platform", period="2026-Q3", format="json")
    # Then Alice's and Bob's visible Q3 achievements count; Go is new (nobody showed it in Q2)
    assert review["headline"][0]["current"] == 5
    assert review["scope"]["name"] == "Team platform"
    assert {s["name"]: s["new"] for s in review["skills"]} == {"Python": False, "Go": True}
    assert [s["category"] for s in review["sections"]] == ["reliability", "content", "business", "development"]


def test_markdown_and_html_carry_the_same_review_with_charts_and_a_strict_csp(
    call: Call, seeded: dict[str, int]
) -> None:
    # Given / When the review as Markdown (the default) and as HTML, with a summary
    status, md_headers, markdown = call(person="alice", period="2026-Q3", summary="true")
    _, html_headers, page = call(person="alice", period="2026-Q3", format="html", summary="true")
    # Then both hold the headline and the highlight; the summary is labelled as the offline writer's
    assert status == 200
    assert md_headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert "| Achievements | 3 | 1 | +2 (+200%) |" in markdown
    assert "PR \\#7: faster checkout" in markdown
    assert "Summary written by the offline writer" in markdown
    assert "no AI" in page
    assert html_headers["Content-Type"] == "text/html; charset=utf-8"
    assert html_headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "<script" not in page
    assert page.count('<figure class="chart"') == 4
    assert "PR #7: faster checkout" in page


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"person": "nobody", "period": "2026-Q3"}, 404, "no person 'nobody'"),
        ({"team": "ghosts", "period": "2026-Q3"}, 404, "no team 'ghosts'"),
        ({"person": "alice", "team": "platform"}, 422, "not both"),
        ({"person": "Not A Slug"}, 422, "a slug is"),
        ({"period": "2026-Q9"}, 422, "invalid period"),
        ({"period": "2026-Q3", "from": "2026-01-01"}, 422, "not both"),
        ({"from": "2026-13-45"}, 422, "invalid from"),
        ({"format": "pdf"}, 422, "format"),
        ({"summary": "maybe"}, 422, "summary"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_problem(
    call: Call, seeded: dict[str, int], query: dict[str, str], status: int, message: str
) -> None:
    # Given / When a review with a bad scope, period, format or flag
    answer_status, _, answer = call(**query)
    # Then it is refused with the problem named, never a 5xx
    assert answer_status == status, answer
    assert message in str(answer)


def test_everyones_review_needs_no_registry(call: Call, moto_tables: Tables, reviews: ReviewsDeps) -> None:
    # Given one achievement of the default owner stored in the last 90 days
    add(reviews.store, "mine", "me", datetime.now(UTC), score=40)
    # When everyone's review of the last 90 days (the default period) is asked for
    status, _, review = call(format="json")
    # Then it holds it
    assert status == 200
    assert review["headline"][0]["current"] == 1
    assert review["period"]["kind"] == "last-days"
    assert review["scope"]["name"] == "Everyone"
