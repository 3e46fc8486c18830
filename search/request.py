"""The query model: one search as every front end asks for it, with every limit defined once.

The page, ``/api/search``, ``search-cli search`` and the feed-like listings all build a
:class:`SearchRequest`, from a query string (:meth:`SearchRequest.from_args`) or from CLI
options, and turn it back into query-string arguments for links (:meth:`SearchRequest.to_args`),
so a URL copied from the page works against the API and the other way round.

Layer: the read side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from index.contract import ENTITY_TYPES
from search.daterange import date_range
from search.errors import QueryError

__all__ = [
    "DEFAULT_PER_PAGE",
    "FILTER_KEYS",
    "MAX_FILTER_CHARS",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "MAX_QUERY_CHARS",
    "MAX_RUN_DEPTH",
    "SORTS",
    "SearchRequest",
]

#: Characters of one query.
MAX_QUERY_CHARS = 1000
#: Hits per page on every front end.
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10
#: The largest page number accepted (a page past the last is simply empty).
MAX_PAGE = 2**31 - 1
#: Ranked hits one query of a TREC run may ask for (``search-cli batch --limit``).
MAX_RUN_DEPTH = 1000
SORTS = ("relevance", "date")
#: Repeatable facet filters (AND across keys, OR within one), then the date range.
FACET_FILTERS = (*ENTITY_TYPES, "source")
#: Single-valued filters: the date range, and one story (``index/stories.py``: its articles only).
SINGLE_FILTERS = ("from", "to", "story")
FILTER_KEYS = (*FACET_FILTERS, *SINGLE_FILTERS)
#: How ``collapse=`` is written in a query string.
_TRUE, _FALSE = ("", "1", "true", "yes", "on"), ("0", "false", "no", "off")
#: Filter values longer than this are refused like an over-long query.
MAX_FILTER_CHARS = 200


class ArgSource(Protocol):
    """A query string: ``request.args`` (a MultiDict) or any mapping of lists."""

    def get(self, key: str, default: Any = ...) -> Any: ...

    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class SearchRequest:
    """One search: words, filters, sort and page.

    ``q`` is the query language (``search/query.py``); the filters are AND across facets,
    OR within one (``person=("a", "b")``: either), dates ``YYYY[-MM[-DD]]`` inclusive.  A
    request with filters and no words lists the filtered articles newest first.

    ``collapse``: each story (wire copies of one article) is listed once, by its best-ranked
    article, which carries the others as duplicates; ``story`` keeps one story's articles.
    """

    q: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = "relevance"  # or "date": newest first, undated last, ties by score
    person: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    story: str | None = None
    collapse: bool = True
    #: Filter values in the order they were given, for chips and links; derived, not compared.
    order: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)

    # -- reading and checking

    @classmethod
    def from_args(cls, args: ArgSource) -> SearchRequest:
        """Read and validate a query string (``q``, ``sort``, ``page``, ``per_page``, ``collapse``, filters)."""
        q = args.get("q", "") or ""
        sort = args.get("sort", "relevance") or "relevance"
        page = _int_arg(args.get("page", ""), "page", 1, MAX_PAGE)
        per_page = _int_arg(args.get("per_page", ""), "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        collapse = _bool_arg(args.get("collapse", ""), "collapse")
        pairs = _filter_pairs(args)
        request = cls(q=q, page=page, per_page=per_page, sort=sort, collapse=collapse).with_filters(pairs)
        request.validate()
        return request

    def validate(self) -> None:
        """Raise :class:`QueryError` for a value no front end may send."""
        if not isinstance(self.q, str):
            raise QueryError("the query must be text")
        if len(self.q) > MAX_QUERY_CHARS:
            raise QueryError(f"the query is too long ({len(self.q)} characters; the limit is {MAX_QUERY_CHARS})")
        if not isinstance(self.per_page, int) or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE} (got {self.per_page!r})")
        if not isinstance(self.page, int) or not 1 <= self.page <= MAX_PAGE:
            raise QueryError(f"page must be between 1 and {MAX_PAGE} (got {str(self.page)[:20]})")
        if self.sort not in SORTS:
            raise QueryError(f"sort must be 'relevance' or 'date' (got {self.sort!r})")
        if not isinstance(self.collapse, bool):
            raise QueryError(f"collapse must be true or false (got {self.collapse!r})")
        for key in (*FACET_FILTERS, "story"):
            for value in self.values(key):
                if len(value) > MAX_FILTER_CHARS:
                    raise QueryError(f"{key} is too long (the limit is {MAX_FILTER_CHARS} characters)")
        date_range(self.date_from, self.date_to)  # raises for an unreadable or reversed range

    # -- what it asks

    @property
    def has_filters(self) -> bool:
        return any(getattr(self, key) for key in FACET_FILTERS) or bool(self.date_from or self.date_to or self.story)

    @property
    def filter_only(self) -> bool:
        """No words but some filter: list the filtered documents, newest first."""
        return not self.q.strip() and self.has_filters

    @property
    def blank(self) -> bool:
        """Nothing to search (no words, no filter): the page shows its home state."""
        return not self.q.strip() and not self.has_filters

    @property
    def filters(self) -> tuple[tuple[str, str], ...]:
        """Every filter as ``(key, value)`` pairs, in the order they were given."""
        current = self._pairs()
        if not self.order:
            return tuple(current)
        known = set(current)
        ordered = [p for p in self.order if p in known]
        seen = set(ordered)
        return tuple(ordered + [p for p in current if p not in seen])

    def _pairs(self) -> list[tuple[str, str]]:
        pairs = [(key, v) for key in FACET_FILTERS for v in getattr(self, key)]
        pairs += [(k, v) for k, v in (("from", self.date_from), ("to", self.date_to), ("story", self.story)) if v]
        return pairs

    def values(self, key: str) -> tuple[str, ...]:
        """The selected values of one filter key (``from``/``to``/``story``: zero or one)."""
        if key in SINGLE_FILTERS:
            value = {"from": self.date_from, "to": self.date_to, "story": self.story}[key]
            return (value,) if value else ()
        return tuple(getattr(self, key))

    def selected(self, key: str, value: str) -> bool:
        """Whether the filter ``key=value`` is part of this search."""
        return value in self.values(key)

    # -- derived requests (links)

    def with_changes(self, **changes: Any) -> SearchRequest:
        """A copy with some fields replaced (for sort and paging links)."""
        return replace(self, **changes)

    def with_filters(self, pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> SearchRequest:
        """A copy whose filters are exactly ``pairs`` (in that order)."""
        groups: dict[str, list[str]] = {key: [] for key in FACET_FILTERS}
        dates: dict[str, str | None] = dict.fromkeys(SINGLE_FILTERS)
        for key, value in pairs:
            if key in dates:
                dates[key] = dates[key] or value  # one start, one end, one story: the first one wins
            elif key in groups and value not in groups[key]:
                groups[key].append(value)
        kept = tuple(p for p in pairs if p[0] in groups or dates.get(p[0]) == p[1])
        return replace(
            self,
            date_from=dates["from"],
            date_to=dates["to"],
            story=dates["story"],
            order=tuple(dict.fromkeys(kept)),
            **{key: tuple(values) for key, values in groups.items()},
        )

    def toggled(self, key: str, value: str) -> SearchRequest:
        """Add the filter ``key=value``, or remove it if selected; back to page 1."""
        pair = (key, value)
        current = self.filters
        kept = tuple(p for p in current if p != pair)
        return self.with_filters(kept if len(kept) < len(current) else (*kept, pair)).with_changes(page=1)

    def with_filter(self, key: str, value: str) -> SearchRequest:
        """The search narrowed by ``key=value`` (kept if already there); back to page 1."""
        return self if self.selected(key, value) else self.toggled(key, value)

    def range_selected(self, start: str, end: str) -> bool:
        """Whether the date range is exactly ``start``–``end`` (what a date facet link sets)."""
        return (self.date_from, self.date_to) == (start, end)

    def range_toggled(self, start: str, end: str) -> SearchRequest:
        """Narrow to ``start``–``end``, or drop the date range if it is exactly that; back to page 1."""
        kept = tuple(p for p in self.filters if p[0] not in ("from", "to"))
        if not self.range_selected(start, end):
            kept = (*kept, ("from", start), ("to", end))
        return self.with_filters(kept).with_changes(page=1)

    def cleared(self) -> SearchRequest:
        """The same words without any filter ("clear all")."""
        return SearchRequest(q=self.q, sort=self.sort, per_page=self.per_page, collapse=self.collapse)

    def to_args(self) -> dict[str, str | list[str]]:
        """Query-string values (defaults left out, for short URLs); :meth:`from_args` reads them back."""
        args: dict[str, str | list[str]] = {}
        if self.q:
            args["q"] = self.q
        if self.sort != "relevance":
            args["sort"] = self.sort
        if self.page != 1:
            args["page"] = str(self.page)
        if self.per_page != DEFAULT_PER_PAGE:
            args["per_page"] = str(self.per_page)
        if not self.collapse:
            args["collapse"] = "false"
        for key in FILTER_KEYS:
            values = [v for k, v in self.filters if k == key]
            if values:
                args[key] = values
        return args


def _int_arg(raw: Any, name: str, default: int, high: int) -> int:
    """A whole number from a query string (its range is checked again by :meth:`SearchRequest.validate`)."""
    if raw is None or raw == "":
        return default
    text = str(raw)
    if not text.isascii() or not text.isdigit():
        raise QueryError(f"{name} must be a whole number (got {text[:20]!r})")
    if len(text) > len(str(high)) + 1 or not 1 <= int(text) <= high:
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise QueryError(f"{name} must be between 1 and {high} (got {shown})")
    return int(text)


def _bool_arg(raw: Any, name: str) -> bool:
    """``true``/``false`` (also 1/0, yes/no, on/off; empty: true) from a query string."""
    text = str(raw if raw is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise QueryError(f"{name} must be true or false (got {text[:20]!r})")


def _filter_pairs(args: ArgSource) -> list[tuple[str, str]]:
    """The filters of a query string in a stable order, empty values dropped."""
    pairs: list[tuple[str, str]] = []
    for key in FILTER_KEYS:
        for value in args.getlist(key):
            if len(value) > MAX_FILTER_CHARS:
                raise QueryError(f"{key} is too long (the limit is {MAX_FILTER_CHARS} characters)")
            if value.strip() and (key, value) not in pairs:
                pairs.append((key, value))
    return pairs


def args_from_mapping(mapping: Mapping[str, Any]) -> ArgSource:
    """A plain ``{key: value or [values]}`` mapping as a query string (for callers without Werkzeug)."""
    return _Args(mapping)


class _Args:
    def __init__(self, mapping: Mapping[str, Any]) -> None:
        self.mapping = mapping

    def get(self, key: str, default: Any = None) -> Any:
        value = self.mapping.get(key, default)
        return value[0] if isinstance(value, list | tuple) and value else value

    def getlist(self, key: str) -> list[str]:
        value = self.mapping.get(key, [])
        return list(value) if isinstance(value, list | tuple) else [value]
