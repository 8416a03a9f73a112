"""`GET /analyze/career-insights?format=html`: the insights as a page with inline SVG charts (pure).

The page draws only on the answer's numbers (the aggregates kept on write: constant reads at any size). The
aggregates count months and categories apart, so the monthly bars are not split by category; the category
mix chart shows the split. Months: the CHART_MONTHS months up to the current one.
"""

from __future__ import annotations

from achievements.insights.models import CareerInsightsResponse
from achievements.insights.rules import month_window
from achievements.render.charts import SERIES_COLOURS, MonthlyStack, chart_grid, month_bars, ranked_bars
from achievements.render.charts import stacked_month_bars as month_count_bars
from achievements.render.figures import CATEGORY_LABELS
from achievements.render.page import HTML_HEADERS, document, escape

CHART_MONTHS = 12
TITLE = "Career insights"


def insights_charts(answer: CareerInsightsResponse) -> str:
    numbers = answer.numbers
    months = month_window(answer.generated_at, CHART_MONTHS)
    counts = MonthlyStack(
        months=months,
        series=["all"],
        counts={month: {"all": numbers.by_month.get(month, 0)} for month in months},
        labels={"all": "achievements"},
    )
    skills = numbers.top_skills or numbers.top_technologies
    return chart_grid(
        [
            month_count_bars("insights-months", "Achievements per month", counts),
            month_bars(
                "insights-impact",
                "Average impact score per month",
                months,
                {month: numbers.average_impact_by_month.get(month) for month in months},
                "",
                100,
            ),
            ranked_bars(
                "insights-categories",
                "Category mix",
                [(CATEGORY_LABELS[name], float(n)) for name, n in numbers.by_category.items() if n],
                "achievements",
                {CATEGORY_LABELS[name]: colour for name, colour in SERIES_COLOURS.items()},
            ),
            ranked_bars(
                "insights-skills",
                "Top skills" if numbers.top_skills else "Top technologies",
                [(name, float(n)) for name, n in skills.items()],
                "achievements",
                parts_of_whole=False,
            ),
        ]
    )


def render_html(answer: CareerInsightsResponse, subject: str) -> str:
    e = escape
    found = answer.insights
    title = f"{TITLE}: {subject}"
    parts = [
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">Generated {answer.generated_at:%Y-%m-%d %H:%M} UTC · {answer.numbers.total} achievements, '
        f"{answer.numbers.analysed} analysed</p>",
        f'<section class="summary"><h2>Trajectory</h2><p>{e(found.trajectory_detail.statement)}</p>'
        f"<p>Leadership score <strong>{found.leadership_score:g}/10</strong> from {found.leadership.signals} "
        f"leadership signals of {found.leadership.total}.</p></section>",
        insights_charts(answer),
        "<h2>Competencies</h2><ul>",
        *[f"<li><strong>{e(c.name)}</strong>: {e(c.detail)}</li>" for c in found.competency_evidence],
        "</ul><h2>Recommendations</h2><ul>",
        *[f"<li>{e(r.text)} <span class=cite>({e(r.because)})</span></li>" for r in found.recommendation_evidence],
        "</ul><h2>Suitable roles</h2><ul>",
        *[
            f"<li>{e(r.name)} <span class=cite>({e(r.basis)}: {e(r.evidence)})</span></li>"
            for r in found.suitable_role_evidence
        ],
        "</ul>",
    ]
    if found.salary_range_detail is not None:
        salary = found.salary_range_detail
        parts.append(
            f"<h2>Salary range</h2><p>{salary.min:,} to {salary.max:,} {e(salary.currency)} "
            f"<span class=cite>({e(salary.basis)}: {e(salary.note)})</span></p>"
        )
    top = answer.numbers.top_achievements
    if top:
        parts.append("<h2>Top achievements</h2><ol>")
        parts += [
            f"<li>{e(a.title)} <span class=cite>(impact {a.impact_score:g}/100, #{a.id})</span></li>" for a in top
        ]
        parts.append("</ol>")
    return document(title, parts)


def rendered_insights(answer: CareerInsightsResponse, format: str, subject: str) -> tuple[str, str, dict[str, str]]:
    """The insights as JSON (as ever) or as the HTML page: body, content type, headers."""
    if format == "html":
        return render_html(answer, subject), "text/html; charset=utf-8", dict(HTML_HEADERS)
    return answer.model_dump_json(), "application/json", {}
