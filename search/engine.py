"""Running a search: one open searcher, paging, sorting, snippets and "did you mean".

The CLI, the web page and the API all go through :class:`Engine`, so they rank, page and
cut snippets identically.  An engine keeps one Whoosh searcher open (opening an index
costs far more than a typical query) and notices cheaply, before every call, when the
indexer has swapped in a new generation (the ``current`` symlink changed) or committed
to the live one (the searcher is no longer up to date).
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
import logging
import math
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.collectors import FilterCollector, TimeLimit, TimeLimitCollector
from whoosh.reading import IndexReader
from whoosh.searching import Results, Searcher
from whoosh.sorting import FieldFacet, ScoreFacet, TranslateFacet
from whoosh.util.times import datetime_to_long

from index.entities import entity_aliases
from index.schema import EXACT_FIELDS, STEM_FIELDS
from index.writer import CURRENT, analysis_fingerprint, read_meta
from search.analysis import is_arabic, normalize_word, stem_word, tokenize
from search.facets import ENTITY_FACETS, TOP_VALUES, FacetFilters, FacetTable, entities_of, load_facet_table
from search.matches import MatchScorer, SearchTimeout, Unsupported
from search.query import ParsedQuery, QueryError, analyze_query, check_expansions
from search.snippets import make_snippets, query_terms

__all__ = ["Engine", "IndexMissing", "SearchRequest"]

log = logging.getLogger(__name__)

SORTS = ("relevance", "date")
MAX_PER_PAGE = 100
#: Seconds a search may run before it is abandoned with a QueryError.
DEFAULT_TIME_LIMIT = 5.0
#: "Did you mean" is computed only when the query found fewer documents than this.
SUGGEST_BELOW = 5
#: A query word is a suspected typo when fewer documents than this contain it (in any form).
SUSPECT_DF = 3
#: A replacement must be in at least ``RATIO × df(word) + 1`` documents.
REPLACEMENT_RATIO = 10
#: Distance-2 corrections are tried only for words at least this long (shorter ones have
#: too many neighbours at distance 2 to guess from).
MIN_LEN_DISTANCE_2 = 5
TEXT_FIELDS = ("title", "content", "title_stem", "content_stem")
#: Normalized letters (no hamza-on-alef, ة or ى: normalize_word folds them away).
ARABIC_LETTERS = "ءؤئابتثجحخدذرزسشصضطظعغفقكلمنهوي"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"


class IndexMissing(Exception):  # noqa: N818 - the name the CLI and web code import
    """There is no index to search; the message tells the user how to build one."""


@dataclass(frozen=True)
class SearchRequest:
    """One search as the CLI, web page and API ask for it."""

    q: str
    page: int = 1  # 1-based
    per_page: int = 10
    sort: str = "relevance"  # or "date": newest first, undated last, ties by score
    # Facet filters: AND across facets, OR within one; dates YYYY[-MM[-DD]], inclusive.
    person: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    @property
    def filters(self) -> FacetFilters:
        """The filters alone, which the engine turns into Whoosh's ``filter=``."""
        return FacetFilters(
            tuple(self.person),
            tuple(self.organization),
            tuple(self.place),
            tuple(self.source),
            self.date_from,
            self.date_to,
        )

    @property
    def filter_only(self) -> bool:
        """No words but some filter: list the filtered documents, newest first."""
        return not self.q.strip() and bool(self.filters)

    def validate(self) -> None:
        """Reject paging and sort values a client could send; QueryError like a bad query."""
        if not isinstance(self.page, int) or self.page < 1:
            raise QueryError(f"page must be a whole number ≥ 1 (got {self.page!r})")
        if not isinstance(self.per_page, int) or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE} (got {self.per_page!r})")
        if self.sort not in SORTS:
            raise QueryError(f"sort must be 'relevance' or 'date' (got {self.sort!r})")


