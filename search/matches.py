"""Where a match is scored: every matching document of a query with its BM25F score, as arrays.

Whoosh answers a query by stepping a tree of matcher objects one document at a time, in
Python, with several method calls per document and per tree node.  The engine needs every
match anyway (the exact total, the facet counts, partial matches), so :class:`MatchScorer`
evaluates the same query objects bottom-up instead: each term's postings are decoded block by
block (the blocks Whoosh itself reads) into numpy arrays, scored with Whoosh's BM25F formula
and statistics (same idf, average field length, encoded field length, B and K1) in one
vectorized expression, and combined with array operations — AND intersects, OR unions, NOT
subtracts, exactly as Whoosh's intersection, union and inverse matchers do, adding the same
scores in the same order (a NOT inside an AND adds Whoosh's constant 1.0).  The result equals
Whoosh's up to the order of floating-point additions.  Query types it does not know raise
:class:`Unsupported` and the backend falls back to Whoosh's collectors.

A result is a :class:`Matched`: the docnums in ascending order and their scores, two arrays.
Every evaluation below honours ``within`` (a restriction to some docnums: the filters, or the
documents an AND still holds) and returns only documents inside it.

Reading a W3 posting list a block at a time and a segment's length column in one piece
uses attributes of Whoosh's W3 codec that are not public API (``_read_data``, ``_maxid``,
``_perdoc``…); ``pyproject.toml`` pins whoosh-reloaded below 2.8, another codec or reader
takes the slower public path, and ``tests/test_matches.py`` compares every result with
Whoosh's own collector, so a change there shows as a failing test, not as wrong results.

Threads: what depends only on the index generation (every document's length normalization,
the live documents) is computed once into a :class:`GenerationStats` shared by all threads;
a :class:`MatchScorer` holds one search's scratch state and is made per search.  numpy
releases the GIL in its larger array operations, so threads overlap there.

Layer: the read side (Whoosh).
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any, NamedTuple

import numpy as np
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

__all__ = ["GenerationStats", "MatchScorer", "Matched", "SearchTimeout", "Unsupported"]

#: Score Whoosh's InverseMatcher gives each document a NOT matches (it is added inside an AND).
NOT_SCORE = 1.0
#: Whoosh's Or preloads its union into an array (no BM25F for a "constant score" OR) for
#: segments up to this many documents (``whoosh.query.compound.Or._matcher``).
_PRELOAD_BELOW = 5000
#: Phrase candidates checked between two looks at the clock.
_CLOCK_EVERY = 256
_IDS = np.int64
_SCORES = np.float64


class Unsupported(Exception):  # noqa: N818 - a signal to fall back, not an error
    """The query contains something this module does not evaluate; use Whoosh's collectors."""


class SearchTimeout(Exception):  # noqa: N818 - named like Whoosh's TimeLimit
    """The deadline passed during evaluation."""


class Matched(NamedTuple):
    """Matching docnums (ascending, unique) and their scores."""

    ids: np.ndarray
    scores: np.ndarray

    def as_dict(self) -> dict[int, float]:
        return dict(zip(self.ids.tolist(), self.scores.tolist(), strict=True))


def _empty() -> Matched:
    return Matched(np.empty(0, _IDS), np.empty(0, _SCORES))


class _Postings(NamedTuple):
    """One term's live postings in one segment: segment docnums, weights and (raw) values."""

    ids: np.ndarray
    weights: np.ndarray
    values: list[Any] | None


class _Within(NamedTuple):
    """A restriction to some docnums: sorted, and as a mask over the whole reader."""

    ids: np.ndarray
    mask: np.ndarray


