"""`GET /portfolio`: the achievements as a document a person can hand over (Markdown, JSON or HTML).

Grouped by category, ordered by impact within each (scored first, highest impact first; then unscored, newest
first), with an executive summary. It is an export, not a constant-time read: it includes at most `limit`
achievements (PORTFOLIO_MAX_ACHIEVEMENTS), the highest-impact ones from the impact index first, then the
newest others; the summary's counts cover every stored achievement (aggregates) and say how many were left out.

Achievement text is untrusted (webhooks write it): HTML output escapes every value, Markdown output escapes
the characters that would turn text into markup, links or raw HTML.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from achievements.core.aggregates import AggregateSnapshot
from achievements.core.models import Achievement, Category, utcnow
from achievements.insights import rules as insights
from achievements.insights.models import (
    CareerInsightsResponse,
    ExecutiveSummary,
    Portfolio,
    PortfolioEntry,
    PortfolioSection,
)
from achievements.insights.rules import COMPETENCY_OF_CATEGORY
from achievements.render.charts import months_between
from achievements.render.figures import ChartPoint, achievement_charts
from achievements.render.markdown import escape_markdown
from achievements.render.page import HTML_HEADERS, document
from achievements.store.codec import from_item
from achievements.store.reads import AchievementReader, IndexQuery

QUERY_PAGE = 100
# Once a filtered page (unscored only) came back short, the next ones are never smaller than this, however few
# entries are still missing: fewer items per round trip would cost round trips where scored ones come between.
MIN_FILTERED_PAGE = 25
TITLE = "Achievement Portfolio"
# What the portfolio renders of an achievement (PortfolioEntry's fields and the section's category): the only
# attributes its queries ask for, so a large description's neighbours (evidence, analysis, ...) are not read.
RENDERED = (*PortfolioEntry.model_fields, "category")
_DEFAULTS = {"impact": "", "business_value": "", "technologies": [], "metrics": {}}


class Chosen(PortfolioEntry):
    """One achievement as the portfolio reads it: what it renders, and the section it goes into."""

    category: Category


def _entry(item: dict[str, Any]) -> Chosen:
    return Chosen.model_validate({**_DEFAULTS, **from_item(item)})


def _walk(reader: AchievementReader, spec: IndexQuery, most: int, min_page: int = 1) -> Iterator[Chosen]:
    """Up to `most` achievements in index order; a page asks for no more than are still missing.

    After a filtered page came back short (its filter dropped some), the next ones ask for `min_page` at least.
    """
    position = None
    yielded = 0
    floor = 1
    while yielded < most:
        page = min(QUERY_PAGE, max(most - yielded, floor))
        items, position = reader.query(spec, position, page, RENDERED)
        for item in items[: most - yielded]:
            yield _entry(item)
            yielded += 1
        if position is None:
            return
        if len(items) < page:
            floor = min_page


def portfolio_achievements(reader: AchievementReader, limit: int) -> list[Chosen]:
    """The highest-impact visible achievements (impact index), then the newest unscored ones, `limit` at most.

    Reads stop once `limit` are chosen: the impact index is read for at most `limit` items, and the newest
    walk only when scored ones did not fill it, for unscored ones only (the scored ones it passes are
    evaluated by DynamoDB but not returned).
    Hidden ones (SPEC §8) are filtered out by DynamoDB (`visible_only`): they count in the summary, are never
    listed, and a page they shortened is followed by pages of MIN_FILTERED_PAGE at least.
    """
    chosen = list(_walk(reader, IndexQuery(index="gsi2", visible_only=True), limit, MIN_FILTERED_PAGE))
    if len(chosen) < limit:
        newest = IndexQuery(index="gsi1", unscored=True, visible_only=True)
        chosen.extend(_walk(reader, newest, limit - len(chosen), MIN_FILTERED_PAGE))
    return chosen


def _order(achievement: Chosen) -> tuple[int, float, float]:
    scored = achievement.impact_score is not None
    return (0 if scored else 1, -(achievement.impact_score or 0.0), -achievement.occurred_at.timestamp())


def build_portfolio(
    reader: AchievementReader,
    limit: int,
    now: datetime | None = None,
    snapshot: AggregateSnapshot | None = None,
    scoped: list[Achievement] | None = None,
) -> Portfolio:
    """Everyone's portfolio; or, given `snapshot` and `scoped`, a person's / team's / period's (insights/scoped.py)."""
    now = now or utcnow()
    snapshot = snapshot if snapshot is not None else reader.aggregates()
    if scoped is None:
        chosen = portfolio_achievements(reader, limit)
    else:
        chosen = sorted((Chosen.model_validate(a, from_attributes=True) for a in scoped), key=_order)[:limit]
    by_category: dict[Category, list[Chosen]] = {}
    for achievement in chosen:
        by_category.setdefault(achievement.category, []).append(achievement)
    categories = sorted(by_category, key=lambda c: (-len(by_category[c]), list(Category).index(c)))
    sections = [
        PortfolioSection(
            category=category,
            title=COMPETENCY_OF_CATEGORY[category],
            count=len(by_category[category]),
            total=snapshot.by_category.get(category.value, 0),
            entries=[
                PortfolioEntry.model_validate(a, from_attributes=True)
                for a in sorted(by_category[category], key=_order)
            ],
        )
        for category in categories
    ]

    path = insights.trajectory(snapshot, now)
    lead = insights.leadership(snapshot)
    total = max(snapshot.total, len(chosen))
    months = sorted(snapshot.by_month)
    if total:
        span = ""
        if months:
            span = f" in {months[0]}" if months[0] == months[-1] else f", {months[0]} to {months[-1]}"
        headline = f"{total} achievements across {len(snapshot.by_category) or len(sections)} categories{span}"
    else:
        headline = "No achievements recorded yet"
    highlights = []
    if sections:
        strongest = ", ".join(f"{s.title} ({s.total or s.count})" for s in sections[:3])
        highlights.append(f"Strongest areas: {strongest}")
    if snapshot.average_impact is not None:
        highlights.append(
            f"Average impact score {snapshot.average_impact:.1f}/100 across {snapshot.scored} scored achievements"
        )
    best = max((a for a in chosen if a.impact_score is not None), key=lambda a: a.impact_score or 0, default=None)
    if best is not None:
        highlights.append(f"Top achievement: {best.title} (impact {best.impact_score:g}/100)")
    if total:
        highlights.append(path.statement)
        highlights.append(f"Leadership score {lead.score:g}/10 from {lead.signals} leadership achievements")
    if snapshot.revenue_usd:
        highlights.append(f"Estimated revenue from viral content: ${snapshot.revenue_usd:,.2f}")
    if len(chosen) < total:
        highlights.append(
            f"This portfolio lists {len(chosen)} of {total} achievements: the highest-impact first, "
            f"then the newest (limit {limit})"
        )
    return Portfolio(
        title=TITLE,
        generated_at=now,
        summary=ExecutiveSummary(
            headline=headline,
            highlights=highlights,
            total=total,
            included=len(chosen),
            limit=limit,
            leadership_score=lead.score,
            trajectory=path.statement,
        ),
        sections=sections,
    )


# ---- rendering ---------------------------------------------------------------------------------------------


def _score(entry: PortfolioEntry) -> str:
    return f"impact {entry.impact_score:g}/100" if entry.impact_score is not None else "not yet scored"


def render_markdown(portfolio: Portfolio) -> str:
    md = escape_markdown
    lines = [f"# {md(portfolio.title)}", "", f"*Generated {portfolio.generated_at:%Y-%m-%d %H:%M} UTC*", ""]
    lines += ["## Executive summary", "", f"**{md(portfolio.summary.headline)}**", ""]
    lines += [f"- {md(highlight)}" for highlight in portfolio.summary.highlights]
    for section in portfolio.sections:
        lines += ["", f"## {md(section.title)} ({section.count})", ""]
        for entry in section.entries:
            lines += [
                f"### {md(entry.title)}",
                "",
                f"*{entry.occurred_at:%Y-%m-%d} · {entry.source.value} · {_score(entry)} · #{entry.id}*",
                "",
            ]
            paragraph = [md(line.strip()) for line in entry.description.strip().splitlines() if line.strip()]
            if paragraph:
                # Hard line breaks keep the description's lines without letting any of them start markup.
                lines += ["  \n".join(paragraph), ""]
            if entry.impact:
                lines.append(f"- **Impact:** {md(entry.impact)}")
            if entry.business_value:
                lines.append(f"- **Business value:** {md(entry.business_value)}")
            if entry.technologies:
                lines.append(f"- **Technologies:** {md(', '.join(entry.technologies))}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# At most this many months of bars (the latest ones): a long history stays legible.
CHART_MONTHS = 36


def portfolio_charts(portfolio: Portfolio) -> str:
    """The charts of the achievements the portfolio lists (inline SVG, render/figures.py)."""
    points = [
        ChartPoint(entry.occurred_at, section.category, entry.impact_score)
        for section in portfolio.sections
        for entry in section.entries
    ]
    if not points:
        return ""
    months = months_between(min(p.occurred_at for p in points), max(p.occurred_at for p in points))[-CHART_MONTHS:]
    technologies: dict[str, int] = {}
    for section in portfolio.sections:
        for entry in section.entries:
            for name in dict.fromkeys(entry.technologies):
                technologies[name] = technologies.get(name, 0) + 1
    return "<h2>At a glance</h2>" + achievement_charts("portfolio", points, months, technologies)


def render_html(portfolio: Portfolio) -> str:
    e = html.escape
    parts = [
        f"<h1>{e(portfolio.title)}</h1>",
        f'<p class="meta">Generated {portfolio.generated_at:%Y-%m-%d %H:%M} UTC</p>',
        '<section class="summary"><h2>Executive summary</h2>',
        f"<p><strong>{e(portfolio.summary.headline)}</strong></p><ul>",
        *[f"<li>{e(highlight)}</li>" for highlight in portfolio.summary.highlights],
        "</ul></section>",
        portfolio_charts(portfolio),
    ]
    for section in portfolio.sections:
        parts.append(f'<section id="{e(section.category.value)}"><h2>{e(section.title)} ({section.count})</h2>')
        for entry in section.entries:
            parts += [
                f'<article id="achievement-{entry.id}"><h3>{e(entry.title)}</h3>',
                f'<p class="meta">{entry.occurred_at:%Y-%m-%d} · {e(entry.source.value)} · {e(_score(entry))}</p>',
            ]
            if entry.description.strip():
                parts.append(f'<p class="description">{e(entry.description.strip())}</p>')
            details = [
                (label, value)
                for label, value in (
                    ("Impact", entry.impact),
                    ("Business value", entry.business_value),
                    ("Technologies", ", ".join(entry.technologies)),
                )
                if value
            ]
            if details:
                parts.append(
                    "<ul>" + "".join(f"<li><strong>{e(k)}:</strong> {e(v)}</li>" for k, v in details) + "</ul>"
                )
            parts.append("</article>")
        parts.append("</section>")
    return document(portfolio.title, parts)


# The OpenAPI answer of GET /analyze/career-insights: JSON (as ever) or the HTML page (insights/texts.py).
INSIGHTS_RESPONSE: OpenAPIResponse = {
    "description": "the insights and their numbers (json), or them as a page with charts (html)",
    "content": {"application/json": {"model": CareerInsightsResponse}, "text/html": {"schema": {"type": "string"}}},
}
# The OpenAPI answer of GET /portfolio: one route, three media types.
PORTFOLIO_RESPONSE: OpenAPIResponse = {
    "description": "the portfolio in the requested format",
    "content": {
        "text/markdown": {"schema": {"type": "string"}},
        "text/html": {"schema": {"type": "string"}},
        "application/json": {"model": Portfolio},
    },
}
PORTFOLIO_TYPES = {
    "markdown": ("text/markdown; charset=utf-8", "portfolio.md"),
    "json": ("application/json", "portfolio.json"),
    "html": ("text/html; charset=utf-8", "portfolio.html"),
}


def rendered(portfolio: Portfolio, format: str) -> tuple[str, str, dict[str, str]]:
    """The portfolio in a format: its body, content type and headers (an HTML page may run no script)."""
    if format == "json":
        body = portfolio.model_dump_json()
    elif format == "html":
        body = render_html(portfolio)
    else:
        body = render_markdown(portfolio)
    content_type, filename = PORTFOLIO_TYPES[format]
    headers = {"Content-Disposition": f'inline; filename="{filename}"', "X-Content-Type-Options": "nosniff"}
    if format == "html":
        # The document needs nothing but its own inline style: no script can run even if escaping failed.
        headers.update(HTML_HEADERS)
    return body, content_type, headers
