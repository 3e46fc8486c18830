"""The result model: what a search, a document or an entity page returns, as typed data.

Every front end renders the same objects — the page as HTML, the API and ``--json`` through
:meth:`to_json`, the CLI as coloured text — so they cannot disagree.  JSON keys are the API's
documented ones; new keys are added, none is removed or renamed.

Snippets are data (:class:`Snippet`: text and the spans of the matched words); the JSON edge
renders them as the escaped strings with ``<mark>`` the API has always returned, and gives
the spans as well (``passages``).  A facet value carries the request that toggles it, so a
front end can give it a URL (Datasette's ``toggle_url``).

Layer: the read side.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from index.contract import ENTITY_TYPES
from index.sources import source_name
from search.request import SearchRequest

__all__ = [
    "ELLIPSIS",
    "Alias",
    "Document",
    "EntityProfile",
    "EntityRow",
    "ExportedArticle",
    "FacetValue",
    "Hit",
    "SearchResult",
    "SimilarArticle",
    "Snippet",
    "UrlFor",
    "display_source",
    "iso_date",
]

ELLIPSIS = "…"
#: Turns a request into a URL (the API's or the page's), for facet links in JSON.
UrlFor = Callable[[SearchRequest], str]


def iso_date(value: dt.date | None) -> str | None:
    return value.strftime("%Y-%m-%d") if value else None


def display_source(source: str | None) -> str | None:
    """What a reader sees as an article's source: the paper's name for a known site id
    (``aawsat`` → ``الشرق الأوسط``), else the value as stored (a seed page's «العربي الجديد»)."""
    return source_name(source) or source or None


#: Dots already in a passage's text: no ellipsis is added next to them.
_DOTS = (".", ELLIPSIS)


@dataclass(frozen=True)
class Snippet:
    """A passage of an article: ``text`` with the matched words at ``highlights``.

    ``cut_before``/``cut_after``: the passage continues in the article before/after ``text``
    (a front end shows an ellipsis there).
    """

    text: str
    highlights: tuple[tuple[int, int], ...] = ()
    cut_before: bool = False
    cut_after: bool = False

    def pieces(self) -> list[tuple[str, bool]]:
        """``(text, highlighted)`` pieces in order, ellipses excluded."""
        out: list[tuple[str, bool]] = []
        cursor = 0
        for start, end in self.highlights:
            if start > cursor:
                out.append((self.text[cursor:start], False))
            out.append((self.text[start:end], True))
            cursor = end
        if cursor < len(self.text):
            out.append((self.text[cursor:], False))
        return out

    @property
    def opens_with_dots(self) -> bool:
        return self.text.lstrip().startswith(_DOTS)

    @property
    def ellipsis_before(self) -> str:
        """The mark a front end shows before the text: an ellipsis where the passage was cut,
        none when the text already starts with dots (``… ...`` reads as a typo)."""
        return ELLIPSIS if self.cut_before and not self.opens_with_dots else ""

    @property
    def ellipsis_after(self) -> str:
        """The mark after the text: an ellipsis where it was cut, none next to dots already there."""
        return ELLIPSIS if self.cut_after and not self.text.rstrip().endswith(_DOTS) else ""

    def to_html(self) -> str:
        """Escaped text, matches in ``<mark>``, an ellipsis where the passage was cut."""
        body = "".join(
            f"<mark>{html.escape(text)}</mark>" if marked else html.escape(text) for text, marked in self.pieces()
        )
        return self.ellipsis_before + body + self.ellipsis_after

    def plain(self) -> str:
        """The passage as plain text with its ellipses (a feed's summary)."""
        return self.ellipsis_before + self.text + self.ellipsis_after

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "highlights": [list(span) for span in self.highlights],
            "cut_before": self.cut_before,
            "cut_after": self.cut_after,
        }


@dataclass(frozen=True)
class FacetValue:
    """One facet value with its count, for the search ``request`` it was counted in (if any).

    ``key`` is the facet (``person`` … ``source``, ``date``).  :attr:`toggle` is that search
    with this value added or removed (a date value narrows ``from``/``to`` to its span:
    ``bounds``, or the value itself when it names the whole span — a day, a month, a year).
    """

    value: str
    count: int
    key: str = ""
    request: SearchRequest | None = field(default=None, compare=False, repr=False)
    #: A date value's ``(from, to)``, e.g. a week's first and last day.
    bounds: tuple[str, str] | None = None

    @property
    def span(self) -> tuple[str, str]:
        """The ``from``/``to`` a date value narrows to."""
        return self.bounds or (self.value, self.value)

    @property
    def selected(self) -> bool:
        if self.request is None:
            return False
        if self.key == "date":
            return self.request.range_selected(*self.span)
        return self.request.selected(self.key, self.value)

    @property
    def toggle(self) -> SearchRequest | None:
        if self.request is None:
            return None
        if self.key == "date":
            return self.request.range_toggled(*self.span)
        return self.request.toggled(self.key, self.value)

    @property
    def label(self) -> str:
        """What a reader sees: a source's display name, any other value as it is."""
        return (display_source(self.value) or self.value) if self.key == "source" else self.value

    def to_json(self, url_for: UrlFor | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "count": self.count}
        if self.key == "source":
            out["label"] = self.label
        toggle = self.toggle if url_for is not None else None
        if url_for is not None and toggle is not None:
            out["selected"] = self.selected
            out["url"] = url_for(toggle)
        return out


@dataclass(frozen=True)
class Alias:
    """A query word read as a known entity: ``ISIS`` → the organization ``داعش``."""

    query: str
    type: str
    entity: str

    def to_json(self) -> dict[str, str]:
        return {"query": self.query, "type": self.type, "entity": self.entity}


