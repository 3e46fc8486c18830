"""Where a search runs: one request in, one typed result out, the same for every front end.

The CLI, the web page and the API all go through :class:`Engine`, so they rank, page, cut
snippets and suggest identically.  The engine holds a backend (``search/backend.py``; a
Whoosh directory unless told otherwise) and asks one view of it per request; everything
else lives in its own module — the query language (``query``), snippets, "did you mean"
(``spelling``), entity pages (``profiles``), completion (``complete``).

Layer: the read side (its top).  Front ends import this; it imports no front end.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

from index.analysis import normalize_word, stem_word, tokenize
from index.entities import entity_aliases
from search import querytree as qt
from search.backend import Filters, Found, SearchBackend, SearchPlan
from search.backends import open_backend
from search.complete import complete, complete_entities
from search.errors import IndexMissing, QueryError
from search.export import MAX_EXPORT, Export
from search.facets import TOP_VALUES
from search.histogram import facet_values
from search.profiles import entity_list, entity_profile, overview
from search.query import ParsedQuery, analyze_query
from search.request import MAX_RUN_DEPTH, SearchRequest
from search.results import (
    Alias,
    Document,
    EntityProfile,
    EntityRow,
    ExportedArticle,
    FacetValue,
    Hit,
    SearchResult,
    SimilarArticle,
)
from search.snippets import make_snippets, query_roots, query_terms
from search.spelling import SUGGEST_BELOW, suggest
from search.transliterate import with_arabic_spellings

__all__ = ["Engine", "IndexMissing", "QueryError", "SearchRequest"]

#: Similar articles listed on a document page.
SIMILAR_LIMIT = 5


class Engine:
    """Searches one index (a directory, or a backend given as is); safe to share between threads."""

    def __init__(self, index: str | Path | SearchBackend, **options: Any) -> None:
        self.backend: SearchBackend = open_backend(index, **options) if isinstance(index, str | Path) else index

    def close(self) -> None:
        """Release the index's files; the engine reopens them if used again."""
        self.backend.close()

    def search(self, request: SearchRequest) -> SearchResult:
        """One page of results for ``request``: exact total, facets over every match, snippets.

        A page past the last has no hits.  A search with filters but no words lists the
        filtered articles newest first.  Unless ``request.collapse`` is off, each story (wire
        copies, ``index/stories.py``) is listed once, by its best-ranked article, and pages
        walk stories; ``total`` and the facets still count articles.  Raises :class:`QueryError` for a bad query, filter
        or paging, :class:`IndexMissing` without an index.
        """
        started = time.perf_counter()
        parsed, sort = _understood(request)
        filters = Filters.of(request)
        offset = (request.page - 1) * request.per_page
        plan = SearchPlan(
            parsed.tree,
            filters,
            sort,
            offset,
            request.per_page,
            facet_limit=TOP_VALUES,
            date_histogram=True,
            collapse=request.collapse,
        )
        with self.backend.view() as view:
            parsed = with_arabic_spellings(parsed, view)
            plan = replace(plan, tree=parsed.tree)
            matches = view.search(plan)
            exact, stems = _with_alias_words(parsed.aliases, *query_terms(parsed.tree, view.expand))
            keys: dict[str, str | None] = {}  # snippet match key per surface form, shared by the hits
            roots = query_roots(parsed.tree)
            hits = tuple(_hit(found, exact, stems, keys, roots) for found in matches.top)
            suggestion = None
            if matches.full < SUGGEST_BELOW and not request.filter_only:
                suggestion = suggest(view, parsed, matches.full, filters)
        facets = {
            key: tuple(FacetValue(value, count, key, request) for value, count in values)
            for key, values in matches.facets.items()
        }
        facets["date"] = facet_values(matches.histogram, request)  # the month facet's place, fitted
        return SearchResult(
            request=request,
            total=matches.total,
            total_full=matches.full,
            stories=matches.stories,
            sort=sort,
            hits=hits,
            facets=facets,
            aliases=tuple(Alias(a["query"], a["type"], a["entity"]) for a in parsed.aliases),
            suggestion=suggestion,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            date_interval=matches.histogram.interval if matches.histogram else None,
        )

    def export(self, request: SearchRequest, cap: int | None = None) -> Export:
        """Every article ``request`` matches, in its result order, for a CSV or JSONL export.

        The matches are found and counted now: a bad query, or more than ``cap`` articles
        (default :data:`~search.export.MAX_EXPORT`), raises :class:`QueryError` before anything
        is read.  The articles (no snippets) are read in batches as the export is iterated,
        from one view of the index that the export holds until it is closed.  Paging is
        ignored; nothing is collapsed.
        """
        parsed, sort = _understood(request)
        cap = MAX_EXPORT if cap is None else cap
        stack = ExitStack()
        try:
            view = stack.enter_context(self.backend.view())
            parsed = with_arabic_spellings(parsed, view)
            listing = view.listing(SearchPlan(parsed.tree, Filters.of(request), sort, facet_limit=0))
            if listing.total > cap:
                raise QueryError(
                    f"the search matches {listing.total:,} articles; an export holds at most {cap:,}: "
                    "narrow it with words, filters or dates"
                )
        except BaseException:
            stack.close()
            raise
        return Export(listing.total, sort, _exported(listing.hits), stack.close)

    def run(self, q: str, depth: int = MAX_RUN_DEPTH) -> list[tuple[str, float]]:
        """The ``depth`` best ``(id, score)`` for a query, for TREC runs: no snippets, no facets, never
        collapsed (a run lists every article)."""
        if not 1 <= depth <= MAX_RUN_DEPTH:
            raise QueryError(f"a run goes 1 to {MAX_RUN_DEPTH} deep (got {depth})")
        SearchRequest(q=q).validate()
        parsed = analyze_query(q)
        with self.backend.view() as view:
            parsed = with_arabic_spellings(parsed, view)
            matches = view.search(SearchPlan(parsed.tree, limit=depth, facet_limit=0, collapse=False))
        return [(found.doc.id, found.score) for found in matches.top]

    def document(self, doc_id: str) -> Document | None:
        """One article, or None when no article has this id."""
        with self.backend.view() as view:
            doc = view.document(doc_id)
        if doc is None:
            return None
        return Document(doc.id, doc.title, doc.date, doc.source, doc.url, doc.author, doc.content, doc.entities)

    def similar(self, doc_id: str, limit: int = SIMILAR_LIMIT) -> list[SimilarArticle]:
        """Articles sharing the most distinctive stems with ``doc_id``; ``[]`` for an unknown id."""
        with self.backend.view() as view:
            found = view.similar(doc_id, limit)
        return [SimilarArticle(doc.id, doc.title, doc.date, doc.source, score) for doc, score in found]

    def entity(self, kind: str, name: str) -> EntityProfile | None:
        """An entity's profile, or None when no article names it."""
        with self.backend.view() as view:
            return entity_profile(view, kind, name)

    def entities(self, kind: str | None = None) -> list[EntityRow]:
        """Every canonical entity in the index, most documents first (``kind``: one type)."""
        with self.backend.view() as view:
            return entity_list(view, kind)

    def facets(self) -> dict[str, Any]:
        """Facet counts over the whole index: ``{"total", "facets": {key: [{"value", "count"}]}}``."""
        with self.backend.view() as view:
            return overview(view)

    def stats(self) -> dict[str, Any]:
        """Size and provenance of the index."""
        with self.backend.view() as view:
            return view.stats()

    def complete(self, prefix: str, limit: int = 8) -> list[str]:
        """Vocabulary words starting with ``prefix``, most documents first."""
        with self.backend.view() as view:
            return complete(view, prefix, limit)

    def complete_entities(self, prefix: str, limit: int = 4) -> list[str]:
        """Entity names and aliases starting with ``prefix``, their entities' most documents first."""
        with self.backend.view() as view:
            return complete_entities(view, prefix, limit)


