"""Bar charts over time as inline SVG, drawn on the server: an entity's months, a result's dates.

No chart library, CDN or script: the pages stay usable without JavaScript and within the
Content-Security-Policy.  Time runs right to left, as the page reads.  Each bar's ``<title>``
gives its date and count on hover.

* The entity page's timeline (:func:`timeline_svg`) is one image to assistive technology
  (``role="img"``) whose ``aria-label`` says in words what the bars show.
* The results page's date histogram (:func:`histogram_svg`) is a group of links, one per bar,
  each to the search narrowed to that bar's day, week, month or year (the date facet value's
  toggle); the group's ``aria-label`` summarizes the chart, each link's names its bar, and
  the links are reached with the keyboard in time order.  An empty bucket is a gap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from search.histogram import every_bucket
from search.request import SearchRequest
from search.results import SearchResult

__all__ = ["INTERVAL_NAMES", "Bar", "histogram_summary", "histogram_svg", "summary", "timeline_svg"]

#: A chart grows with the number of bars, between these widths (it shrinks on a phone).
MIN_WIDTH = 200
MAX_WIDTH = 720
SLOT_WIDTH = 60
HEIGHT = 180
#: The results page's histogram is lower: it stands above the hits.
HISTOGRAM_HEIGHT = 120
#: Room under the bars for the axis labels.
AXIS = 26
TOP = 8
#: Fraction of each slot the bar fills, so neighbouring bars stay apart.
BAR_FILL = 0.8
#: A bar is never wider than this, however few there are.
MAX_BAR = 56
#: Axis labels closer than this are left out rather than drawn over each other.
MIN_LABEL_GAP = 64
#: Half the width of one character of an axis label (13 px digits), to keep labels inside the chart.
HALF_CHAR = 3.8
#: A histogram spanning more buckets than this (years of stray dates) draws only the non-empty ones.
MAX_SLOTS = 240
#: Each interval named in a sentence: (singular with the article, plural with the article).
INTERVAL_NAMES = {
    "day": ("اليوم", "الأيام"),
    "week": ("الأسبوع", "الأسابيع"),
    "month": ("الشهر", "الأشهر"),
    "year": ("السنة", "السنوات"),
}


@dataclass(frozen=True)
class Bar:
    """One slot of a chart: its date label and count, and for a histogram its link."""

    label: str
    count: int
    url: str | None = None
    selected: bool = False


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
    bars = [Bar(item["month"], item["count"]) for item in timeline]
    return _chart("timeline", bars, summary(name, timeline), HEIGHT)


def histogram_summary(interval: str, bars: list[Bar]) -> str:
    """The histogram in one sentence: dated results, interval, span and busiest bar."""
    total = sum(bar.count for bar in bars)
    one, many = INTERVAL_NAMES[interval]
    busiest = max(bars, key=lambda bar: bar.count)
    first, last = bars[0].label, bars[-1].label
    span = f"في {first}" if first == last else f"من {first} إلى {last}"
    return f"النتائج المؤرخة حسب {one}: {total}، {span}؛ أكثر {many}: {busiest.label} ({busiest.count})"


def histogram_svg(result: SearchResult, url_for: Callable[[SearchRequest], str]) -> Markup:
    """The result's date facet as linked bars, with a gap for each empty bucket; empty without dates."""
    values = [value for value in result.facets.get("date", ()) if value.toggle is not None]
    if not values or result.date_interval is None:
        return Markup("")
    by_value = {value.value: value for value in values}
    slots = every_bucket(result.date_interval, list(by_value))
    if len(slots) > MAX_SLOTS:
        slots = list(by_value)
    bars = []
    for slot in slots:
        value = by_value.get(slot)
        toggle = value.toggle if value is not None else None
        if value is None or toggle is None:
            bars.append(Bar(slot, 0))
        else:
            bars.append(Bar(slot, value.count, url_for(toggle), value.selected))
    return _chart("histogram", bars, histogram_summary(result.date_interval, bars), HISTOGRAM_HEIGHT, linked=True)


