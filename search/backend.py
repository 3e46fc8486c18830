"""The read half of the backend protocol: what the search side needs from an index.

A backend answers for one index (a Whoosh directory today).  Everything a request needs is
asked of one :class:`IndexView` — one index generation, held for the whole request, so a
search, its "did you mean" and its snippets never mix two versions of the index.  The write
half of the protocol is ``index/store.py``.

Guarantees every backend gives:

* **Our terms only.**  Queries arrive as trees whose words are already analyzed
  (``search/querytree.py``); a backend matches those terms and never analyzes text itself.
* **Exact totals and counts.**  ``Matches.total`` counts every live matching article, facet
  counts count every matching article (not only the page), values ordered by count, then by
  value (code point).
* **Ranking.**  ``sort="relevance"``: BM25F over the contract's fields and boosts, best
  first, ties by index order; ``sort="date"``: newest first, undated last, ties by score.
* **Snapshots.**  A view sees one committed generation; a new commit or rebuild is picked
  up by the next :meth:`SearchBackend.view`.  Views may be used from many threads at once,
  one view per thread.
* **Errors.**  :class:`~search.errors.IndexMissing` when there is no index,
  :class:`~search.errors.QueryError` for a query the index cannot run (too many wildcard
  expansions, too slow).

Layer: the read side.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from index.contract import StoredDocument
from search import querytree as qt
from search.daterange import DateRange, date_range
from search.request import FACET_FILTERS, SearchRequest

__all__ = ["Filters", "IndexView", "Matches", "SearchBackend", "SearchPlan"]


@dataclass(frozen=True)
class Filters:
    """Facet filters (AND across facets, OR within one) and an inclusive date range."""

    values: tuple[tuple[str, tuple[str, ...]], ...] = ()
    dates: DateRange | None = None

    @classmethod
    def of(cls, request: SearchRequest) -> Filters:
        values = tuple((key, tuple(dict.fromkeys(getattr(request, key)))) for key in FACET_FILTERS)
        return cls(tuple((k, v) for k, v in values if v), date_range(request.date_from, request.date_to))

    def __bool__(self) -> bool:
        return bool(self.values) or self.dates is not None


@dataclass(frozen=True)
class SearchPlan:
    """One search as a backend runs it."""

    tree: qt.Node
    filters: Filters = Filters()
    sort: str = "relevance"
    #: Which of the best hits to return: ``limit`` of them after the first ``offset`` (a page);
    #: ``limit=0``: only count.
    offset: int = 0
    limit: int = 10
    #: Values per facet; None: all values; 0: no facets.
    facet_limit: int | None = 20


@dataclass
class Matches:
    """What a backend found: the exact total, the requested slice of the best hits in order, facet counts."""

    total: int
    top: list[tuple[StoredDocument, float]] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class IndexView(Protocol):
    """One generation of one index, for one request."""

    generation: str

    def search(self, plan: SearchPlan) -> Matches:
        """Every article matching ``plan`` counted, the best ``plan.limit`` returned."""

    def count(self, tree: qt.Node, filters: Filters) -> int:
        """How many articles match (no ranking, no facets)."""

    def document(self, doc_id: str) -> StoredDocument | None:
        """One article by id, or None."""

    def similar(self, doc_id: str, limit: int) -> list[tuple[StoredDocument, float]]:
        """Articles sharing the most distinctive stems with ``doc_id`` (itself left out)."""

    def doc_frequency(self, field: str, term: str) -> int:
        """Live articles with ``term`` in ``field`` (a contract text field)."""

    def terms_within(self, field: str, term: str, distance: int, prefix: int) -> list[str]:
        """Vocabulary terms of ``field`` within edit ``distance`` of ``term``, sharing its first ``prefix`` letters."""

    def prefix_terms(self, field: str, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` vocabulary terms of ``field`` starting with ``prefix``, in term order."""

    def expand(self, pattern: qt.Pattern) -> list[str]:
        """The exact terms a wildcard matches (for marking them in snippets)."""

    def stats(self) -> dict[str, Any]:
        """Documents, terms per field, size, provenance and whether the analysis matches."""


class SearchBackend(Protocol):
    """An index the search side can read; one per process, shared by its threads."""

    location: str

    def view(self) -> AbstractContextManager[IndexView]:
        """The current generation, held until the ``with`` block ends."""

    def close(self) -> None:
        """Release files and connections; the backend reopens them if used again."""
