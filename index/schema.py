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
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

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
        url=STORED(),
        author=STORED(),
        origin=STORED(),
    )


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
    return fields