class Engine:
    """Searches one index directory (``INDEX_DIR/current``); safe to share between threads."""

    def __init__(self, index_dir: str | Path, *, time_limit: float = DEFAULT_TIME_LIMIT) -> None:
        self.index_dir = Path(index_dir)
        self.time_limit = time_limit
        self._lock = threading.Lock()
        self._target: str | None = None
        self._ix: Any = None
        self._searcher: Searcher | None = None
        self._meta: dict = {}
        self._fingerprint: str | None = None
        self._facet_table: FacetTable | None = None  # per searcher generation
        self._scorer: MatchScorer | None = None  # per searcher generation (keyed by the searcher)
        self._date_keys: list[int] | None = None  # with _scorer
        self._overall: tuple[FacetTable, dict] | None = None  # whole-index counts of one facet table

    # -- opening and reopening

    def _current(self) -> Searcher:
        """The open searcher, reopened if the index changed since the last call."""
        target = self._read_link()
        if self._searcher is not None and target == self._target:
            if not self._searcher.up_to_date():  # an incremental update was committed
                self._searcher = self._searcher.refresh()
                self._facet_table = None
                self._scorer = self._date_keys = None
                self._meta = read_meta(self.index_dir / target)
            return self._searcher
        try:
            self._open(target)
        except IndexMissing:
            # A rebuild may have swapped the link and removed the old generation between
            # our readlink and open_dir: follow the new link once.
            newer = self._read_link()
            if newer == target:
                raise
            self._open(newer)
        assert self._searcher is not None
        return self._searcher

    def _read_link(self) -> str:
        try:
            return os.readlink(self.index_dir / CURRENT)
        except OSError:
            self._close_searcher()
            raise IndexMissing(f"no index in {self.index_dir}; run `search-cli index` to build one") from None

    def _open(self, target: str) -> None:
        self._close_searcher()
        generation = self.index_dir / target
        try:
            self._ix = whoosh_index.open_dir(str(generation))
        except (OSError, whoosh_index.EmptyIndexError):
            raise IndexMissing(
                f"the index in {self.index_dir} is missing or incomplete; run `search-cli index` to build it"
            ) from None
        self._searcher = self._ix.searcher()
        self._target = target
        self._meta = read_meta(generation)
        if not self._analysis_matches():
            log.warning("%s", self._analysis_warning())

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        if self._ix is not None:
            self._ix.close()
        self._searcher = self._ix = self._target = None
        self._facet_table = None
        self._scorer = self._date_keys = None

    def close(self) -> None:
        """Release the searcher's files; the engine reopens them if used again."""
        with self._lock:
            self._close_searcher()

    def _analysis_matches(self) -> bool:
        if self._fingerprint is None:
            self._fingerprint = analysis_fingerprint()
        return self._meta.get("analysis") == self._fingerprint

    def _analysis_warning(self) -> str:
        return (
            f"the index in {self.index_dir} was built by a different version of the Arabic analysis; "
            "some words may not be found until it is rebuilt (`search-cli index --rebuild`)"
        )

    # -- searching

    def search(self, request: SearchRequest) -> dict:
        """Run ``request`` and return a JSON-ready dict, the same for CLI, web page and API::

            {"query", "total", "page", "per_page", "pages", "sort", "suggestion", "took_ms",
             "hits": [{"id", "title", "date", "source", "url", "score", "snippets", "entities"}],
             "facets": {"person"|"organization"|"place"|"source"|"date": [{"value", "count"}]},
             "aliases": [{"query", "type", "entity"}]}   # query words read as a known entity

        ``title`` is plain text; each snippet is HTML (escaped, matches in ``<mark>``).  A
        page past the last has no hits (Whoosh's ``ResultsPage`` would quietly show the
        last page instead, so paging slices the results itself).  Facets count every
        matching document, not only the page.  A search with filters but no words lists
        the filtered documents newest first.  Raises :class:`QueryError` for a bad query,
        filter or paging, :class:`IndexMissing` without an index.
        """
        started = time.perf_counter()
        request.validate()
        sort = "date" if request.filter_only else request.sort
        with self._lock:
            searcher = self._current()
            parsed = self._parse(searcher, request)
            allowed = request.filters.allowed(searcher)
            first = (request.page - 1) * request.per_page
            found = self._ranked(searcher, parsed.query, request.page * request.per_page, sort, allowed, started)
            if found is not None:
                matching, top = found
            else:  # a query part MatchScorer does not evaluate: Whoosh's collectors, two walks
                results = self._collect(searcher, parsed.query, request.page * request.per_page, sort, allowed)
                matching = _matching_docs(searcher, parsed.query, allowed)
                top = [(hit.docnum, _score(hit.score, sort)) for hit in results]
            total = len(matching)
            exact, stems = query_terms(parsed.query, searcher)
            exact, stems = _with_alias_words(parsed.aliases, exact, stems)
            page = top[first : first + request.per_page]  # empty past the last page
            keys: dict[str, str | None] = {}  # snippet match key per surface form, shared by the hits
            hits = [self._hit(searcher.stored_fields(docnum), score, exact, stems, keys) for docnum, score in page]
            facets = self._facets(searcher).counts(matching)
            suggestion = None
            if total < SUGGEST_BELOW and not request.filter_only:
                suggestion = self._suggest(searcher, parsed, total, allowed)
        return {
            "query": request.q,
            "total": total,
            "page": request.page,
            "per_page": request.per_page,
            "pages": math.ceil(total / request.per_page),
            "sort": sort,
            "hits": hits,
            "facets": facets,
            "aliases": list(parsed.aliases),
            "suggestion": suggestion,
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
        }

    def _parse(self, searcher: Searcher, request: SearchRequest) -> ParsedQuery:
        """The query to run; every document (then narrowed by the filters) for a filter-only search."""
        if request.filter_only:
            return ParsedQuery(request.q, wq.Every())
        parsed = analyze_query(request.q, searcher.schema)
        check_expansions(parsed.query, searcher.reader())
        return parsed

    def _facets(self, searcher: Searcher) -> FacetTable:
        """The facet values of every document, once per searcher generation.

        Loaded from the table the writer saved with the commit when it matches this reader
        (a cold CLI search would otherwise spend most of its time reading facet postings),
        else built from the postings.
        """
        if self._facet_table is None:
            reader = searcher.reader()
            saved = load_facet_table(self.index_dir / self._target, reader) if self._target else None
            self._facet_table = saved if saved is not None else FacetTable(reader)
        return self._facet_table

    def entities(self, kind: str | None = None) -> list[dict]:
        """Every canonical entity in the index with its aliases and document count.

        ``[{"type", "name", "count", "aliases"}]``, most documents first; ``kind`` limits it to
        person, organization or place.  Aliases are the gazetteer's; an entity found by a
        rule (a role before an unlisted name) has none.
        """
        kinds = ENTITY_FACETS if kind is None else (kind,)
        if not set(kinds) <= set(ENTITY_FACETS):
            raise QueryError(f"unknown entity type {kind!r}; use person, organization or place")
        with self._lock:
            counts = self._whole_index_counts(limit=None)[1]
        aliases = entity_aliases()
        rows = [
            {"type": k, "name": item["value"], "count": item["count"], "aliases": aliases.get((k, item["value"]), [])}
            for k in kinds
            for item in counts[k]
        ]
        return sorted(rows, key=lambda row: (-row["count"], row["type"], row["name"]))

    def facets(self) -> dict:
        """Facet counts over the whole index (``search-cli facets``): every live document."""
        with self._lock:
            total, counts = self._whole_index_counts(limit=TOP_VALUES)
        return {"total": total, "facets": counts}

    def _whole_index_counts(self, limit: int | None) -> tuple[int, dict[str, list[dict]]]:
        """Live documents and facet counts over all of them, computed once per facet table.

        They depend on the index alone, not on a query, so the web page's facet list and the
        entity list cost a dict lookup after the first call; a new generation or commit brings
        a new facet table and so a recount.
        """
        table = self._facets(self._current())
        if self._overall is None or self._overall[0] is not table:
            self._overall = (table, {})
        cache = self._overall[1]
        if limit not in cache:
            docnums = list(self._current().reader().all_doc_ids())
            cache[limit] = (len(docnums), table.counts(docnums, limit=limit))
        total, counts = cache[limit]
        return total, {key: [dict(item) for item in items] for key, items in counts.items()}  # callers may edit

    def _ranked(
        self, searcher: Searcher, query: wq.Query, limit: int, sort: str, allowed: set[int] | None, started: float
    ) -> tuple[Iterable[int], list[tuple[int, float]]] | None:
        """Every matching docnum and the first ``limit`` ``(docnum, score)`` in ``sort`` order, in one walk.

        :class:`~search.matches.MatchScorer` scores every match (Whoosh's BM25F, same
        numbers), which gives the exact total, the facet docnums and the true top N at once.
        Whoosh's top-N collector skips blocks it judges unable to reach the top N and on the
        SaudiNewsNet index misses some of the best-scored documents; here nothing is skipped.
        None when the query has a part MatchScorer does not evaluate (the caller then uses
        Whoosh's collectors).
        """
        if isinstance(query, wq.Every):
            if allowed is None:
                return None
            # Filter-only: the allowed (live) documents are the matches, newest first.  Whoosh's
            # Every scores each 1.0, so ties go by docnum as in its sorted collector — without
            # its per-document walk (≈50 ms for a source with thousands of articles).
            keys = self._newest_first_keys(searcher)
            return allowed, [(docnum, 1.0) for docnum in heapq.nsmallest(limit, allowed, key=lambda d: (keys[d], d))]
        try:
            scores = self._match_scorer(searcher).scores(query, allowed, deadline=started + self.time_limit)
        except Unsupported:
            return None
        except SearchTimeout:
            raise QueryError("the search took too long; use more specific words") from None
        if sort == "date":
            keys = self._newest_first_keys(searcher)
            top = heapq.nsmallest(limit, scores.items(), key=lambda item: (keys[item[0]], -item[1], item[0]))
        else:
            top = _best(scores, limit)
        return scores.keys(), top

    def _match_scorer(self, searcher: Searcher) -> MatchScorer:
        """The one-walk scorer of the open searcher (its length factors are read once per generation)."""
        if self._scorer is None or self._scorer.searcher is not searcher:
            self._scorer = MatchScorer(searcher)
            self._date_keys = None
        return self._scorer

    def _newest_first_keys(self, searcher: Searcher) -> list[int]:
        """:func:`_newest_first` of every document's date column value, read once per generation."""
        if self._date_keys is None:
            reader = searcher.reader()
            if reader.has_column("date"):
                column = reader.column_reader("date", translate=False)
                self._date_keys = [_newest_first(value) for value in column]
            else:
                self._date_keys = [0] * reader.doc_count_all()
        return self._date_keys

    def _collect(self, searcher: Searcher, query: wq.Query, limit: int, sort: str, allowed: set[int] | None) -> Results:
        """The top ``page × per_page`` results under the time limit (queries :meth:`_ranked` cannot run).

        Whoosh's block-quality skipping stays on (it is what makes its top-N fast, at the
        price of sometimes missing a better-scored document); the total is counted
        separately by :func:`_matching_docs`, because a limited collector's own count is not
        reliable (with ``optimize=False`` it reported 463 of 3,644 matches on the
        SaudiNewsNet index).
        """
        if sort == "date":
            facets = [TranslateFacet(_newest_first, FieldFacet("date")), ScoreFacet()]
            collector = searcher.collector(limit=limit, sortedby=facets)
        else:
            collector = searcher.collector(limit=limit)
        return self._run(searcher, query, collector, allowed)

    def _run(self, searcher: Searcher, query: wq.Query, collector: Any, allowed: set[int] | None = None) -> Results:
        """Search under the time limit, keeping only ``allowed`` docnums (None: all).

        The filter wraps the timer, not the other way round: Whoosh's TimeLimitCollector
        calls its grandchild directly and would skip a FilterCollector beneath it.  An empty
        ``allowed`` must become a query that matches nothing, since Whoosh reads an empty
        filter as "no filter".
        """
        # use_alarm=False: SIGALRM only works in the main thread and can fire after the search.
        if allowed is None:
            outer = TimeLimitCollector(collector, timelimit=self.time_limit, use_alarm=False)
        else:
            outer = FilterCollector(_TimeLimit(collector, timelimit=self.time_limit, use_alarm=False), allow=allowed)
        try:
            searcher.search_with_collector(wq.NullQuery if allowed == set() else query, outer)
        except TimeLimit:
            raise QueryError("the search took too long; use more specific words") from None
        return outer.results()

    def _hit(
        self, fields: dict, score: float, exact: set[str], stems: set[str], keys: dict[str, str | None] | None = None
    ) -> dict:
        return {
            **_metadata(fields),
            "score": round(score, 4),
            "snippets": make_snippets(fields.get("content", ""), exact, stems, keys=keys),
            "entities": entities_of(fields),
        }

    # -- did you mean

    def _suggest(self, searcher: Searcher, parsed: ParsedQuery, total: int, allowed: set[int] | None) -> str | None:
        """The query with suspected typos replaced, if that finds more documents (same filters)."""
        reader = searcher.reader()
        text = parsed.text
        changed = False
        for word in sorted(parsed.words, key=lambda w: w.start, reverse=True):
            better = _better_word(reader, word.text)
            if better is not None:
                text = text[: word.start] + better + text[word.end :]
                changed = True
        if not changed:
            return None
        try:
            corrected = analyze_query(text, searcher.schema)
        except QueryError:
            return None
        collector = searcher.collector(limit=None, scored=False, filter=allowed)
        found = len(self._run(searcher, corrected.query, collector))
        return text.strip() if found > total else None

    # -- documents and statistics

    def document(self, doc_id: str) -> dict | None:
        """The stored fields of one article, or None when no article has this id."""
        with self._lock:
            fields = self._current().document(id=doc_id)
        if fields is None:
            return None
        return {
            **_metadata(fields),
            "author": fields.get("author") or None,
            "content": fields.get("content", ""),
            "entities": entities_of(fields),
        }

    def stats(self) -> dict:
        """Size and provenance of the index, for ``search-cli stats`` and the API."""
        with self._lock:
            searcher = self._current()
            reader = searcher.reader()
            generation = self.index_dir / str(self._target)
            fields = [f for f in (*TEXT_FIELDS, "source") if f in searcher.schema.names()]
            stats = {
                "documents": searcher.doc_count(),
                "terms": {f: sum(1 for _ in reader.lexicon(f)) for f in fields},
                "size_bytes": sum(p.stat().st_size for p in generation.iterdir() if p.is_file()),
                "created": self._meta.get("created"),
                "updated": self._meta.get("updated"),
                "index_dir": str(self.index_dir),
                "generation": generation.name,
                "analysis_matches": self._analysis_matches(),
            }
            if not stats["analysis_matches"]:
                stats["warning"] = self._analysis_warning()
        return stats

    # -- related documents, entities and completion

    def similar(self, doc_id: str, limit: int = 5) -> list[dict]:
        """Articles sharing the most distinctive stems with ``doc_id`` ("more like this").

        ``content_stem`` is not stored, so Whoosh gets the stored text to analyze with the
        stem field's analyzer: similarity then ignores clitics and spelling variants, as the
        search does.  The document itself is masked out.  ``[]`` for an unknown id.
        """
        with self._lock:
            searcher = self._current()
            docnum = searcher.document_number(id=doc_id)
            if docnum is None:
                return []
            fields = searcher.stored_fields(docnum)
            text = f"{fields.get('title', '')}\n\n{fields.get('content', '')}"
            # Whoosh's more_like, with the OR of key terms scored in one walk (MatchScorer)
            # instead of Whoosh's collector: 4-10x faster on the 31k index, same scores.
            key_terms = searcher.key_terms_from_text("content_stem", text, numterms=SIMILAR_TERMS)
            query = wq.Or([wq.Term("content_stem", word, boost=weight) for word, weight in key_terms])
            try:
                scores = self._match_scorer(searcher).scores(query, deadline=time.perf_counter() + self.time_limit)
            except (Unsupported, SearchTimeout):
                results = searcher.search(query, limit=limit, mask={docnum})
                return [{**_similar_row(hit.fields()), "score": round(hit.score or 0.0, 4)} for hit in results]
            scores.pop(docnum, None)
            top = _best(scores, limit)
            return [{**_similar_row(searcher.stored_fields(d)), "score": round(score, 4)} for d, score in top]

    def entity(self, kind: str, name: str) -> dict | None:
        """One entity's profile, or None when no article names it.

        ``{"type", "name", "total", "aliases", "related": {kind: [{"value", "count"}]},
        "timeline": [{"month", "count"}]}``: ``related`` are the entities named in the most of
        its articles (itself left out, ``RELATED_PER_TYPE`` per type); ``timeline`` counts its
        articles per month, oldest first, with empty months between filled in.
        """
        if kind not in ENTITY_FACETS:
            raise QueryError(f"unknown entity type {kind!r}; use person, organization or place")
        with self._lock:
            searcher = self._current()
            docnums = sorted(searcher.docs_for_query(wq.Term(kind, name)))
            if not docnums:
                return None
            counts = self._facets(searcher).counts(docnums, limit=None)
        related = {
            k: [c for c in counts[k] if (k, c["value"]) != (kind, name)][:RELATED_PER_TYPE] for k in ENTITY_FACETS
        }
        return {
            "type": kind,
            "name": name,
            "total": len(docnums),
            "aliases": entity_aliases().get((kind, name), []),
            "related": related,
            "timeline": _timeline(counts["date"]),
        }

    def complete(self, prefix: str, limit: int = 8) -> list[str]:
        """Title and content words starting with ``prefix`` (normalized), most documents first.

        The exact fields hold normalized words, so the completions are normalized too
        (الرقه, not الرقة).  At most ``COMPLETE_SCAN`` vocabulary terms per field are read,
        which bounds the cost of a one-letter prefix on a large index.
        """
        norm = normalize_word(prefix.strip())
        if not norm:
            return []
        with self._lock:
            reader = self._current().reader()
            terms: set[str] = set()
            for field in EXACT_FIELDS:
                terms.update(_decoded(itertools.islice(reader.expand_prefix(field, norm), COMPLETE_SCAN)))
            ranked = sorted(terms, key=lambda term: (-_popularity(reader, EXACT_FIELDS, term), term))
        return ranked[:limit]


