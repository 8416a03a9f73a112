"""The HTML pages (review, portfolio, insights) from the local stack in Debian's headless Chromium.

Data goes in over HTTP as users put it (a person, manual achievements, a viral post whose hook is markup, deep
analyses by the queue worker), then each page is loaded at desktop and phone widths with the API key as a
header: no console error and no CSP violation, the charts are there with as many bars as months, the
highlight is on the page (the hidden one is not), nothing is wider than a phone, and print media hides the
screen-only parts. Screenshots and a PDF are written under TEST_OUTPUT_DIR (default .local/test-output/browser).
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from tests.conftest import ROOT, load_event
from tests.integration.chromium import Chromium, Page
from tests.integration.conftest import api_client

pytestmark = pytest.mark.integration
KEY = "browser-test-key"
OUTPUT = Path(os.environ.get("TEST_OUTPUT_DIR", ROOT / ".local" / "test-output")) / "browser"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844, "mobile": True}
HOOK = "<img src=x onerror=alert(1)> Ship small, ship daily"
HIGHLIGHT = "Cut checkout p99 from 900 ms to 300 ms"
HIDDEN = "A draft nobody should see"


def wait_for_analysis(http: httpx.Client, achievement_id: int) -> None:
    """Queue a deep analysis and wait (bounded) until the local queue worker stored it."""
    assert http.post(f"/analyze/deep/{achievement_id}").status_code in {200, 202}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if http.get(f"/analyze/deep/{achievement_id}").json()["status"] == "completed":
            return
        time.sleep(0.5)
    raise AssertionError(f"achievement {achievement_id} was not analysed within 90 s")


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, dict[str, Any]]]:
    """The local stack's base URL and the ids it holds: alice's Q3 (one hidden) and Q2 achievements."""
    with LocalStack(port=0, admin_token=KEY, quiet=True) as stack, api_client(stack, KEY) as http:
        put = http.put(
            "/people/alice", json={"name": "Alice Example", "aliases": ["persona:growth-bot"], "teams": ["platform"]}
        )
        assert put.status_code == 200, put.text
        made: dict[str, Any] = {}
        for key, body in {
            "latency": {"title": HIGHLIGHT, "category": "performance", "occurred_at": "2026-07-14T10:00:00Z",
                        "impact": "p99 latency 900 ms -> 300 ms", "technologies": ["Python", "DynamoDB"]},
            "runbook": {"title": "Wrote the on-call runbook", "category": "reliability",
                        "occurred_at": "2026-09-02T10:00:00Z", "technologies": ["Terraform"]},
            "hidden": {"title": HIDDEN, "category": "development", "occurred_at": "2026-08-20T10:00:00Z"},
            "before": {"title": "Migrated the queue", "category": "infrastructure",
                       "occurred_at": "2026-05-05T10:00:00Z", "technologies": ["Python"]},
        }.items():  # fmt: skip
            created = http.post("/achievements", json=body | {"person": "alice"})
            assert created.status_code == 201, created.text
            made[key] = created.json()["achievement_id"]
        post = json.loads(load_event("threads_track.json")["body"]) | {
            "hook": HOOK, "persona_id": "growth-bot", "post_id": "browser-1", "posted_at": "2026-08-09T12:00:00+00:00",
        }  # fmt: skip
        tracked = http.post("/threads/track", json=post)
        assert tracked.status_code == 201, tracked.text
        made["post"] = tracked.json()["achievement_id"]
        for key in ("latency", "runbook", "post", "before"):
            wait_for_analysis(http, made[key])
        hidden = http.get(f"/achievements/{made['hidden']}")
        patched = http.patch(
            f"/achievements/{made['hidden']}", json={"hidden": True}, headers={"If-Match": hidden.headers["ETag"]}
        )
        assert patched.status_code == 200, patched.text
        assert stack.gateway is not None
        yield stack.gateway.url.rstrip("/"), made


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    with Chromium() as chromium:
        yield chromium


def opened(browser: Chromium, url: str, size: dict[str, Any]) -> Page:
    page = browser.page(**size, headers={"Authorization": f"Bearer {KEY}"})
    page.open(url)
    assert page.status() == 200, page.evaluate("document.body.innerText")
    return page


def bars(page: Page, chart: str) -> int:
    return int(page.evaluate(f"document.querySelectorAll('#{chart} > svg g.bar').length"))


def shoot(page: Page, name: str) -> Path:
    path = page.screenshot(OUTPUT / f"{name}.png")
    assert path.stat().st_size > 10_000
    return path


def test_the_review_page_loads_cleanly_with_its_charts_at_desktop_and_phone_widths(
    browser: Chromium, site: tuple[str, dict[str, Any]]
) -> None:
    # Given alice's Q3 review page (with its summary) from the local stack
    base, _ = site
    url = f"{base}/reviews?person=alice&period=2026-Q3&format=html&summary=true"
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        # When it is loaded in Chromium at this width
        page = opened(browser, url, size)
        # Then nothing went wrong: no console error, no CSP violation, no script ran from the hook
        assert page.problems() == [], page.problems()
        assert page.evaluate("document.querySelectorAll('script, img').length") == 0
        # And the four charts are SVGs; the monthly ones have a bar per month of the quarter
        assert page.evaluate("document.querySelectorAll('figure.chart > svg[role=img]').length") == 4
        assert bars(page, "review-months") == 3
        assert bars(page, "review-impact") == 3
        # And the highlight, the hook (as text) and the labelled summary are on the page; the hidden one is not
        text = page.evaluate("document.body.innerText")
        assert HIGHLIGHT in text
        assert HOOK.split(">")[0] in text
        assert "Summary written by the offline writer".upper() in text.upper()
        assert HIDDEN not in text
        assert page.evaluate("document.querySelector('#headline').innerText").count("#") >= 3
        # And nothing is wider than the window (it reads at a phone's width without sideways scrolling)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), label
        shoot(page, f"review-{label}")
        if label == "phone":  # the first screen, as a phone shows it (docs/images/review-phone.png is one)
            page.screenshot(OUTPUT / "review-phone-first-screen.png", full_page=False)


def test_the_review_prints_without_its_screen_only_parts(browser: Chromium, site: tuple[str, dict[str, Any]]) -> None:
    # Given the review page
    base, _ = site
    page = opened(browser, f"{base}/reviews?person=alice&period=2026-Q3&format=html", DESKTOP)
    shown = page.evaluate("getComputedStyle(document.querySelector('details > summary')).display")
    # When it is laid out for print
    page.emulate_media("print")
    # Then the "Data" toggles are gone, links show their address, and a PDF comes out
    assert shown != "none"
    assert page.evaluate("getComputedStyle(document.querySelector('details > summary')).display") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('figure.chart')).borderTopStyle") == "none"
    pdf = page.pdf(OUTPUT / "review.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 5_000
    assert page.problems() == []


@pytest.mark.parametrize(
    ("path", "chart", "months"),
    [
        ("/portfolio?person=alice&format=html", "portfolio-months", 5),  # May to September (the hidden one out)
        ("/analyze/career-insights?person=alice&format=html", "insights-months", 12),
    ],
    ids=["portfolio", "insights"],
)
def test_the_portfolio_and_insights_pages_load_cleanly_with_their_charts(
    browser: Chromium, site: tuple[str, dict[str, Any]], path: str, chart: str, months: int
) -> None:
    # Given the portfolio and the insights pages
    base, _ = site
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        # When each is loaded at this width
        page = opened(browser, base + path, size)
        # Then no error or CSP violation, the charts are there with a bar per month, and it fits the width
        assert page.problems() == [], page.problems()
        assert page.evaluate("document.querySelectorAll('figure.chart > svg').length") == 4
        assert bars(page, chart) == months
        assert HIDDEN not in page.evaluate("document.body.innerText")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), label
        shoot(page, f"{chart.split('-')[0]}-{label}")


def test_the_checks_would_see_a_csp_violation_and_a_script_error(browser: Chromium) -> None:
    # Given a page under the same policy that tries an inline script and an image
    markup = (
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'\">"
        "<p>hi</p><script>console.error('boom')</script><img src='http://127.0.0.1:9/x.png'>"
    )
    page = browser.page(**DESKTOP)
    # When it is loaded
    page.open("data:text/html;base64," + base64.b64encode(markup.encode()).decode())
    # Then both are reported: the checks above can fail
    assert len(page.csp_violations()) == 2, page.problems()
