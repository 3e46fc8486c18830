"""The index contract: which fields an article becomes, and what a backend stores and returns.

Every backend (Whoosh today) indexes the same fields with the same terms, produced by the
project's own analysis (``index/analysis.py``), and gives the same documents back.  This
module names them once; the write side fills :class:`IndexDocument` values
(``index/document.py``) and the read side receives :class:`StoredDocument` values.

Each text is indexed twice, as Alfanous does, each copy with its own analysis:

* ``title`` / ``content`` — the *exact* fields: normalized, unstemmed words.  They carry the
  stored text, answer phrase queries on the written form and feed "did you mean".
* ``title_stem`` / ``content_stem`` — the *stem* fields: clitics, inflection and spelling
  variants removed, for recall (بالرقة, للرقة and الرقه all find الرقة).

One more field serves derivation search (``root:كتب``): ``root`` — the Arabic root of every
title and content word that has one (``index/roots.py``), with frequencies, no positions.
``story`` names the story an article belongs to (``index/stories.py``): the id of the
story's first article, so wire copies of one story share it and a search can collapse them.

Facets — ``person``, ``organization``, ``place`` (canonical names), ``source`` and the
month of the date — are exact keyword values, one term per value.

Layer: the index contract.  Imports nothing of the project but the analysis layer's types.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "ENTITY_TYPES",
    "EXACT_FIELDS",
    "FACETS",
    "FIELD_BOOSTS",
    "ROOT_FIELD",
    "STEM_FIELDS",
    "TEXT_FIELDS",
    "IndexDocument",
    "StoredDocument",
    "month_of",
]

#: Search fields and their BM25F boosts: exact forms above stems, titles above bodies.
FIELD_BOOSTS: dict[str, float] = {
    "title": 4.0,
    "title_stem": 2.0,
    "content": 1.5,
    "content_stem": 1.0,
}
EXACT_FIELDS = ("title", "content")
STEM_FIELDS = ("title_stem", "content_stem")
TEXT_FIELDS = ("title", "content", "title_stem", "content_stem")
#: The field of the words' roots (``root:`` queries); scored like the stem fields.
ROOT_FIELD = "root"
#: Entity facets, named as the types the extractor returns.
ENTITY_TYPES = ("person", "organization", "place")
#: Facet keys of a search result → the index field each one is counted on.
FACETS: dict[str, str] = {
    "person": "person",
    "organization": "organization",
    "place": "place",
    "source": "source",
    "date": "month",
}


def month_of(date: dt.date) -> str:
    """The ``month`` facet value, ``YYYY-MM``."""
    return date.strftime("%Y-%m")


@dataclass(frozen=True)
class IndexDocument:
    """One analyzed article, as every backend indexes it.

    ``title_terms[i]`` / ``title_stems[i]`` are the exact and stem terms of the title's
    ``i``-th token, whose characters are ``title_spans[i]`` (``(start, end)`` in ``title``);
    likewise for the content.  ``roots`` are the roots of the title's and the content's
    words that have one, in text order.  ``entities`` holds canonical names per entity type.
    """

    id: str
    title: str
    content: str
    title_terms: list[str]
    title_stems: list[str]
    title_spans: list[tuple[int, int]]
    content_terms: list[str]
    content_stems: list[str]
    content_spans: list[tuple[int, int]]
    date: dt.datetime | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    origin: str = ""
    entities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)
    #: The story (``index/stories.py``): the id of its first article; an article alone is its own story.
    story: str = ""

    @property
    def month(self) -> str | None:
        """The date facet's value."""
        return month_of(self.date) if self.date else None


@dataclass(frozen=True)
class StoredDocument:
    """What a backend gives back for one article: its text, metadata and entity names."""

    id: str
    title: str
    content: str
    date: dt.date | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    entities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The story it belongs to (its own id when it is alone, or in an index without stories).
    story: str = ""
