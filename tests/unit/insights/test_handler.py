"""The read API through the Lambda handler on moto: insights, listing, one achievement, portfolio, bad input."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from achievements.core.models import AchievementDraft, Category, Source
from achievements.insights.cursor import CursorCodec
from achievements.insights.deps import deps
from achievements.insights.settings import insights_settings
from achievements.store import AchievementStore
from functions.insights_query import app as insights_app
from tests.conftest import Tables, clients_of, load_event

NOW = datetime.now(UTC)


@pytest.fixture
def calls(moto_tables: Tables) -> list[str]:
    """Every DynamoDB operation the handler makes, by name."""
    made: list[str] = []
    moto_tables.client.meta.events.register("before-call.dynamodb.*", lambda model, **_: made.append(model.name))
    return made


@pytest.fixture(autouse=True)
def _wire(moto_tables: Tables) -> None:
    deps.build(clients=clients_of(moto_tables))


def add(
    store: AchievementStore,
    ref: str,
    category: Category = Category.DEVELOPMENT,
    source: Source = Source.GITHUB,
    score: float | None = None,
    title: str | None = None,
    occurred_at: datetime | None = None,
    **fields: Any,
) -> int:
    result = store.upsert(
        AchievementDraft(
            title=title or f"Achievement {ref}",
            description=fields.pop("description", f"What {ref} did"),
            category=category,
            source=source,
            source_ref=ref,
            occurred_at=occurred_at or NOW,
            **fields,
        )
    )
    if score is not None:
        current = store.get(result.achievement_id)
        assert current is not None
        analysis = {"impact_score": score, "skills": {"technical_skills": ["Python"], "soft_skills": []}}
        assert store.save_analysis(result.achievement_id, analysis, score, current.fingerprint)
    return result.achievement_id


def call(
    name: str, query: dict[str, str] | None = None, path_id: str | None = None, context: Any = None
) -> tuple[int, Any, dict[str, str]]:
    event = copy.deepcopy(load_event(name))
    if query is not None:
        event["queryStringParameters"] = query or None
        event["multiValueQueryStringParameters"] = {key: [value] for key, value in query.items()} or None
    if path_id is not None:
        event["pathParameters"] = {"achievement_id": path_id}
        event["path"] = f"/achievements/{path_id}"
    response = insights_app.lambda_handler(event, context)
    headers = {name: values[-1] for name, values in (response.get("multiValueHeaders") or {}).items()}
    headers.update(response.get("headers") or {})
    body = response["body"]
    if headers.get("Content-Type", "").startswith("application/json"):
        body = json.loads(body)
    return int(response["statusCode"]), body, headers


def ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["items"]]


# ---- career insights ----------------------------------------------------------------------------------------


def test_career_insights_answer_with_the_numbers_behind_them(store, lambda_context) -> None:
    # Given development and leadership work, two of them analysed
    add(store, "a", score=90)
    add(store, "b", category=Category.LEADERSHIP, score=70)
    add(store, "c", source=Source.MANUAL)

    # When the insights are asked for
    status, body, _ = call("career_insights.json", context=lambda_context)

    # Then the answer has every SPEC field and the stored numbers they come from
    assert status == 200
    insights, numbers = body["insights"], body["numbers"]
    assert set(insights) >= {
        "trajectory",
        "competencies",
        "leadership_score",
        "recommendations",
        "suitable_roles",
        "salary_range",
    }
    assert numbers["total"] == 3
    assert numbers["by_category"]["development"] == 2
    assert numbers["by_category"]["leadership"] == 1
    assert numbers["by_source"] == {"threads": 0, "prometheus": 0, "github": 2, "manual": 1, "kpi": 0}
    assert numbers["by_month"] == {NOW.strftime("%Y-%m"): 3}
    assert [(top["id"], top["impact_score"]) for top in numbers["top_achievements"]] == [(1, 90), (2, 70)]
    # leadership: 1 signal of 3 -> presence 5*min(1, 0.333/0.25)=5, volume 2*1/10=0.2, impact 3*70/100=2.1
    assert insights["leadership_score"] == 7.3
    assert insights["leadership"]["components"] == {"presence": 5.0, "volume": 0.2, "impact": 2.1}
    # no analysis gives a salary or roles here: both are labelled estimates (the evidence beside the reference fields)
    assert insights["salary_range_detail"]["basis"] == "estimate"
    assert set(insights["salary_range"]) == {"min", "max", "currency"}
    assert {role["basis"] for role in insights["suitable_role_evidence"]} == {"estimate"}
    assert insights["suitable_roles"] == [role["name"] for role in insights["suitable_role_evidence"]]
    assert insights["trajectory_detail"]["label"] == "emerging"
    assert insights["trajectory"] == insights["trajectory_detail"]["statement"]


def test_career_insights_cost_the_same_reads_at_any_size_and_never_scan(store, calls, lambda_context) -> None:
    # Given 3 achievements, then 40
    counts: list[list[str]] = []
    for size in (3, 40):
        for n in range(size - (3 if counts else 0)):
            add(store, f"r{size}-{n}", score=float(n % 100) if n % 2 else None)
        calls.clear()

        # When insights are asked for
        status, _, _ = call("career_insights.json", context=lambda_context)
        assert status == 200
        counts.append(list(calls))

    # Then both cost one BatchGetItem and one Query, and nothing scanned
    assert counts == [["BatchGetItem", "Query"], ["BatchGetItem", "Query"]]


def test_career_insights_with_nothing_stored_say_so(lambda_context) -> None:
    # When insights are asked for with nothing stored
    status, body, _ = call("career_insights.json", context=lambda_context)

    # Then the answer says no_data: no trajectory, no salary range, zero achievements
    assert status == 200
    assert body["status"] == "no_data"
    assert body["insights"]["trajectory_detail"]["label"] == "no_data"
    assert body["insights"]["salary_range"] == {"min": 0, "max": 0, "currency": "USD"}
    assert body["insights"]["salary_range_detail"] is None
    assert body["numbers"]["total"] == 0


# ---- listing ------------------------------------------------------------------------------------------------


def test_listing_pages_through_everything_once_newest_first(store, lambda_context) -> None:
    # Given seven achievements
    created = [add(store, f"r{n}") for n in range(7)]

    # When the listing is paged three at a time, following next_cursor until it runs out (bounded)
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        status, body, _ = call("achievements_list.json", query, context=lambda_context)
        assert status == 200
        seen += ids(body)
        cursor = body["next_cursor"]
        if cursor is None:
            break

    # Then every achievement was seen exactly once, newest first
    assert seen == list(reversed(created))


def test_pages_stay_stable_while_achievements_are_written(store, lambda_context) -> None:
    # Given six achievements and a first page of three, oldest first
    first = [add(store, f"r{n}") for n in range(6)]
    status, page1, _ = call("achievements_list.json", {"limit": "3", "sort": "oldest"}, context=lambda_context)
    assert status == 200

    # When new achievements arrive and an old one is updated before the next page
    add(store, "late-1")
    add(store, "r0", description="updated meanwhile")
    status, page2, _ = call(
        "achievements_list.json",
        {"limit": "3", "sort": "oldest", "cursor": page1["next_cursor"]},
        context=lambda_context,
    )

    # Then the pages neither repeat nor skip the original ones
    assert ids(page1) + ids(page2) == first
    assert status == 200


def test_listing_filters_by_category_source_impact_and_dates(store, lambda_context) -> None:
    # Given reliability and development achievements from two sources, with and without scores, one 400 days old
    old = NOW - timedelta(days=400)
    a = add(store, "a", category=Category.RELIABILITY, score=80, occurred_at=old)
    add(store, "b", category=Category.RELIABILITY, source=Source.MANUAL, score=40)
    c = add(store, "c", category=Category.DEVELOPMENT, score=95)
    add(store, "d", category=Category.DEVELOPMENT)

    def listed(query: dict[str, str]) -> list[int]:
        status, body, _ = call("achievements_list.json", query, context=lambda_context)
        assert status == 200, body
        return ids(body)

    # When listed by category and source, Then only the matching one comes back
    assert listed({"category": "reliability", "source": "github"}) == [a]

    # When filtered by minimum impact or sorted by impact, Then scored ones come highest first, unscored left out
    assert listed({"min_impact": "80"}) == [c, a]
    assert listed({"sort": "impact"}) == [c, a, 2]
    assert listed({"sort": "impact", "min_impact": "50", "category": "development"}) == [c]

    # When filtered by occurred_at dates, Then only achievements inside the range come back
    day = old.date().isoformat()
    assert listed({"date_field": "occurred_at", "from": day, "to": day}) == [a]
    assert listed({"date_field": "occurred_at", "to": (NOW - timedelta(days=1)).isoformat()}) == [a]
    assert listed({"from": (NOW + timedelta(days=1)).date().isoformat()}) == []


def test_a_narrow_filter_pages_until_the_end(store, lambda_context) -> None:
    # Given 23 achievements of which only every fifth (5) is leadership
    wanted = [add(store, f"r{n}", category=Category.LEADERSHIP if n % 5 == 0 else Category.CONTENT) for n in range(23)]
    leadership = [i for n, i in enumerate(wanted) if n % 5 == 0]

    # When leadership is listed two at a time, following next_cursor (bounded)
    found: list[int] = []
    cursor = None
    for _ in range(10):
        query = {"category": "leadership", "limit": "2", **({"cursor": cursor} if cursor else {})}
        _, body, _ = call("achievements_list.json", query, context=lambda_context)
        found += ids(body)
        cursor = body["next_cursor"]
        if not cursor:
            break

    # Then every leadership achievement is found, newest first, despite the sparse matches
    assert found == list(reversed(leadership))


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ({"category": "hobbies"}, 422, "category"),
        ({"source": "email"}, 422, "source"),
        ({"limit": "0"}, 422, "limit"),
        ({"limit": "101"}, 422, "limit"),
        ({"limit": "ten"}, 422, "limit"),
        ({"min_impact": "-1"}, 422, "min_impact"),
        ({"min_impact": "101"}, 422, "min_impact"),
        ({"sort": "random"}, 422, "sort"),
        ({"date_field": "updated_at"}, 422, "date_field"),
        ({"from": "2025-13-01"}, 422, "from"),
        ({"to": "yesterday"}, 422, "to"),
        ({"from": "2025-02-01", "to": "2025-01-01"}, 422, "is after to"),
        ({"cursor": "not-a-cursor"}, 400, "malformed"),
        ({"cursor": "x" * 3000}, 422, "cursor"),
    ],
)
def test_bad_filters_get_a_clear_4xx(query, status, says, lambda_context, moto_tables) -> None:
    # Given one invalid filter, When the listing is asked for, Then the status is 4xx and the message names the problem
    got, body, _ = call("achievements_list.json", query, context=lambda_context)
    assert (got, says in body["message"]) == (status, True), body


def first_page_cursor(store: AchievementStore, context: Any, query: dict[str, str] | None = None) -> str:
    for n in range(3):
        add(store, f"r{n}")
    _, body, _ = call("achievements_list.json", {"limit": "1", **(query or {})}, context=context)
    assert body["next_cursor"]
    return str(body["next_cursor"])


def test_a_tampered_cursor_is_refused(store, lambda_context) -> None:
    # Given a valid first-page cursor, then altered: payload flipped, signature changed, signature missing
    cursor = first_page_cursor(store, lambda_context)
    payload, signature = cursor.split(".")
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]

    # When each altered cursor is used, Then it is refused with 400 naming the cursor
    for bad in (f"{flipped}.{signature}", f"{payload}.{signature[:-1]}x", f"{payload}."):
        status, body, _ = call("achievements_list.json", {"limit": "1", "cursor": bad}, context=lambda_context)
        assert status == 400, body
        assert "cursor" in body["message"]


def test_a_cursor_signed_by_another_deployment_is_refused(store, lambda_context) -> None:
    # Given stored achievements and a cursor signed with another deployment's key
    first_page_cursor(store, lambda_context)
    foreign = CursorCodec(lambda: b"another-deployment", 3600).encode(
        {"pk": "ACHIEVEMENT#2", "sk": "ACHIEVEMENT", "gsi1pk": "ACHIEVEMENTS", "gsi1sk": "x"}, "f" * 32, NOW
    )

    # When that cursor is used for the next page
    status, body, _ = call("achievements_list.json", {"limit": "1", "cursor": foreign}, context=lambda_context)

    # Then it is refused with 400: the signature does not match
    assert (status, body["message"]) == (
        400,
        "cursor signature does not match: it was altered or made by another deployment",
    )


def test_a_cursor_used_with_other_filters_is_refused(store, lambda_context) -> None:
    # Given a cursor from a listing filtered by category development
    cursor = first_page_cursor(store, lambda_context, {"category": "development"})

    # When it is used for a listing without that filter
    status, body, _ = call("achievements_list.json", {"limit": "1", "cursor": cursor}, context=lambda_context)

    # Then it is refused with 400: the cursor belongs to other filters
    assert status == 400
    assert "other filters" in body["message"]


def test_an_expired_cursor_is_gone(store, moto_tables, lambda_context, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a cursor made by a function whose cursors live one minute, used two minutes later
    deps.build(insights_settings().model_copy(update={"cursor_ttl_seconds": 60}), clients_of(moto_tables))
    cursor = first_page_cursor(store, lambda_context)
    later = datetime.now(UTC) + timedelta(minutes=2)
    monkeypatch.setattr("achievements.insights.listing.utcnow", lambda: later)

    # When the cursor is used for the next page
    status, body, _ = call("achievements_list.json", {"limit": "1", "cursor": cursor}, context=lambda_context)

    # Then it is refused with 410: the cursor expired
    assert status == 410
    assert "cursor expired" in body["message"]


# ---- one achievement ----------------------------------------------------------------------------------------


def test_get_one_achievement(store, lambda_context) -> None:
    # Given an achievement analysed with impact 55
    achievement_id = add(store, "a", score=55)

    # When it is fetched by id
    status, body, _ = call("achievement_get.json", path_id=str(achievement_id), context=lambda_context)

    # Then its fields, impact score and stored analysis come back
    assert status == 200
    assert (body["id"], body["title"], body["impact_score"]) == (achievement_id, "Achievement a", 55)
    assert body["analysis"]["impact_score"] == 55


@pytest.mark.parametrize(
    ("path_id", "status", "message"),
    [
        ("999", 404, "no achievement with id 999"),
        ("abc", 422, "invalid request: achievement_id"),
        ("1.5", 422, "invalid request: achievement_id"),
        ("0", 422, "invalid request: achievement_id"),
        ("-3", 422, "invalid request: achievement_id"),
    ],
)
def test_unknown_or_malformed_ids_get_a_clear_4xx(path_id, status, message, lambda_context) -> None:
    # Given an unknown or malformed path id, When the achievement is fetched, Then the status and message say why
    got, body, _ = call("achievement_get.json", path_id=path_id, context=lambda_context)
    assert (got, body["message"]) == (status, message)


# ---- portfolio ----------------------------------------------------------------------------------------------


def test_portfolio_markdown_groups_by_category_and_orders_by_impact(store, lambda_context) -> None:
    # Given three development achievements (impact 20, 95, unscored) and one reliability achievement
    add(store, "low", score=20, title="Low impact fix")
    add(store, "high", score=95, title="Cut p99 latency by 40%")
    add(store, "unscored", title="Unscored work")
    add(store, "ops", category=Category.RELIABILITY, score=60, title="Zero-downtime migration")

    # When the portfolio is asked for (Markdown by default)
    status, body, headers = call("portfolio.json", context=lambda_context)

    # Then it is Markdown with a summary and a section per category, Development before Reliability
    assert status == 200
    assert headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert body.startswith("# Achievement Portfolio\n")
    assert "## Executive summary" in body
    assert "**4 achievements across 2 categories" in body
    development, reliability = body.index("## Software Development (3)"), body.index("## Reliability Engineering (1)")
    assert development < reliability
    # And within a section achievements are ordered by impact, unscored last, and the top one is named
    order = [body.index(title) for title in ("Cut p99 latency by 40%", "Low impact fix", "Unscored work")]
    assert order == sorted(order)
    assert "Top achievement: Cut p99 latency by 40% (impact 95/100)" in body


def test_portfolio_json_has_the_same_content(store, lambda_context) -> None:
    # Given one development achievement with impact 70
    add(store, "a", score=70)

    # When the portfolio is asked for as JSON
    status, body, _ = call("portfolio.json", {"format": "json"}, context=lambda_context)

    # Then it has the summary, one development section and the entry's impact score
    assert status == 200
    assert body["summary"]["total"] == 1
    assert [section["category"] for section in body["sections"]] == ["development"]
    assert body["sections"][0]["entries"][0]["impact_score"] == 70


def test_untrusted_text_cannot_inject_markup(store, lambda_context) -> None:
    # Given an achievement whose text came from a webhook with markup in it
    add(
        store,
        "x",
        title='<script>alert("x")</script> [click](javascript:alert(1))',
        description="<img src=x onerror=alert(1)>\n# not a heading",
    )

    # When the portfolio is rendered as HTML and as Markdown
    _, page, headers = call("portfolio.json", {"format": "html"}, context=lambda_context)
    _, markdown, _ = call("portfolio.json", {"format": "markdown"}, context=lambda_context)

    # Then HTML holds only escaped text (and forbids scripts), Markdown only escaped characters
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "<script>" not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert re.findall(r"(?<!\\)[<>\[]", markdown) == []
    assert "\n# not a heading" not in markdown
    assert "\\<script\\>" in markdown
    assert "\\[click\\](javascript:alert(1))" in markdown
    assert "\\# not a heading" in markdown


@pytest.mark.parametrize("fmt", ["pdf", "MARKDOWN", ""])
def test_unknown_portfolio_format_is_refused(fmt, lambda_context) -> None:
    # Given an unsupported or wrongly cased format, When the portfolio is asked for, Then 422 names format
    status, body, _ = call("portfolio.json", {"format": fmt}, context=lambda_context)
    assert status == 422
    assert body["message"] == "invalid request: format"


def test_no_route_scans_the_table(store, calls, lambda_context) -> None:
    # Given five scored achievements
    for n in range(5):
        add(store, f"r{n}", score=float(n * 10))
    calls.clear()

    # When every read route is called: insights, listing, sorted listing, one achievement, each portfolio format
    call("career_insights.json", context=lambda_context)
    call("achievements_list.json", {"limit": "2"}, context=lambda_context)
    call("achievements_list.json", {"sort": "impact", "category": "development"}, context=lambda_context)
    call("achievement_get.json", path_id="1", context=lambda_context)
    for fmt in ("markdown", "json", "html"):
        call("portfolio.json", {"format": fmt}, context=lambda_context)

    # Then no call scanned the table: only BatchGetItem, Query and GetItem
    assert "Scan" not in calls
    assert set(calls) <= {"BatchGetItem", "Query", "GetItem"}


@pytest.mark.parametrize(
    "to", ["2025-01-31", "2025-01-31T10:00:00Z", "2025-01-31T10:00:00", "2025-01-31T12:00:00 02:00"]
)
def test_dates_and_date_times_are_accepted_with_or_without_an_offset(to, store, lambda_context) -> None:
    # Given an achievement that happened on 2025-01-31 at 09:00 UTC
    achievement_id = add(store, "a", occurred_at=datetime(2025, 1, 31, 9, tzinfo=UTC))

    # When it is listed up to a day / a moment after it (an unencoded "+02:00" arrives as " 02:00")
    status, body, _ = call("achievements_list.json", {"date_field": "occurred_at", "to": to}, context=lambda_context)

    # Then it is included
    assert (status, ids(body)) == (200, [achievement_id])


# ---- the HTML pages with charts ---------------------------------------------------------------------------


def test_the_portfolio_page_draws_its_charts_with_a_bar_per_month(store, lambda_context) -> None:
    # Given achievements in March and May 2026 (none in April)
    add(store, "mar", occurred_at=datetime(2026, 3, 2, tzinfo=UTC), score=40, technologies=["Go"])
    add(store, "may", category=Category.LEADERSHIP, occurred_at=datetime(2026, 5, 2, tzinfo=UTC), score=80)

    # When the portfolio is rendered as HTML
    _, page, _ = call("portfolio.json", {"format": "html"}, context=lambda_context)

    # Then its four charts are inline SVG, the monthly ones with one bar per month, April's empty
    months = re.search(r'<figure class="chart" id="portfolio-months">(.*?)</figure>', page, flags=re.DOTALL)
    assert months is not None
    assert re.findall(r'<g class="bar" data-month="([^"]+)"', months.group(1)) == ["2026-03", "2026-04", "2026-05"]
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') == 4
    assert 'data-month="2026-04" data-value="0"' in page
    assert "<script" not in page


def test_career_insights_as_a_page_keep_json_as_the_default(store, lambda_context) -> None:
    # Given two scored achievements of this month
    add(store, "a", score=60)
    add(store, "b", score=80, title="<b>Bold</b> claim")

    # When the insights are asked for as JSON (the default) and as HTML
    _, body, json_headers = call("career_insights.json", context=lambda_context)
    _, page, headers = call("career_insights.json", {"format": "html"}, context=lambda_context)

    # Then JSON is as before, with the average impact per month; the page has the charts and a strict CSP
    assert json_headers["Content-Type"] == "application/json"
    assert body["numbers"]["average_impact_by_month"] == {NOW.strftime("%Y-%m"): 70.0}
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert page.count('<figure class="chart"') == 4
    assert page.count('<g class="bar"') == 2 * 12  # the last 12 months, in two monthly charts
    assert "&lt;b&gt;Bold&lt;/b&gt; claim" in page
    assert "<b>" not in page


def test_a_hidden_achievement_is_not_a_top_achievement_of_the_insights(store, lambda_context) -> None:
    # Given two analysed achievements, the better one then hidden
    add(store, "shown", score=50, title="Shown one")
    hidden_id = add(store, "hidden", score=95, title="Hidden one")
    current = store.get(hidden_id)
    assert store.replace(current.model_copy(update={"hidden": True, "updated_at": datetime.now(UTC)}), current)

    # When the insights are asked for, as JSON and as the page
    _, body, _ = call("career_insights.json", context=lambda_context)
    _, page, _ = call("career_insights.json", {"format": "html"}, context=lambda_context)

    # Then only the visible one is a top achievement (the counts still count both, as the aggregates do)
    assert [a["title"] for a in body["numbers"]["top_achievements"]] == ["Shown one"]
    assert "Hidden one" not in page
    assert body["numbers"]["total"] == 2
