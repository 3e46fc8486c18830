"""The date histogram of a result: its interval fitted to the span of the matching articles.

A fixed monthly facet says nothing about three weeks of news (every query on SaudiNewsNet,
July–August 2015, drew two bars).  As Elasticsearch's ``auto_date_histogram`` (what Kibana
draws) does, the interval is chosen from the data: the *finest* of day, week, month and year
whose buckets from the first matching article's date to the last one's number at most
:data:`MAX_BUCKETS` — so days for spans of up to two months, weeks up to fourteen months,
months up to five years, years beyond (as many as the span holds: there is no coarser
interval).  Buckets are calendar-aligned, so the same day always falls in the same bucket
whatever the query.

Weeks start on Saturday (:data:`WEEK_START`), the first day of the week on the calendars of
most Arab countries (CLDR: Egypt, Iraq, Syria, Jordan, the Gulf states but the Emirates;
Saudi Arabia counts from Sunday since its 2013 weekend change, ISO 8601 from Monday).

Dates are day numbers (days since 1970-01-01, numpy's ``datetime64[D]``), so bucketing the
dates of 31k matching articles is a few vectorized operations.  Undated articles are not
counted.

Layer: the read side (backend-neutral; a backend hands over the matching articles' days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from search.daterange import date_range
from search.request import SearchRequest
from search.results import FacetValue

__all__ = [
    "INTERVALS",
    "MAX_BUCKETS",
    "WEEK_START",
    "Bucket",
    "DateHistogram",
    "choose_interval",
    "date_histogram",
    "day_number",
    "every_bucket",
    "facet_values",
]

#: From the finest to the coarsest.
INTERVALS = ("day", "week", "month", "year")
#: At most this many buckets from the first date to the last (the coarsest interval excepted):
#: two months of days, a bar at least 12 px wide in the 720 px results column.
MAX_BUCKETS = 60
#: The first day of a week bucket, as ``datetime.date.weekday()`` numbers it (5: Saturday).
WEEK_START = 5
#: Day number of the first WEEK_START day on or after 1970-01-01 (a Thursday, weekday 3).
_WEEK_ORIGIN = (WEEK_START - 3) % 7
_EPOCH = dt.date(1970, 1, 1)
#: The numpy datetime unit of each interval's bucket values (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``).
_UNITS = {"day": "D", "week": "D", "month": "M", "year": "Y"}


def day_number(date: dt.date) -> int:
    """Days since 1970-01-01 (negative before): the histogram's date unit."""
    return (date - _EPOCH).days


@dataclass(frozen=True)
class Bucket:
    """One bar: ``value`` names it (``YYYY-MM-DD`` for a day or a week's first day, ``YYYY-MM``,
    ``YYYY``); it spans ``first`` to ``last``, both inclusive."""

    value: str
    first: dt.date
    last: dt.date
    count: int


@dataclass(frozen=True)
class DateHistogram:
    """Counts per ``interval`` bucket, oldest first; ``buckets`` holds the non-empty ones only."""

    interval: str
    buckets: tuple[Bucket, ...]

    @property
    def total(self) -> int:
        return sum(bucket.count for bucket in self.buckets)


def every_bucket(interval: str, values: list[str]) -> list[str]:
    """Every bucket value from the first of ``values`` to the last, in order (a chart's x axis,
    where the buckets without articles are gaps); ``values`` are bucket values, oldest first."""
    if not values:
        return []
    ends = np.array([values[0], values[-1]], dtype="datetime64[D]").astype(np.int64)
    keys = _keys(interval, ends)
    return _spans(interval, np.arange(keys[0], keys[1] + 1))[0]


def choose_interval(first_day: int, last_day: int, max_buckets: int = MAX_BUCKETS) -> str:
    """The finest interval with at most ``max_buckets`` buckets from ``first_day`` to ``last_day``."""
    ends = np.array([first_day, last_day], dtype=np.int64)
    for interval in INTERVALS[:-1]:
        keys = _keys(interval, ends)
        if keys[1] - keys[0] + 1 <= max_buckets:
            return interval
    return INTERVALS[-1]


def date_histogram(days: np.ndarray, max_buckets: int = MAX_BUCKETS) -> DateHistogram | None:
    """The histogram of the day numbers ``days`` (one per dated article); None when there are none."""
    if not len(days):
        return None
    days = days.astype(np.int64, copy=False)
    interval = choose_interval(int(days.min()), int(days.max()), max_buckets)
    keys = _keys(interval, days)
    origin = int(keys.min())
    counts = np.bincount(keys - origin)
    present = np.flatnonzero(counts)
    values, firsts, lasts = _spans(interval, present + origin)
    buckets = zip(values, firsts, lasts, counts[present].tolist(), strict=True)
    return DateHistogram(interval, tuple(Bucket(*bucket) for bucket in buckets))


def facet_values(histogram: DateHistogram | None, request: SearchRequest) -> tuple[FacetValue, ...]:
    """The buckets as the result's ``date`` facet values, each narrowing ``from``/``to`` to its span.

    A bucket reaching outside the request's own date range narrows to the part inside it, so
    that following its link never widens the search (the first week of ``from=2015-01-05``
    starts on Saturday the 3rd).  A week always gives its days, since its value names only
    its first one.
    """
    if histogram is None:
        return ()
    start, end = date_range(request.date_from, request.date_to) or (None, None)
    values = []
    for bucket in histogram.buckets:
        first = max(bucket.first, start.date()) if start else bucket.first
        last = min(bucket.last, end.date()) if end else bucket.last
        whole = (first, last) == (bucket.first, bucket.last) and histogram.interval != "week"
        bounds = None if whole else (first.isoformat(), last.isoformat())
        values.append(FacetValue(bucket.value, bucket.count, "date", request, bounds))
    return tuple(values)


def _keys(interval: str, days: np.ndarray) -> np.ndarray:
    """Each day's bucket number: consecutive buckets have consecutive numbers."""
    if interval == "day":
        return days
    if interval == "week":
        return (days - _WEEK_ORIGIN) // 7
    return days.astype("datetime64[D]").astype(f"datetime64[{_UNITS[interval]}]").astype(np.int64)


def _starts(interval: str, keys: np.ndarray) -> np.ndarray:
    """The first day number of each bucket ``keys`` (the inverse of :func:`_keys`)."""
    if interval == "day":
        return keys
    if interval == "week":
        return keys * 7 + _WEEK_ORIGIN
    return keys.astype(f"datetime64[{_UNITS[interval]}]").astype("datetime64[D]").astype(np.int64)


def _spans(interval: str, keys: np.ndarray) -> tuple[list[str], list[dt.date], list[dt.date]]:
    """Value, first and last day of each bucket ``keys``."""
    starts = _starts(interval, keys)
    ends = _starts(interval, keys + 1) - 1
    if interval in ("day", "week"):
        labels = starts.astype("datetime64[D]")
    else:
        labels = keys.astype(f"datetime64[{_UNITS[interval]}]")
    values = np.datetime_as_string(labels)
    return values.tolist(), _dates(starts), _dates(ends)


def _dates(days: np.ndarray) -> list[dt.date]:
    return days.astype("datetime64[D]").tolist()
