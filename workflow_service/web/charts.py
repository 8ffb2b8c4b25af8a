"""Server-rendered SVG bar charts for the statistics (no chart library, nothing loaded from elsewhere):
one horizontal bar per unit and series, the figures printed beside the bars so the chart reads without colour."""
from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = ("#0b4f8a", "#b54708", "#067647", "#b42318")


def _number(value, money: bool = False) -> str:
    if value is None:
        return "—"
    if money:
        return f"{value:,.2f}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def money(value) -> str:
    """An amount of yuan as people write it: 30,000.00 元 (never 30000.0)."""
    if value is None or value == "":
        return "—"
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{amount:,.2f} 元"


def figure(value, key: str) -> str:
    """A statistics figure for its column: amounts (…_yuan) as money, rates with one decimal, counts with
    thousands separators."""
    if value is None:
        return "—"
    if key.endswith("_yuan"):
        return money(value)
    if key.endswith("_rate"):
        return f"{value:.1f}"
    return _number(value)


def _text_width(text: str, size: int) -> float:
    """About how wide a label is drawn: a Chinese character takes the font size, a digit or letter about 0.6 of it."""
    return sum(size if ord(ch) > 0x2e80 else size * 0.6 for ch in text)


def bar_chart(title: str, labels: list[str], series: list[tuple[str, list]], width: int = 560,
              money: bool = False) -> Markup:
    """`series`: [(name, [value per label])]. Each label gets one bar per series, scaled to the largest value.
    The label column is as wide as the longest unit name (a name is never cut), the value column as wide as the
    largest figure; `money`: figures as amounts (30,000.00)."""
    bar_h, gap, top = 18, 12, 34
    label_w = int(max([_text_width(label, 13) for label in labels] + [60])) + 12
    value_w = int(max([_text_width(_number(v, money), 12) for _n, values in series for v in values] + [20])) + 12
    width = max(width, label_w + value_w + 200)
    plot_w = width - label_w - value_w
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
        parts.append(f'<text x="{label_w - 6}" y="{y0 + group_h / 2}" font-size="13" text-anchor="end">'
                     f'{escape(label)}</text>')
        for i, (_name, values) in enumerate(series):
            value = values[row] or 0
            w = max(0.0, plot_w * value / largest)
            y = y0 + i * bar_h
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                         f'fill="{COLOURS[i % len(COLOURS)]}"/>'
                         f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 5}" font-size="12">{_number(values[row], money)}</text>')
    parts.append(f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{height - 6}" stroke="#98a2b3"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