def _chart(css_class: str, bars: list[Bar], label: str, height: int, linked: bool = False) -> Markup:
    """The ``<svg>``: an image of bars, or (``linked``) a group of links, one per non-empty bar."""
    width = min(MAX_WIDTH, max(MIN_WIDTH, SLOT_WIDTH * len(bars)))
    role = "group" if linked else "img"
    parts = [
        f'<svg class="{css_class}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="{role}"'
        f' aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<line class="axis" x1="0" y1="{height - AXIS}" x2="{width}" y2="{height - AXIS}"/>',
        *_bars(bars, width, height, linked),
        *_labels(bars, width, height),
        "</svg>",
    ]
    return Markup("".join(parts))  # numbers, escaped text and escaped URLs only


def _slot(index: int, count: int, chart_width: int) -> tuple[float, float]:
    """The x position and width of slot ``index`` of ``count``, counted from the right."""
    width = chart_width / count
    return chart_width - (index + 1) * width, width


def _bars(bars: list[Bar], chart_width: int, height: int, linked: bool) -> list[str]:
    peak = max(bar.count for bar in bars)
    room = height - AXIS - TOP
    out = []
    for i, bar in enumerate(bars):
        if linked and not bar.count:
            continue  # a gap: nothing to link to
        x, width = _slot(i, len(bars), chart_width)
        bar_height = room * bar.count / peak
        bar_width = min(width * BAR_FILL, MAX_BAR)
        selected = " selected" if bar.selected else ""
        rect = (
            f'<rect class="bar{selected}" x="{x + (width - bar_width) / 2:.1f}" y="{height - AXIS - bar_height:.1f}"'
            f' width="{bar_width:.1f}" height="{bar_height:.1f}">'
        )
        title = f"<title>{escape(bar.label)}: {bar.count}</title>"
        if not linked or bar.url is None:
            out.append(f"{rect}{title}</rect>")
            continue
        current = ' aria-current="true"' if bar.selected else ""
        out.append(
            f'<a href="{escape(bar.url)}" aria-label="{escape(bar.label)}: {bar.count}"{current}>{title}'
            f'<rect class="slot" x="{x:.1f}" y="{TOP}" width="{width:.1f}" height="{room}"/>{rect}</rect></a>'
        )
    return out


def _labels(bars: list[Bar], chart_width: int, height: int) -> list[str]:
    """The first and last bar's date under it, and where a coarser unit starts, that unit
    (a month among days or weeks, a year among months)."""
    last = len(bars) - 1
    wanted = [(i, bar.label) for i, bar in enumerate(bars) if i in (0, last)]
    wanted += [
        (i, _coarse(bar.label))
        for i, bar in enumerate(bars)
        if 0 < i < last and _coarse(bar.label) != _coarse(bars[i - 1].label)
    ]
    out: list[str] = []
    placed: list[tuple[float, float]] = []  # centre and half width of each label drawn
    for i, text in sorted(wanted, key=lambda pair: (pair[0] not in (0, last), pair[0])):
        x, width = _slot(i, len(bars), chart_width)
        half = HALF_CHAR * len(text)
        centre = min(max(x + width / 2, half), chart_width - half)
        if any(abs(centre - other) < max(MIN_LABEL_GAP, half + other_half + 8) for other, other_half in placed):
            continue
        placed.append((centre, half))
        out.append(f'<text class="year" x="{centre:.1f}" y="{height - 6}" text-anchor="middle">{escape(text)}</text>')
    return out


def _coarse(label: str) -> str:
    """The unit above a bar's: ``YYYY-MM`` of a day or week, ``YYYY`` of a month, a year's decade."""
    if len(label) == 10:
        return label[:7]
    if len(label) == 7:
        return label[:4]
    return label[:3] + "0" if len(label) == 4 else label
