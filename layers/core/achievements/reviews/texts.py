"""A review as Markdown or as an HTML page with inline SVG charts (pure); every text field escaped.

Citations: each number is followed by the ids of its achievements (`#3-#7, #12`, with an en dash: ranges of
consecutive ids); in HTML an id listed on the page links to its entry. Past MAX_CITED ranges the rest is
counted, not listed (the JSON format has every id).
"""

from __future__ import annotations

from collections.abc import Sequence

from achievements.render.charts import (
    SERIES_COLOURS,
    MonthlyStack,
    chart_grid,
    month_bars,
    ranked_bars,
    stacked_month_bars,
)
from achievements.render.figures import CATEGORY_LABELS, TOP_SKILLS
from achievements.render.markdown import escape_markdown, markdown_link
from achievements.render.page import document, escape, link, safe_url
from achievements.reviews.models import HeadlineNumber, Review, ReviewSummary

MAX_CITED = 25
DASH = "\u2013"


def id_ranges(ids: Sequence[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for value in sorted(set(ids)):
        if ranges and value == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], value)
        else:
            ranges.append((value, value))
    return ranges


def _range_text(low: int, high: int) -> str:
    return f"#{low}" if low == high else f"#{low}{DASH}#{high}"


def cite_text(ids: Sequence[int]) -> str:
    """`#1-#4, #9` (or `none`); past MAX_CITED ranges: `… and N more`."""
    ranges = id_ranges(ids)
    if not ranges:
        return "none"
    shown = ", ".join(_range_text(low, high) for low, high in ranges[:MAX_CITED])
    rest = sum(high - low + 1 for low, high in ranges[MAX_CITED:])
    return f"{shown} … and {rest} more" if rest else shown


def _cite_html(ids: Sequence[int], listed: set[int]) -> str:
    ranges = id_ranges(ids)
    if not ranges:
        return "none"
    parts = []
    for low, high in ranges[:MAX_CITED]:
        parts.append(
            DASH.join(
                f'<a href="#achievement-{value}">#{value}</a>' if value in listed else f"#{value}"
                for value in dict.fromkeys((low, high))
            )
        )
    rest = sum(high - low + 1 for low, high in ranges[MAX_CITED:])
    return ", ".join(parts) + (f" … and {rest} more" if rest else "")


def number_text(number: HeadlineNumber, value: float | None) -> str:
    if value is None:
        return "n/a"
    if number.name == "revenue_usd":
        return f"${value:,.2f}"
    return f"{value:g}" if number.name == "average_impact" else f"{value:,.0f}"


def change_text(number: HeadlineNumber) -> str:
    if number.change is None:
        return "n/a"
    sign = "+" if number.change > 0 else ""
    amount = f"{sign}${number.change:,.2f}" if number.name == "revenue_usd" else f"{sign}{number.change:g}"
    return amount + (f" ({number.change_pct:+.0f}%)" if number.change_pct is not None else "")


def _score(score: float | None) -> str:
    return f"impact {score:g}/100" if score is not None else "not yet scored"


def summary_label(summary: ReviewSummary) -> str:
    if summary.fallback_reason:
        return f"{summary.label} — OpenAI's was not used: {summary.fallback_reason}"
    return summary.label


# ---- Markdown ------------------------------------------------------------------------------------------------


