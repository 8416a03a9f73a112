"""Small hostile bodies and parameters on every route (issue 12): each a 4xx naming the field, never a 5xx,
nothing written. The shapes: deep nesting, thousand-digit integers, calendar-edge dates with extreme offsets,
ids written `01`/`+1`/`1_000`, signed cursors holding out-of-range numbers, other partitions or wrong types,
media types in any case."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from achievements.insights.cursor import CursorCodec, filters_hash
from achievements.insights.deps import deps as insights_deps
from achievements.insights.models import ListFilters
from achievements.kpi.deps import deps as kpi_deps
from achievements.manual.deps import deps as manual_deps
from achievements.people.deps import deps as people_deps
from achievements.prometheus.deps import deps as prometheus_deps
from achievements.threads.deps import deps as threads_deps
from functions.insights_query import app as insights_app
from functions.kpi_milestone import app as kpi_app
from functions.manual_achievements import app as manual_app
from functions.people_api import app as people_app
from functions.prometheus_scrape import app as scrape_app
from functions.threads_webhook import app as threads_app
from tests.conftest import Tables, api_event, build_on, clients_of, load_event
from tests.fakes.prometheus import Clock, FakePrometheus

JSON_ROUTES = [
    ("threads_track.json", threads_app),
    ("kpi_milestone.json", kpi_app),
    ("prometheus_scrape.json", scrape_app),
    ("achievement_create.json", manual_app),
    ("achievement_patch.json", manual_app),
    ("person_put.json", people_app),
]
DEEP = "[" * 5000 + "]" * 5000
EDGE_DATES = ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "0001-01-01T00:30:00-01:00"]


@pytest.fixture(autouse=True)
def _graphs(moto_tables: Tables) -> None:
    threads_deps.build(clients=clients_of(moto_tables))
    kpi_deps.build(clients=clients_of(moto_tables))
    prometheus_deps.build(
        clients=clients_of(moto_tables),
        prometheus=FakePrometheus().client(),
        load_overrides=lambda _settings: {},
        load_auth=lambda _settings: None,
        clock=Clock(),
    )
    build_on(insights_deps, moto_tables)
    build_on(manual_deps, moto_tables)
    build_on(people_deps, moto_tables)


def call(app: Any, event: dict[str, Any], context: Any) -> tuple[int, dict[str, Any]]:
    response = app.lambda_handler(event, context)
    return int(response["statusCode"]), json.loads(response["body"])


@pytest.mark.parametrize(("name", "app"), JSON_ROUTES)
@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ('{"hook": ' + DEEP + "}", "hook: nested deeper than 32 levels"),
        ('{"metrics": [' + DEEP + "]}", "metrics: nested deeper than 32 levels"),
        ('{"views": ' + "9" * 5000 + "}", "views: a number of 5000 digits"),
        ('{"value": -' + "1" * 4301 + "}", "value: a number of 4301 digits"),
        ('{"a": {"b": [1, ' + "7" * 40 + "]}}", "a.b: a number of 40 digits"),
    ],
)
def test_deep_nesting_and_huge_integers_are_400_naming_the_field(
    lambda_context, moto_tables, name: str, app: Any, raw: str, fragment: str
) -> None:
    # Given a small body (well inside 64 KiB) the JSON decoder would recurse on or refuse to convert
    # When it is posted to a JSON route
    status, body = call(app, api_event(name, raw_body=raw), lambda_context)
    # Then 400 naming the field, and nothing is written
    assert status == 400
    assert fragment in body["message"]
    assert moto_tables.items() == []


@pytest.mark.parametrize("moment", EDGE_DATES[:2])
@pytest.mark.parametrize(
    ("name", "app", "body", "field"),
    [
        ("threads_track.json", threads_app, None, "posted_at"),
        ("kpi_milestone.json", kpi_app, {"metric_name": "uptime", "value": 1.0, "target": 0.99}, "occurred_at"),
        ("achievement_create.json", manual_app, None, "occurred_at"),
    ],
)
def test_calendar_edge_dates_with_extreme_offsets_are_422_naming_the_field(
    lambda_context, moto_tables, moment: str, name: str, app: Any, body: Any, field: str
) -> None:
    # Given a date that is no date-time once converted to UTC (year 0 or 10000)
    payload = (body or json.loads(load_event(name)["body"])) | {field: moment}
    # When posted
    status, answer = call(app, api_event(name, body=payload), lambda_context)
    # Then 422 naming the field, nothing written
    assert status == 422
    assert answer["message"] == f"invalid request: {field}"
    assert "out of range once converted to UTC" in answer["details"][0]["msg"]
    assert moto_tables.items() == []


@pytest.mark.parametrize("bound", ["from", "to"])
@pytest.mark.parametrize("moment", EDGE_DATES)
def test_listing_bounds_at_the_calendar_edges_are_422_or_answered(lambda_context, bound: str, moment: str) -> None:
    # Given a from/to bound at the edge of the calendar with an extreme offset
    event = api_event(
        "achievements_list.json",
        queryStringParameters={bound: moment},
        multiValueQueryStringParameters={bound: [moment]},
    )
    # When the listing is asked for
    status, answer = call(insights_app, event, lambda_context)
    # Then a 422 naming the bound when it has no UTC equivalent, else an answer; never a 5xx
    if moment == EDGE_DATES[2]:
        assert status == 200
    else:
        assert (status, answer["message"]) == (422, f"invalid request: {bound}")


@pytest.mark.parametrize("written", ["01", "+1", "1_000", "%201", "\uff11"])
@pytest.mark.parametrize("route", ["achievement_get.json", "analyze_deep_get.json"])
def test_ids_are_plain_decimal_digits(lambda_context, moto_tables, written: str, route: str) -> None:
    # Given an id written another way than plain digits
    event = load_event(route)
    event["path"] = event["path"].rsplit("/", 1)[0] + "/" + written
    app = insights_app
    if route.startswith("analyze"):
        from achievements.analysis.deps import requests
        from functions.analysis_request import app as request_app

        build_on(requests, moto_tables)
        app = request_app
    # When it is asked for
    status, answer = call(app, event, lambda_context)
    # Then 422 naming the id, like any other id that is not a positive integer
    assert status == 422
    assert answer["message"].startswith("invalid request: ")


def _signed(body: Any) -> str:
    """A cursor signed with the tests' key, holding `body` (whatever it is)."""
    import base64

    codec = insights_deps.current().cursors
    payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    signature = base64.urlsafe_b64encode(codec._sign(payload)).rstrip(b"=").decode()
    return f"{payload}.{signature}"


