"""Latin names no list knows, searched in their Arabic spellings.

A Latin word of a query that names no known entity (``index/entities.py`` resolves those,
whatever the transliteration) is given the Arabic spellings that align with it best
(``index.latin.arabic_candidates``) and that this index contains: ``Tevez`` also searches
تيفيز.  Each spelling used is reported in the result's ``aliases`` (``"type": "spelling"``),
so a reader sees what was searched.

Layer: the read side.
"""

from __future__ import annotations

from dataclasses import replace

from index.analysis import normalize_word, stem_word
from index.latin import arabic_candidates, is_latin_name
from search import querytree as qt
from search.backend import IndexView
from search.query import ParsedQuery

__all__ = ["MAX_SPELLINGS", "with_arabic_spellings"]

#: Arabic spellings added per Latin word at most.
MAX_SPELLINGS = 2


def with_arabic_spellings(parsed: ParsedQuery, view: IndexView) -> ParsedQuery:
    """``parsed`` with the Latin words' attested Arabic spellings added (and listed in its aliases)."""
    aliases = list(parsed.aliases)
    tree = _rewrite(parsed.tree, view, aliases)
    if tree is parsed.tree:
        return parsed
    return replace(parsed, tree=tree, aliases=tuple(aliases))


def _rewrite(node: qt.Node, view: IndexView, aliases: list[dict[str, str]]) -> qt.Node:
    if isinstance(node, qt.Word):
        return _word(node, view, aliases)
    if isinstance(node, qt.And | qt.Or):
        children = tuple(_rewrite(c, view, aliases) for c in node.children)
        return node if children == node.children else type(node)(children)
    if isinstance(node, qt.Not):
        child = _rewrite(node.child, view, aliases)
        return node if child is node.child else qt.Not(child)
    if isinstance(node, qt.Forgiving):
        words = tuple(_word(w, view, aliases) for w in node.words)
        required = _rewrite(node.required, view, aliases) if node.required is not None else None
        if words == node.words and required is node.required:
            return node
        return replace(node, words=words, required=required)
    return node


def _word(word: qt.Word, view: IndexView, aliases: list[dict[str, str]]) -> qt.Word:
    if word.alias is not None or not is_latin_name(word.text):
        return word
    found = []
    for spelling in arabic_candidates(word.text, limit=4, best_only=True):
        exact = normalize_word(spelling)
        if view.doc_frequency("content", exact) or view.doc_frequency("title", exact):
            found.append(spelling)
        if len(found) == MAX_SPELLINGS:
            break
    if not found:
        return word
    aliases += [{"query": word.text, "type": "spelling", "entity": spelling} for spelling in found]
    return replace(word, also=tuple((normalize_word(s), stem_word(s)) for s in found))
