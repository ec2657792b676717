"""Inline SVG bar charts for the HTML report: markup only, no script, no fetch."""

from html import escape

WIDTH = 640
HEIGHT = 180
MARGIN = 28


def bar_chart(title: str, bars: list[tuple[str, int]]) -> str:
    """An ``<svg>`` bar chart of ``bars`` (label, value), each bar titled with both."""
    if not bars:
        return f'<p class="empty">{escape(title)}: no rows.</p>'
    top = max(value for _, value in bars) or 1
    slot = (WIDTH - 2 * MARGIN) / len(bars)
    plot = HEIGHT - 2 * MARGIN
    shapes = []
    for number, (label, value) in enumerate(bars):
        height = plot * value / top
        x = MARGIN + number * slot
        shapes.append(
            f'<rect x="{x + 1:.1f}" y="{HEIGHT - MARGIN - height:.1f}" '
            f'width="{max(slot - 2, 1):.1f}" height="{height:.1f}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
    first, last = bars[0][0], bars[-1][0]
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" '
        f'y2="{HEIGHT - MARGIN}" class="axis"/>'
        f'<text x="{MARGIN}" y="{MARGIN - 10}">max {top}</text>'
        f'<text x="{MARGIN}" y="{HEIGHT - 8}">{escape(first)}</text>'
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - 8}" text-anchor="end">{escape(last)}</text>'
        + "".join(shapes)
        + "</svg>"
    )
