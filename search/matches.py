"""One walk of a query: every matching document with its BM25F score, a posting list at a time.

Whoosh answers a query by stepping a tree of matcher objects one document at a time, in
Python, with several method calls per document and per tree node.  The engine needs every
match anyway (the exact total and the facet counts), so it used to walk the tree twice: once
scored for the top hits, once unscored for the total.  On the 31k-article SaudiNewsNet
index that was most of a search's time (a word is an OR over four fields, a phrase decodes
positions for every candidate in two of them).

:class:`MatchScorer` evaluates the same query objects bottom-up instead: each term's
postings are decoded block by block (the blocks Whoosh itself reads), scored with Whoosh's
BM25F formula and statistics (same idf, average field length, encoded field length, B and
K1), and combined with dictionary operations — AND intersects, OR unions, NOT subtracts,
exactly as Whoosh's intersection, union and inverse matchers do, adding the same scores
(a NOT inside an AND adds Whoosh's constant 1.0).  The result equals Whoosh's up to the
order of floating-point additions.  Query types it does not know raise :class:`Unsupported`
and the engine falls back to Whoosh's collectors.

Reading a W3 posting list a block at a time and a segment's length column in one piece
uses attributes of Whoosh's W3 codec that are not public API (``_read_data``, ``_maxid``,
``_perdoc``…); ``pyproject.toml`` pins whoosh-reloaded below 2.8, another codec or reader
takes the slower public path, and ``tests/test_matches.py`` compares every result with
Whoosh's own collector, so a change there shows as a failing test, not as wrong results.

Threads: what depends only on the index generation (every document's length normalization,
the live documents) is computed once into a :class:`GenerationStats` shared by all threads;
a :class:`MatchScorer` holds one search's scratch state and is made per search.

Layer: the read side (Whoosh).
"""

from __future__ import annotations

import bisect
import itertools
import threading
import time
from collections.abc import Iterable
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.compat import loads
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader, TermNotFound
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

__all__ = ["GenerationStats", "MatchScorer", "SearchTimeout", "Unsupported"]

Scores = dict[int, float]
#: Score Whoosh's InverseMatcher gives each document a NOT matches (it is added inside an AND).
NOT_SCORE = 1.0
#: Whoosh's Or preloads its union into an array (no BM25F for a "constant score" OR) for
#: segments up to this many documents (``whoosh.query.compound.Or._matcher``).
_PRELOAD_BELOW = 5000
#: Phrase candidates checked between two looks at the clock.
_CLOCK_EVERY = 256


class Unsupported(Exception):  # noqa: N818 - a signal to fall back, not an error
    """The query contains something this module does not evaluate; use Whoosh's collectors."""


class SearchTimeout(Exception):  # noqa: N818 - named like Whoosh's TimeLimit
    """The deadline passed during evaluation."""


class _Postings:
    """One term's postings in one segment: segment docnums, weights and (raw) values."""

    __slots__ = ("ids", "values", "weights")

    def __init__(self, ids: list[int], weights: list[float], values: list[Any] | None) -> None:
        self.ids = ids
        self.weights = weights
        self.values = values


