"""Where a document becomes index fields.

Each text is indexed twice, as Alfanous does, each copy with its own analyzer:

* ``title`` / ``content`` — the *exact* fields: normalized, unstemmed words.  They carry the
  stored text for display, answer phrase queries on the written form, feed "did you mean",
  and get the higher boost so that an article using the very form the user typed ranks
  above one that only shares its stem.
* ``title_stem`` / ``content_stem`` — the *stem* fields: clitics, inflection and spelling
  variants removed, for recall (بالرقة, للرقة and الرقه all find الرقة).

Metadata is stored for display and kept in sortable columns (``date``) so sorting by date
does not have to load stored fields.

The facets — ``person``, ``organization``, ``place`` (canonical names from
:func:`index.entities.extract_entities`), ``source`` and ``month`` (``YYYY-MM``) — are
keyword fields, one term per value, so a filter is an exact term and the engine can read
each document's values from the postings once (``search/facets.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from index.entities import extract_entities  # no fallback: indexing without entities must fail
from index.ingest import Article
from search.analysis import ExactAnalyzer, StemAnalyzer

#: Search fields and their BM25F boosts: exact forms above stems, titles above bodies.
FIELD_BOOSTS: dict[str, float] = {
    "title": 4.0,
    "title_stem": 2.0,
    "content": 1.5,
    "content_stem": 1.0,
}
EXACT_FIELDS = ("title", "content")
#: Multi-valued facet fields, named as the types :func:`extract_entities` returns.
ENTITY_FACETS = ("person", "organization", "place")
STEM_FIELDS = ("title_stem", "content_stem")


def make_schema() -> Schema:
    """The Whoosh schema of an article index."""
    exact = ExactAnalyzer()
    stem = StemAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=exact, stored=True, phrase=True, field_boost=FIELD_BOOSTS["title"]),
        title_stem=TEXT(analyzer=stem, phrase=True, field_boost=FIELD_BOOSTS["title_stem"]),
        content=TEXT(analyzer=exact, stored=True, phrase=True, field_boost=FIELD_BOOSTS["content"]),
        content_stem=TEXT(analyzer=stem, phrase=True, field_boost=FIELD_BOOSTS["content_stem"]),
        date=DATETIME(stored=True, sortable=True),
        source=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        month=ID(stored=True, sortable=True),
        **{kind: _names_field() for kind in ENTITY_FACETS},
        url=STORED(),
        author=STORED(),
        origin=STORED(),
    )


def month_of(date: dt.datetime | dt.date) -> str:
    """The ``month`` facet value, ``YYYY-MM``: the date facet counts months, not days."""
    return date.strftime("%Y-%m")


def _names_field() -> KEYWORD:
    """A multi-valued facet: canonical names joined by commas, each one exact term."""
    return KEYWORD(stored=True, commas=True, lowercase=False, scorable=False)


def document_fields(article: Article) -> dict[str, Any]:
    """The field values of one article, ready for ``writer.update_document(**fields)``."""
    fields: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "title_stem": article.title,
        "content": article.content,
        "content_stem": article.content,
        "url": article.url or "",
        "author": article.author or "",
        "origin": article.origin,
    }
    if article.source:
        fields["source"] = article.source.replace(",", " ")
    if article.date:
        fields["date"] = dt.datetime.fromisoformat(article.date)
        fields["month"] = month_of(fields["date"])
    fields.update(_entity_fields(article))
    return fields


def _entity_fields(article: Article) -> dict[str, str]:
    """Comma-joined canonical names per type; a comma inside a name would split it in two."""
    found = extract_entities(article.title, article.content)
    fields = {}
    for kind in ENTITY_FACETS:
        names = dict.fromkeys(n.replace(",", " ").strip() for n in found.get(kind, ()))
        names.pop("", None)
        if names:
            fields[kind] = ",".join(names)
    return fields