# --- helpers --------------------------------------------------------------------------------


class _TimeLimit(TimeLimitCollector):
    """A TimeLimitCollector that also checks the clock when a wrapping FilterCollector collects."""

    def collect(self, sub_docnum: int) -> Any:
        if self.timedout:
            raise TimeLimit
        return self.child.collect(sub_docnum)


def _score(key: Any, sort: str) -> float:
    """The BM25F score from a result's sort key.

    Sorting by date keys each hit by ``(date, -score)`` (Whoosh's ScoreFacet negates the
    score so that higher sorts first); relevance keys by the score itself.
    """
    if sort == "date":
        return float(-key[1])
    return float(key or 0.0)


#: Column values above this are not dates: Whoosh fills a missing date with the type's maximum.
_LATEST = datetime_to_long(dt.datetime.max)


def _newest_first(column_value: int) -> int:
    """Sort key of the ``date`` column: newest first, documents without a date last.

    (``FieldFacet("date", reverse=True)`` would put undated documents *first*: Whoosh
    stores a missing number as the column type's maximum.)
    """
    return 0 if column_value > _LATEST else -column_value


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


def _best(scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best ``(docnum, score)``: highest score first, ties by docnum (Whoosh's order).

    The ``limit``-th best score is found on the bare floats (no key function per match),
    and only the matches reaching it are sorted.
    """
    items: Iterable[tuple[int, float]] = scores.items()
    if len(scores) > limit:
        threshold = heapq.nlargest(limit, scores.values())[-1]
        items = [item for item in items if item[1] >= threshold]
    return sorted(items, key=lambda item: (-item[1], item[0]))[:limit]


def _matching_docs(searcher: Searcher, query: wq.Query, allowed: set[int] | None) -> list[int]:
    """Every matching docnum, in one unscored pass: the exact total and what facets count.

    A filter-only search (``Every``) takes the allowed set as is instead of walking all documents.
    """
    if allowed is not None and isinstance(query, wq.Every):
        return sorted(allowed)
    docs = searcher.docs_for_query(query)
    return [d for d in docs if d in allowed] if allowed is not None else list(docs)


def _metadata(fields: dict) -> dict:
    """The display fields shared by a hit and a document, in the JSON the clients read."""
    return {
        "id": fields.get("id"),
        "title": fields.get("title", ""),
        "date": _iso_date(fields.get("date")),
        "source": fields.get("source") or None,
        "url": fields.get("url") or None,
    }


def _iso_date(value: Any) -> str | None:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return None


def _popularity(reader: IndexReader, fields: tuple[str, ...], text: str) -> int:
    """Documents containing ``text`` in the most-used of ``fields``."""
    return max((reader.doc_frequency(f, text) for f in fields), default=0)


def _edits1(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion from ``word``."""
    letters = ARABIC_LETTERS if is_arabic(word) else LATIN_LETTERS
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return out


def _better_word(reader: IndexReader, word: str) -> str | None:
    """A far more frequent normalized vocabulary word close to ``word``, or None.

    Distance 1 is generated (a few hundred candidates, each one term lookup, ~3 ms);
    distance 2 goes through Whoosh's Levenshtein automaton with a shared prefix, which is
    what keeps it fast on a large vocabulary (a prefix of 0 costs ~0.5 s on 100k terms).
    """
    norm = normalize_word(word)
    if len(norm) < 3 or norm.isdigit():
        return None
    own = max(_popularity(reader, EXACT_FIELDS, norm), _popularity(reader, STEM_FIELDS, stem_word(word)))
    if own >= SUSPECT_DF:
        return None
    need = REPLACEMENT_RATIO * own + 1
    best = _most_popular(reader, _edits1(norm), need)
    if best is None and len(norm) >= MIN_LEN_DISTANCE_2:
        prefix = 3 if norm.startswith("ال") else 1
        candidates = set(reader.terms_within("content", norm, 2, prefix=prefix)) - {norm}
        best = _most_popular(reader, candidates, need)
    return best


def _most_popular(reader: IndexReader, candidates: set[str], need: int) -> str | None:
    """The candidate in most documents (at least ``need``); ties alphabetically, for stable output."""
    scored = [(_popularity(reader, EXACT_FIELDS, c), c) for c in candidates]
    scored = [(df, c) for df, c in scored if df >= need]
    if not scored:
        return None
    return min(scored, key=lambda item: (-item[0], item[1]))[1]


#: Key terms a "more like this" query is built from.
SIMILAR_TERMS = 12
#: Co-occurring entities shown per type on an entity page.
RELATED_PER_TYPE = 10
#: Vocabulary terms read per field for one completion.
COMPLETE_SCAN = 2000
#: A timeline longer than this many months lists only the months with articles.
MAX_TIMELINE_MONTHS = 240


def _similar_row(fields: dict) -> dict:
    """A similar article as the document page lists it."""
    meta = _metadata(fields)
    return {key: meta[key] for key in ("id", "title", "date", "source")}


def _decoded(terms: Iterable[bytes | str]) -> Iterator[str]:
    """Whoosh yields bytes from some readers and str from others."""
    for term in terms:
        yield term.decode("utf-8") if isinstance(term, bytes) else term


def _timeline(months: list[dict]) -> list[dict]:
    """``[{"month", "count"}]`` oldest first, with the empty months in between (a bar chart's x axis)."""
    counts = {item["value"]: item["count"] for item in months}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    span = _month_number(last) - _month_number(first) + 1
    keys = (
        sorted(counts)
        if span > MAX_TIMELINE_MONTHS
        else [_month_name(n) for n in range(_month_number(first), _month_number(last) + 1)]
    )
    return [{"month": key, "count": counts.get(key, 0)} for key in keys]


def _month_number(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def _month_name(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"