class GenerationStats:
    """What scoring needs per index generation, shared by every thread's scorer.

    Each document's BM25 length normalization per text field (Whoosh's
    ``K1 * ((1 - B) + B * length / avglength)`` from the encoded field length) and the set
    of live documents, each computed on first use under a lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._norms: dict[str, list[float]] = {}
        self._live: frozenset[int] | None = None

    def norms(self, scorer: MatchScorer, fieldname: str) -> list[float]:
        found = self._norms.get(fieldname)
        if found is None:
            with self._lock:
                found = self._norms.get(fieldname)
                if found is None:
                    found = self._norms[fieldname] = scorer._compute_norms(fieldname)
        return found

    def live(self, scorer: MatchScorer) -> frozenset[int]:
        found = self._live
        if found is None:
            dead = {d + offset for _leaf, offset, deleted in scorer.leaves for d in deleted}
            found = self._live = frozenset(d for d in range(scorer.size) if d not in dead)
        return found


class MatchScorer:
    """Scores queries on one open searcher: one search's worth of state, made per search.

    ``stats`` is shared by the scorers of one index generation (a new one when omitted).
    """

    def __init__(self, searcher: Searcher, stats: GenerationStats | None = None) -> None:
        self.searcher = searcher
        self.reader: IndexReader = searcher.reader()
        self.schema = searcher.schema
        self.size = self.reader.doc_count_all()
        self.stats = stats if stats is not None else GenerationStats()
        weighting = searcher.weighting
        self.bm25 = type(weighting) is BM25F
        self.k1 = getattr(weighting, "K1", 1.2)
        self._field_b: dict[str, float] = dict(getattr(weighting, "_field_B", {}))
        self._b = getattr(weighting, "B", 0.75)
        self.leaves = [(leaf, offset, _deleted(leaf)) for leaf, offset in self.reader.leaf_readers()]
        self._deadline = float("inf")
        self._wanted_for: set[int] | None = None
        self._wanted_key: tuple[int, int] | None = None
        self._wanted_list: list[int] = []
        self._sorted_for: set[int] | None = None  # the set whose sorted docnums _sorted holds
        self._sorted: list[int] = []

    # -- entry point

    def scores(self, query: wq.Query, within: set[int] | None = None, deadline: float | None = None) -> Scores:
        """``{docnum: score}`` of every live document matching ``query`` (and in ``within``, if given).

        Raises :class:`Unsupported` for a query (part) this module does not evaluate and
        :class:`SearchTimeout` once ``deadline`` (a ``time.perf_counter()`` value) has passed.
        """
        if not self.bm25:
            raise Unsupported("the searcher does not score with BM25F")
        self._deadline = float("inf") if deadline is None else deadline
        _check_supported(query)
        return self._eval(query, within)

    # -- the tree

    def _eval(self, q: wq.Query, within: set[int] | None) -> Scores:
        self._tick()
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost, within)
        if isinstance(q, wq.Phrase):
            return self._phrase(q, within)
        if isinstance(q, wq.And | wq.Or) and not q.subqueries:
            return {}
        if isinstance(q, wq.And | wq.Or) and len(q.subqueries) == 1:
            return self._eval(q.subqueries[0], within)  # Whoosh ignores the boost of a lone child too
        if isinstance(q, wq.And):
            return self._and(q.subqueries, q.boost, within)
        if isinstance(q, wq.Or):
            return self._or(q.subqueries, q.boost, within)
        if isinstance(q, wq.Not):
            excluded = self._eval(q.query, within)
            return dict.fromkeys((d for d in self._live_docs(within) if d not in excluded), NOT_SCORE)
        if isinstance(q, wq.MultiTerm):
            return self._multiterm(q, within)
        if q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__):
            return {}
        raise Unsupported(type(q).__name__)  # _check_supported keeps this from being reached

    def _and(self, subqueries: list[wq.Query], boost: float, within: set[int] | None) -> Scores:
        """Intersection, scores added; each NOT removes documents and adds 1.0 to the rest."""
        positive = [q for q in subqueries if not isinstance(q, wq.Not)]
        negative = [q for q in subqueries if isinstance(q, wq.Not)]
        # Smallest first: later (larger) parts then only score the documents still in.
        positive.sort(key=lambda q: q.estimate_size(self.reader))
        if positive:
            acc = self._eval(positive[0], within)
            for q in positive[1:]:
                if not acc:
                    return {}
                part = self._eval(q, set(acc))
                acc = {d: s + part[d] for d, s in acc.items() if d in part}
        else:
            acc = dict.fromkeys(self._live_docs(within), 0.0)
        for q in negative:
            if not acc:
                return {}
            excluded = self._eval(q.query, set(acc))
            acc = {d: s + NOT_SCORE for d, s in acc.items() if d not in excluded}
        return _boosted(acc, boost)

    def _or(self, subqueries: Iterable[wq.Query], boost: float, within: set[int] | None) -> Scores:
        """Union, scores added; terms add their postings' scores straight into the sum."""
        acc: Scores = {}
        for q in subqueries:
            if isinstance(q, wq.Term) and acc:
                self._term(q.fieldname, q.text, q.boost, within, into=acc)
                continue
            part = self._eval(q, within)
            if not acc:
                acc = part  # every part is a fresh dict: safe to add to
                continue
            get = acc.get
            for d, s in part.items():
                acc[d] = get(d, 0.0) + s
        return _boosted(acc, boost)

    def _multiterm(self, q: wq.MultiTerm, within: set[int] | None) -> Scores:
        """Patterns (wildcards, ``source:``) exactly as Whoosh runs them, which is segment by segment.

        Whoosh expands the pattern in each segment's own lexicon: one term is a plain term
        query; several are an OR which, being "constant score", Whoosh scores with BM25F when
        it builds a tree of union matchers (two terms, or a segment over 5,000 documents)
        and with 1.0 per document when it preloads the union into an array (smaller
        segments).  Odd, but it is the ranking the collectors give, so it is kept.
        """
        out: Scores = {}
        field = q.field()
        for leaf, offset, deleted in self.leaves:
            words = [w for w in q._btexts(leaf) if w]
            if not words:
                continue
            if len(words) == 1:
                self._leaf_term(leaf, offset, deleted, field, words[0], within, out, 1.0)
            elif len(words) < wq.Or.TOO_MANY_CLAUSES and (len(words) == 2 or leaf.doc_count_all() > _PRELOAD_BELOW):
                part: Scores = {}
                for word in words:
                    self._leaf_term(leaf, offset, deleted, field, word, within, part, 1.0)
                out.update(_boosted(part, q.boost))
            else:
                part = {}
                for word in words:
                    self._leaf_term(leaf, offset, deleted, field, word, within, part, 1.0)
                out.update(dict.fromkeys(part, 1.0))
        return out

    # -- leaves

    def _term(
        self, fieldname: str, text: Any, boost: float, within: set[int] | None, into: Scores | None = None
    ) -> Scores:
        """A term's ``{docnum: score}``; with ``into``, its scores are added to that dict instead."""
        btext = self._to_bytes(fieldname, text)
        if btext is None or (fieldname, btext) not in self.reader:
            return {} if into is None else into
        out: Scores = {}
        for leaf, offset, deleted in self.leaves:
            self._leaf_term(leaf, offset, deleted, fieldname, btext, within, out if into is None else into, boost)
        return out if into is None else into

    def _leaf_term(
        self,
        leaf: IndexReader,
        offset: int,
        deleted: frozenset[int],
        fieldname: str,
        btext: bytes,
        within: set[int] | None,
        into: Scores,
        boost: float,
    ) -> None:
        """Add one segment's scores of a term (times ``boost``) to ``into``."""
        wanted = self._wanted(within, leaf, offset)
        postings = self._postings(leaf, deleted, fieldname, btext, values=False, wanted=wanted)
        if postings is None:
            return
        score = self._scorer(fieldname, btext)
        if into:
            score(postings.ids, postings.weights, offset, within, into, boost)
        else:  # the first list of a sum: a dict comprehension, then no additions needed
            into.update(_boosted(score(postings.ids, postings.weights, offset, within, None), boost))

    def _phrase(self, q: wq.Phrase, within: set[int] | None) -> Scores:
        """Documents with the words at consecutive positions (Whoosh's ``SpanNear2``, slop 1).

        The score is the sum of the words' BM25F scores, as Whoosh's intersection under the
        span matcher adds them (a repeated word counts each time).
        """
        fieldname = q.fieldname
        if fieldname not in self.schema:
            return {}
        field = self.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            raise Unsupported(f"phrase on {fieldname}, which has no positions")  # Whoosh's own error, then
        btexts = [self._to_bytes(fieldname, w) for w in q.words]
        if any(b is None or (fieldname, b) not in self.reader for b in btexts):
            return {}
        # Whoosh's own decoder for any other format (Characters adds offsets to each position).
        decode = _fast_positions if type(field.format) is Positions else field.format.decode_positions
        scorers = {b: self._scorer(fieldname, b) for b in set(btexts)}
        out: Scores = {}
        for leaf, offset, deleted in self.leaves:
            lists, candidates = self._phrase_postings(leaf, offset, deleted, fieldname, btexts, within)
            found = self._consecutive(candidates, lists, btexts, decode)
            if not found:
                continue
            leaf_scores: Scores = {}
            for b in btexts:  # in phrase order: the same sum as Whoosh's
                p = lists[b]
                where = {d: i for i, d in enumerate(p.ids)}
                part = scorers[b](found, [p.weights[where[d]] for d in found], offset, None, None)
                get = leaf_scores.get
                for d, s in part.items():
                    leaf_scores[d] = get(d, 0.0) + s
            out.update(leaf_scores)
        return _boosted(out, q.boost)

    def _phrase_postings(
        self,
        leaf: IndexReader,
        offset: int,
        deleted: frozenset[int],
        fieldname: str,
        btexts: list[bytes | None],
        within: set[int] | None,
    ) -> tuple[dict[bytes, _Postings], list[int]]:
        """The phrase words' postings in one segment and the docnums holding all of them.

        Rarest word first; each next word's blocks are read only where candidates remain.
        """
        order = sorted({b for b in btexts if b is not None}, key=lambda b: leaf.doc_frequency(fieldname, b))
        wanted = self._wanted(within, leaf, offset)
        lists: dict[bytes, _Postings] = {}
        for b in order:
            postings = self._postings(leaf, deleted, fieldname, b, values=True, wanted=wanted)
            if postings is None or not postings.ids:
                return lists, []
            lists[b] = postings
            wanted = postings.ids if wanted is None else sorted(set(wanted).intersection(postings.ids))
            if not wanted:
                return lists, []
        return lists, wanted or []

    def _consecutive(
        self, candidates: list[int], lists: dict[bytes, _Postings], btexts: list[Any], decode: Any
    ) -> list[int]:
        """The candidates where the words stand at consecutive positions."""
        if not candidates:
            return []
        index = {b: {d: i for i, d in enumerate(p.ids)} for b, p in lists.items()}
        first_values, first_index = lists[btexts[0]].values, index[btexts[0]]
        rest = [(i, lists[b].values, index[b]) for i, b in enumerate(btexts[1:], 1)]
        found: list[int] = []
        for n, d in enumerate(candidates):
            if n % _CLOCK_EVERY == 0:
                self._tick()
            # Start positions still possible after each word; later words are not decoded
            # once none is left.
            starts = decode(first_values[first_index[d]])
            for i, values, where in rest:
                at = set(decode(values[where[d]]))
                starts = [p for p in starts if p + i in at]
                if not starts:
                    break
            if starts:
                found.append(d)
        return found

    # -- scoring and postings

    def _scorer(self, fieldname: str, btext: bytes) -> Any:
        """A function scoring one posting list: Whoosh's BM25FScorer, or the weight for unscored fields.

        ``score(ids, weights, offset, within, into, boost=1.0)`` returns a new dict when
        ``into`` is None, else adds ``score × boost`` to ``into`` (Whoosh's term boost
        multiplies the term's score).
        """
        if not self.schema[fieldname].scorable:
            return _weight_only
        idf = self.searcher.idf(fieldname, btext)
        return _bm25(idf, self.k1 + 1, self._field_norms(fieldname))

    def _field_norms(self, fieldname: str) -> list[float]:
        return self.stats.norms(self, fieldname)

    def _compute_norms(self, fieldname: str) -> list[float]:
        """Every document's ``K1 * ((1 - B) + B * length / avglength)`` in one field (0.0 when empty).

        Whoosh stores a field's length per document as one byte (a logarithmic code), so
        the norm is one of 256 values: computed per byte value, then looked up per document.
        """
        k1 = self.k1
        b = self._field_b.get(fieldname, self._b)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        by_byte = [k1 * ((1 - b) + b * byte_to_length(x) / avgfl) if x else 0.0 for x in range(256)]
        norms: list[float] = []
        for leaf, _offset, _deleted in self.leaves:
            codes = _length_bytes(leaf, fieldname)
            if codes is not None:
                norms.extend(by_byte[x] for x in codes)
                continue
            for d in range(leaf.doc_count_all()):
                fl = leaf.doc_field_length(d, fieldname, 0)
                norms.append(k1 * ((1 - b) + b * fl / avgfl) if fl else 0.0)
        return norms

    def _wanted(self, within: set[int] | None, leaf: IndexReader, offset: int) -> list[int] | None:
        """``within`` as sorted segment docnums of ``leaf`` (None: no restriction).

        The four fields of a word are read with the same ``within``, so the last one is kept
        (by identity, which also keeps it alive so that its id cannot be reused).
        """
        if within is None:
            return None
        key = (offset, leaf.doc_count_all())
        if self._wanted_for is not within or self._wanted_key != key:
            if self._sorted_for is not within:  # sorted once, sliced per segment
                self._sorted_for, self._sorted = within, sorted(within)
            self._wanted_for, self._wanted_key = within, key
            if len(self.leaves) == 1:
                self._wanted_list = self._sorted  # one segment: docnums are segment docnums
            else:
                low = bisect.bisect_left(self._sorted, offset)
                high = bisect.bisect_left(self._sorted, offset + leaf.doc_count_all(), low)
                part = self._sorted[low:high]
                self._wanted_list = [d - offset for d in part] if offset else part
        return self._wanted_list

    def _postings(
        self,
        leaf: IndexReader,
        deleted: frozenset[int],
        fieldname: str,
        btext: bytes,
        *,
        values: bool,
        wanted: list[int] | None = None,
    ) -> _Postings | None:
        """The live postings of a term in one segment, or None when the segment lacks the term.

        With ``wanted`` (sorted segment docnums), blocks holding none of them are skipped
        unread: the block header says which docnums a block spans.  Postings outside
        ``wanted`` may still be returned (from blocks that were read).
        """
        if (fieldname, btext) not in leaf:
            return None
        try:
            matcher = leaf.postings(fieldname, btext)
        except TermNotFound:
            return None
        if isinstance(matcher, FilterMatcher):
            matcher = matcher.child  # the deletions filter: applied below, on whole lists
        ids: list[int] = []
        weights: list[float] = []
        vals: list[Any] | None = [] if values else None
        if type(matcher) is W3LeafMatcher:
            _read_blocks(matcher, ids, weights, vals, wanted)
        else:  # inlined postings of rare terms (a ListMatcher), or another codec
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                if vals is not None:
                    vals.append(matcher.value())
                matcher.next()
        if deleted:
            keep = [i for i, d in enumerate(ids) if d not in deleted]
            ids = [ids[i] for i in keep]
            weights = [weights[i] for i in keep]
            vals = [vals[i] for i in keep] if vals is not None else None
        return _Postings(ids, weights, vals)

    def _to_bytes(self, fieldname: str, text: Any) -> bytes | None:
        if fieldname not in self.schema:
            return None
        if isinstance(text, bytes):
            return text
        try:
            return self.schema[fieldname].to_bytes(text)
        except ValueError:
            return None

    def _live_docs(self, within: set[int] | None) -> Iterable[int]:
        live = self.stats.live(self)
        return live if within is None else (d for d in within if d in live)

    def _tick(self) -> None:
        if time.perf_counter() > self._deadline:
            raise SearchTimeout


