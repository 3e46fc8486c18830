"""What a parsed query means, as plain data that every backend can run.

The parser (``search/query.py``) turns the query language into these nodes, with every word
already analyzed by the project's analysis (its exact and stem terms); a backend compiles
them into its own queries (``search/whoosh_query.py``).  So the query language, the analysis
and the front ends never change when a backend is added.

Meaning, for every backend:

* :class:`Word` — the word in any of the four text fields: its exact term in ``title`` or
  ``content``, its stem in ``title_stem`` or ``content_stem`` (``title_only``: the first of
  each pair).  With ``alias``, articles whose entity facet holds that canonical name match too.
* :class:`Phrase` — the words at consecutive positions, as exact terms or as stems.
* :class:`Pattern` — a ``*``/``?`` wildcard over the exact terms.
* :class:`Root` — the articles with a word of that Arabic root (``root:كتب``: كتاب، مكتبة،
  يكتبون), in the ``root`` field.
* :class:`EntityRef` — the articles whose ``type`` facet holds ``canonical``, scored ``boost``.
* :class:`SourceName` — the articles whose source name contains these words in order.
* :class:`DateSpan`, :class:`DocId` — metadata; :class:`Every` — all live articles.
* :class:`And`, :class:`Or`, :class:`Not` — as in Boolean logic; scores add up.
* :class:`Forgiving` — a plain query of three or more words (the root of the tree only):
  the articles matching every word first, then those matching at least ``minimum`` of them;
  ``required`` (explicit syntax beside the plain words) and ``alias`` as in any query.

Layer: the read side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "And",
    "DateSpan",
    "DocId",
    "EntityRef",
    "Every",
    "Forgiving",
    "Node",
    "Not",
    "Or",
    "Pattern",
    "Phrase",
    "Root",
    "SourceName",
    "Word",
    "walk",
]


@dataclass(frozen=True)
class EntityRef:
    type: str
    canonical: str
    boost: float = 1.0


@dataclass(frozen=True)
class Word:
    text: str
    exact: str
    stem: str
    title_only: bool = False
    alias: EntityRef | None = None
    #: A bare word of a plain query: it may be the one a forgiving query does without.
    optional: bool = False
    #: Other spellings searched as the same word: ``(exact, stem)`` pairs (a Latin name's Arabic spellings).
    also: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    exact: tuple[str, ...]
    stems: tuple[str, ...]
    title_only: bool = False
    alias: EntityRef | None = None


@dataclass(frozen=True)
class Pattern:
    pattern: str  # normalized, with * and ?
    display: str  # as typed, for messages
    title_only: bool = False


@dataclass(frozen=True)
class Root:
    root: str  # as the root field writes it (ءكد، قول)
    text: str  # as typed after root:, for messages


@dataclass(frozen=True)
class SourceName:
    text: str


@dataclass(frozen=True)
class DateSpan:
    start: dt.datetime | None
    end: dt.datetime | None


@dataclass(frozen=True)
class DocId:
    value: str


@dataclass(frozen=True)
class Every:
    pass


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Forgiving:
    """Articles with at least ``minimum`` of ``words`` (and ``required``, if any), or naming ``alias``.

    The ones with every word rank first; each hit's missing words are reported.
    """

    words: tuple[Word, ...]
    minimum: int
    required: Node | None = None
    alias: EntityRef | None = None


Node = Word | Phrase | Pattern | Root | EntityRef | SourceName | DateSpan | DocId | Every | And | Or | Not | Forgiving


def walk(node: Node, *, negated: bool = False) -> Iterator[tuple[Node, bool]]:
    """Every node below ``node`` (itself first) with whether it sits under a :class:`Not`."""
    yield node, negated
    if isinstance(node, And | Or):
        for child in node.children:
            yield from walk(child, negated=negated)
    elif isinstance(node, Forgiving):
        for child in (*node.words, node.required, node.alias):
            if child is not None:
                yield from walk(child, negated=negated)
    elif isinstance(node, Not):
        yield from walk(node.child, negated=not negated)