@dataclass(frozen=True)
class Hit:
    """One matching article on a results page."""

    id: str
    title: str
    date: dt.date | None
    source: str | None
    url: str | None
    score: float
    snippets: tuple[Snippet, ...] = ()
    entities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Query words this hit does not match (a forgiving query lists such hits below the full ones).
    missing: tuple[str, ...] = ()
    #: Its story (``index/stories.py``) and, when collapsed, the other matching articles of it:
    #: their ids in result order (the first ``search.backend.DUPLICATE_IDS``) and how many there are.
    story: str = ""
    duplicates: tuple[str, ...] = ()
    duplicate_count: int = 0

    @property
    def source_name(self) -> str | None:
        return display_source(self.source)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "date": iso_date(self.date),
            "source": self.source,
            "source_name": self.source_name,
            "url": self.url,
            "score": round(self.score, 4),
            "snippets": [s.to_html() for s in self.snippets],
            "entities": {kind: list(names) for kind, names in self.entities.items()},
            "passages": [s.to_json() for s in self.snippets],
            "missing": list(self.missing),
            "story": self.story or self.id,
            "duplicates": {"count": self.duplicate_count, "ids": list(self.duplicates)},
        }


@dataclass(frozen=True)
class SearchResult:
    """One page of a search, its exact total, its facets and what the query was understood as.

    ``total`` counts every matching article, partial matches of a forgiving query included;
    ``total_full`` the articles that match every word.  ``stories`` counts what is listed:
    the stories when the request collapses them (paging walks these), else None (then the
    articles: paging follows ``total``).
    ``facets["date"]`` is the date histogram's non-empty buckets, oldest first, at
    ``date_interval`` (``day``, ``week``, ``month`` or ``year``; None when no hit is dated).
    """

    request: SearchRequest
    total: int
    sort: str
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]]
    aliases: tuple[Alias, ...] = ()
    suggestion: str | None = None
    took_ms: float = 0.0
    total_full: int | None = None
    date_interval: str | None = None
    stories: int | None = None

    @property
    def full(self) -> int:
        return self.total if self.total_full is None else self.total_full

    @property
    def listed(self) -> int:
        """Entries of the list paging walks: stories when collapsed, else articles."""
        return self.total if self.stories is None else self.stories

    @property
    def collapsed(self) -> bool:
        """Whether some story lists more than one article here (the page then names both counts)."""
        return self.listed < self.total

    @property
    def query(self) -> str:
        return self.request.q

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def per_page(self) -> int:
        return self.request.per_page

    @property
    def pages(self) -> int:
        return -(-self.listed // self.per_page)

    @property
    def first_rank(self) -> int:
        return (self.page - 1) * self.per_page + 1

    def to_json(self, url_for: UrlFor | None = None) -> dict[str, Any]:
        """The documented JSON object; with ``url_for``, every facet value carries its toggle URL."""
        return {
            "query": self.query,
            "total": self.total,
            "total_full": self.full,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
            "stories": self.listed,
            "collapse": self.request.collapse,
            "sort": self.sort,
            "hits": [hit.to_json() for hit in self.hits],
            "facets": {key: [v.to_json(url_for) for v in values] for key, values in self.facets.items()},
            "date_interval": self.date_interval,
            "aliases": [alias.to_json() for alias in self.aliases],
            "suggestion": self.suggestion,
            "took_ms": self.took_ms,
        }


@dataclass(frozen=True)
class Document:
    """One article in full."""

    id: str
    title: str
    date: dt.date | None
    source: str | None
    url: str | None
    author: str | None
    content: str
    entities: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def source_name(self) -> str | None:
        return display_source(self.source)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "date": iso_date(self.date),
            "source": self.source,
            "source_name": self.source_name,
            "url": self.url,
            "author": self.author,
            "content": self.content,
            "entities": {kind: list(names) for kind, names in self.entities.items()},
        }


@dataclass(frozen=True)
class ExportedArticle(Document):
    """One article of an exported result set: metadata, entities and the whole text, no snippets.

    ``missing``: the query words it lacks (a forgiving query lists such articles after the
    full matches, as the results page does).
    """

    missing: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """One flat record (a JSONL line, a CSV row): the entity types are keys of their own."""
        return {
            "id": self.id,
            "title": self.title,
            "date": iso_date(self.date),
            "source": self.source,
            "source_name": self.source_name,
            "url": self.url,
            "author": self.author,
            **{kind: list(self.entities.get(kind, ())) for kind in ENTITY_TYPES},
            "missing": list(self.missing),
            "text": self.content,
        }


@dataclass(frozen=True)
class SimilarArticle:
    """An article sharing the most distinctive stems with another ("more like this")."""

    id: str
    title: str
    date: dt.date | None
    source: str | None
    score: float

    @property
    def source_name(self) -> str | None:
        return display_source(self.source)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "date": iso_date(self.date),
            "source": self.source,
            "source_name": self.source_name,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class EntityRow:
    """A canonical entity of the index with its aliases and document count."""

    type: str
    name: str
    count: int
    aliases: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "count": self.count, "aliases": list(self.aliases)}


@dataclass(frozen=True)
class EntityProfile:
    """An entity's page: its aliases, the entities named with it most, its articles per month."""

    type: str
    name: str
    total: int
    aliases: tuple[str, ...]
    related: dict[str, tuple[FacetValue, ...]]
    timeline: tuple[tuple[str, int], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "total": self.total,
            "aliases": list(self.aliases),
            "related": {kind: [v.to_json() for v in values] for kind, values in self.related.items()},
            "timeline": [{"month": month, "count": count} for month, count in self.timeline],
        }