# --- helpers -------------------------------------------------------------------------------


def _weight_only(
    ids: list[int], weights: list[float], offset: int, within: set[int] | None, into: Scores | None, boost: float = 1.0
) -> Scores:
    """The scorer of an unscored field (a facet): the posting's weight."""
    if offset:
        ids = [d + offset for d in ids]
    if within is None:
        found = dict(zip(ids, weights, strict=True))
    else:
        found = {d: w for d, w in zip(ids, weights, strict=True) if d in within}
    if into is None:
        return found
    get = into.get
    for d, w in found.items():
        into[d] = get(d, 0.0) + (w * boost if boost != 1.0 else w)
    return into


def _bm25(idf: float, k1_plus_1: float, norms: list[float]) -> Any:
    """The scorer of one term: ``whoosh.scoring.bm25``, idf * ((tf * (K1 + 1)) / (tf + K1 * (...)))."""

    def bm25(
        ids: list[int],
        weights: list[float],
        offset: int,
        within: set[int] | None,
        into: Scores | None,
        boost: float = 1.0,
    ) -> Scores:
        if offset:
            ids = [d + offset for d in ids]
        pairs = zip(ids, weights, strict=True)
        if into is None:
            if within is None:
                return {d: idf * ((w * k1_plus_1) / (w + norms[d])) for d, w in pairs}
            return {d: idf * ((w * k1_plus_1) / (w + norms[d])) for d, w in pairs if d in within}
        get = into.get
        if boost == 1.0 and within is None:
            for d, w in pairs:
                into[d] = get(d, 0.0) + idf * ((w * k1_plus_1) / (w + norms[d]))
        elif boost == 1.0:
            for d, w in pairs:
                if d in within:
                    into[d] = get(d, 0.0) + idf * ((w * k1_plus_1) / (w + norms[d]))
        else:
            for d, w in pairs:
                if within is None or d in within:
                    into[d] = get(d, 0.0) + idf * ((w * k1_plus_1) / (w + norms[d])) * boost
        return into

    return bm25