def _understood(request: SearchRequest) -> tuple[ParsedQuery, str]:
    """The request checked, its query parsed and its sort: filters without words list every
    filtered article, newest first."""
    request.validate()
    if request.filter_only:
        return ParsedQuery(request.q, qt.Every()), "date"
    return analyze_query(request.q), request.sort


def _exported(hits: Iterator[Found]) -> Iterator[ExportedArticle]:
    for found in hits:
        doc = found.doc
        yield ExportedArticle(
            doc.id, doc.title, doc.date, doc.source, doc.url, doc.author, doc.content, doc.entities, found.missing
        )


def _hit(found: Found, exact: set[str], stems: set[str], keys: dict[str, str | None], roots: frozenset[str]) -> Hit:
    doc = found.doc
    snippets = tuple(make_snippets(doc.content, exact, stems, keys=keys, roots=roots))
    return Hit(
        doc.id,
        doc.title,
        doc.date,
        doc.source,
        doc.url,
        found.score,
        snippets,
        doc.entities,
        found.missing,
        doc.story,
        found.duplicates,
        found.duplicate_count,
    )


@functools.cache
def _alias_words(kind: str, canonical: str) -> tuple[frozenset[str], frozenset[str]]:
    """Exact and stem forms of an entity's one-word aliases (داعش: ISIS, ISIL, Daesh …)."""
    single = [a for a in entity_aliases().get((kind, canonical), []) if len(list(tokenize(a))) == 1]
    return frozenset(normalize_word(a) for a in single), frozenset(stem_word(a) for a in single)


def _with_alias_words(
    aliases: tuple[dict[str, str], ...], exact: set[str], stems: set[str]
) -> tuple[set[str], set[str]]:
    """Snippet terms plus the one-word aliases of every entity the query named.

    A document found because it says ISIS (query داعش) gets ISIS marked.  Multi-word aliases
    (تنظيم الدولة) are not marked word by word: الدولة alone would light up everywhere.
    """
    for alias in aliases:
        more_exact, more_stems = _alias_words(alias["type"], alias["entity"])
        exact, stems = exact | more_exact, stems | more_stems
    return exact, stems
