"""The Whoosh backend: searching an index directory written by ``index/whoosh_writer.py``.

State per index generation lives in one :class:`_Generation` object — the open index, a
pool of searchers, the facet table, the scorer's statistics, the date sort keys, the story
codes, the whole-index counts — and is swapped atomically when the writer commits or swaps in a new
generation.  Nothing is reset by hand: a new generation is a new object, and the old one
closes its files once the last request using it is done.

Whoosh reads files with seek-and-read on shared file objects, so one searcher must not serve
two threads at once; each request checks a searcher out of the generation's pool
(:meth:`WhooshBackend.view`) and returns it afterwards.  Nothing a search reads is changed by
another, so no lock protects any state.

Threads of one process still share the GIL, and scoring is Python work: eight threads
searching at once finish fewer searches per second than one (each posting block read and
decompressed releases the GIL and waits to get it back — measured in ``benchmarks/run.py``).
So searches pass through :attr:`WhooshBackend.search_slots` slots (admission control, as a
web server limits its workers; one by default): the others wait their turn instead of
thrashing.  Documents, statistics, facets and entity pages do not take a slot.  Processes
(gunicorn workers) are how a server uses more cores.

Layer: the read side (Whoosh).  Implements ``search.backend.SearchBackend``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.collectors import FilterCollector, TimeLimit, TimeLimitCollector
from whoosh.columns import ColumnReader, NumericColumn
from whoosh.index import TOC, FileIndex
from whoosh.reading import IndexReader
from whoosh.searching import Results, Searcher
from whoosh.sorting import FieldFacet, ScoreFacet, TranslateFacet
from whoosh.util.times import datetime_to_long

from index.contract import ENTITY_TYPES, TEXT_FIELDS, StoredDocument
from index.layout import CURRENT, MetaError, analysis_fingerprint, read_meta
from index.whoosh_facets import FacetValues, load_facet_values
from search import querytree as qt
from search import whoosh_ranking
from search.backend import DUPLICATE_IDS, Filters, Found, Listing, Matches, SearchPlan
from search.collapse import first_per_story, story_count, story_members
from search.errors import IndexMissing, QueryError
from search.facets import Counts, FacetCounter
from search.histogram import DateHistogram, date_histogram
from search.matches import GenerationStats, Matched, MatchScorer, SearchTimeout, Unsupported
from search.ranking import DEFAULT_RANKING, Ranking, reported_score
from search.whoosh_query import WildcardQuery, check_expansions, compiler

__all__ = ["DEFAULT_TIME_LIMIT", "WhooshBackend", "WhooshView"]

log = logging.getLogger(__name__)

#: Seconds a search may run before it is abandoned with a QueryError.
DEFAULT_TIME_LIMIT = 5.0
#: Searches running at once per process (see the module docstring).
DEFAULT_SEARCH_SLOTS = 1
#: Key terms a "more like this" query is built from.
SIMILAR_TERMS = 12
#: Documents a listing (an export) reads from the stored fields at a time, in docnum order.
LISTING_BATCH = 500
#: Column values above this are not dates: Whoosh fills a missing date with the type's maximum.
_LATEST = datetime_to_long(dt.datetime.max)
#: Whoosh's date number → day number (``search/histogram.py``): microseconds a day, and the
#: days from ``datetime.min`` to 1970-01-01.
_DAY_TICKS = 86_400_000_000
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal() - 1
#: The day number of a document without a date.
_UNDATED = np.iinfo(np.int64).min
_TOO_SLOW = "the search took too long; use more specific words"


def newest_first(column_value: int) -> int:
    """Sort key of the ``date`` column: newest first, documents without a date last.

    (``FieldFacet("date", reverse=True)`` would put undated documents *first*: Whoosh
    stores a missing number as the column type's maximum.)
    """
    return 0 if column_value > _LATEST else -column_value


class _Generation:
    """One committed generation of the index: its files, its caches and a pool of searchers."""

    def __init__(self, index_dir: Path, target: str) -> None:
        self.index_dir = index_dir
        self.target = target
        self.path = index_dir / target
        try:
            self.ix = whoosh_index.open_dir(str(self.path))
            self.toc = TOC.read(self.ix.storage, self.ix.indexname)
        except (OSError, whoosh_index.EmptyIndexError):
            raise IndexMissing(
                f"the index in {index_dir} is missing or incomplete; run `search-cli index` to build it"
            ) from None
        self.key = (target, self.toc.generation)
        self.meta: dict[str, Any] = {}
        self.meta_error: str | None = None
        try:
            self.meta = read_meta(self.path)
        except MetaError as error:
            self.meta_error = str(error)
            log.warning("%s", error)
        self.stats = GenerationStats()
        self._lock = threading.Lock()
        self._pool: list[Searcher] = []
        self._busy = 0
        self._retired = False
        self._facets: FacetCounter | None = None
        self._date_keys: np.ndarray | None = None
        self._dates: np.ndarray | None = None
        self._days: np.ndarray | None = None
        self._stories: tuple[np.ndarray, dict[bytes, int]] | None = None
        self._overall: dict[int | None, Matches] = {}
        self._memos: dict[str, Any] = {}

    # -- searchers

    def checkout(self) -> Searcher:
        with self._lock:
            if self._pool:
                searcher = self._pool.pop()
            else:
                reader = FileIndex._reader(
                    self.ix.storage, self.toc.schema, list(self.toc.segments), self.toc.generation
                )
                searcher = Searcher(reader, fromindex=self.ix)
            self._busy += 1
            return searcher

    def checkin(self, searcher: Searcher) -> None:
        with self._lock:
            self._busy -= 1
            if self._retired:
                searcher.close()
                self._close_if_idle()
            else:
                self._pool.append(searcher)

    def retire(self) -> None:
        """No new requests: close the idle searchers now, the busy ones when they come back."""
        with self._lock:
            self._retired = True
            for searcher in self._pool:
                searcher.close()
            self._pool.clear()
            self._close_if_idle()

    def _close_if_idle(self) -> None:
        if self._busy == 0:
            self.ix.close()

    # -- per-generation caches (computed once, shared by every thread)

    def facet_counter(self, searcher: Searcher) -> FacetCounter:
        """The facet table: the one the writer saved with this commit, else read from the postings."""
        if self._facets is None:
            with self._lock:
                if self._facets is None:
                    reader = searcher.reader()
                    values = load_facet_values(self.path, reader) or FacetValues.from_reader(reader)
                    self._facets = FacetCounter(values)
        return self._facets

    def dates(self, searcher: Searcher) -> np.ndarray:
        """Every document's ``date`` column value (Whoosh's number; a missing date is the type's maximum)."""
        if self._dates is None:
            self._dates = _date_column(searcher.reader())
        return self._dates

    def days(self, searcher: Searcher) -> np.ndarray:
        """Every document's date as a day number (the histogram's unit), :data:`_UNDATED` without one."""
        if self._days is None:
            dates = self.dates(searcher)
            dated = dates <= np.uint64(_LATEST)
            days = np.full(len(dates), _UNDATED, dtype=np.int64)
            days[dated] = (dates[dated] // np.uint64(_DAY_TICKS)).astype(np.int64) - _EPOCH_DAY
            self._days = days
        return self._days

    def stories(self, searcher: Searcher) -> tuple[np.ndarray, dict[bytes, int]]:
        """Every document's story as a small integer code, and the code of each story id.

        Read once per generation from the ``story`` column.  A document without a story (an
        index built before stories) gets a code of its own, so it is never collapsed.
        """
        if self._stories is None:
            reader = searcher.reader()
            size = reader.doc_count_all()
            numbers: dict[bytes, int] = {}
            if reader.has_column("story"):
                column = reader.column_reader("story", translate=False)
                codes = np.fromiter(_story_codes(column, numbers), dtype=np.int64, count=size)
                alone = codes < 0
                codes[alone] = len(numbers) + np.arange(np.count_nonzero(alone))
            else:
                codes = np.arange(size, dtype=np.int64)
            self._stories = (codes, numbers)
        return self._stories

    def date_keys(self, searcher: Searcher) -> np.ndarray:
        """:func:`newest_first` of every document's date: smaller sorts first."""
        if self._date_keys is None:
            dates = self.dates(searcher)
            keys = -dates.astype(np.float64)  # newest first (exact below 2**53 ticks: every real date)
            keys[dates > _LATEST] = 0.0  # undated last
            self._date_keys = keys
        return self._date_keys

    def memo(self, key: str, build: Any) -> Any:
        """A value computed once for this generation (two threads may build it at once; one wins)."""
        found = self._memos.get(key)
        if found is None:
            found = self._memos.setdefault(key, build())
        return found

    def analysis_matches(self) -> bool:
        return self.meta.get("analysis") == analysis_fingerprint()


class WhooshBackend:
    """Searches one index directory (``INDEX_DIR/current``); safe to share between threads."""

    def __init__(
        self,
        index_dir: str | Path,
        *,
        time_limit: float = DEFAULT_TIME_LIMIT,
        ranking: Ranking = DEFAULT_RANKING,
        search_slots: int | None = DEFAULT_SEARCH_SLOTS,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.location = str(self.index_dir)
        self.time_limit = time_limit
        self.ranking = ranking
        #: Searches that may run at once in this process (None: no limit).
        self.search_slots = search_slots
        self._slots = threading.BoundedSemaphore(search_slots) if search_slots else contextlib.nullcontext()
        self._generation: _Generation | None = None
        self._swap_lock = threading.Lock()

    @contextmanager
    def view(self) -> Iterator[WhooshView]:
        generation = self._current()
        try:
            searcher = generation.checkout()
        except OSError:  # a commit removed this generation's files since we looked: look again
            generation = self._current(force=True)
            searcher = generation.checkout()
        try:
            yield WhooshView(self, generation, searcher)
        finally:
            generation.checkin(searcher)

    def close(self) -> None:
        """Release the index files; the backend reopens them if used again."""
        with self._swap_lock:
            if self._generation is not None:
                self._generation.retire()
            self._generation = None

    def generation_path(self) -> Path | None:
        """The directory of the generation being searched (for tests and statistics)."""
        return self._generation.path if self._generation else None

    def _current(self, force: bool = False) -> _Generation:
        """The live generation, opened again if the writer swapped or committed since the last look.

        The look (a readlink and a directory listing) costs microseconds and takes no lock;
        only opening a new generation does.
        """
        target = self._read_link()
        generation = self._generation
        if not force and generation is not None and generation.target == target and _latest(generation):
            return generation
        with self._swap_lock:
            generation = self._generation
            if force or generation is None or generation.key[0] != target or not _latest(generation):
                fresh = self._open(target)
                if generation is not None:
                    generation.retire()
                self._generation = generation = fresh
        return generation

    def _open(self, target: str) -> _Generation:
        try:
            generation = _Generation(self.index_dir, target)
        except IndexMissing:
            # A rebuild may have swapped the link and removed the old generation between our
            # readlink and open_dir: follow the new link once.
            newer = self._read_link()
            if newer == target:
                raise
            generation = _Generation(self.index_dir, newer)
        if generation.meta and not generation.analysis_matches():
            log.warning("%s", _analysis_warning(self.index_dir))
        return generation

    def _read_link(self) -> str:
        try:
            return os.readlink(self.index_dir / CURRENT)
        except OSError:
            raise IndexMissing(f"no index in {self.index_dir}; run `search-cli index` to build one") from None


def _latest(generation: _Generation) -> bool:
    try:
        return generation.ix.latest_generation() == generation.toc.generation
    except OSError:
        return False


def _analysis_warning(index_dir: Path) -> str:
    return (
        f"the index in {index_dir} was built by a different version of the Arabic analysis; "
        "some words may not be found until it is rebuilt (`search-cli index --rebuild`)"
    )


class WhooshView:
    """One request's view of one generation: a searcher of its own, the generation's caches."""

    def __init__(self, backend: WhooshBackend, generation: _Generation, searcher: Searcher) -> None:
        self.backend = backend
        self.gen = generation
        self.searcher = searcher
        self.reader = searcher.reader()
        self.generation = f"{generation.target}@{generation.toc.generation}"

    # -- searching

    def search(self, plan: SearchPlan) -> Matches:
        if plan.limit == 0 and isinstance(plan.tree, qt.Every) and not plan.filters and not plan.date_histogram:
            return self._whole_index(plan.facet_limit)
        with self.backend._slots:
            return self._search(plan)

    def _search(self, plan: SearchPlan) -> Matches:
        deadline = time.perf_counter() + self.backend.time_limit
        compile_ = compiler(self.searcher.schema, self.backend.ranking)
        query = compile_.compile(plan.tree)
        check_expansions(query, self.reader)
        allowed = self._allowed(plan.filters)
        ranked = self._rank(plan.tree, query, compile_, allowed, deadline)
        if ranked is None:  # a query part MatchScorer does not evaluate: Whoosh's collectors
            return self._collected(plan, query, allowed)
        top = self._page(plan, ranked)
        facets: Counts = {}
        if plan.facet_limit != 0:
            facets = self.gen.facet_counter(self.searcher).counts(ranked.ids, limit=plan.facet_limit)
        full = ranked.full if ranked.tiers is not None else None
        stories = self._story_count(ranked.ids) if plan.collapse else None
        histogram = self._histogram(plan, ranked.ids)
        return Matches(len(ranked.ids), top, facets, total_full=full, histogram=histogram, stories=stories)

    def _story_count(self, docnums: np.ndarray) -> int:
        codes = self.gen.stories(self.searcher)[0]
        return story_count(codes[docnums], len(codes))

    def _rank(
        self, tree: qt.Node, query: wq.Query, compile_: Any, allowed: np.ndarray | None, deadline: float
    ) -> whoosh_ranking.Ranked | None:
        """Every match with what orders it, in one walk (None: a part MatchScorer does not evaluate).

        :class:`~search.matches.MatchScorer` scores every match (Whoosh's BM25F, same
        numbers), which gives the exact total, the facet docnums and the true top N at once.
        Whoosh's top-N collector skips blocks it judges unable to reach the top N and on the
        SaudiNewsNet index misses some of the best-scored documents; here nothing is skipped.
        """
        if isinstance(query, wq.Every):
            # Filter-only: the allowed (live) documents are the matches, newest first; Whoosh's
            # Every scores each 1.0, so ties go by docnum as in its sorted collector.
            if allowed is None:
                return None
            return whoosh_ranking.Ranked(allowed, np.ones(len(allowed)))
        scorer = MatchScorer(self.searcher, self.gen.stats)
        try:
            if isinstance(tree, qt.Forgiving):
                return whoosh_ranking.evaluate_forgiving(
                    scorer, tree, compile_.word, compile_.compile, allowed, deadline
                )
            return whoosh_ranking.as_ranked(scorer.match(query, allowed, deadline=deadline))
        except Unsupported:
            return None
        except SearchTimeout:
            raise QueryError(_TOO_SLOW) from None

    def _page(self, plan: SearchPlan, ranked: whoosh_ranking.Ranked) -> list[Found]:
        """The requested slice of the hits (or stories) in result order, proximity rescoring applied to the best.

        Collapsing needs the whole final order (a story's copies may rank anywhere); a page
        without it needs only its first ``offset + limit`` hits.
        """
        end = plan.offset + plan.limit
        if end <= 0 or not len(ranked.ids):
            return []
        order, scores = self._result_order(plan, ranked, len(ranked.ids) if plan.collapse else end)
        if plan.collapse:  # the final order: after rescoring
            picks, others = self._collapse(ranked.ids[order], plan.offset, end)
        else:
            picks, others = np.arange(plan.offset, min(end, len(order))), []
        words = whoosh_ranking.plain_words(plan.tree)
        stored = self.searcher.stored_fields
        tiers = ranked.tiers
        found = []
        for i, pick in enumerate(picks.tolist()):
            position = int(order[pick])
            duplicates, count = others[i] if others else ((), 0)
            score = reported_score(None if tiers is None else int(tiers[position]), float(scores[pick]))
            doc = _stored(stored(int(ranked.ids[position])))
            found.append(Found(doc, score, whoosh_ranking.missing(ranked, position, words), duplicates, count))
        return found

    def _collapse(self, docnums: np.ndarray, offset: int, end: int) -> tuple[np.ndarray, list[tuple[tuple, int]]]:
        """Positions in ``docnums`` (result order) of the stories ``offset:end``, and per story its
        other articles' ids (the first :data:`DUPLICATE_IDS`, in result order) and their number."""
        codes = self.gen.stories(self.searcher)[0][docnums]
        leads = first_per_story(codes, end)[offset:]
        stored = self.searcher.stored_fields
        others = [
            (tuple(stored(int(d))["id"] for d in docnums[positions].tolist()), count)
            for positions, count in story_members(codes, leads, DUPLICATE_IDS)
        ]
        return leads, others

    def _result_order(self, plan: SearchPlan, ranked: whoosh_ranking.Ranked, end: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions into ``ranked`` of (at least) the first ``end`` hits in result order, and
        their scores: proximity rescoring reorders the best of a relevance sort."""
        date_keys = self.gen.date_keys(self.searcher) if plan.sort == "date" else None
        ordered = whoosh_ranking.order(ranked, plan.sort, date_keys)
        if plan.sort != "relevance":
            window = ordered[:end]
            return window, ranked.scores[window]
        words = whoosh_ranking.plain_words(plan.tree)
        window = ordered[: self.backend.ranking.rescore_window]
        scorer = MatchScorer(self.searcher, self.gen.stats)
        window, scores = whoosh_ranking.rescore(scorer, ranked, window, words, self.backend.ranking)
        window = np.concatenate([window, ordered[len(window) : end]])
        scores = np.concatenate([scores, ranked.scores[window[len(scores) :]]])
        return window, scores

    def listing(self, plan: SearchPlan) -> Listing:
        """Every match in result order; documents read in batches as the hits are consumed."""
        with self.backend._slots:
            compile_ = compiler(self.searcher.schema, self.backend.ranking)
            query = compile_.compile(plan.tree)
            check_expansions(query, self.reader)
            allowed = self._allowed(plan.filters)
            deadline = time.perf_counter() + self.backend.time_limit
            ranked = self._rank(plan.tree, query, compile_, allowed, deadline)
            if ranked is None:  # a query part MatchScorer does not evaluate: Whoosh's collectors
                allowed_set = None if allowed is None else set(allowed.tolist())
                total = len(_matching_docs(self.searcher, query, allowed_set))
                results = self._collect(query, total, plan.sort, allowed_set)
                docnums = np.array([hit.docnum for hit in results], dtype=np.int64)
                scores = [_score(hit.score, plan.sort) for hit in results]
                return Listing(len(docnums), self._read(docnums, scores.__getitem__, lambda _: ()))
            positions, raw = self._result_order(plan, ranked, len(ranked.ids))
        words = whoosh_ranking.plain_words(plan.tree)
        tiers = ranked.tiers

        def score(i: int) -> float:
            return reported_score(None if tiers is None else int(tiers[positions[i]]), float(raw[i]))

        def missing(i: int) -> tuple[str, ...]:
            return whoosh_ranking.missing(ranked, int(positions[i]), words)

        return Listing(len(positions), self._read(ranked.ids[positions], score, missing))

    def _read(
        self, docnums: np.ndarray, score: Callable[[int], float], missing: Callable[[int], tuple[str, ...]]
    ) -> Iterator[Found]:
        """The hits ``docnums`` (in result order), their stored fields read :data:`LISTING_BATCH`
        at a time in docnum order (the stored-fields file is read forward, not back and forth)."""
        stored = self.searcher.stored_fields
        for start in range(0, len(docnums), LISTING_BATCH):
            batch = docnums[start : start + LISTING_BATCH].tolist()
            fields = {docnum: stored(docnum) for docnum in sorted(batch)}
            for offset, docnum in enumerate(batch):
                yield Found(_stored(fields[docnum]), score(start + offset), missing(start + offset))

    def _collected(self, plan: SearchPlan, query: wq.Query, allowed: np.ndarray | None) -> Matches:
        """The search through Whoosh's collectors (two walks: the top hits, then every match)."""
        end = plan.offset + plan.limit
        allowed_set = None if allowed is None else set(allowed.tolist())
        matching = np.array(_matching_docs(self.searcher, query, allowed_set), dtype=np.int64)
        facets: Counts = {}
        if plan.facet_limit != 0:
            facets = self.gen.facet_counter(self.searcher).counts(matching, limit=plan.facet_limit)
        stored = self.searcher.stored_fields
        if plan.collapse:
            top = self._collected_stories(plan, query, allowed_set, matching)
            stories = self._story_count(matching)
            return Matches(len(matching), top, facets, histogram=self._histogram(plan, matching), stories=stories)
        results = self._collect(query, end, plan.sort, allowed_set)
        top = [(hit.docnum, _score(hit.score, plan.sort)) for hit in results][plan.offset : end]
        found = [Found(_stored(stored(d)), score) for d, score in top]
        return Matches(len(matching), found, facets, histogram=self._histogram(plan, matching))

    def _collected_stories(
        self, plan: SearchPlan, query: wq.Query, allowed: set[int] | None, matching: np.ndarray
    ) -> list[Found]:
        """A page of stories through Whoosh's collectors: collect deeper until the page's stories are in.

        A story's other articles are listed in result order as far as collected, then in index order.
        """
        end = plan.offset + plan.limit
        codes = self.gen.stories(self.searcher)[0]
        depth = max(4 * end, 64)
        while True:
            results = self._collect(query, depth, plan.sort, allowed)
            hits = [(hit.docnum, _score(hit.score, plan.sort)) for hit in results]
            if depth >= len(matching) or story_count(codes[[d for d, _ in hits]], len(codes)) >= end:
                break
            depth *= 4
        docs = np.array([d for d, _ in hits], dtype=np.int64)
        docnums = np.concatenate([docs, np.setdiff1d(matching, docs)])
        leads, others = self._collapse(docnums, plan.offset, end)
        stored = self.searcher.stored_fields
        return [
            Found(_stored(stored(hits[p][0])), hits[p][1], (), duplicates, count)
            for p, (duplicates, count) in zip(leads.tolist(), others, strict=True)
        ]

    def _whole_index(self, facet_limit: int | None) -> Matches:
        """Every live document counted, once per generation (the facets page, the entity list)."""
        cached = self.gen._overall.get(facet_limit)
        if cached is None:
            total = self.reader.doc_count()
            counter = self.gen.facet_counter(self.searcher)
            facets = counter.counts(None, limit=facet_limit) if facet_limit != 0 else {}
            cached = self.gen._overall[facet_limit] = Matches(total, [], facets)
        return Matches(cached.total, [], {key: list(values) for key, values in cached.facets.items()})

    def _histogram(self, plan: SearchPlan, docnums: np.ndarray) -> DateHistogram | None:
        """The date histogram of ``docnums`` if the plan asks for it (undated documents left out)."""
        if not plan.date_histogram:
            return None
        days = self.gen.days(self.searcher)[docnums]
        return date_histogram(days[days != _UNDATED])

    def count(self, tree: qt.Node, filters: Filters) -> int:
        """How many articles match all of it (a forgiving query: every word; no ranking, no facets)."""
        return self.search(SearchPlan(tree, filters, limit=0, facet_limit=0)).full

    def _allowed(self, filters: Filters) -> np.ndarray | None:
        """Docnums passing every filter (ascending), or None without filters.

        Read from the per-generation facet table and date column: no posting is walked.
        """
        if not filters:
            return None
        allowed = self.gen.stats.live(MatchScorer(self.searcher, self.gen.stats))
        if filters.story is not None:
            codes, numbers = self.gen.stories(self.searcher)
            code = numbers.get(filters.story.encode("utf-8"), -1)
            allowed = allowed[codes[allowed] == code]
        counter = self.gen.facet_counter(self.searcher)
        for field, values in filters.values:
            allowed = np.intersect1d(allowed, counter.docs_with(field, values), assume_unique=True)
        if filters.dates is not None:
            start, end = filters.dates
            dates = self.gen.dates(self.searcher)[allowed]
            keep = dates <= np.uint64(_LATEST)
            if start is not None:
                keep &= dates >= np.uint64(datetime_to_long(start))
            if end is not None:
                keep &= dates <= np.uint64(datetime_to_long(end))
            allowed = allowed[keep]
        return allowed

    def _collect(self, query: wq.Query, limit: int, sort: str, allowed: set[int] | None) -> Results:
        """The top ``limit`` results under the time limit (queries :meth:`_rank` cannot run).

        The total is counted separately by :func:`_matching_docs`, because a limited
        collector's own count is not reliable.
        """
        limit = max(limit, 1)
        if sort == "date":
            facets = [TranslateFacet(newest_first, FieldFacet("date")), ScoreFacet()]
            collector = self.searcher.collector(limit=limit, sortedby=facets)
        else:
            collector = self.searcher.collector(limit=limit)
        return self._run(query, collector, allowed)

    def _run(self, query: wq.Query, collector: Any, allowed: set[int] | None = None) -> Results:
        """Search under the time limit, keeping only ``allowed`` docnums (None: all).

        The filter wraps the timer, not the other way round: Whoosh's TimeLimitCollector
        calls its grandchild directly and would skip a FilterCollector beneath it.  An empty
        ``allowed`` must become a query that matches nothing, since Whoosh reads an empty
        filter as "no filter".
        """
        limit = self.backend.time_limit
        # use_alarm=False: SIGALRM only works in the main thread and can fire after the search.
        if allowed is None:
            outer = TimeLimitCollector(collector, timelimit=limit, use_alarm=False)
        else:
            outer = FilterCollector(_TimeLimit(collector, timelimit=limit, use_alarm=False), allow=allowed)
        try:
            self.searcher.search_with_collector(wq.NullQuery if allowed == set() else query, outer)
        except TimeLimit:
            raise QueryError(_TOO_SLOW) from None
        return outer.results()

    # -- documents

    def document(self, doc_id: str) -> StoredDocument | None:
        fields = self.searcher.document(id=doc_id)
        return None if fields is None else _stored(fields)

    def similar(self, doc_id: str, limit: int) -> list[tuple[StoredDocument, float]]:
        """Articles sharing the most distinctive stems with ``doc_id`` ("more like this").

        ``content_stem`` is not stored, so Whoosh gets the stored text to analyze with the
        stem field's analyzer: similarity then ignores clitics and spelling variants, as the
        search does.  The OR of key terms is scored in one walk (MatchScorer), the document
        itself masked out.
        """
        searcher = self.searcher
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            return []
        fields = searcher.stored_fields(docnum)
        text = f"{fields.get('title', '')}\n\n{fields.get('content', '')}"
        key_terms = searcher.key_terms_from_text("content_stem", text, numterms=SIMILAR_TERMS)
        query = wq.Or([wq.Term("content_stem", word, boost=weight) for word, weight in key_terms])
        deadline = time.perf_counter() + self.backend.time_limit
        try:
            matched = MatchScorer(searcher, self.gen.stats).match(query, deadline=deadline)
        except (Unsupported, SearchTimeout):
            results = searcher.search(query, limit=limit, mask={docnum})
            return [(_stored(hit.fields()), hit.score or 0.0) for hit in results]
        keep = matched.ids != docnum
        top = best(Matched(matched.ids[keep], matched.scores[keep]), limit)
        return [(_stored(searcher.stored_fields(d)), score) for d, score in top]

    # -- vocabulary

    def doc_frequency(self, field: str, term: str) -> int:
        return self.reader.doc_frequency(field, term)

    def doc_frequencies(self, field: str, terms: list[str]) -> dict[str, int]:
        frequency = self.reader.doc_frequency
        return {term: frequency(field, term) for term in terms}

    def terms_within(self, field: str, term: str, distance: int, prefix: int) -> list[str]:
        return list(_decoded(self.reader.terms_within(field, term, distance, prefix=prefix)))

    def prefix_terms(self, field: str, prefix: str, limit: int) -> list[str]:
        return list(_decoded(itertools.islice(self.reader.expand_prefix(field, prefix), limit)))

    def expand(self, pattern: qt.Pattern) -> list[str]:
        fields = ("title",) if pattern.title_only else ("title", "content")
        terms: list[str] = []
        for field in fields:
            terms += WildcardQuery(field, pattern.pattern, display=pattern.display).expand(self.reader)
        return terms

    def memo(self, key: str, build: Any) -> Any:
        return self.gen.memo(key, build)

    def stats(self) -> dict[str, Any]:
        reader = self.reader
        schema_names = self.searcher.schema.names()
        fields = [f for f in (*TEXT_FIELDS, "source") if f in schema_names]
        gen = self.gen
        stats: dict[str, Any] = {
            "documents": self.searcher.doc_count(),
            "terms": {f: sum(1 for _ in reader.lexicon(f)) for f in fields},
            "size_bytes": sum(p.stat().st_size for p in gen.path.iterdir() if p.is_file()),
            "created": gen.meta.get("created"),
            "updated": gen.meta.get("updated"),
            "index_dir": str(gen.index_dir),
            "generation": gen.path.name,
            "analysis_matches": gen.analysis_matches(),
        }
        if gen.meta_error:
            stats["warning"] = gen.meta_error
        elif not stats["analysis_matches"]:
            stats["warning"] = _analysis_warning(gen.index_dir)
        return stats


# --- helpers --------------------------------------------------------------------------------


class _TimeLimit(TimeLimitCollector):
    """A TimeLimitCollector that also checks the clock when a wrapping FilterCollector collects."""

    def collect(self, sub_docnum: int) -> Any:
        if self.timedout:
            raise TimeLimit
        return self.child.collect(sub_docnum)


def _score(key: Any, sort: str) -> float:
    """The BM25F score from a result's sort key (sorting by date keys by ``(date, -score)``)."""
    if sort == "date":
        return float(-key[1])
    return float(key or 0.0)


def best(matched: Matched, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best ``(docnum, score)``: highest score first, ties by docnum (Whoosh's order).

    The ``limit``-th best score is found by a partition, and only the matches reaching it
    are sorted.
    """
    ids, scores = matched.ids, matched.scores
    if limit <= 0 or not len(ids):
        return []
    if len(ids) > limit:
        threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = scores >= threshold
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:limit]
    return list(zip(ids[order].tolist(), scores[order].tolist(), strict=True))


def _date_column(reader: IndexReader) -> np.ndarray:
    """Every document's ``date`` column value, segment by segment.

    Whoosh's multi-segment column reader leaves out the segments that have no ``date`` column
    (an update whose articles are all undated), so its values would not line up with the
    docnums; here such a segment's documents get the missing-date value, the type's maximum.
    """
    dates = np.full(reader.doc_count_all(), np.iinfo(np.uint64).max, dtype=np.uint64)
    for leaf, offset in reader.leaf_readers():
        if leaf.has_column("date"):
            column = leaf.column_reader("date", translate=False)
            size = leaf.doc_count_all()
            values = _numeric_column(column, size)
            if values is None:
                values = np.fromiter((int(v) for v in column), dtype=np.uint64, count=size)
            dates[offset : offset + size] = values
    return dates


def _numeric_column(column: ColumnReader, size: int) -> np.ndarray | None:
    """One segment's unsigned 64-bit column read as raw bytes (the ``date`` column, on every first
    search of a generation now that the date histogram needs it): under 1 ms instead of 30–80 ms
    for 31k documents.  None when it is not laid out as Whoosh 2.7 writes it (then iterate it)."""
    if not isinstance(column, NumericColumn.Reader) or column._typecode != "Q" or column._count > size:
        return None
    values = np.full(size, column._default, dtype=np.uint64)
    raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
    values[: column._count] = np.frombuffer(raw, dtype=">u8")
    return values


def _matching_docs(searcher: Searcher, query: wq.Query, allowed: set[int] | None) -> list[int]:
    """Every matching docnum, in one unscored pass: the exact total and what facets count."""
    if allowed is not None and isinstance(query, wq.Every):
        return sorted(allowed)
    docs = searcher.docs_for_query(query)
    return [d for d in docs if d in allowed] if allowed is not None else list(docs)


def _story_codes(column: Iterable[bytes], numbers: dict[bytes, int]) -> Iterator[int]:
    """A code per story id (``numbers`` filled as they come); an empty id a negative one of its own."""
    fresh = itertools.count(-1, -1)
    for value in column:
        yield numbers.setdefault(value, len(numbers)) if value else next(fresh)


def _stored(fields: dict[str, Any]) -> StoredDocument:
    """A Whoosh stored-fields dict as the contract's document."""
    date = fields.get("date")
    return StoredDocument(
        id=fields.get("id", ""),
        title=fields.get("title", ""),
        content=fields.get("content", ""),
        date=date.date() if isinstance(date, dt.datetime) else date if isinstance(date, dt.date) else None,
        source=fields.get("source") or None,
        url=fields.get("url") or None,
        author=fields.get("author") or None,
        entities={kind: _split(fields.get(kind)) for kind in ENTITY_TYPES},
        story=fields.get("story") or fields.get("id", ""),
    )


def _split(stored: object) -> tuple[str, ...]:
    if not isinstance(stored, str):
        return ()
    return tuple(dict.fromkeys(v.strip() for v in stored.split(",") if v.strip()))


def _decoded(terms: Iterable[bytes | str]) -> Iterator[str]:
    """Whoosh yields bytes from some readers and str from others."""
    for term in terms:
        yield term.decode("utf-8") if isinstance(term, bytes) else term