def _deleted(leaf: IndexReader) -> frozenset[int]:
    """The deleted docnums of one segment (their postings stay until a merge drops them)."""
    if not leaf.has_deletions():
        return frozenset()
    known = getattr(leaf, "deleted_docs_set", None)  # SegmentReader's own cached set
    if known is not None:
        return frozenset(known)
    return frozenset(d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d))


def _length_bytes(leaf: IndexReader, fieldname: str) -> bytes | None:
    """The length byte of every document of a W3 segment, read as one string (None: not W3).

    ``doc_field_length`` reads them one Python call at a time, which costs a cold search
    a tenth of a second per field on 31k documents; the column is a plain byte array.
    """
    try:
        column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return bytes(leaf.doc_count_all())
        if column._fixedlen != 1:
            return None
        size = leaf.doc_count_all()
        count = min(column._count, size)
        codes = column._dbfile.get(column._basepos, count) if count else b""
    except AttributeError:  # another codec or reader: the caller asks document by document
        return None
    return codes + bytes(size - count)  # documents past the column's end have no length (0)


def _check_supported(q: wq.Query) -> None:
    """Raise :class:`Unsupported` before any work if some part of ``q`` is not evaluated here."""
    if isinstance(q, wq.Phrase):
        if q.slop != 1 or type(q) is not wq.Phrase:
            raise Unsupported("phrase with slop")
        return
    if isinstance(q, wq.Term):
        if type(q) is not wq.Term or q.minquality:
            raise Unsupported(type(q).__name__)
        return
    if isinstance(q, wq.Or):
        if type(q) is not wq.Or or q.scale or q.minmatch:
            raise Unsupported("Or with scale or minmatch")
    elif isinstance(q, wq.And):
        if type(q) is not wq.And:
            raise Unsupported(type(q).__name__)
    elif isinstance(q, wq.Not):
        if type(q) is not wq.Not:
            raise Unsupported(type(q).__name__)
    elif isinstance(q, wq.MultiTerm):
        if not isinstance(q, wq.PatternQuery) or type(q).matcher is not wq.MultiTerm.matcher:
            raise Unsupported(type(q).__name__)  # ranges, or a pattern with its own matcher
        return
    elif q is not wq.NullQuery:
        raise Unsupported(type(q).__name__)
    for child in q.children():
        _check_supported(child)