FILTERS = filters_hash(ListFilters(category="development", sort="newest"))
GOOD_POSITION = {
    "pk": "ACHIEVEMENT#1",
    "sk": "ACHIEVEMENT",
    "gsi1pk": "ACHIEVEMENTS",
    "gsi1sk": "2026-01-01T00:00:00+00:00#000000000001",
}


@pytest.mark.parametrize(
    "body",
    [
        [1, 2, 3],
        "a string",
        None,
        {"v": 1, "k": GOOD_POSITION, "f": FILTERS, "x": 10**30},
        {"v": 1, "k": GOOD_POSITION, "f": FILTERS, "x": -(10**20)},
        {"v": 1, "k": GOOD_POSITION, "f": FILTERS, "x": True},
        {"v": 1, "k": GOOD_POSITION, "f": FILTERS, "x": 1.5e300},
        {"v": 1, "k": GOOD_POSITION, "f": FILTERS, "x": "9999999999"},
        {"v": 1, "k": [1], "f": FILTERS, "x": 4102444800},
        {"v": 1, "k": {**GOOD_POSITION, "pk": "REF#github#x"}, "f": FILTERS, "x": 4102444800},
        {"v": 1, "k": {**GOOD_POSITION, "gsi1pk": "AGGREGATE"}, "f": FILTERS, "x": 4102444800},
        {"v": 1, "k": {**GOOD_POSITION, "gsi1sk": "x" * 300}, "f": FILTERS, "x": 4102444800},
        {"v": 1, "k": {**GOOD_POSITION, "pk": "ACHIEVEMENT#" + "9" * 40}, "f": FILTERS, "x": 4102444800},
        {"v": 1, "k": {"pk": "COUNTER", "sk": "ACHIEVEMENT_ID"}, "f": FILTERS, "x": 4102444800},
    ],
)
def test_validly_signed_cursors_with_bad_contents_are_400(lambda_context, body: Any) -> None:
    # Given a cursor our key signed, but holding out-of-range numbers, another partition's keys or wrong types
    event = api_event("achievements_list.json")
    query = {**event["queryStringParameters"], "cursor": _signed(body)}
    event.update(queryStringParameters=query, multiValueQueryStringParameters={k: [v] for k, v in query.items()})
    # When it is used
    status, answer = call(insights_app, event, lambda_context)
    # Then 400 about the cursor, never a 5xx
    assert status == 400
    assert "cursor" in answer["message"]


def test_a_good_signed_cursor_still_pages(lambda_context) -> None:
    # Given a well-formed position signed by the same key (the control for the test above)
    codec: CursorCodec = insights_deps.current().cursors
    from datetime import UTC, datetime

    cursor = codec.encode(GOOD_POSITION, FILTERS, datetime.now(UTC))
    event = api_event("achievements_list.json")
    query = {**event["queryStringParameters"], "cursor": cursor}
    event.update(queryStringParameters=query, multiValueQueryStringParameters={k: [v] for k, v in query.items()})
    # When it is used, Then it answers a page
    assert call(insights_app, event, lambda_context)[0] == 200


@pytest.mark.parametrize(
    "content_type", ["Application/Json", "APPLICATION/JSON; charset=UTF-8", "application/vnd.api+json"]
)
def test_media_types_are_case_insensitive(lambda_context, content_type: str) -> None:
    # Given the reference's post with a Content-Type in another case (media types are case-insensitive)
    event = copy.deepcopy(load_event("threads_track.json"))
    event["headers"] = {k: v for k, v in event["headers"].items() if k.lower() != "content-type"}
    event["headers"]["content-TYPE"] = content_type
    # When posted, Then it is read as JSON
    status, answer = call(threads_app, event, lambda_context)
    assert (status, answer["status"]) == (201, "created")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
@pytest.mark.parametrize(("name", "app"), JSON_ROUTES)
def test_every_415_has_the_message_shape(lambda_context, content_type: str, name: str, app: Any) -> None:
    # Given a body of another media type
    event = copy.deepcopy(load_event(name))
    event["headers"]["Content-Type"] = content_type
    event["body"] = event.get("body") or "{}"
    # When posted, Then 415 with the documented {"message"} body
    status, answer = call(app, event, lambda_context)
    assert status == 415
    assert set(answer) == {"message"}
    assert content_type in answer["message"]
