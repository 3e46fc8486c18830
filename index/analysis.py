"""Where a word becomes a token: tokenizer, exact form and stem, for every side of the engine.

This is the one analysis module: the indexer (``index/``), the query parser, the snippet cutter
and the entity extractor all call it, so the terms written at index time and the terms looked
up at query time can never drift apart.  It knows nothing of Whoosh or Solr: a backend feeds
the term lists it returns into its own index format (``index/whoosh_schema.py``).

Three functions, each a plain function so it can be tested and reused anywhere:

* :func:`tokenize` — the words of a text as ``(surface, start, end)`` spans into the text;
* :func:`~index.normalize.normalize_word` — the *exact* form (``index/normalize.py``);
* :func:`stem_word` — light stemming on the cleaned form (``index/stemmer.py``) plus
  spelling-variant folding: the *stem* form;
* :func:`root_word` — the word's Arabic root (``index/roots.py``: كتاب، مكتبة، يكتبون → كتب),
  or "" for a function word or a foreign name: the *root* form, for ``root:`` searches.

:func:`analyze` does all three for a whole text in one pass, as indexing needs.

Layer: text analysis, the bottom of the stack.  Imports only ``index.normalize``,
``index.stemmer``, ``index.morphology`` and ``index.roots``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from index.morphology import is_function_word  # defined beside the other word classes
from index.normalize import (
    _NORM_CACHE,
    ARABIC_MARKS,
    INVISIBLES,
    TATWEEL,
    clean,
    fold_ta_marbuta,
    is_arabic,
    normalize_word,
)
from index.roots import _ROOT_CACHE, root_word
from index.stemmer import stem_surface

__all__ = [
    "TOKEN_RE",
    "Analyzed",
    "Span",
    "analyze",
    "clean",
    "is_arabic",
    "is_function_word",
    "normalize_word",
    "normalized_terms",
    "root_terms",
    "root_word",
    "stem_terms",
    "stem_word",
    "tokenize",
]

#: One word of a text: its surface form and where it is (``text[start:end] == surface``).
Span = tuple[str, int, int]

# A token: at least one letter or digit, with any marks, tatweel or invisibles inside (they
# are removed by ``clean`` but must not split a word: "اقــرأ", "مُحاصرة", "لا\u200cتفاصيل").
_INSIDE = "[" + ARABIC_MARKS + TATWEEL + INVISIBLES + "]"
_ALNUM = "[^\\W_" + TATWEEL + "]"
#: The word pattern.  Snippets and the Whoosh tokenizer apply it directly where a tuple per
#: word would cost more than the work done with it.
TOKEN_RE = re.compile(f"{_INSIDE}*{_ALNUM}(?:{_ALNUM}|{_INSIDE})*")

# Module-level cache (never an attribute of an analyzer object: Whoosh pickles analyzers
# with the schema).  Bounded so that an open-ended vocabulary cannot grow memory without limit.
_STEM_CACHE: dict[str, str] = {}
_CACHE_MAX = 2_000_000


def stem_word(word: str) -> str:
    """The stem-field form of a word (clean → light stem → spelling-variant fold).

    Cached per surface form: the stemmer costs tens of microseconds a word, the cache a
    dictionary lookup.
    """
    stem = _STEM_CACHE.get(word)
    if stem is None:
        stem = fold_ta_marbuta(stem_surface(word))
        if len(_STEM_CACHE) >= _CACHE_MAX:
            _STEM_CACHE.clear()
        _STEM_CACHE[word] = stem
    return stem


def tokenize(text: str) -> Iterator[Span]:
    """Yield ``(surface, start, end)`` for every word of ``text``; offsets index ``text``."""
    for match in TOKEN_RE.finditer(text):
        yield match.group(), match.start(), match.end()


def normalized_terms(text: str) -> list[str]:
    """Exact-field terms of ``text`` (one per word)."""
    return [normalize_word(surface) for surface, _, _ in tokenize(text)]


def stem_terms(text: str) -> list[str]:
    """Stem-field terms of ``text`` (one per word)."""
    return [stem_word(surface) for surface, _, _ in tokenize(text)]


def root_terms(tokens: list[Span]) -> list[str]:
    """Root-field terms of analyzed tokens: the root of every word that has one, in order.

    Words without a root (function words, foreign names, numbers) add nothing; the field
    has no positions, only how often each root occurs.
    """
    get = _ROOT_CACHE.get
    roots = (get(surface) or root_word(surface) for surface, _, _ in tokens)
    return [root for root in roots if root]


class Analyzed(NamedTuple):
    """A text's tokens and, token by token, their exact and stem terms."""

    tokens: list[Span]
    exact: list[str]
    stems: list[str]


def analyze(text: str) -> Analyzed:
    """One pass over ``text`` for everything indexing needs: its tokens, exact and stem terms.

    ``exact[i]`` / ``stems[i]`` are :func:`normalize_word` / :func:`stem_word` of token ``i``.
    The indexer feeds both fields and the entity scanner from it instead of tokenizing each
    article three times; the per-token work is two cache lookups.
    """
    tokens = [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]
    norm_get, stem_get = _NORM_CACHE.get, _STEM_CACHE.get
    exact = [norm_get(surface) or normalize_word(surface) for surface, _, _ in tokens]
    stems = [stem_get(surface) or stem_word(surface) for surface, _, _ in tokens]
    return Analyzed(tokens, exact, stems)
