"""Query trees (``search/querytree.py``) as Solr requests: Lucene syntax over our own terms.

Every word arrives analyzed; each term is sent quoted to a field whose query analyzer only
splits on spaces, so Solr searches exactly the term Python produced.  The weights are the
Whoosh backend's (``search/whoosh_query.py``): exact forms at :attr:`Ranking.exact_weight`
of the stems, an entity alias at :attr:`Ranking.alias_boost`.  The field boosts
(``index.contract.FIELD_BOOSTS``) are not query boosts: the collection's similarity
(``solr/plugin/``, Whoosh's BM25F) applies them inside the term frequency, as Whoosh does.

A forgiving query (``qt.Forgiving``) becomes Solr's ``bool`` parser with ``mm`` (at least
``minimum`` of its words); its *coverage* — how many of the words a hit has — is a function
(:attr:`Compiled.coverage`) the backend sorts by before the score, and asks for per hit to
say which words it lacks.  Parameters are passed by reference (``$w0``), so long queries
need no escaping inside local parameters.

Layer: the read side (Solr).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from index.contract import EXACT_FIELDS, ROOT_FIELD, STEM_FIELDS
from search import querytree as qt
from search.backend import Filters
from search.query import source_key
from search.ranking import DEFAULT_RANKING, Ranking

__all__ = ["Compiled", "compile_tree", "filter_queries", "quoted", "solr_date"]

#: Matches nothing (a query whose every word was dropped by the analysis).
NOTHING = "-*:*"


def quoted(text: str) -> str:
    """A term or phrase as a quoted Lucene string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def solr_date(moment: dt.datetime) -> str:
    """A (naive, read as UTC) moment in Solr's date syntax."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Compiled:
    """A tree as Solr parameters: ``q`` and the parameters it refers to.

    ``coverage``: for a forgiving tree, a function counting the words a hit has (an alias
    hit has them all); ``words``: per word, the parameter holding its query (None when the
    analysis left nothing of it), for the ``missing`` words of each hit.
    """

    q: str
    params: dict[str, str] = field(default_factory=dict)
    coverage: str | None = None
    words: list[str | None] = field(default_factory=list)


def compile_tree(
    tree: qt.Node, ranking: Ranking = DEFAULT_RANKING, sources: Callable[[], list[str]] | None = None
) -> Compiled:
    """``tree`` as Solr parameters; ``sources`` lists the index's source names (for ``source:``)."""
    return _Compiler(ranking, sources or list).compile(tree)


