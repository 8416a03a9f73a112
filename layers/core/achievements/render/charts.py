"""Charts as inline SVG drawn on the server (pure): no script, no font or image to fetch, a text alternative each.

Every chart is a `<figure class="chart">`: the `<svg role="img">` (its `<title>` and `<desc>` say what it
shows), a `<figcaption>` sentence with the main numbers, and the numbers themselves in a table inside
`<details>` (the text alternative: readable without the picture, by screen readers and in print). Vertical
charts draw one `<g class="bar">` per month, an empty month included, so a chart has as many bars as months.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from achievements.render.page import escape

WIDTH = 400
PLOT_TOP = 12
PLOT_BOTTOM = 34  # room for the month labels
PLOT_LEFT = 36
PLOT_RIGHT = 8
HEIGHT = 220
ROW = 22
LABEL_WIDTH = 150
FONT = 'font-family="system-ui,sans-serif" font-size="11"'
# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), then greys.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#7F6BB0", "#999999", "#555555")
SERIES_COLOURS = {
    "content": "#E69F00",
    "business": "#009E73",
    "performance": "#0072B2",
    "development": "#56B4E9",
    "infrastructure": "#CC79A7",
    "reliability": "#D55E00",
    "leadership": "#7F6BB0",
}
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def colour_of(series: str, position: int) -> str:
    return SERIES_COLOURS.get(series, PALETTE[position % len(PALETTE)])


def months_between(start: datetime, end: datetime) -> list[str]:
    """Every month (YYYY-MM, UTC) from the one of `start` to the one of `end`, both included."""
    first, last = start.astimezone(UTC), end.astimezone(UTC)
    months = []
    at = first.year * 12 + first.month - 1
    while at <= last.year * 12 + last.month - 1:
        months.append(f"{at // 12:04d}-{at % 12 + 1:02d}")
        at += 1
    return months


def month_label(month: str, with_year: bool) -> str:
    year, number = month.split("-")
    name = _MONTH_NAMES[int(number) - 1]
    return f"{name} {year}" if with_year else name


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 x 10^k at or above `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power + 1e-9:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _swatch(colour: str) -> str:
    return f'<svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" rx="2" fill="{colour}"/></svg>'


def _legend(series: Sequence[str], labels: Mapping[str, str]) -> str:
    items = "".join(
        f"<li>{_swatch(colour_of(name, i))}{escape(labels.get(name, name))}</li>" for i, name in enumerate(series)
    )
    return f'<ul class="legend" aria-hidden="true">{items}</ul>'


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th{' class=n' if i else ''}>{escape(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i else ''}>{escape(cell)}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return (
        f'<details><summary>Data</summary><div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div></details>"
    )


def _figure(chart_id: str, title: str, caption: str, svg_body: str, height: float, extra: str = "") -> str:
    return (
        f'<figure class="chart" id="{escape(chart_id)}">'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" {FONT}>'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(caption)}</desc>{svg_body}</svg>'
        f"<figcaption><strong>{escape(title)}.</strong> {escape(caption)}</figcaption>{extra}</figure>"
    )


def _axis(top: float, unit: str) -> str:
    """Grid lines at 0, half and the top of the scale, labelled on the left."""
    plot_height = HEIGHT - PLOT_TOP - PLOT_BOTTOM
    parts = []
    for fraction in (0.0, 0.5, 1.0):
        y = PLOT_TOP + plot_height * (1 - fraction)
        parts.append(
            f'<line x1="{PLOT_LEFT}" x2="{WIDTH - PLOT_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{PLOT_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
            f"{escape(_number(top * fraction))}{escape(unit)}</text>"
        )
    return "".join(parts)


def _month_ticks(months: Sequence[str]) -> list[str]:
    """Labels under the bars: every month up to 12, else every n-th (the year goes on a second line)."""
    step = max(1, math.ceil(len(months) / 12))
    return [month_label(month, False) if index % step == 0 else "" for index, month in enumerate(months)]


def _tick(x: float, month: str, label: str, first: bool) -> str:
    """A month's label; the year under it on the first month and on each January."""
    if not label:
        return ""
    text = f'<text x="{x:.1f}" y="{HEIGHT - PLOT_BOTTOM + 14}" text-anchor="middle" fill="#444">{escape(label)}</text>'
    if first or month.endswith("-01"):
        text += (
            f'<text x="{x:.1f}" y="{HEIGHT - PLOT_BOTTOM + 27}" text-anchor="middle" fill="#666">'
            f"{escape(month[:4])}</text>"
        )
    return text


@dataclass(frozen=True)
class MonthlyStack:
    """Counts per month and series (e.g. category): `counts[month][series]`."""

    months: Sequence[str]
    series: Sequence[str]
    counts: Mapping[str, Mapping[str, int]]
    labels: Mapping[str, str]


