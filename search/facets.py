"""Where a facet is counted, and where facet filters become a Whoosh filter.

Whoosh's own faceting (``groupedby=``) reads every matching document's values through the
field caches on each query, which costs 50–150 ms a query for multi-valued fields at 10k
documents.  Instead, a :class:`FacetTable` reads each document's facet values once per
searcher generation — from the postings, not the stored fields, so the article text is
never loaded — and keeps ``docnum → values`` lists.  Counting is then one C-level
``Counter`` pass over the docnums the engine already collected for its total.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.util.times import datetime_to_long

from index.schema import ENTITY_FACETS
from search.query import QueryError, _parse_date

__all__ = [
    "ENTITY_FACETS",
    "FACETS",
    "FacetFilters",
    "FacetTable",
    "entities_of",
]

#: Facet keys of the result object → the index field each one is counted on.
FACETS = {"person": "person", "organization": "organization", "place": "place", "source": "source", "date": "month"}
#: Values shown per facet; a client may show fewer.
TOP_VALUES = 20


def entities_of(fields: dict) -> dict[str, list[str]]:
    """A hit's ``entities`` from its stored comma-joined facet fields, each name once."""
    return {kind: _split(fields.get(kind)) for kind in ENTITY_FACETS}


def _split(stored: object) -> list[str]:
    if not isinstance(stored, str):
        return []
    return list(dict.fromkeys(v.strip() for v in stored.split(",") if v.strip()))


class FacetTable:
    """Every document's facet values, by docnum, for one open searcher (build once, reuse)."""

    def __init__(self, reader: IndexReader) -> None:
        self._values: dict[str, list[tuple[str, ...]]] = {
            key: _values_by_doc(reader, field) for key, field in FACETS.items()
        }

    def counts(self, docnums: Sequence[int], limit: int | None = TOP_VALUES) -> dict[str, list[dict]]:
        """``{facet: [{"value", "count"}]}`` over ``docnums``: most documents first, then by value.

        ``limit`` values per facet (None: all of them, for ``search-cli entities``).
        """
        return {key: _top(by_doc, docnums, limit) for key, by_doc in self._values.items()}


def _values_by_doc(reader: IndexReader, field: str) -> list[tuple[str, ...]]:
    """``docnum → values`` of one field, read from its postings (a term is a value)."""
    size = reader.doc_count_all()
    by_doc: list[list[str]] = [[] for _ in range(size)]
    if field in reader.schema.names():
        for btext in reader.lexicon(field):
            value = btext.decode("utf-8")
            for docnum in reader.postings(field, btext).all_ids():
                by_doc[docnum].append(value)
    return [tuple(values) for values in by_doc]


def _top(by_doc: list[tuple[str, ...]], docnums: Sequence[int], limit: int | None) -> list[dict]:
    """Top values of one facet; each document adds one per distinct value (terms are unique)."""
    counter = Counter(itertools.chain.from_iterable(map(by_doc.__getitem__, docnums)))
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [{"value": value, "count": count} for value, count in ranked]


@dataclass(frozen=True)
class FacetFilters:
    """The filters of a search: AND across facets, OR within one, dates inclusive."""

    person: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    def __bool__(self) -> bool:
        return any((*self._values().values(), self.date_from, self.date_to))

    def _values(self) -> dict[str, tuple[str, ...]]:
        return {"person": self.person, "organization": self.organization, "place": self.place, "source": self.source}

    def query(self) -> wq.Query | None:
        """The Whoosh query that selects the allowed documents, or None without filters."""
        parts: list[wq.Query] = [_any_of(field, values) for field, values in self._values().items() if values]
        dates = _date_range(self.date_from, self.date_to)
        if dates is not None:
            parts.append(dates)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def allowed(self, searcher: Searcher) -> set[int] | None:
        """Docnums passing every filter (Whoosh's ``filter=`` takes the set as is), or None."""
        query = self.query()
        return None if query is None else set(searcher.docs_for_query(query))


def _any_of(field: str, values: Iterable[str]) -> wq.Query:
    """One facet's values: exact canonical names, any of them (OR)."""
    terms: list[wq.Query] = [wq.Term(field, v) for v in dict.fromkeys(values)]
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def _date_range(date_from: str | None, date_to: str | None) -> wq.Query | None:
    """``from``/``to`` as YYYY[-MM[-DD]], both ends inclusive (``to=2017-05`` includes May 31)."""
    start = datetime_to_long(_parse_date(date_from).floor()) if date_from else None
    end = datetime_to_long(_parse_date(date_to).ceil()) if date_to else None
    if start is None and end is None:
        return None
    if start is not None and end is not None and start > end:
        raise QueryError(f"the date range {date_from} to {date_to} ends before it starts")
    return wq.NumericRange("date", start, end)