class GenerationStats:
    """What scoring needs per index generation, shared by every thread's scorer.

    Each document's BM25 length normalization per text field (Whoosh's
    ``K1 * ((1 - B) + B * length / avglength)`` from the encoded field length) and the live
    documents, each computed on first use under a lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._norms: dict[str, np.ndarray] = {}
        self._live: np.ndarray | None = None

    def norms(self, scorer: MatchScorer, fieldname: str) -> np.ndarray:
        found = self._norms.get(fieldname)
        if found is None:
            with self._lock:
                found = self._norms.get(fieldname)
                if found is None:
                    found = self._norms[fieldname] = scorer._compute_norms(fieldname)
        return found

    def live(self, scorer: MatchScorer) -> np.ndarray:
        """The live docnums, ascending."""
        found = self._live
        if found is None:
            alive = np.ones(scorer.size, dtype=bool)
            for _leaf, offset, deleted in scorer.leaves:
                alive[deleted + offset] = False
            found = self._live = np.flatnonzero(alive).astype(_IDS)
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

    # -- entry points

    def match(self, query: wq.Query, within: Any = None, deadline: float | None = None) -> Matched:
        """Every live document matching ``query`` (and in ``within``, if given) with its score.

        ``within`` is a set or array of docnums, or a boolean mask over the reader.  Raises
        :class:`Unsupported` for a query (part) this module does not evaluate and
        :class:`SearchTimeout` once ``deadline`` (a ``time.perf_counter()`` value) has passed.
        """
        if not self.bm25:
            raise Unsupported("the searcher does not score with BM25F")
        self._deadline = float("inf") if deadline is None else deadline
        _check_supported(query)
        return self._eval(query, self.restriction(within))

    def scores(self, query: wq.Query, within: Any = None, deadline: float | None = None) -> dict[int, float]:
        """:meth:`match` as ``{docnum: score}``."""
        return self.match(query, within, deadline).as_dict()

    def restriction(self, within: Any) -> _Within | None:
        """``within`` (None, docnums or a mask) as a :class:`_Within`."""
        if within is None:
            return None
        if isinstance(within, _Within):
            return within
        if isinstance(within, np.ndarray) and within.dtype == bool:
            return _Within(np.flatnonzero(within).astype(_IDS), within)
        ids = np.fromiter(within, _IDS, len(within)) if not isinstance(within, np.ndarray) else within
        ids = np.unique(ids.astype(_IDS))
        ids = ids[(ids >= 0) & (ids < self.size)]
        mask = np.zeros(self.size, dtype=bool)
        mask[ids] = True
        return _Within(ids, mask)

    # -- the tree

    def _eval(self, q: wq.Query, within: _Within | None) -> Matched:
        self._tick()
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost, within)
        if isinstance(q, wq.Phrase):
            return self._phrase(q, within)
        if isinstance(q, wq.And | wq.Or) and not q.subqueries:
            return _empty()
        if isinstance(q, wq.And | wq.Or) and len(q.subqueries) == 1:
            return self._eval(q.subqueries[0], within)  # Whoosh ignores the boost of a lone child too
        if isinstance(q, wq.And):
            return self._and(q.subqueries, q.boost, within)
        if isinstance(q, wq.Or):
            return _boosted(self.union([self._eval(s, within) for s in q.subqueries]), q.boost)
        if isinstance(q, wq.Not):
            return self._not(q.query, self._live_within(within))
        if isinstance(q, wq.MultiTerm):
            return self._multiterm(q, within)
        if q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__):
            return _empty()
        raise Unsupported(type(q).__name__)  # _check_supported keeps this from being reached

    def _and(self, subqueries: list[wq.Query], boost: float, within: _Within | None) -> Matched:
        """Intersection, scores added; each NOT removes documents and adds 1.0 to the rest."""
        positive = [q for q in subqueries if not isinstance(q, wq.Not)]
        negative = [q for q in subqueries if isinstance(q, wq.Not)]
        # Smallest first: later (larger) parts then only score the documents still in.
        positive.sort(key=lambda q: q.estimate_size(self.reader))
        acc = self._eval(positive[0], within) if positive else self._live_within(within)
        for q in positive[1:]:
            if not len(acc.ids):
                return acc
            part = self._eval(q, self.restriction(acc.ids))  # a subset of acc's documents
            where = np.searchsorted(acc.ids, part.ids)
            acc = Matched(part.ids, acc.scores[where] + part.scores)
        for q in negative:
            if not len(acc.ids):
                return acc
            acc = self._not(q.query, acc, add_to=True)
        return _boosted(acc, boost)

    def _not(self, query: wq.Query, base: Matched, add_to: bool = False) -> Matched:
        """``base`` without the documents ``query`` matches; scores 1.0 (or ``base``'s + 1.0)."""
        excluded = self._eval(query, self.restriction(base.ids)).ids
        keep = ~np.isin(base.ids, excluded, assume_unique=True)
        ids = base.ids[keep]
        scores = base.scores[keep] + NOT_SCORE if add_to else np.full(len(ids), NOT_SCORE)
        return Matched(ids, scores)

    def union(self, parts: list[Matched]) -> Matched:
        """Documents in any part; each document's scores added in the parts' order (Whoosh's)."""
        parts = [p for p in parts if len(p.ids)]
        if not parts:
            return _empty()
        if len(parts) == 1:
            return parts[0]
        total = sum(len(p.ids) for p in parts)
        if total * 16 >= self.size:  # dense: one scatter per part, O(size) once
            acc = np.zeros(self.size, dtype=_SCORES)
            hit = np.zeros(self.size, dtype=bool)
            for p in parts:
                acc[p.ids] += p.scores  # a part's ids are unique: plain fancy-index addition
                hit[p.ids] = True
            ids = np.flatnonzero(hit).astype(_IDS)
            return Matched(ids, acc[ids])
        ids, inverse = np.unique(np.concatenate([p.ids for p in parts]), return_inverse=True)
        scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]), minlength=len(ids))
        return Matched(ids.astype(_IDS), scores)

    def _multiterm(self, q: wq.MultiTerm, within: _Within | None) -> Matched:
        """Patterns (wildcards, ``source:``) exactly as Whoosh runs them, which is segment by segment.

        Whoosh expands the pattern in each segment's own lexicon: one term is a plain term
        query; several are an OR which, being "constant score", Whoosh scores with BM25F when
        it builds a tree of union matchers (two terms, or a segment over 5,000 documents)
        and with 1.0 per document when it preloads the union into an array (smaller
        segments).  Odd, but it is the ranking the collectors give, so it is kept.
        """
        out: list[Matched] = []
        field = q.field()
        for leaf, offset, deleted in self.leaves:
            words = [w for w in q._btexts(leaf) if w]
            if not words:
                continue
            parts = [self._leaf_term(leaf, offset, deleted, field, word, within) for word in words]
            merged = self.union(parts)
            if len(words) == 1:
                out.append(merged)
            elif len(words) < wq.Or.TOO_MANY_CLAUSES and (len(words) == 2 or leaf.doc_count_all() > _PRELOAD_BELOW):
                out.append(_boosted(merged, q.boost))
            else:
                out.append(Matched(merged.ids, np.full(len(merged.ids), 1.0)))
        return _concat(out)

    # -- leaves

    def _term(self, fieldname: str, text: Any, boost: float, within: _Within | None) -> Matched:
        """A term's matches over every segment (segments hold ascending docnum ranges)."""
        btext = self._to_bytes(fieldname, text)
        if btext is None or (fieldname, btext) not in self.reader:
            return _empty()
        parts = [
            self._leaf_term(leaf, offset, deleted, fieldname, btext, within) for leaf, offset, deleted in self.leaves
        ]
        return _boosted(_concat(parts), boost)

    def _leaf_term(
        self,
        leaf: IndexReader,
        offset: int,
        deleted: np.ndarray,
        fieldname: str,
        btext: bytes,
        within: _Within | None,
    ) -> Matched:
        """One segment's scores of a term, docnums of the whole reader, inside ``within``."""
        postings = self._postings(
            leaf, deleted, fieldname, btext, values=False, wanted=self._wanted(within, leaf, offset)
        )
        if postings is None or not len(postings.ids):
            return _empty()
        ids = postings.ids + offset if offset else postings.ids
        weights = postings.weights
        if within is not None:
            keep = within.mask[ids]
            ids, weights = ids[keep], weights[keep]
        return Matched(ids, self._score(fieldname, btext, ids, weights))

    def _phrase(self, q: wq.Phrase, within: _Within | None) -> Matched:
        """Documents with the words at consecutive positions (Whoosh's ``SpanNear2``, slop 1).

        The score is the sum of the words' BM25F scores, as Whoosh's intersection under the
        span matcher adds them (a repeated word counts each time).
        """
        fieldname = q.fieldname
        if fieldname not in self.schema:
            return _empty()
        field = self.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            raise Unsupported(f"phrase on {fieldname}, which has no positions")  # Whoosh's own error, then
        btexts = [self._to_bytes(fieldname, w) for w in q.words]
        if any(b is None or (fieldname, b) not in self.reader for b in btexts):
            return _empty()
        # Whoosh's own decoder for any other format (Characters adds offsets to each position).
        decode = _fast_positions if type(field.format) is Positions else field.format.decode_positions
        out: list[Matched] = []
        for leaf, offset, deleted in self.leaves:
            lists, candidates = self._phrase_postings(leaf, offset, deleted, fieldname, btexts, within)
            found = self._consecutive(candidates, lists, btexts, decode)
            if not len(found):
                continue
            ids = found + offset if offset else found
            scores = np.zeros(len(found), dtype=_SCORES)
            for b in btexts:  # in phrase order: the same sum as Whoosh's
                p = lists[b]
                weights = p.weights[np.searchsorted(p.ids, found)]
                scores = scores + self._score(fieldname, b, ids, weights)
            out.append(Matched(ids, scores))
        return _boosted(_concat(out), q.boost)

    def _phrase_postings(
        self,
        leaf: IndexReader,
        offset: int,
        deleted: np.ndarray,
        fieldname: str,
        btexts: list[Any],
        within: _Within | None,
    ) -> tuple[dict[bytes, _Postings], np.ndarray]:
        """The phrase words' postings in one segment and the segment docnums holding all of them.

        Rarest word first; each next word's blocks are read only where candidates remain.
        """
        order = sorted(set(btexts), key=lambda b: leaf.doc_frequency(fieldname, b))
        wanted = self._wanted(within, leaf, offset)
        lists: dict[bytes, _Postings] = {}
        for b in order:
            postings = self._postings(leaf, deleted, fieldname, b, values=True, wanted=wanted)
            if postings is None or not len(postings.ids):
                return lists, np.empty(0, _IDS)
            lists[b] = postings
            wanted = postings.ids if wanted is None else np.intersect1d(wanted, postings.ids, assume_unique=True)
            if not len(wanted):
                return lists, wanted
        return lists, wanted if wanted is not None else np.empty(0, _IDS)

    def _consecutive(
        self, candidates: np.ndarray, lists: dict[bytes, _Postings], btexts: list[Any], decode: Any
    ) -> np.ndarray:
        """The candidates where the words stand at consecutive positions."""
        if not len(candidates):
            return candidates
        where = {b: np.searchsorted(p.ids, candidates).tolist() for b, p in lists.items()}
        first_values, first_where = lists[btexts[0]].values, where[btexts[0]]
        rest = [(i, lists[b].values, where[b]) for i, b in enumerate(btexts[1:], 1)]
        found: list[int] = []
        for n, d in enumerate(candidates.tolist()):
            if n % _CLOCK_EVERY == 0:
                self._tick()
            # Start positions still possible after each word; later words are not decoded
            # once none is left.
            starts = decode(first_values[first_where[n]])  # type: ignore[index]
            for i, values, at_n in rest:
                at = set(decode(values[at_n[n]]))  # type: ignore[index]
                starts = [p for p in starts if p + i in at]
                if not starts:
                    break
            if starts:
                found.append(d)
        return np.array(found, dtype=_IDS)

    def positions(self, fieldname: str, text: str, docnums: np.ndarray) -> dict[int, list[int]]:
        """Where ``text`` occurs in ``fieldname`` of each of ``docnums`` (ascending): ``{docnum: positions}``.

        Only the blocks holding those documents are read; documents without the term are left out.
        """
        btext = self._to_bytes(fieldname, text)
        if btext is None or not len(docnums):  # None also for a field the schema lacks
            return {}
        field = self.schema[fieldname]
        if not field.format.supports("positions"):
            return {}
        if (fieldname, btext) not in self.reader:
            return {}
        decode = _fast_positions if type(field.format) is Positions else field.format.decode_positions
        within = self.restriction(docnums)
        out: dict[int, list[int]] = {}
        for leaf, offset, deleted in self.leaves:
            wanted = self._wanted(within, leaf, offset)
            if wanted is not None and not len(wanted):
                continue
            postings = self._postings(leaf, deleted, fieldname, btext, values=True, wanted=wanted)
            if postings is None or not len(postings.ids):
                continue
            where = np.searchsorted(postings.ids, wanted)
            for d, i in zip(wanted.tolist(), where.tolist(), strict=True):
                if i < len(postings.ids) and postings.ids[i] == d:
                    out[d + offset] = decode(postings.values[i])  # type: ignore[index]
        return out

    # -- scoring and postings

    def _score(self, fieldname: str, btext: bytes, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Whoosh's BM25FScorer over one posting list: ``idf * ((tf * (K1 + 1)) / (tf + norm))``.

        An unscored field (a facet) scores its posting weight.
        """
        if not self.schema[fieldname].scorable:
            return weights.astype(_SCORES, copy=True)
        idf = self.searcher.idf(fieldname, btext)
        norms = self.stats.norms(self, fieldname)
        return idf * ((weights * (self.k1 + 1)) / (weights + norms[ids]))

    def _compute_norms(self, fieldname: str) -> np.ndarray:
        """Every document's ``K1 * ((1 - B) + B * length / avglength)`` in one field (0.0 when empty).

        Whoosh stores a field's length per document as one byte (a logarithmic code), so
        the norm is one of 256 values: computed per byte value, then looked up per document.
        """
        k1 = self.k1
        b = self._field_b.get(fieldname, self._b)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        by_byte = np.array([k1 * ((1 - b) + b * byte_to_length(x) / avgfl) if x else 0.0 for x in range(256)])
        parts = []
        for leaf, _offset, _deleted in self.leaves:
            codes = _length_bytes(leaf, fieldname)
            if codes is not None:
                parts.append(by_byte[np.frombuffer(codes, dtype=np.uint8)])
                continue
            lengths = [leaf.doc_field_length(d, fieldname, 0) for d in range(leaf.doc_count_all())]
            parts.append(np.array([k1 * ((1 - b) + b * fl / avgfl) if fl else 0.0 for fl in lengths]))
        return np.concatenate(parts) if parts else np.empty(0, _SCORES)

    def _wanted(self, within: _Within | None, leaf: IndexReader, offset: int) -> np.ndarray | None:
        """``within`` as sorted segment docnums of ``leaf`` (None: no restriction)."""
        if within is None:
            return None
        if len(self.leaves) == 1:
            return within.ids
        low, high = np.searchsorted(within.ids, [offset, offset + leaf.doc_count_all()])
        part = within.ids[low:high]
        return part - offset if offset else part

    def _postings(
        self,
        leaf: IndexReader,
        deleted: np.ndarray,
        fieldname: str,
        btext: bytes,
        *,
        values: bool,
        wanted: np.ndarray | None = None,
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
            matcher = matcher.child  # the deletions filter: applied below, on whole arrays
        if type(matcher) is W3LeafMatcher and not matcher._byteids:
            postings = _read_blocks(matcher, values, wanted)
        else:  # inlined postings of rare terms (a ListMatcher), or another codec
            postings = _step_through(matcher, values)
        if len(deleted) and len(postings.ids):
            keep = ~np.isin(postings.ids, deleted, assume_unique=True)
            vals = [v for v, k in zip(postings.values, keep.tolist(), strict=True) if k] if postings.values else None
            postings = _Postings(postings.ids[keep], postings.weights[keep], vals)
        return postings

    def _to_bytes(self, fieldname: str, text: Any) -> bytes | None:
        if fieldname not in self.schema:
            return None
        if isinstance(text, bytes):
            return text
        try:
            return self.schema[fieldname].to_bytes(text)
        except ValueError:
            return None

    def _live_within(self, within: _Within | None) -> Matched:
        """The live documents (inside ``within``), scored 0.0."""
        live = self.stats.live(self)
        if within is not None:
            live = live[within.mask[live]]
        return Matched(live, np.zeros(len(live), dtype=_SCORES))

    def _tick(self) -> None:
        if time.perf_counter() > self._deadline:
            raise SearchTimeout


# --- helpers -------------------------------------------------------------------------------


def _concat(parts: list[Matched]) -> Matched:
    """Matches of disjoint, ascending docnum ranges (segments) as one."""
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return _empty()
    if len(parts) == 1:
        return parts[0]
    return Matched(np.concatenate([p.ids for p in parts]), np.concatenate([p.scores for p in parts]))


def _boosted(matched: Matched, boost: float) -> Matched:
    """Whoosh's WrappingMatcher: the child's score times the boost (skipped for 1.0, as Whoosh does)."""
    if boost == 1.0:
        return matched
    return Matched(matched.ids, matched.scores * boost)


def _deleted(leaf: IndexReader) -> np.ndarray:
    """The deleted docnums of one segment, ascending (their postings stay until a merge drops them)."""
    if not leaf.has_deletions():
        return np.empty(0, _IDS)
    known = getattr(leaf, "deleted_docs_set", None)  # SegmentReader's own cached set
    docs = known if known is not None else (d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d))
    return np.array(sorted(docs), dtype=_IDS)


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


def _read_blocks(matcher: W3LeafMatcher, values: bool, wanted: np.ndarray | None) -> _Postings:
    """Every block of a W3 posting list (that may hold a ``wanted`` docnum), decoded whole.

    The pickled blocks the matcher reads become numpy arrays: ids from their deltas,
    weights (stored once for a block whose weights are all equal).
    """
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    vals: list[Any] | None = [] if values else None
    low = 0  # the smallest docnum the current block can hold
    while matcher.is_active():
        high = matcher._maxid
        if wanted is not None:
            j = int(np.searchsorted(wanted, low))
            if j == len(wanted):
                break
            if wanted[j] > high:
                low = high + 1
                matcher._next_block()
                continue
        matcher._read_data()
        raw_ids, raw_weights = matcher._data[0], matcher._data[1]
        count = matcher._blocklength
        ids.append(np.cumsum(np.array(raw_ids, dtype=_IDS)))
        if raw_weights is None:
            weights.append(np.ones(count, dtype=_SCORES))
        elif isinstance(raw_weights, float):
            weights.append(np.full(count, raw_weights, dtype=_SCORES))
        else:
            weights.append(np.array(raw_weights, dtype=_SCORES))
        if vals is not None:
            matcher._read_values()
            vals.extend(matcher._values)
        low = high + 1
        matcher._next_block()
    if not ids:
        return _Postings(np.empty(0, _IDS), np.empty(0, _SCORES), vals)
    return _Postings(np.concatenate(ids), np.concatenate(weights), vals)


def _step_through(matcher: Any, values: bool) -> _Postings:
    """A matcher's postings one at a time (inlined postings, another codec)."""
    ids: list[int] = []
    weights: list[float] = []
    vals: list[Any] | None = [] if values else None
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if vals is not None:
            vals.append(matcher.value())
        matcher.next()
    return _Postings(np.array(ids, dtype=_IDS), np.array(weights, dtype=_SCORES), vals)


def _fast_positions(value: bytes) -> list[int]:
    """``Positions.decode_positions`` with the delta sum done by ``itertools.accumulate``.

    The value is the position count (4 bytes) and a pickled list of deltas whose final
    STOP byte the writer may have trimmed; Whoosh re-appends it the same way.
    """
    if not value.endswith(b"."):
        value += b"."
    return list(itertools.accumulate(loads(value[_INT_SIZE:])))
