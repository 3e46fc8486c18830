"""The one query model shared by the search page and ``/api/search``.

Both read the same parameters from the query string and validate them the same way, so a
URL copied from the page works against the API and the other way round.  The facet
filters (``person``, ``organization``, ``place``, ``source`` — repeatable — and ``from``,
``to``) become the engine's filters, with the same names as ``search-cli search`` options;
every link the page builds carries them along.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from werkzeug.datastructures import MultiDict

from search.engine import SearchRequest

MAX_QUERY_CHARS = 1000
MAX_PER_PAGE = 50
DEFAULT_PER_PAGE = 10
SORTS = ("relevance", "date")
FILTER_KEYS = ("person", "organization", "place", "source", "from", "to")
#: Keys that take one value (a date range has one start and one end); the first one wins.
SINGLE_KEYS = ("from", "to")
#: Filter values longer than this are refused like an over-long query.
MAX_FILTER_CHARS = 200

Filters = tuple[tuple[str, str], ...]


class ParamError(ValueError):
    """A query-string value the client has to change (answered with 400, never 500)."""


@dataclass(frozen=True)
class SearchParams:
    """Validated search parameters; ``filters`` keeps repeated keys in their order."""

    q: str = ""
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    filters: Filters = ()

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> SearchParams:
        """Read and validate ``request.args``; raises :class:`ParamError`."""
        q = args.get("q", "")
        if len(q) > MAX_QUERY_CHARS:
            raise ParamError(f"the query is too long ({len(q)} characters; the limit is {MAX_QUERY_CHARS})")
        sort = args.get("sort", "relevance") or "relevance"
        if sort not in SORTS:
            raise ParamError(f"sort must be 'relevance' or 'date' (got {sort!r})")
        page = _int_arg(args, "page", 1, 1, None)
        per_page = _int_arg(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
        return cls(q=q, sort=sort, page=page, per_page=per_page, filters=_filters(args))

    @property
    def blank(self) -> bool:
        """True when there is nothing to search (no words, no filter): the page shows its home state."""
        return not self.q.strip() and not self.filters

    def values(self, key: str) -> tuple[str, ...]:
        """The selected values of one filter key, in the order they were given."""
        return tuple(v for k, v in self.filters if k == key)

    def request(self) -> SearchRequest:
        """The engine request, filters included."""
        return SearchRequest(
            q=self.q,
            page=self.page,
            per_page=self.per_page,
            sort=self.sort,
            person=self.values("person"),
            organization=self.values("organization"),
            place=self.values("place"),
            source=self.values("source"),
            date_from=next(iter(self.values("from")), None),
            date_to=next(iter(self.values("to")), None),
        )

    def with_changes(self, **changes: object) -> SearchParams:
        """A copy with some fields replaced (for sort, paging and facet links)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def toggled(self, key: str, value: str) -> SearchParams:
        """Add the filter ``key=value`` or remove it if selected; back to page 1."""
        pair = (key, value)
        kept = tuple(f for f in self.filters if f != pair)
        return replace(self, filters=kept if len(kept) < len(self.filters) else (*kept, pair), page=1)

    def selected(self, key: str, value: str) -> bool:
        """Whether the filter ``key=value`` is part of this search."""
        return (key, value) in self.filters

    def with_filter(self, key: str, value: str) -> SearchParams:
        """The search narrowed by ``key=value`` (kept if already there); back to page 1."""
        return self if self.selected(key, value) else self.toggled(key, value)

    def month_selected(self, month: str) -> bool:
        """Whether the date range is exactly this month (what a date facet link sets)."""
        return self.values("from") == (month,) and self.values("to") == (month,)

    def month_toggled(self, month: str) -> SearchParams:
        """Narrow to one month (``from=to=YYYY-MM``), or drop the date range if it is that month."""
        kept = tuple(f for f in self.filters if f[0] not in SINGLE_KEYS)
        if not self.month_selected(month):
            kept = (*kept, ("from", month), ("to", month))
        return replace(self, filters=kept, page=1)

    def cleared(self) -> SearchParams:
        """The same words without any filter ("clear all")."""
        return replace(self, filters=(), page=1)

    def url_args(self) -> dict[str, str | list[str]]:
        """Query-string values for ``url_for``, leaving out defaults for short URLs."""
        args: dict[str, str | list[str]] = {}
        if self.q:
            args["q"] = self.q
        if self.sort != "relevance":
            args["sort"] = self.sort
        if self.page != 1:
            args["page"] = str(self.page)
        if self.per_page != DEFAULT_PER_PAGE:
            args["per_page"] = str(self.per_page)
        for key in FILTER_KEYS:
            values = [v for k, v in self.filters if k == key]
            if values:
                args[key] = values
        return args


def _int_arg(args: Mapping[str, str], name: str, default: int, low: int, high: int | None) -> int:
    """A whole number within bounds; anything else is the client's mistake."""
    raw = args.get(name, "")
    if raw == "":
        return default
    if not raw.isascii() or not raw.isdigit():
        raise ParamError(f"{name} must be a whole number (got {raw[:20]!r})")
    value = int(raw[:12])
    if value < low or (high is not None and value > high) or len(raw) > 12:
        limit = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ParamError(f"{name} must be {limit} (got {raw[:20]})")
    return value


def _filters(args: MultiDict[str, str]) -> Filters:
    """The entity filters in a stable order, empty values dropped."""
    pairs: list[tuple[str, str]] = []
    for key in FILTER_KEYS:
        for value in args.getlist(key):
            if len(value) > MAX_FILTER_CHARS:
                raise ParamError(f"{key} is too long (the limit is {MAX_FILTER_CHARS} characters)")
            if key in SINGLE_KEYS and any(k == key for k, _ in pairs):
                continue
            if value.strip() and (key, value) not in pairs:
                pairs.append((key, value))
    return tuple(pairs)