def stacked_month_bars(chart_id: str, title: str, data: MonthlyStack, noun: str = "achievements") -> str:
    """One bar per month, stacked by series, with a legend; caption: total, busiest month."""
    months = list(data.months)
    totals = [sum(data.counts.get(m, {}).values()) for m in months]
    top = nice_ceiling(max(totals, default=0))
    plot_height = HEIGHT - PLOT_TOP - PLOT_BOTTOM
    slot = (WIDTH - PLOT_LEFT - PLOT_RIGHT) / max(1, len(months))
    bar_width = max(2.0, slot * 0.7)
    parts = [_axis(top, "")]
    for index, (month, label) in enumerate(zip(months, _month_ticks(months), strict=True)):
        x = PLOT_LEFT + slot * index + (slot - bar_width) / 2
        y = float(PLOT_TOP + plot_height)
        segments = []
        for position, name in enumerate(data.series):
            value = data.counts.get(month, {}).get(name, 0)
            if value <= 0:
                continue
            height = plot_height * value / top
            y -= height
            segments.append(
                f'<rect class="segment" x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{height:.1f}" '
                f'fill="{colour_of(name, position)}"><title>{escape(month)} · {escape(data.labels.get(name, name))}'
                f": {value}</title></rect>"
            )
        parts.append(
            f'<g class="bar" data-month="{escape(month)}" data-value="{totals[index]}">'
            f"<title>{escape(month)}: {totals[index]} {escape(noun)}</title>{''.join(segments)}</g>"
        )
        parts.append(_tick(x + bar_width / 2, month, label, index == 0))
    total = sum(totals)
    if total:
        busiest = max(range(len(months)), key=lambda i: (totals[i], -i))
        caption = f"{total} {noun} over {len(months)} months; the most in {months[busiest]} ({totals[busiest]})."
    else:
        caption = f"No {noun} in these {len(months)} months."
    rows = [
        [month, str(totals[i]), *(str(data.counts.get(month, {}).get(s, 0)) for s in data.series)]
        for i, month in enumerate(months)
    ]
    headers = ["month", "total", *(data.labels.get(s, s) for s in data.series)]
    extra = _legend(data.series, data.labels) + _table(headers, rows)
    return _figure(chart_id, title, caption, "".join(parts), HEIGHT, extra)


def month_bars(
    chart_id: str, title: str, months: Sequence[str], values: Mapping[str, float | None], unit: str, top: float
) -> str:
    """One bar per month (a month without a value is an empty bar, marked "none"); caption: range and last."""
    plot_height = HEIGHT - PLOT_TOP - PLOT_BOTTOM
    slot = (WIDTH - PLOT_LEFT - PLOT_RIGHT) / max(1, len(months))
    bar_width = max(2.0, slot * 0.7)
    parts = [_axis(top, unit)]
    for index, (month, label) in enumerate(zip(months, _month_ticks(months), strict=True)):
        x = PLOT_LEFT + slot * index + (slot - bar_width) / 2
        value = values.get(month)
        shown = "none" if value is None else f"{_number(value)}{unit}"
        rect = ""
        if value is not None and value > 0:
            height = plot_height * min(value, top) / top
            rect = (
                f'<rect x="{x:.1f}" y="{PLOT_TOP + plot_height - height:.1f}" width="{bar_width:.1f}" '
                f'height="{height:.1f}" fill="{PALETTE[0]}"/>'
            )
        parts.append(
            f'<g class="bar" data-month="{escape(month)}" data-value="{"" if value is None else value}">'
            f"<title>{escape(month)}: {escape(shown)}</title>{rect}</g>"
        )
        parts.append(_tick(x + bar_width / 2, month, label, index == 0))
    known = [(m, v) for m in months if (v := values.get(m)) is not None]
    if known:
        low, high = min(v for _, v in known), max(v for _, v in known)
        caption = (
            f"From {_number(low)}{unit} to {_number(high)}{unit} in the {len(known)} of {len(months)} months "
            f"that have a value; {known[-1][0]}: {_number(known[-1][1])}{unit}."
        )
    else:
        caption = f"No values in these {len(months)} months."
    rows = [[m, "none" if values.get(m) is None else _number(values[m] or 0)] for m in months]
    return _figure(chart_id, title, caption, "".join(parts), HEIGHT, _table(["month", title], rows))


def ranked_bars(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, float]],
    noun: str,
    colours: Mapping[str, str] | None = None,
    parts_of_whole: bool = True,
) -> str:
    """Horizontal bars, largest first: a category mix (parts of a whole: shares shown) or a top list (not)."""
    ranked = sorted(items, key=lambda item: (-item[1], item[0]))
    total = sum(value for _, value in ranked) if parts_of_whole else 0
    top = max((value for _, value in ranked), default=0) or 1
    height = PLOT_TOP + ROW * max(1, len(ranked)) + 6
    bar_room = WIDTH - LABEL_WIDTH - PLOT_RIGHT - 56
    parts = []
    for index, (name, value) in enumerate(ranked):
        y = PLOT_TOP / 2 + ROW * index
        width = bar_room * value / top
        colour = (colours or {}).get(name, PALETTE[0])
        label = name if len(name) <= 24 else name[:23] + "…"
        share = f" ({value / total:.0%})" if total else ""
        parts.append(
            f'<g class="row" data-label="{escape(name)}" data-value="{_number(value)}">'
            f"<title>{escape(name)}: {escape(_number(value))} {escape(noun)}{escape(share)}</title>"
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15:.1f}" text-anchor="end" fill="#222">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4:.1f}" width="{max(width, 1):.1f}" height="{ROW - 8}" '
            f'fill="{colour}"/>'
            f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + 15:.1f}" fill="#444">'
            f"{escape(_number(value))}{escape(share)}</text></g>"
        )
    if ranked:
        first = ", ".join(f"{name} {_number(value)}" for name, value in ranked[:3])
        whole = f", {_number(total)} {noun} in all" if parts_of_whole else f" ({noun} showing each)"
        caption = f"{len(ranked)} shown{whole}; the most: {first}."
    else:
        caption = f"No {noun} to show."
    rows = [[name, _number(value), *([f"{value / total:.0%}"] if total else [])] for name, value in ranked]
    headers = ["name", noun, *(["share"] if total else [])]
    return _figure(chart_id, title, caption, "".join(parts), height, _table(headers, rows))


def chart_grid(figures: Sequence[str]) -> str:
    return '<section class="charts" aria-label="Charts">' + "".join(figures) + "</section>"
