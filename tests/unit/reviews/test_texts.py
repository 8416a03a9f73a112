"""A review rendered (reviews/texts.py, render/): every text field escaped in Markdown and HTML; charts per month."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from achievements.core.models import Category, Source
from achievements.render.charts import months_between
from achievements.reviews import rules
from achievements.reviews.models import Review, ReviewScope
from achievements.reviews.summary import offline_summary
from achievements.reviews.texts import cite_text, render_html, render_markdown
from tests.unit.reviews.factory import made

NOW = datetime(2026, 12, 1, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) *b* # h'
SAFE_PR = "https://github.com/acme/api/pull/7"


def hostile_review() -> Review:
    """A review whose every text field (title, hook, PR title, impact, skills, steps, names, links) is hostile."""
    period = rules.resolve_period("2026-Q3", None, None, NOW)
    analysis = {"skills": {"technical_skills": [f"skill {HOSTILE}"]}, "next_steps": [f"step {HOSTILE}"]}
    current = [
        made(
            1, datetime(2026, 7, 1), source=Source.GITHUB, score=90, title=f"PR #7: {HOSTILE}",
            impact=f"impact {HOSTILE}", business_value=f"value {HOSTILE}", technologies=[f"tech {HOSTILE}"],
            evidence={"url": SAFE_PR, "number": 7, "repo": f"repo {HOSTILE}"}, analysis=analysis,
        ),
        made(
            2, datetime(2026, 8, 1), Category.CONTENT, Source.THREADS, 70, title=f"Viral post: {HOSTILE}",
            evidence={"hook": HOSTILE, "post_id": f"id {HOSTILE}", "url": "javascript:alert(1)"},
            metrics={"views": 1000, "engagement_rate": 0.1, "estimated_revenue_usd": 1.0},
        ),
        made(
            3, datetime(2026, 9, 1), Category.BUSINESS, Source.KPI, None, title=f"KPI {HOSTILE}",
            metrics={"metric_name": f"m {HOSTILE}", "achieved_value": HOSTILE, "target_value": 1},
        ),
    ]  # fmt: skip
    review = rules.build_review(
        ReviewScope(person="eve", name=f"Eve {HOSTILE}"), period, current, [], months_between(period.start, period.end),
        NOW, items_read=3, complete=True,
    )  # fmt: skip
    review.summary = offline_summary(review)
    return review


class Tags(HTMLParser):
    """Every element and attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs


def parsed(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    return tags


def test_html_escapes_every_text_field_and_links_only_http_urls() -> None:
    # Given a review whose every text is markup and one of whose links is javascript:
    review = hostile_review()
    # When it is rendered as HTML
    page = render_html(review)
    tags = parsed(page)
    # Then no element or handler comes from the text, the text is there escaped, and only the http link is one
    assert not {"script", "img", "iframe", "object"} & set(tags.tags)
    assert not [name for name, _ in tags.attributes if name.startswith("on")]
    assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 10
    hrefs = [value for name, value in tags.attributes if name == "href"]
    assert SAFE_PR in hrefs
    assert [h for h in hrefs if not h or not (h.startswith("#achievement-") or h == SAFE_PR)] == []


def test_markdown_escapes_every_text_field_so_a_renderer_makes_no_markup_of_it() -> None:
    # Given the same review, When it is rendered as Markdown and that Markdown is rendered by CommonMark (HTML on)
    markdown = render_markdown(hostile_review())
    html = MarkdownIt("commonmark").render(markdown)
    tags = parsed(html)
    # Then the text made no element, no link but the PR's, no emphasis from `*b*`, no heading from `# h`
    assert not {"script", "img", "iframe"} & set(tags.tags)
    assert [value for name, value in tags.attributes if name == "href"] == [SAFE_PR]
    assert "<em>b</em>" not in html
    assert re.findall(r"^#+ .*h$", markdown, flags=re.MULTILINE) == []
    assert "&lt;script&gt;" in html


def test_the_charts_have_one_bar_per_month_and_a_text_alternative_each() -> None:
    # Given a review of a quarter (three months, one of them empty of scores)
    page = render_html(hostile_review())
    # When its charts are read
    figures = re.findall(r'<figure class="chart" id="([^"]+)">(.*?)</figure>', page, flags=re.DOTALL)
    by_id = dict(figures)
    # Then there are four, each an SVG with a title, a description, a caption and a data table
    assert list(by_id) == ["review-months", "review-impact", "review-categories", "review-skills"]
    for body in by_id.values():
        assert 'role="img"' in body
        assert "<title " in body
        assert "<desc " in body
        assert "<figcaption>" in body
        assert "<table>" in body
    # And the monthly ones draw as many bars as months
    assert by_id["review-months"].count('class="bar"') == 3
    assert by_id["review-impact"].count('class="bar"') == 3
    assert re.findall(r'data-month="([^"]+)"', by_id["review-months"]) == ["2026-07", "2026-08", "2026-09"]


def test_the_offline_summary_is_labelled_and_states_the_numbers() -> None:
    # Given / When the offline writer's paragraph of the review
    summary = hostile_review().summary
    # Then it says who wrote it and cites the top highlight
    assert summary is not None
    assert summary.written_by == "offline"
    assert "no AI" in summary.label
    assert "recorded 3 achievements in 2026-Q3" in summary.text
    assert summary.cited == [1]


def test_citations_are_ranges_of_consecutive_ids_and_say_how_many_more() -> None:
    # Given / When / Then
    assert cite_text([5, 1, 2, 3, 9]) == "#1\u2013#3, #5, #9"
    assert cite_text([]) == "none"
    assert cite_text(list(range(1, 200, 2))).endswith("… and 75 more")