def _boosted(scores: Scores, boost: float) -> Scores:
    """Whoosh's WrappingMatcher: the child's score times the boost (skipped for 1.0, as Whoosh does)."""
    if boost == 1.0:
        return scores
    return {d: s * boost for d, s in scores.items()}


def _read_blocks(
    matcher: W3LeafMatcher,
    ids: list[int],
    weights: list[float],
    values: list[Any] | None,
    wanted: list[int] | None,
) -> None:
    """Every block of a W3 posting list (that may hold a ``wanted`` docnum): the pickled blocks
    the matcher reads, decoded whole instead of stepped through a posting at a time."""
    low = 0  # the smallest docnum the current block can hold
    j = 0
    while matcher.is_active():
        high = matcher._maxid
        if wanted is not None:
            j = bisect.bisect_left(wanted, low, j)
            if j == len(wanted):
                return
            if wanted[j] > high:
                low = high + 1
                matcher._next_block()
                continue
        matcher._read_data()
        raw_ids, raw_weights = matcher._data[0], matcher._data[1]
        count = matcher._blocklength
        ids.extend(raw_ids if matcher._byteids else itertools.accumulate(raw_ids))
        if raw_weights is None:
            weights.extend(itertools.repeat(1.0, count))
        elif isinstance(raw_weights, float):
            weights.extend(itertools.repeat(raw_weights, count))
        else:
            weights.extend(raw_weights)
        if values is not None:
            matcher._read_values()
            values.extend(matcher._values)
        low = high + 1
        matcher._next_block()


def _fast_positions(value: bytes) -> list[int]:
    """``Positions.decode_positions`` with the delta sum done by ``itertools.accumulate``.

    The value is the position count (4 bytes) and a pickled list of deltas whose final
    STOP byte the writer may have trimmed; Whoosh re-appends it the same way.
    """
    if not value.endswith(b"."):
        value += b"."
    return list(itertools.accumulate(loads(value[_INT_SIZE:])))
