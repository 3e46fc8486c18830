"""Dates as users type them — ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` — into inclusive ranges.

One reading for the query language (``date:2017``, ``date:[2017-05 to 2017-11]``) and for the
``from``/``to`` filters of every front end: ``2017-05`` starts on May 1st and ends on May 31st.

Layer: the read side.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from index.normalize import clean
from search.errors import QueryError

__all__ = ["DateRange", "date_range", "parse_bound", "parse_range_syntax"]

_DATE_RE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?|(\d{4})(\d{2})(\d{2})?")
_RANGE_RE = re.compile(r"\s*(\S*?)\s*\bto\b\s*(\S*)\s*", re.IGNORECASE)

#: ``(first moment, last moment)``; either end None: open.
DateRange = tuple[dt.datetime | None, dt.datetime | None]


def parse_bound(value: str) -> tuple[dt.datetime, dt.datetime]:
    """The first and last moment of the year, month or day ``value`` names; :class:`QueryError` if none."""
    match = _DATE_RE.fullmatch(clean(value.strip()))
    if match is None:
        raise QueryError(f"cannot read the date '{value}'; write YYYY, YYYY-MM or YYYY-MM-DD")
    groups = match.groups()
    year, month, day = groups[:3] if groups[0] else groups[3:]
    try:
        y = int(year)
        if not 1 <= y <= 9999:
            raise ValueError
        if month is None:
            return dt.datetime(y, 1, 1), dt.datetime(y, 12, 31, 23, 59, 59, 999999)
        m = int(month)
        if day is None:
            last = calendar.monthrange(y, m)[1]
            return dt.datetime(y, m, 1), dt.datetime(y, m, last, 23, 59, 59, 999999)
        d = dt.date(y, m, int(day))
    except (ValueError, OverflowError, calendar.IllegalMonthError):
        raise QueryError(f"'{value}' is not a valid date") from None
    return dt.datetime.combine(d, dt.time.min), dt.datetime.combine(d, dt.time.max)


def date_range(date_from: str | None, date_to: str | None) -> DateRange | None:
    """``from``/``to`` as YYYY[-MM[-DD]], both ends inclusive (``to=2017-05`` includes May 31); None: no range."""
    start = parse_bound(date_from)[0] if date_from else None
    end = parse_bound(date_to)[1] if date_to else None
    if start is None and end is None:
        return None
    if start is not None and end is not None and start > end:
        raise QueryError(f"the date range {date_from} to {date_to} ends before it starts")
    return start, end


def parse_range_syntax(value: str) -> DateRange:
    """The query language's ``date:`` value: one date (its whole year/month/day) or ``[a to b]``."""
    if not value:
        raise QueryError("date: needs a value, e.g. date:2017 or date:[2017-05 to 2017-11]")
    if not (value.startswith("[") and value.endswith("]")):
        return parse_bound(value)
    match = _RANGE_RE.fullmatch(value[1:-1])
    if match is None or not (match.group(1) or match.group(2)):
        raise QueryError("write a date range as date:[2017-05 to 2017-11] (either end may be left out)")
    start = parse_bound(match.group(1))[0] if match.group(1) else None
    end = parse_bound(match.group(2))[1] if match.group(2) else None
    if start is not None and end is not None and start > end:
        raise QueryError(f"the date range {value} ends before it starts")
    return start, end
