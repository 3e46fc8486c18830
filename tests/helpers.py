"""Small helpers shared by the test modules."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any


def as_json(value: Any) -> Any:
    """A result object (or a list of them, or None) as the JSON the API and ``--json`` give."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    return value.to_json()


def brute_histogram(dates: list[dt.date], max_buckets: int = 60) -> tuple[str | None, list[dict[str, Any]]]:
    """The date histogram recomputed with the standard library, for comparison with the engine's numpy one.

    The finest of day, week (from Saturday), month, year with at most ``max_buckets`` calendar
    buckets from the first date to the last (years whatever their number); the non-empty
    buckets oldest first as ``{"value", "count"}``.
    """
    if not dates:
        return None, []

    def bucket(interval: str, day: dt.date) -> tuple[int, ...]:
        if interval == "day":
            return (day.toordinal(),)
        if interval == "week":
            return ((day - dt.timedelta(days=(day.weekday() - 5) % 7)).toordinal(),)
        return (day.year, day.month) if interval == "month" else (day.year,)

    def width(interval: str) -> int:
        lo, hi = bucket(interval, min(dates)), bucket(interval, max(dates))
        if interval == "week":
            return (hi[0] - lo[0]) // 7 + 1
        if interval == "month":
            return hi[0] * 12 + hi[1] - lo[0] * 12 - lo[1] + 1
        return hi[0] - lo[0] + 1

    interval = next((i for i in ("day", "week", "month") if width(i) <= max_buckets), "year")
    counts = Counter(bucket(interval, day) for day in dates)

    def label(key: tuple[int, ...]) -> str:
        if interval in ("day", "week"):
            return dt.date.fromordinal(key[0]).isoformat()
        return f"{key[0]:04d}-{key[1]:02d}" if interval == "month" else f"{key[0]:04d}"

    return interval, [{"value": label(key), "count": counts[key]} for key in sorted(counts)]