class _Compiler:
    def __init__(self, ranking: Ranking, sources: Callable[[], list[str]]) -> None:
        self.ranking = ranking
        self.sources = sources
        self.params: dict[str, str] = {}

    def _param(self, value: str) -> str:
        name = f"qq{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def compile(self, tree: qt.Node) -> Compiled:
        if isinstance(tree, qt.Forgiving):
            return self._forgiving(tree)
        q = self.node(tree) or NOTHING
        return Compiled(q, self.params)

    def _forgiving(self, tree: qt.Forgiving) -> Compiled:
        words = [self.node(w) for w in tree.words]
        refs = [self._param(w) if w else None for w in words]
        kept = [r for r in refs if r]
        some = None
        if kept:
            some = "{!bool " + " ".join(f"should={r}" for r in kept) + f" mm={min(tree.minimum, len(kept))}}}"
        if some and tree.required is not None:
            required = self.node(tree.required)
            if required:
                some = "{!bool must=" + self._param(required) + " must=" + self._param(some) + "}"
        alias = self._entity(tree.alias)
        parts = [p for p in (some, alias) if p]
        if not parts:
            return Compiled(NOTHING, self.params, None, refs)
        q = parts[0] if len(parts) == 1 else "{!bool " + " ".join(f"should={self._param(p)}" for p in parts) + "}"
        counted = "sum(" + ",".join(f"if(exists(query({r})),1,0)" for r in kept) + ")" if kept else "0"
        coverage = counted
        if alias:
            coverage = f"if(exists(query({self._param(alias)})),{len(tree.words)},{counted})"
        return Compiled(q, self.params, coverage, refs)

    # -- nodes -----------------------------------------------------------------------------------

    def node(self, node: qt.Node) -> str | None:
        """One node in Lucene syntax (None: nothing to search)."""
        if isinstance(node, qt.Word):
            return self.word(node)
        if isinstance(node, qt.Phrase):
            return self._phrase(node)
        if isinstance(node, qt.Pattern):
            fields = _exact(node.title_only)
            return _either([f"{f}:{_wildcard(node.pattern)}" for f in fields])
        if isinstance(node, qt.EntityRef):
            return self._entity(node)
        if isinstance(node, qt.Root):
            return f"{ROOT_FIELD}:{quoted(node.root)}"
        if isinstance(node, qt.And):
            return self._and(node)
        if isinstance(node, qt.Or):
            parts = [p for p in map(self.node, node.children) if p]
            return None if not parts else _either([f"({p})" for p in parts])
        if isinstance(node, qt.Not):
            inner = self.node(node.child)
            return None if inner is None else f"(*:* -({inner}))"
        return self._metadata(node)

    def _metadata(self, node: qt.Node) -> str | None:
        if isinstance(node, qt.SourceName):
            names = [name for name in self.sources() if _contains_words(name, node.text)]
            return _either([f"source:{quoted(n)}" for n in names]) or NOTHING
        if isinstance(node, qt.DateSpan):
            start = solr_date(node.start) if node.start else "*"
            end = solr_date(node.end) if node.end else "*"
            return f"date:[{start} TO {end}]"
        if isinstance(node, qt.DocId):
            return f"id:{quoted(node.value)}"
        if isinstance(node, qt.Every):
            return "*:*"
        if isinstance(node, qt.Forgiving):  # only at the root; elsewhere as its words' AND
            return self.node(qt.And(node.words))
        raise TypeError(f"not a query node: {node!r}")

    def _and(self, node: qt.And) -> str | None:
        parts = []
        for child in node.children:
            if isinstance(child, qt.Not):  # scored 1.0, as the Whoosh backend scores a NOT in an AND
                inner = self.node(child.child)
                if inner:
                    parts.append(f"+(*:* -({inner}))")
                continue
            compiled = self.node(child)
            if compiled is None:
                continue
            parts.append(f"+({compiled})")
        return " ".join(parts) if parts else None

    def word(self, word: qt.Word) -> str | None:
        """A word: its exact form (weighted ``exact_weight``), its stem, its spellings, its entity."""
        weight = self.ranking.exact_weight
        terms = [_term(f, word.exact, weight) for f in _exact(word.title_only) if word.exact]
        terms += [_term(f, word.stem, 1.0) for f in _stem(word.title_only) if word.stem]
        for exact, stem in word.also:
            terms += [_term(f, exact, weight) for f in _exact(word.title_only)]
            terms += [_term(f, stem, 1.0) for f in _stem(word.title_only)]
        terms.append(self._entity(word.alias))
        return _either(terms)

    def _phrase(self, phrase: qt.Phrase) -> str | None:
        weight = self.ranking.exact_weight
        parts: list[str | None] = [_phrase(f, phrase.exact, weight) for f in _exact(phrase.title_only)]
        if all(phrase.stems):
            parts += [_phrase(f, phrase.stems, 1.0) for f in _stem(phrase.title_only)]
        parts.append(self._entity(phrase.alias))
        return _either(parts)

    def _entity(self, ref: qt.EntityRef | None) -> str | None:
        """An entity facet value, scored as the Whoosh index scores its unscored facet fields: a constant."""
        if ref is None:
            return None
        return f"{ref.type}:{quoted(ref.canonical)}^={_number(ref.boost * self.ranking.alias_boost)}"


def filter_queries(filters: Filters) -> list[str]:
    """The filters as ``fq`` parameters (each cached by Solr on its own)."""
    fqs = []
    for key, values in filters.values:
        fqs.append(f"{key}:(" + " OR ".join(quoted(v) for v in values) + ")")
    if filters.dates is not None:
        start, end = filters.dates
        fqs.append(f"date:[{solr_date(start) if start else '*'} TO {solr_date(end) if end else '*'}]")
    if filters.story is not None:
        fqs.append(f"story:{quoted(filters.story)}")
    return fqs


def _exact(title_only: bool) -> tuple[str, ...]:
    return ("title",) if title_only else EXACT_FIELDS


def _stem(title_only: bool) -> tuple[str, ...]:
    return ("title_stem",) if title_only else STEM_FIELDS


def _term(field_name: str, text: str, boost: float) -> str:
    return f"{field_name}:{quoted(text)}^{_number(boost)}"


def _phrase(field_name: str, terms: tuple[str, ...], boost: float) -> str:
    """The terms at consecutive positions, scored as the Whoosh backend scores a phrase: the sum
    of its words' scores (a repeated word counts each time), the phrase itself only a condition."""
    words = " ".join(_term(field_name, t, boost) for t in terms)
    return f"(+{field_name}:{quoted(' '.join(terms))}^=0 {words})"


def _number(value: float) -> str:
    return f"{value:.6g}"


def _either(parts: list[str | None]) -> str | None:
    kept = [p for p in parts if p]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else " ".join(kept)


def _wildcard(pattern: str) -> str:
    """A normalized ``*``/``?`` pattern with every other special character escaped."""
    special = set('+-&|!(){}[]^"~:\\/ ')
    return "".join("\\" + ch if ch in special else ch for ch in pattern)


def _contains_words(name: str, text: str) -> bool:
    """Whether the source ``name`` contains the words of ``text`` in order (as ``source:`` reads it)."""
    wanted, key = source_key(text), source_key(name)
    size = len(wanted)
    return any(key[i : i + size] == wanted for i in range(len(key) - size + 1))
