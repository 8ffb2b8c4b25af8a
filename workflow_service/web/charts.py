"""Server-rendered SVG bar charts for the statistics (no chart library, nothing loaded from elsewhere):
one horizontal bar per unit and series, the figures printed beside the bars so the chart reads without colour."""
from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = ("#0b4f8a", "#b54708", "#067647", "#b42318")


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def bar_chart(title: str, labels: list[str], series: list[tuple[str, list]], width: int = 560) -> Markup:
    """`series`: [(name, [value per label])]. Each label gets one bar per series, scaled to the largest value."""
    label_w, bar_h, gap, top = 150, 18, 12, 34
    plot_w = width - label_w - 70
    largest = max([v or 0 for _name, values in series for v in values] + [0]) or 1
    group_h = bar_h * len(series) + gap
    height = top + group_h * len(labels) + 10
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(title)}</title>']
    x = label_w
    for i, (name, _values) in enumerate(series):  # legend
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="17" font-size="13">{escape(name)}</text>')
        x += 28 + 14 * len(name)
    for row, label in enumerate(labels):
        y0 = top + row * group_h
        text = label if len(label) <= 11 else label[:10] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y0 + group_h / 2}" font-size="13" text-anchor="end">'
                     f'<title>{escape(label)}</title>{escape(text)}</text>')
        for i, (_name, values) in enumerate(series):
            value = values[row] or 0
            w = max(0.0, plot_w * value / largest)
            y = y0 + i * bar_h
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                         f'fill="{COLOURS[i % len(COLOURS)]}"/>'
                         f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 5}" font-size="12">{_number(values[row])}</text>')
    parts.append(f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{height - 6}" stroke="#98a2b3"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
