"""What a review says (reviews/rules.py, pure): periods, headline numbers with citations, skills, wins, steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from achievements.core.errors import InvalidInput
from achievements.core.models import Category, Source
from achievements.render.charts import months_between
from achievements.reviews import rules
from achievements.reviews.models import ReviewScope
from tests.unit.reviews.factory import made

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_quarter_is_compared_with_the_quarter_before_it() -> None:
    # Given / When the third quarter of 2026, and the first (its previous quarter is last year's fourth)
    q3 = rules.resolve_period("2026-Q3", None, None, NOW)
    q1 = rules.resolve_period("2026-Q1", None, None, NOW)
    # Then each runs from its first to its last microsecond, against the quarter before
    assert (q3.start, q3.end) == (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 9, 30, 23, 59, 59, 999999, UTC))
    assert (q3.previous_label, q3.previous_start) == ("2026-Q2", datetime(2026, 4, 1, tzinfo=UTC))
    assert q3.previous_end == datetime(2026, 6, 30, 23, 59, 59, 999999, UTC)
    assert (q1.previous_label, q1.previous_start) == ("2025-Q4", datetime(2025, 10, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("period", "start", "end", "previous", "previous_start"),
    [
        ("2026-H1", datetime(2026, 1, 1), datetime(2026, 7, 1), "2025-H2", datetime(2025, 7, 1)),
        ("2026-H2", datetime(2026, 7, 1), datetime(2027, 1, 1), "2026-H1", datetime(2026, 1, 1)),
        ("2026", datetime(2026, 1, 1), datetime(2027, 1, 1), "2025", datetime(2025, 1, 1)),
        ("2026-01", datetime(2026, 1, 1), datetime(2026, 2, 1), "2025-12", datetime(2025, 12, 1)),
    ],
)
def test_halves_years_and_months_are_named_periods(
    period: str, start: datetime, end: datetime, previous: str, previous_start: datetime
) -> None:
    # Given a named period, When it is resolved
    resolved = rules.resolve_period(period, None, None, NOW)
    # Then it covers exactly its months, against the one before
    assert resolved.start == start.replace(tzinfo=UTC)
    assert resolved.end == end.replace(tzinfo=UTC) - timedelta(microseconds=1)
    assert (resolved.previous_label, resolved.previous_start) == (previous, previous_start.replace(tzinfo=UTC))
    assert resolved.previous_end == resolved.start - timedelta(microseconds=1)


def test_last_days_and_from_to_are_compared_with_the_span_of_equal_length_before() -> None:
    # Given the last 90 days, and a from/to of ten whole days
    last = rules.resolve_period("last-90d", None, None, NOW)
    span = rules.resolve_period(None, "2026-03-11", "2026-03-20", NOW)
    default = rules.resolve_period(None, None, None, NOW)
    # Then each previous span has the same length and ends just before the period starts
    assert (last.start, last.end) == (NOW - timedelta(days=90), NOW)
    assert last.end - last.start == last.previous_end - last.previous_start
    assert last.previous_end == last.start - timedelta(microseconds=1)
    assert span.previous_start == datetime(2026, 3, 1, tzinfo=UTC)
    assert span.previous_end == datetime(2026, 3, 10, 23, 59, 59, 999999, UTC)
    assert default.start == NOW - timedelta(days=rules.DEFAULT_DAYS)
    # And from without to runs to now; an offset is kept
    assert rules.resolve_period(None, "2026-11-01T00:00:00+02:00", None, NOW).end == NOW


@pytest.mark.parametrize(
    ("period", "date_from", "date_to", "message"),
    [
        ("2026-Q5", None, None, "invalid period '2026-Q5'"),
        ("last-0d", None, None, "takes 1 to"),
        ("last-99999d", None, None, "invalid period"),
        ("2026-Q1", "2026-01-01", None, "period or from/to, not both"),
        (None, None, "2026-01-01", "to needs a from"),
        (None, "2026-02-01", "2026-01-01", "from is after to"),
        (None, "yesterday", None, "invalid from 'yesterday'"),
        (None, "2000-01-01", "2026-01-01", "at most"),
        ("0001-Q1", None, None, "the year must be"),
        (None, "0001-01-01", "0001-01-02", "the years 1970 to 9998"),
    ],
)
def test_a_bad_period_is_refused_naming_the_problem(
    period: str | None, date_from: str | None, date_to: str | None, message: str
) -> None:
    # Given a period that is not one, When it is resolved, Then InvalidInput (422) says what is wrong
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        rules.resolve_period(period, date_from, date_to, NOW)


def test_headline_numbers_compare_the_periods_and_cite_their_achievements() -> None:
    # Given three achievements of Q3 (a viral post, a KPI milestone, a scored PR) and one of Q2
    post = made(1, datetime(2026, 7, 2), Category.CONTENT, Source.THREADS, 60, metrics={"estimated_revenue_usd": 8.0})
    kpi = made(2, datetime(2026, 8, 2), Category.BUSINESS, Source.KPI, None, metrics={"achieved_value": 25000})
    pr = made(3, datetime(2026, 9, 30, 23, 59), Category.DEVELOPMENT, Source.GITHUB, 90)
    before = made(
        4, datetime(2026, 6, 30), Category.DEVELOPMENT, Source.GITHUB, 50, metrics={"estimated_revenue_usd": 2}
    )
    period = rules.resolve_period("2026-Q3", None, None, NOW)
    current, previous = rules.split_periods([pr, before, kpi, post, made(5, datetime(2026, 1, 1))], period)

    # When the headline numbers are computed
    numbers = {n.name: n for n in rules.headline(current, previous)}

    # Then each number has its value, the previous one, the change and the ids behind both
    assert [a.id for a in current] == [1, 2, 3]
    assert [a.id for a in previous] == [4]
    assert (numbers["achievements"].current, numbers["achievements"].previous) == (3, 1)
    assert numbers["achievements"].change_pct == 200.0
    assert numbers["achievements"].cited == [1, 2, 3]
    assert numbers["achievements"].previous_cited == [4]
    assert (numbers["average_impact"].current, numbers["average_impact"].cited) == (75.0, [1, 3])
    assert (numbers["revenue_usd"].current, numbers["revenue_usd"].previous) == (8.0, 2.0)
    assert numbers["revenue_usd"].cited == [1]
    assert numbers["revenue_usd"].previous_cited == [4]
    assert (numbers["kpi_wins"].current, numbers["kpi_wins"].cited, numbers["kpi_wins"].change_pct) == (1, [2], None)


def test_highlights_are_the_highest_impact_with_their_evidence() -> None:
    # Given a merged PR with its link, a viral post, a KPI milestone and three lesser ones
    pr = made(
        1, datetime(2026, 7, 1), source=Source.GITHUB, score=95,
        evidence={"url": "https://github.com/acme/api/pull/7", "number": 7, "repo": "acme/api"},
    )  # fmt: skip
    post = made(
        2, datetime(2026, 7, 2), Category.CONTENT, Source.THREADS, 80,
        metrics={"views": 10000, "engagement_rate": 0.08, "estimated_revenue_usd": 8.0}, evidence={"post_id": "p-1"},
    )  # fmt: skip
    kpi = made(
        3, datetime(2026, 7, 3), Category.BUSINESS, Source.KPI, 70,
        metrics={"metric_name": "revenue_projection_monthly", "achieved_value": 25000, "target_value": 20000},
    )  # fmt: skip
    others = [made(n, datetime(2026, 7, n), score=10 + n) for n in range(4, 7)]

    # When the highlights are chosen
    found = rules.highlights([*others, kpi, post, pr])

    # Then the five highest-impact come first, each with its evidence and the achievement itself
    assert [h.id for h in found] == [1, 2, 3, 6, 5]
    assert found[0].evidence[0].url == "https://github.com/acme/api/pull/7"
    assert found[0].evidence[0].label == "Pull request #7 in acme/api"
    assert found[1].evidence[0].label == "Threads post p-1: 10,000 views at 8.0% engagement"
    assert "$8.00 estimated revenue" in found[1].why
    assert found[2].evidence[0].label == "Metric revenue_projection_monthly: 25,000 (target 20,000)"
    assert all(h.evidence[-1].label.startswith(f"Achievement #{h.id}") for h in found)


def test_skills_count_analysis_and_technologies_once_and_mark_the_new_ones() -> None:
    # Given Q3 achievements showing Python (analysis and technology: once each), Go; Q2 showed python
    analysed = {"skills": {"technical_skills": ["Python"], "soft_skills": ["Mentoring"]}}
    current = [
        made(1, datetime(2026, 7, 1), technologies=["Python", "Go"], analysis=analysed),
        made(2, datetime(2026, 7, 2), technologies=["python"]),
    ]
    previous = [made(3, datetime(2026, 5, 1), technologies=["PYTHON"])]
    # When the skills are listed
    shown = {s.name: s for s in rules.skills(current, previous)}
    # Then each skill counts its achievements once; only those Q2 did not show are new
    assert (shown["Python"].count, shown["Python"].cited, shown["Python"].new) == (2, [1, 2], False)
    assert (shown["Go"].new, shown["Mentoring"].new, shown["Go"].cited) == (True, True, [1])


def test_next_steps_come_from_the_analyses_most_suggested_first_then_the_missing_analyses() -> None:
    # Given two analyses suggesting the same step (in two spellings) and one other; one unanalysed achievement
    current = [
        made(1, datetime(2026, 7, 1), score=50, analysis={"next_steps": ["Write a case study", "Mentor a junior"]}),
        made(2, datetime(2026, 7, 2), score=90, analysis={"next_steps": ["write a  case study"]}),
        made(3, datetime(2026, 7, 3)),
    ]
    # When the next steps are drawn
    steps = rules.next_steps(current)
    # Then the shared one comes first citing both, then the other, then deep analysis for the unanalysed one
    assert [(s.text, s.cited) for s in steps[:2]] == [("write a case study", [1, 2]), ("Mentor a junior", [1])]
    assert steps[2].cited == [3]
    assert "POST /analyze/deep" in steps[2].text


def test_a_review_cites_every_id_it_counts_and_its_months_are_the_period() -> None:
    # Given a quarter with achievements in two of its three months
    period = rules.resolve_period("2026-Q3", None, None, NOW)
    current = [made(1, datetime(2026, 7, 5), score=40), made(2, datetime(2026, 9, 5), Category.LEADERSHIP, score=60)]
    # When the review is built
    review = rules.build_review(
        ReviewScope(person="alice", name="Alice"), period, current, [], months_between(period.start, period.end),
        NOW, items_read=2, complete=True,
    )  # fmt: skip
    # Then its months are the quarter's (an empty one too) and every number's ids are among those it cites
    assert [(m.month, m.count, m.average_impact) for m in review.months] == [
        ("2026-07", 1, 40.0),
        ("2026-08", 0, None),
        ("2026-09", 1, 60.0),
    ]
    assert rules.cited_ids(review) == {1, 2}
    assert review.title == "Review: Alice, 2026-Q3"
    assert [s.category for s in review.sections] == [Category.DEVELOPMENT, Category.LEADERSHIP]
