"""Where a snippet is cut, and which words in it are marked.

Whoosh's highlighter scores fragments by character windows and re-analyzes the whole text
per hit; news readers want whole sentences instead, and Arabic needs both analyses to
decide what matched: the query ``الرقة`` must mark ``بالرقة`` (same stem) and ``الرقه``
(same normalized form) in the text as published.  So this module works on the stored text
with the same two functions the index used (:func:`~index.analysis.normalize_word`,
:func:`~index.analysis.stem_word`) and marks the *original* characters.  It works on any
backend's stored text: nothing here depends on how the index is kept.

A ``root:`` query marks every word of that root (:func:`query_roots`): ``root:كتب`` marks
كتاب، مكتبة، يكتبون, each word's root computed as the index computed it
(:func:`~index.analysis.root_word`).

Snippets are data (:class:`~search.results.Snippet`: the text and the spans of the matched
words); escaping and ``<mark>`` belong to the front ends and the JSON edge.

Layer: the read side.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from index.analysis import TOKEN_RE, normalize_word, root_word, stem_word
from search import querytree as qt
from search.results import ELLIPSIS, Snippet

__all__ = ["ELLIPSIS", "make_snippets", "query_roots", "query_terms", "split_sentences"]

#: Sentence ends: Latin and Arabic full stop/comma/question mark/semicolon, "!", newlines.
#: A full stop between digits (3.5, 1.200) is a decimal point, not an end.
_SENTENCE_END_RE = re.compile(r"(?<!\d)\.|\.(?!\d)|[،؟!?؛\n]")
#: How much of a trimmed window goes before the first match (the rest follows it).
_LEAD_FRACTION = 0.25


#: normalize_word per surface form, shared by all searches (stem_word has its own cache).
#: Bounded like analysis's stem cache: cleared when full.
_NORMALIZED: dict[str, str] = {}
_NORMALIZED_MAX = 500_000


@dataclass(frozen=True)
class _Sentence:
    text: str
    tokens: list[tuple[int, int]]  # (start, end) of every word, relative to ``text``
    matched: list[bool]  # per token


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped, each with its closing punctuation."""
    return [text[a:b] for a, b in _sentence_spans(text)]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every non-blank sentence, surrounding whitespace excluded."""
    spans, start = [], 0
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(text)] + [len(text)]
    for end in ends:
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            first = start + (len(chunk) - len(chunk.lstrip()))
            spans.append((first, first + len(stripped)))
        start = end
    return spans


def make_snippets(
    text: str,
    exact_terms: set[str],
    stem_terms: set[str],
    *,
    max_snippets: int = 3,
    max_chars: int = 240,
    keys: dict[str, str | None] | None = None,
    roots: frozenset[str] = frozenset(),
) -> list[Snippet]:
    """Up to ``max_snippets`` best sentences of ``text``, in document order.

    A sentence scores by how many distinct query terms it contains; ties go to the earlier
    one.  When no sentence matches (the query matched the title or metadata only), the
    first sentence is returned unmarked, so a result never shows an empty body.

    Each sentence's distinct words are read with one ``findall`` (no match object per
    word); each distinct word is analyzed once (``keys`` maps a surface form to its match
    key; pass one dict to all the hits of a search — same terms — since they repeat their
    words) and only the chosen sentences are laid out token by token.  ``roots`` (of ``root:``
    queries) marks the words of those roots too.
    """
    if keys is None:
        keys = {}
    terms = _Terms(exact_terms, stem_terms, roots)
    spans = _sentence_spans(text)
    sentence_keys: dict[int, set[str]] = {}
    findall, get = _WORD_RE.findall, keys.get
    for i, (start, end) in enumerate(spans):
        found = set()
        for word in set(findall(text, start, end)):
            key = get(word, _UNSEEN)
            if key is _UNSEEN:
                key = keys[word] = _match_key(word, terms)
            if key is not None:
                found.add(key)
        if found:
            sentence_keys[i] = found
    ranked = sorted(sentence_keys, key=lambda i: (-len(sentence_keys[i]), i))
    best = sorted(ranked[:max_snippets])
    if not best:
        first = next((i for i, (a, b) in enumerate(spans) if _WORD_RE.search(text, a, b)), None)
        if first is None:
            return []
        best = [first]
    return [_cut(_layout(text, spans[i], keys, terms), max_chars) for i in best]


_UNSEEN = object()
#: The tokenizer's word pattern, applied directly: ``tokenize`` builds a tuple per word
#: through a generator, and most words of an article only need a dictionary lookup.
_WORD_RE = TOKEN_RE


class _Terms(NamedTuple):
    """What a search marks: exact forms, stems and roots."""

    exact: set[str]
    stems: set[str]
    roots: frozenset[str]


def _layout(text: str, span: tuple[int, int], keys: dict[str, str | None], terms: _Terms) -> _Sentence:
    """One sentence with its words' offsets (relative to the sentence) and which of them matched."""
    start, end = span
    tokens: list[tuple[int, int]] = []
    matched: list[bool] = []
    for match in _WORD_RE.finditer(text, start, end):
        word = match.group()
        key = keys.get(word, _UNSEEN)
        if key is _UNSEEN:
            key = keys[word] = _match_key(word, terms)
        tokens.append((match.start() - start, match.end() - start))
        matched.append(key is not None)
    return _Sentence(text[start:end], tokens, matched)


