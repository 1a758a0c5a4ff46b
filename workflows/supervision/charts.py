"""A small SVG bar-chart renderer, written here: no chart library, nothing fetched at run time.

`bar_chart` draws grouped bars (two series a group, e.g. income and expense by month; never a
difference of them). The SVG carries a `<title>` and a `<desc>`, every bar its own `<title>`
with its number, and the caller prints the same numbers as a table beside it: the chart is a
picture of the numbers, the numbers are the reading. The SVG scales to the phone's width
(viewBox, no fixed size) and uses classes, so the page's stylesheet colours it (print too).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 6, 10, 22


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence  # numbers (Decimal or int), one per category
    css: str          # the bar class, e.g. "bar-income"


def _nice_ceiling(value: float) -> float:
    """The axis top: 1, 2 or 5 × a power of ten at or above the largest value."""
    if value <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _short(value: float) -> str:
    if value >= 10000:
        text = f"{value / 10000:.1f}".rstrip("0").rstrip(".")
        return f"{text}万"
    return f"{value:,.0f}"


def bar_chart(*, title: str, description: str, categories: Sequence[str], series: Sequence[Series],
              fmt: Callable[[object], str] = str, chart_id: str = "chart") -> SafeString:
    """The SVG of a grouped bar chart (its numbers belong beside it, in the page's table)."""
    count = max(1, len(categories))
    top = _nice_ceiling(max([float(v or 0) for s in series for v in s.values] or [0]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / count
    bar_w = max(2.0, (group_w * 0.8) / max(1, len(series)))
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'xmlns="http://www.w3.org/2000/svg" data-testid="{escape(chart_id)}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end">{escape(_short(top * fraction))}</text>')
    for i, label in enumerate(categories):
        x0 = LEFT + group_w * i + group_w * 0.1
        for j, s in enumerate(series):
            raw = s.values[i] if i < len(s.values) else 0
            value = float(raw or 0)
            h = plot_h * (max(value, 0) / top)
            x = x0 + bar_w * j
            y = TOP + plot_h - h
            parts.append(f'<rect class="{escape(s.css)}" x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}">'
                         f'<title>{escape(label)} · {escape(s.name)}: {escape(fmt(raw))}</title></rect>')
        parts.append(f'<text class="axis" x="{LEFT + group_w * (i + 0.5):.1f}" y="{HEIGHT - 6}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def money_text(value) -> str:
    return f"¥{Decimal(value or 0):,.2f}"


def month_labels() -> list[str]:
    return [str(m) for m in range(1, 13)]
