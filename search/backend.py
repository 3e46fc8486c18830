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
  value (code point).  Asked for (``SearchPlan.date_histogram``), ``Matches.histogram`` is
  :func:`search.histogram.date_histogram` of every dated matching article.
* **Ranking.**  As ``search/ranking.py`` says, with its weights: coverage of a forgiving
  query first, then BM25F (stems, plus a share of the exact forms), proximity rescoring;
  ties by index order; ``sort="date"``: coverage, then newest first, undated last, ties by score.
* **Stories.**  ``SearchPlan.collapse`` lists each story (``index/stories.py``: wire copies
  of one article) once, by its first article in the final result order (after any
  rescoring, under either sort); ``Matches.stories`` counts the stories, and paging
  (``offset``/``limit``) walks them.  Each listed hit carries the other matching articles of
  its story in result order (``Found.duplicates``, the first :data:`DUPLICATE_IDS` ids, and
  ``Found.duplicate_count``, all of them).  ``total`` and facet counts still count articles.
  Without ``collapse`` (the default: TREC runs, exports, counts) every article is listed.
* **Forgiving queries.**  A ``Forgiving`` root lists the articles with at least ``minimum``
  of its words (and its ``required`` part), full matches first, and says for each hit which
  words it lacks.
* **Snapshots.**  A view sees one committed generation; a new commit or rebuild is picked
  up by the next :meth:`SearchBackend.view`.  Views may be used from many threads at once,
  one view per thread.
* **Errors.**  :class:`~search.errors.IndexMissing` when there is no index,
  :class:`~search.errors.QueryError` for a query the index cannot run (too many wildcard
  expansions, too slow).

Layer: the read side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, TypeVar

from index.contract import StoredDocument
from search import querytree as qt
from search.daterange import DateRange, date_range
from search.histogram import DateHistogram
from search.request import FACET_FILTERS, SearchRequest

__all__ = ["DUPLICATE_IDS", "Filters", "Found", "IndexView", "Listing", "Matches", "SearchBackend", "SearchPlan"]

T = TypeVar("T")

#: Ids of a collapsed hit's other articles given at most (its count says how many there are):
#: enough to list a typical wire story's copies, few enough that a page stays cheap.
DUPLICATE_IDS = 10


@dataclass(frozen=True)
class Filters:
    """Facet filters (AND across facets, OR within one), an inclusive date range, one story."""

    values: tuple[tuple[str, tuple[str, ...]], ...] = ()
    dates: DateRange | None = None
    story: str | None = None

    @classmethod
    def of(cls, request: SearchRequest) -> Filters:
        values = tuple((key, tuple(dict.fromkeys(getattr(request, key)))) for key in FACET_FILTERS)
        dates = date_range(request.date_from, request.date_to)
        return cls(tuple((k, v) for k, v in values if v), dates, request.story or None)

    def __bool__(self) -> bool:
        return bool(self.values) or self.dates is not None or self.story is not None


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
    #: Also the matching articles' date histogram, its interval fitted to their span.
    date_histogram: bool = False
    #: List each story once (its best hit, the others as its duplicates); paging walks stories.
    collapse: bool = False


class Found(NamedTuple):
    """One hit: the article, its score, and the words of a forgiving query it does not match.

    Collapsed: the ids of the other matching articles of its story, in result order (at
    most :data:`DUPLICATE_IDS`), and how many there are.
    """

    doc: StoredDocument
    score: float
    missing: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    duplicate_count: int = 0


@dataclass
class Matches:
    """What a backend found: the exact total, the requested slice of the best hits in order, facet counts
    (and the date histogram when the plan asked for it; None too when no match is dated).

    ``total_full``: of ``total``, the hits that match every word (they come first); None
    when the query was not forgiving (then every hit matches all of it).  ``stories``: the
    stories among the hits when the plan collapsed them, else None.
    """

    total: int
    top: list[Found] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    total_full: int | None = None
    histogram: DateHistogram | None = None
    stories: int | None = None

    @property
    def full(self) -> int:
        return self.total if self.total_full is None else self.total_full


class Listing(NamedTuple):
    """Every match of a search in result order (an export): the exact total, known before any
    document is read, and the hits, whose stored fields are read in batches as they are consumed."""

    total: int
    hits: Iterator[Found]


class IndexView(Protocol):
    """One generation of one index, for one request."""

    generation: str

    def search(self, plan: SearchPlan) -> Matches:
        """Every article matching ``plan`` counted, the best ``plan.limit`` returned."""

    def listing(self, plan: SearchPlan) -> Listing:
        """Every article matching ``plan`` in the order :meth:`search` ranks them (``plan.sort``).

        ``offset``, ``limit`` and facets are ignored, and nothing is collapsed.  The matches are
        found and ordered now (a bad or slow query raises here); only their ids and scores are
        kept, and ``hits`` reads the documents in batches, so memory does not grow with the
        total.  ``hits`` must be consumed while this view is held.
        """

    def count(self, tree: qt.Node, filters: Filters) -> int:
        """How many articles match all of it (for a forgiving query: every word; no ranking, no facets)."""

    def document(self, doc_id: str) -> StoredDocument | None:
        """One article by id, or None."""

    def similar(self, doc_id: str, limit: int) -> list[tuple[StoredDocument, float]]:
        """Articles sharing the most distinctive stems with ``doc_id`` (itself left out)."""

    def doc_frequency(self, field: str, term: str) -> int:
        """Live articles with ``term`` in ``field`` (a contract text field)."""

    def doc_frequencies(self, field: str, terms: list[str]) -> dict[str, int]:
        """:meth:`doc_frequency` of each of ``terms`` (one round trip for a remote backend)."""

    def terms_within(self, field: str, term: str, distance: int, prefix: int) -> list[str]:
        """Vocabulary terms of ``field`` within edit ``distance`` of ``term``, sharing its first ``prefix`` letters."""

    def prefix_terms(self, field: str, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` vocabulary terms of ``field`` starting with ``prefix``, in term order."""

    def expand(self, pattern: qt.Pattern) -> list[str]:
        """The exact terms a wildcard matches (for marking them in snippets)."""

    def stats(self) -> dict[str, Any]:
        """Documents, terms per field, size, provenance and whether the analysis matches."""

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """``build()``, computed once per index generation (later views of it get the same value)."""


class SearchBackend(Protocol):
    """An index the search side can read; one per process, shared by its threads."""

    location: str

    def view(self) -> AbstractContextManager[IndexView]:
        """The current generation, held until the ``with`` block ends."""

    def close(self) -> None:
        """Release files and connections; the backend reopens them if used again."""
