"""Forgiving queries, coverage tiers and proximity rescoring on the Whoosh backend.

A forgiving query (``querytree.Forgiving``) is evaluated word by word with
:class:`~search.matches.MatchScorer`: each word's matches and scores, then per article how
many words it has (its *tier*) and which (a bit per word, for "missing: …").  The rules are
``search/ranking.py``'s: tier first, then score; the best hits of a plain query of two or
more words are rescored by proximity (``search/proximity.py``) from the stem fields'
positions.

Layer: the read side (Whoosh).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from whoosh import query as wq

from search import querytree as qt
from search.matches import Matched, MatchScorer
from search.proximity import closeness
from search.ranking import Ranking

__all__ = ["Ranked", "evaluate_forgiving", "order", "plain_words", "rescore"]

#: Coverage of an article found through the whole query's entity alias: it names what the query
#: names, so it lacks no word.
_ALL = np.int64(-1)
#: Words whose presence is kept per hit (one bit each in an int64; the sign bit is _ALL's):
#: a word beyond them is never reported missing.  Queries have at most 64 words.
_BITS = 63


class Ranked(NamedTuple):
    """Every match of a query with what orders it."""

    ids: np.ndarray
    scores: np.ndarray
    #: Words matched (a forgiving query), else None: every hit matches all of it.
    tiers: np.ndarray | None = None
    #: Per hit, a bit per word it matches (-1: all, through the entity alias).
    bits: np.ndarray | None = None
    #: Words of the forgiving query (a hit with this many in ``tiers`` has every word).
    words: int = 0

    @property
    def full(self) -> int:
        """Hits matching every word (or naming the entity the whole query names)."""
        if self.tiers is None:
            return len(self.ids)
        return int(np.count_nonzero(self.tiers >= self.words))


def plain_words(tree: qt.Node) -> tuple[qt.Word, ...]:
    """The bare words of a plain query, whose closeness counts (none for other queries)."""
    if isinstance(tree, qt.Forgiving):
        return tree.words
    if isinstance(tree, qt.Or) and len(tree.children) == 2 and isinstance(tree.children[1], qt.EntityRef):
        tree = tree.children[0]  # a plain query that also names an entity
    if isinstance(tree, qt.And) and all(isinstance(c, qt.Word) and c.optional for c in tree.children):
        return tuple(c for c in tree.children if isinstance(c, qt.Word))
    return ()


def evaluate_forgiving(
    scorer: MatchScorer,
    tree: qt.Forgiving,
    compile_word: object,
    compile_node: object,
    within: object,
    deadline: float,
) -> Ranked:
    """Every article with at least ``tree.minimum`` words (inside ``tree.required``), or naming ``tree.alias``."""
    size = scorer.size
    if tree.required is not None:
        required = scorer.match(compile_node(tree.required), within, deadline)  # type: ignore[operator]
        within = required.ids
    count = np.zeros(size, dtype=np.int64)
    bits = np.zeros(size, dtype=np.int64)
    total = np.zeros(size, dtype=np.float64)
    for i, word in enumerate(tree.words):
        query = compile_word(word)  # type: ignore[operator]
        if query is None:
            continue
        found = scorer.match(query, within, deadline)
        count[found.ids] += 1
        if i < _BITS:
            bits[found.ids] |= 1 << i
        total[found.ids] += found.scores
    keep = count >= tree.minimum
    if tree.alias is not None:
        named = scorer.match(compile_node(tree.alias) or wq.NullQuery, within, deadline)  # type: ignore[operator]
        total[named.ids] += named.scores
        bits[named.ids] = _ALL
        count[named.ids] = len(tree.words)
        keep[named.ids] = True
    if tree.required is not None:
        total[required.ids] += required.scores
    ids = np.flatnonzero(keep).astype(np.int64)
    return Ranked(ids, total[ids], count[ids], bits[ids], len(tree.words))


def order(ranked: Ranked, sort: str, date_keys: np.ndarray | None) -> np.ndarray:
    """Positions into ``ranked`` in result order: tier, then score (or date, then score), then docnum."""
    ids, scores = ranked.ids, ranked.scores
    tiers = ranked.tiers if ranked.tiers is not None else np.zeros(len(ids), dtype=np.int64)
    if sort == "date" and date_keys is not None:
        return np.lexsort((ids, -scores, date_keys[ids], -tiers))
    return np.lexsort((ids, -scores, -tiers))


def rescore(
    scorer: MatchScorer, ranked: Ranked, positions: np.ndarray, words: tuple[qt.Word, ...], ranking: Ranking
) -> tuple[np.ndarray, np.ndarray]:
    """The window ``positions`` (in order) reordered after the words' proximity boost, and its new scores."""
    scores = ranked.scores[positions]
    if len(words) < 2 or ranking.proximity <= 0 or not len(positions):
        return positions, scores
    docs = np.sort(ranked.ids[positions])
    body = _closeness(scorer, "content_stem", words, docs)
    title = _closeness(scorer, "title_stem", words, docs)
    boost = 1.0 + ranking.proximity * (body + ranking.title_proximity * title)
    scores = scores * boost[np.searchsorted(docs, ranked.ids[positions])]
    tiers = ranked.tiers[positions] if ranked.tiers is not None else np.zeros(len(positions), dtype=np.int64)
    new = np.lexsort((ranked.ids[positions], -scores, -tiers))
    return positions[new], scores[new]


def _closeness(scorer: MatchScorer, field: str, words: tuple[qt.Word, ...], docs: np.ndarray) -> np.ndarray:
    """Per document of ``docs`` (ascending), the closeness of ``words`` in ``field``."""
    if field not in scorer.schema:
        return np.zeros(len(docs))
    found = [scorer.positions(field, w.stem, docs) if w.stem else {} for w in words]
    return np.array([closeness([f.get(d) for f in found]) for d in docs.tolist()])


def missing(ranked: Ranked, position: int, words: tuple[qt.Word, ...]) -> tuple[str, ...]:
    """The words the hit at ``position`` lacks (as typed)."""
    if ranked.bits is None:
        return ()
    bits = int(ranked.bits[position])
    if bits == -1:
        return ()
    return tuple(w.text for i, w in enumerate(words[:_BITS]) if not bits >> i & 1)


def as_ranked(matched: Matched) -> Ranked:
    return Ranked(matched.ids, matched.scores)
