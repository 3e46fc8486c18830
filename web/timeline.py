"""An entity's mentions per month as an inline SVG bar chart, drawn on the server.

No chart library, CDN or script: the page stays usable without JavaScript and within the
Content-Security-Policy.  The chart is one image to assistive technology (``role="img"``)
whose ``aria-label`` says in words what the bars show; each bar's ``<title>`` gives its
month and count on hover.  Time runs right to left, as the page reads.
"""

from __future__ import annotations

from markupsafe import Markup, escape

#: The chart grows with the number of months, between these widths (it shrinks on a phone).
MIN_WIDTH = 200
MAX_WIDTH = 720
MONTH_WIDTH = 60
HEIGHT = 180
#: Room under the bars for the year labels.
AXIS = 26
TOP = 8
#: Fraction of each slot the bar fills, so neighbouring bars stay apart.
BAR_FILL = 0.8
#: A bar is never wider than this, however few months there are.
MAX_BAR = 56
#: Axis labels closer than this are left out rather than drawn over each other.
MIN_LABEL_GAP = 64


def summary(name: str, timeline: list[dict]) -> str:
    """The chart in one sentence: total, span and busiest month (the SVG's text alternative)."""
    total = sum(item["count"] for item in timeline)
    if not total:
        return f"لا أخبار مؤرخة عن {name}"
    busiest = max(timeline, key=lambda item: item["count"])
    first, last = timeline[0]["month"], timeline[-1]["month"]
    span = f"في {first}" if first == last else f"من {first} إلى {last}"
    return f"عدد الأخبار المؤرخة عن {name}: {total}، {span}؛ أكثر الأشهر: {busiest['month']} ({busiest['count']})"


def timeline_svg(name: str, timeline: list[dict]) -> Markup:
    """``<svg>`` with one ``<rect>`` per month; empty Markup when no article is dated."""
    if not any(item["count"] for item in timeline):
        return Markup("")
    label = summary(name, timeline)
    width = min(MAX_WIDTH, max(MIN_WIDTH, MONTH_WIDTH * len(timeline)))
    parts = [
        f'<svg class="timeline" width="{width}" height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}" role="img"'
        f' aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<line class="axis" x1="0" y1="{HEIGHT - AXIS}" x2="{width}" y2="{HEIGHT - AXIS}"/>',
        *_bars(timeline, width),
        *_labels(timeline, width),
        "</svg>",
    ]
    return Markup("".join(parts))  # numbers and escaped text only


def _slot(index: int, count: int, chart_width: int) -> tuple[float, float]:
    """The x position and width of slot ``index`` of ``count``, counted from the right."""
    width = chart_width / count
    return chart_width - (index + 1) * width, width


def _bars(timeline: list[dict], chart_width: int) -> list[str]:
    peak = max(item["count"] for item in timeline)
    room = HEIGHT - AXIS - TOP
    out = []
    for i, item in enumerate(timeline):
        x, width = _slot(i, len(timeline), chart_width)
        height = room * item["count"] / peak
        bar_width = min(width * BAR_FILL, MAX_BAR)
        out.append(
            f'<rect class="bar" x="{x + (width - bar_width) / 2:.1f}" y="{HEIGHT - AXIS - height:.1f}"'
            f' width="{bar_width:.1f}" height="{height:.1f}">'
            f"<title>{escape(item['month'])}: {item['count']}</title></rect>"
        )
    return out


def _labels(timeline: list[dict], chart_width: int) -> list[str]:
    """The first and last month under their bars, and each January's year in between."""
    last = len(timeline) - 1
    wanted = [(i, item["month"]) for i, item in enumerate(timeline) if i in (0, last)]
    wanted += [(i, item["month"][:4]) for i, item in enumerate(timeline) if 0 < i < last and item["month"][5:] == "01"]
    out: list[str] = []
    placed: list[float] = []
    for i, text in sorted(wanted, key=lambda pair: (pair[0] not in (0, last), pair[0])):
        x, width = _slot(i, len(timeline), chart_width)
        centre = x + width / 2
        if any(abs(centre - other) < MIN_LABEL_GAP for other in placed):
            continue
        placed.append(centre)
        out.append(f'<text class="year" x="{centre:.1f}" y="{HEIGHT - 6}" text-anchor="middle">{escape(text)}</text>')
    return out
