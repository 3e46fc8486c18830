"""The query tree (``search/querytree.py``) as Whoosh query objects.

The field boosts of ``index.contract.FIELD_BOOSTS`` are *not* repeated here: the schema
multiplies each posting's weight by them at index time, which is what makes Whoosh's BM25 a
BM25F (boost applied before tf saturation); multiplying again would square them.

Two query classes of our own keep Whoosh from doing what a news search must not:

* :class:`WildcardQuery` — Whoosh's ``Wildcard`` has no cap on its expansion and its
  ``normalize()`` turns ``x*`` into an uncapped ``Prefix``;
* :class:`SourceQuery` — source names are whole keywords ("العربي الجديد", "aawsat"), matched
  by their words so users need not type the stored spelling and case.

Layer: the read side (Whoosh).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.reading import IndexReader
from whoosh.util.times import datetime_to_long

from index.contract import EXACT_FIELDS, ROOT_FIELD, STEM_FIELDS
from search import querytree as qt
from search.errors import QueryError
from search.query import source_key
from search.ranking import DEFAULT_RANKING, Ranking

__all__ = [
    "MAX_EXPANSIONS",
    "MAX_TOTAL_EXPANSIONS",
    "SourceQuery",
    "WildcardQuery",
    "check_expansions",
    "compiler",
    "to_whoosh",
]

#: Distinct index terms one wildcard may expand to, per field.
MAX_EXPANSIONS = 512
#: Distinct index terms all the wildcards of one query may expand to, over all fields: each
#: expanded term is one more posting list to merge, and Whoosh builds those matchers before
#: the time limit can interrupt anything.
MAX_TOTAL_EXPANSIONS = 2048
_WILDCARDS = frozenset("*?")


class WildcardQuery(wq.PatternQuery):
    """A ``*``/``?`` pattern on one exact field, refusing to expand to too many terms."""

    SPECIAL_CHARS = _WILDCARDS

    def __init__(self, fieldname: str, text: str, boost: float = 1.0, display: str | None = None) -> None:
        super().__init__(fieldname, text, boost=boost, constantscore=True)
        self.display = display or text

    def __unicode__(self) -> str:
        return f"{self.fieldname}:{self.text}"

    __str__ = __unicode__

    def _get_pattern(self) -> str:
        body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in self.text)
        return body + r"\Z"

    def normalize(self) -> WildcardQuery:
        return self

    def _btexts(self, ixreader: IndexReader) -> list[bytes]:
        found = list(itertools.islice(super()._btexts(ixreader), MAX_EXPANSIONS + 1))
        if len(found) > MAX_EXPANSIONS:
            raise QueryError(
                f"too many words match '{self.display}' (more than {MAX_EXPANSIONS}); make the pattern longer"
            )
        return found

    def expand(self, ixreader: IndexReader) -> list[str]:
        """The index terms this pattern matches (decoded), for highlighting."""
        return [b.decode("utf-8") for b in self._btexts(ixreader)]


class SourceQuery(wq.PatternQuery):
    """``source:`` — the sources whose name contains the given words, in order.

    The list of sources is short, so scanning it at search time costs nothing.
    """

    def __unicode__(self) -> str:
        return f"source:{self.text}"

    __str__ = __unicode__

    def normalize(self) -> SourceQuery:
        return self

    def _btexts(self, ixreader: IndexReader) -> Iterator[bytes]:
        wanted = source_key(self.text)
        size = len(wanted)
        for btext in ixreader.lexicon(self.fieldname):
            key = source_key(btext.decode("utf-8"))
            if any(key[i : i + size] == wanted for i in range(len(key) - size + 1)):
                yield btext


def to_whoosh(node: qt.Node, schema: Schema, ranking: Ranking = DEFAULT_RANKING) -> wq.Query:
    """The Whoosh query for ``node`` over ``schema`` (fields an older index lacks are left out).

    A forgiving root becomes Whoosh's own ``Or(minmatch=…)`` (what Whoosh's collectors would
    run); the backend evaluates it itself instead, word by word (``search/whoosh_ranking.py``).
    """
    return _Compiler(schema, ranking).compile(node)


def compiler(schema: Schema, ranking: Ranking = DEFAULT_RANKING) -> _Compiler:
    """A compiler of query-tree nodes to Whoosh queries (for evaluating parts one by one)."""
    return _Compiler(schema, ranking)


def check_expansions(query: wq.Query, ixreader: IndexReader) -> None:
    """Refuse a query whose wildcards together expand to more than ``MAX_TOTAL_EXPANSIONS`` terms.

    Each pattern is capped on its own when it expands; this bounds the whole query (many
    capped patterns OR-ed together) *before* the search builds its matchers.
    """
    total = sum(len(q.expand(ixreader)) for q in wildcards(query))
    if total > MAX_TOTAL_EXPANSIONS:
        raise QueryError(
            f"the wildcards of this query match too many words ({total}, the limit is {MAX_TOTAL_EXPANSIONS}); "
            "use fewer or longer patterns"
        )


def wildcards(query: wq.Query) -> Iterator[WildcardQuery]:
    """Every wildcard of a Whoosh query."""
    if isinstance(query, WildcardQuery):
        yield query
    for child in query.children():
        yield from wildcards(child)


class _Compiler:
    def __init__(self, schema: Schema, ranking: Ranking) -> None:
        names = set(schema.names())
        self.names = names
        self.ranking = ranking
        self.exact = {False: [f for f in EXACT_FIELDS if f in names], True: [f for f in ("title",) if f in names]}
        self.stem = {False: [f for f in STEM_FIELDS if f in names], True: [f for f in ("title_stem",) if f in names]}

    def compile(self, node: qt.Node) -> wq.Query:
        compiled = self._node(node)
        return wq.NullQuery if compiled is None else compiled

    def _node(self, node: qt.Node) -> wq.Query | None:
        if isinstance(node, qt.Word):
            return self._word(node)
        if isinstance(node, qt.Phrase):
            return self._phrase(node)
        if isinstance(node, qt.Pattern):
            fields = self.exact[node.title_only]
            return _either([WildcardQuery(f, node.pattern, display=node.display) for f in fields])
        if isinstance(node, qt.EntityRef):
            return self._entity(node)
        if isinstance(node, qt.Root):
            return self._root(node)
        if isinstance(node, qt.And | qt.Or):
            kind = wq.And if isinstance(node, qt.And) else wq.Or
            parts = [p for p in map(self._node, node.children) if p is not None]
            return None if not parts else parts[0] if len(parts) == 1 else kind(parts)
        if isinstance(node, qt.Not):
            inner = self._node(node.child)
            return None if inner is None else wq.Not(inner)
        if isinstance(node, qt.SourceName):
            return SourceQuery("source", node.text)
        if isinstance(node, qt.DateSpan):
            start = datetime_to_long(node.start) if node.start else None
            end = datetime_to_long(node.end) if node.end else None
            return wq.NumericRange("date", start, end)
        if isinstance(node, qt.DocId):
            return wq.Term("id", node.value)
        if isinstance(node, qt.Every):
            return wq.Every()
        if isinstance(node, qt.Forgiving):
            return self._forgiving(node)
        raise TypeError(f"not a query node: {node!r}")

    def _forgiving(self, node: qt.Forgiving) -> wq.Query | None:
        words = [w for w in map(self._node, node.words) if w is not None]
        some: wq.Query | None = wq.Or(words, minmatch=node.minimum) if len(words) > 1 else _either(words)
        if node.required is not None and some is not None:
            required = self._node(node.required)
            some = some if required is None else wq.And([required, some])
        return _either([some, self._entity(node.alias)])

    def _root(self, node: qt.Root) -> wq.Query:
        if ROOT_FIELD not in self.names:
            raise QueryError(
                "this index was built without word roots, so root: cannot be searched; "
                "rebuild it (search-cli index --rebuild)"
            )
        return wq.Term(ROOT_FIELD, node.root)

    def _entity(self, ref: qt.EntityRef | None) -> wq.Query | None:
        if ref is None or ref.type not in self.names:
            return None
        return wq.Term(ref.type, ref.canonical, boost=ref.boost * self.ranking.alias_boost)

    def word(self, word: qt.Word) -> wq.Query | None:
        """One word: its exact form (weighted :attr:`Ranking.exact_weight`), its stem, its entity."""
        weight = self.ranking.exact_weight
        terms: list[wq.Query | None] = [
            wq.Term(f, word.exact, boost=weight) for f in self.exact[word.title_only] if word.exact
        ]
        terms += [wq.Term(f, word.stem) for f in self.stem[word.title_only] if word.stem]
        for exact, stem in word.also:
            terms += [wq.Term(f, exact, boost=weight) for f in self.exact[word.title_only]]
            terms += [wq.Term(f, stem) for f in self.stem[word.title_only]]
        terms.append(self._entity(word.alias))
        return _either(terms)

    _word = word

    def _phrase(self, phrase: qt.Phrase) -> wq.Query | None:
        weight = self.ranking.exact_weight
        parts: list[wq.Query | None] = [
            wq.Phrase(f, list(phrase.exact), boost=weight) for f in self.exact[phrase.title_only]
        ]
        if all(phrase.stems):
            parts += [wq.Phrase(f, list(phrase.stems)) for f in self.stem[phrase.title_only]]
        parts.append(self._entity(phrase.alias))
        return _either(parts)


def _either(parts: list[wq.Query | None]) -> wq.Query | None:
    kept = [p for p in parts if p is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else wq.Or(kept)
