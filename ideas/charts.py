"""Server-side bar charts as accessible inline SVG: no JavaScript, no style attributes.

Each chart is an <svg role="img"> with <title> and <desc>, horizontal bars as <rect> and the
values as visible <text>. The same numbers always appear in a data table next to the chart.
"""
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 480  # small, so the text stays readable when the chart shrinks to 375 px
LABEL_HEIGHT = 18
BAR_HEIGHT = 16
BAR_GAP = 4
GROUP_GAP = 12
VALUE_SPACE = 70
TEXT = "#1a1a1a"
# Both colours reach a contrast of more than 4.5:1 against white.
COLOURS = ("#0b4f8a", "#a63d00")


@dataclass
class Series:
    name: str
    values: list
    colour: str = COLOURS[0]


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))
    return str(value)


def bar_chart(chart_id: str, title, desc, labels: list, series: list, unit: str = "") -> Markup:
    """An SVG bar chart with one group of bars per label and one bar per series."""
    largest = max([v for s in series for v in s.values] + [0]) or 1
    usable = WIDTH - VALUE_SPACE
    parts = []
    y = 0
    if len(series) > 1:
        x = 0
        for s in series:
            parts.append(f'<rect x="{x}" y="{y + 2}" width="14" height="14" fill="{escape(s.colour)}"/>')
            parts.append(f'<text x="{x + 20}" y="{y + 14}" fill="{TEXT}" font-size="14">{escape(s.name)}</text>')
            x += 40 + 9 * len(str(s.name))
        y += LABEL_HEIGHT + GROUP_GAP
    for index, label in enumerate(labels):
        parts.append(f'<text x="0" y="{y + 14}" fill="{TEXT}" font-size="14">{escape(label)}</text>')
        y += LABEL_HEIGHT + 2
        for s in series:
            value = s.values[index]
            width = round(usable * value / largest, 1) if value > 0 else 0
            parts.append(f'<rect x="0" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="{escape(s.colour)}">'
                         f'<title>{escape(s.name)}: {escape(_number(value))}{escape(unit)}</title></rect>')
            parts.append(f'<text x="{width + 6}" y="{y + 13}" fill="{TEXT}" font-size="13">'
                         f'{escape(_number(value))}{escape(unit)}</text>')
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
    height = max(y, 30)
    chart_id = escape(chart_id)
    return Markup(  # noqa: S704 - every value in it went through escape() above  # nosec B704
        f'<svg class="bar-chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        + "".join(parts) + "</svg>"
    )