def render_markdown(review: Review) -> str:
    md = escape_markdown
    period = review.period
    lines = [
        f"# {md(review.title)}",
        "",
        f"*{period.start:%Y-%m-%d} to {period.end:%Y-%m-%d} · compared with {md(period.previous_label)} "
        f"({period.previous_start:%Y-%m-%d} to {period.previous_end:%Y-%m-%d}) · generated "
        f"{review.generated_at:%Y-%m-%d %H:%M} UTC*",
        "",
    ]
    if not review.complete:
        lines += [f"**Partial: the read stopped after {review.items_read} achievements.**", ""]
    if review.summary is not None:
        lines += [
            f"> **{md(summary_label(review.summary))}**  ",
            f"> {md(review.summary.text)} ({cite_text(review.summary.cited)})",
            "",
        ]
    lines += [
        "## Headline numbers",
        "",
        f"| | {md(period.label)} | {md(period.previous_label)} | change | cited |",
        "|---|---:|---:|---:|---|",
    ]
    for number in review.headline:
        lines.append(
            f"| {md(number.label)} | {number_text(number, number.current)} | {number_text(number, number.previous)} "
            f"| {change_text(number)} | {cite_text(number.cited)} (before: {cite_text(number.previous_cited)}) |"
        )
    lines += ["", "## Highlights", ""]
    if not review.highlights:
        lines.append("No achievements in this period.")
    for rank, item in enumerate(review.highlights, start=1):
        evidence = " · ".join(
            markdown_link(proof.label, url) if (url := safe_url(proof.url)) else md(proof.label)
            for proof in item.evidence
        )
        lines += [
            f"{rank}. **{md(item.title)}** — {item.occurred_at:%Y-%m-%d} · {md(item.why)} (#{item.id})  ",
            f"   Evidence: {evidence}",
        ]
    lines += ["", "## Skills", ""]
    if not review.skills:
        lines.append("No skills shown yet (no technologies, no analysis).")
    for skill in review.skills:
        new = " **new**" if skill.new else ""
        lines.append(f"- {md(skill.name)}{new}: {skill.count} ({cite_text(skill.cited)})")
    for title, wins in (("KPI wins", review.kpi_wins), ("Content wins", review.content_wins)):
        if wins:
            lines += ["", f"## {title}", ""]
            lines += [f"- **{md(win.title)}**: {md(win.detail)} (#{win.id})" for win in wins]
    lines += ["", "## By category"]
    for section in review.sections:
        average = f" · average impact {section.average_impact:g}" if section.average_impact is not None else ""
        lines += ["", f"### {md(section.title)}: {section.count}{average} ({cite_text(section.cited)})", ""]
        for entry in section.entries:
            detail = entry.business_value or entry.impact
            extra = f" · {md(detail)}" if detail else ""
            lines.append(
                f"- **{md(entry.title)}** — {entry.occurred_at:%Y-%m-%d} · {entry.source.value} · "
                f"{_score(entry.impact_score)}{extra} (#{entry.id})"
            )
        if section.more:
            lines.append(f"- … and {section.more} more")
    lines += ["", "## Next steps", ""]
    if not review.next_steps:
        lines.append("None suggested.")
    lines += [f"- {md(step.text)} ({cite_text(step.cited)})" for step in review.next_steps]
    return "\n".join(lines).rstrip() + "\n"


# ---- HTML ----------------------------------------------------------------------------------------------------


def review_charts(review: Review) -> str:
    months = [row.month for row in review.months]
    present = {name for row in review.months for name in row.by_category}
    series = [name for name in CATEGORY_LABELS if name in present]
    stack = MonthlyStack(
        months=months,
        series=series,
        counts={row.month: row.by_category for row in review.months},
        labels=CATEGORY_LABELS,
    )
    return chart_grid(
        [
            stacked_month_bars("review-months", "Achievements per month", stack),
            month_bars(
                "review-impact",
                "Average impact score per month",
                months,
                {row.month: row.average_impact for row in review.months},
                "",
                100,
            ),
            ranked_bars(
                "review-categories",
                "Category mix",
                [(CATEGORY_LABELS[s.category.value], float(s.count)) for s in review.sections],
                "achievements",
                {CATEGORY_LABELS[name]: colour for name, colour in SERIES_COLOURS.items()},
            ),
            ranked_bars(
                "review-skills",
                "Top skills",
                [(s.name, float(s.count)) for s in review.skills[:TOP_SKILLS]],
                "achievements",
                parts_of_whole=False,
            ),
        ]
    )


