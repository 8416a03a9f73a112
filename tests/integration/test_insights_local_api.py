"""The read API over HTTP through the local stack: API key, cursor key from (local) Secrets Manager, formats."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from devstack.stack import LocalStack
from tests.conftest import load_event

pytestmark = pytest.mark.integration
KEY = "insights-test-key"


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with LocalStack(port=0, admin_token=KEY, quiet=True) as stack:
        assert stack.gateway is not None
        with httpx.Client(base_url=stack.gateway.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=30) as client:
            yield client


def test_analyst_reads_what_the_webhooks_wrote(http: httpx.Client) -> None:
    # Given three viral posts tracked over HTTP
    post = json.loads(load_event("threads_track.json")["body"])
    for number in range(3):
        assert http.post("/threads/track", json=post | {"post_id": f"http-{number}"}).status_code == 201

    # When an analyst reads insights, pages the listing (the cursor key comes from Secrets Manager) and exports
    insights = http.get("/analyze/career-insights")
    first = http.get("/achievements", params={"limit": 2})
    second = http.get("/achievements", params={"limit": 2, "cursor": first.json()["next_cursor"]})
    page = http.get("/portfolio", params={"format": "html"})

    # Then each answers from the same three achievements
    assert insights.status_code == 200
    assert insights.json()["numbers"]["by_source"]["threads"] == 3
    assert insights.json()["numbers"]["estimated_revenue_usd"] == 24.0
    assert [item["id"] for item in first.json()["items"] + second.json()["items"]] == [3, 2, 1]
    assert second.json()["next_cursor"] is None
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "3 achievements across 1 categories" in page.text


def test_read_routes_need_a_token_and_refuse_bad_input(http: httpx.Client) -> None:
    # When the listing is read without a token, Then it is 401
    assert httpx.get(str(http.base_url).rstrip("/") + "/achievements", timeout=30).status_code == 401
    # When an achievement is read by a non-numeric id, Then 422; by an id that does not exist, Then 404
    assert http.get("/achievements/abc").status_code == 422
    assert http.get("/achievements/424242").status_code == 404
    # When the portfolio is asked for in an unsupported format (docx), Then 422
    assert http.get("/portfolio", params={"format": "docx"}).status_code == 422
    # When the listing is paged with a cursor not signed by the cursor key, Then 400
    assert http.get("/achievements", params={"cursor": "forged.cursor"}).status_code == 400