def _normalized(word: str) -> str:
    value = _NORMALIZED.get(word)
    if value is None:
        if len(_NORMALIZED) >= _NORMALIZED_MAX:
            _NORMALIZED.clear()
        value = _NORMALIZED[word] = normalize_word(word)
    return value


def _match_key(word: str, terms: _Terms) -> str | None:
    """Which query term ``word`` matches (its stem, else its normalized form, else its root), or None."""
    if terms.stems:
        stem = stem_word(word)
        if stem in terms.stems:
            return "s:" + stem
    if terms.exact:
        exact = _normalized(word)
        if exact in terms.exact:
            return "e:" + exact
    if terms.roots:
        root = root_word(word)
        if root in terms.roots:
            return "r:" + root
    return None


def _window(sentence: _Sentence, max_chars: int) -> tuple[int, int, int, int]:
    """What to show of a sentence: token range ``[first, last)`` and character range
    ``[start, end)`` — the whole sentence if it fits, else at most ``max_chars`` (ellipses
    included) around the first match, cut at word boundaries."""
    text, tokens = sentence.text, sentence.tokens
    if len(text) <= max_chars:
        return 0, len(tokens), 0, len(text)
    budget = max(max_chars - 2 * len(ELLIPSIS), 1)
    anchor = next((i for i, m in enumerate(sentence.matched) if m), 0)
    lead_start = tokens[anchor][0] - int(budget * _LEAD_FRACTION)
    first = next(i for i in range(anchor + 1) if tokens[i][0] >= lead_start)
    last = first + 1
    while last < len(tokens) and tokens[last][1] - tokens[first][0] <= budget:
        last += 1
    # Near the end of the sentence: use the spare room for more words before the match.
    while first > 0 and tokens[last - 1][1] - tokens[first - 1][0] <= budget:
        first -= 1
    start, end = tokens[first][0], tokens[last - 1][1]
    # Keep the punctuation before the first / after the last word when it still fits.
    if first == 0 and end <= budget:
        start = 0
    if last == len(tokens) and len(text) - start <= budget:
        end = len(text)
    return first, last, start, end


def _cut(sentence: _Sentence, max_chars: int) -> Snippet:
    """One snippet: the window of the sentence to show, with its matched words' spans."""
    first, last, start, end = _window(sentence, max_chars)
    spans = tuple(
        (a - start, b - start)
        for (a, b), matched in zip(sentence.tokens[first:last], sentence.matched[first:last], strict=True)
        if matched
    )
    return Snippet(sentence.text[start:end], spans, cut_before=start > 0, cut_after=end < len(sentence.text))


Expand = Callable[[qt.Pattern], list[str]]


def query_terms(tree: qt.Node, expand: Expand | None = None) -> tuple[set[str], set[str]]:
    """The (exact, stem) term texts a snippet should mark for ``tree``.

    Negated parts are left out (a document may match ``a OR NOT b`` and contain ``b``).
    Wildcards are marked through ``expand`` (the index terms a pattern matched), when given:
    the pattern alone says nothing about which words of the text it matched.
    """
    exact: set[str] = set()
    stem: set[str] = set()
    for node, negated in qt.walk(tree):
        if negated:
            continue
        if isinstance(node, qt.Word):
            exact.update([node.exact] if node.exact else [])
            stem.update([node.stem] if node.stem else [])
            exact.update(e for e, _ in node.also)
            stem.update(s for _, s in node.also)
        elif isinstance(node, qt.Phrase):
            exact.update(node.exact)
            if all(node.stems):
                stem.update(node.stems)
        elif isinstance(node, qt.Pattern) and expand is not None:
            exact.update(expand(node))
    return exact, stem


def query_roots(tree: qt.Node) -> frozenset[str]:
    """The roots of a query's ``root:`` parts (negated ones left out), whose words a snippet marks."""
    return frozenset(node.root for node, negated in qt.walk(tree) if isinstance(node, qt.Root) and not negated)