def render_html(review: Review) -> str:
    e = escape
    period = review.period
    listed = {entry.id for section in review.sections for entry in section.entries}
    parts = [
        f"<h1>{e(review.title)}</h1>",
        f'<p class="meta">{period.start:%Y-%m-%d} to {period.end:%Y-%m-%d} · compared with '
        f"{e(period.previous_label)} ({period.previous_start:%Y-%m-%d} to {period.previous_end:%Y-%m-%d}) · "
        f"generated {review.generated_at:%Y-%m-%d %H:%M} UTC</p>",
    ]
    if not review.complete:
        parts.append(f"<p><strong>Partial: the read stopped after {review.items_read} achievements.</strong></p>")
    if review.summary is not None:
        parts.append(
            f'<section class="summary" id="summary"><p class="label">{e(summary_label(review.summary))}</p>'
            f'<p>{e(review.summary.text)} <span class="cite">({_cite_html(review.summary.cited, listed)})</span>'
            "</p></section>"
        )
    rows = "".join(
        f"<tr><th>{e(n.label)}<br><span class=cite>{_cite_html(n.cited, listed)}; before: "
        f"{_cite_html(n.previous_cited, set())}</span></th><td class=n>{e(number_text(n, n.current))}</td>"
        f"<td class=n>{e(number_text(n, n.previous))}</td><td class=n>{e(change_text(n))}</td></tr>"
        for n in review.headline
    )
    parts += [
        '<section id="headline"><h2>Headline numbers</h2><div class="scroll"><table>',
        f"<thead><tr><th>measure (cited achievements)</th><th class=n>{e(period.label)}</th>"
        f"<th class=n>{e(period.previous_label)}</th><th class=n>change</th></tr></thead><tbody>{rows}</tbody>"
        "</table></div></section>",
        review_charts(review),
        '<section id="highlights"><h2>Highlights</h2>',
    ]
    if not review.highlights:
        parts.append("<p>No achievements in this period.</p>")
    else:
        parts.append("<ol>")
        for item in review.highlights:
            evidence = " · ".join(link(proof.label, proof.url) for proof in item.evidence)
            parts.append(
                f'<li class="highlight" id="highlight-{item.id}"><strong>{e(item.title)}</strong> — '
                f"{item.occurred_at:%Y-%m-%d} · {e(item.why)} <span class=cite>(#{item.id})</span>"
                f'<br><span class="evidence">Evidence: {evidence}</span></li>'
            )
        parts.append("</ol>")
    parts.append('</section><section id="skills"><h2>Skills</h2>')
    if review.skills:
        parts.append(
            "<ul>"
            + "".join(
                f"<li>{e(s.name)}{' <span class=new>new</span>' if s.new else ''}: {s.count} "
                f"<span class=cite>({_cite_html(s.cited, listed)})</span></li>"
                for s in review.skills
            )
            + "</ul>"
        )
    else:
        parts.append("<p>No skills shown yet (no technologies, no analysis).</p>")
    parts.append("</section>")
    for anchor, title, wins in (
        ("kpi-wins", "KPI wins", review.kpi_wins),
        ("content-wins", "Content wins", review.content_wins),
    ):
        if wins:
            items = "".join(
                f"<li><strong>{e(w.title)}</strong>: {e(w.detail)} <span class=cite>(#{w.id})</span></li>" for w in wins
            )
            parts.append(f'<section id="{anchor}"><h2>{title}</h2><ul>{items}</ul></section>')
    parts.append('<section id="categories"><h2>By category</h2>')
    for section in review.sections:
        average = f" · average impact {section.average_impact:g}" if section.average_impact is not None else ""
        parts.append(
            f'<section id="category-{e(section.category.value)}"><h3>{e(section.title)}: {section.count}{average} '
            f"<span class=cite>({_cite_html(section.cited, listed)})</span></h3>"
        )
        for entry in section.entries:
            detail = entry.business_value or entry.impact
            parts.append(
                f'<article id="achievement-{entry.id}"><strong>{e(entry.title)}</strong>'
                f'<p class="meta">{entry.occurred_at:%Y-%m-%d} · {e(entry.source.value)} · '
                f"{e(_score(entry.impact_score))} · #{entry.id}</p>"
                + (f"<p>{e(detail)}</p>" if detail else "")
                + "</article>"
            )
        if section.more:
            parts.append(f"<p class=meta>… and {section.more} more</p>")
        parts.append("</section>")
    parts.append('</section><section id="next-steps"><h2>Next steps</h2>')
    if review.next_steps:
        parts.append(
            "<ul>"
            + "".join(
                f"<li>{e(step.text)} <span class=cite>({_cite_html(step.cited, listed)})</span></li>"
                for step in review.next_steps
            )
            + "</ul>"
        )
    else:
        parts.append("<p>None suggested.</p>")
    parts.append("</section>")
    return document(review.title, parts)
