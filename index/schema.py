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
import pickle
from bisect import bisect_left
from collections.abc import Iterable
from itertools import chain
from typing import Any

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.system import pack_uint

from index.entities import entity_text, extract_entities_analyzed  # no fallback: entities are required
from index.ingest import Article
from search.analysis import ExactAnalyzer, StemAnalyzer, analyze

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


class AnalyzedText(TEXT):
    """A ``TEXT`` field that also accepts its terms already analyzed, as a list.

    :func:`document_fields` analyzes each text once (:func:`search.analysis.analyze`) and
    hands the exact field and the stem field their term lists; Whoosh's own path would run
    the analyzer again for each field and build a ``Token`` object per word.  The postings
    are the same as the analyzer's (``tests/test_index.py`` compares them): one per
    distinct term, its positions, frequency and weight.  A string value (a query-time
    re-analysis, an old caller) still goes through the analyzer.
    """

    def index(self, value: Any, **kwargs: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
        """``(term bytes, frequency, weight, encoded positions)`` per distinct term of ``value``."""
        if not isinstance(value, list):
            return super().index(value, **kwargs)
        positions: dict[str, list[int]] = {}
        get = positions.get
        for pos, term in enumerate(value):
            slot = get(term)
            if slot is None:
                positions[term] = [pos]
            else:
                slot.append(pos)
        fmt = self.format
        boost, encode = fmt.field_boost, fmt.encode
        if type(fmt) is not Positions:  # a field without positions: Whoosh's encoding as it is
            return [(term.encode("utf-8"), len(p), len(p) * boost, encode(p)) for term, p in positions.items()]
        single = _SINGLE_POSITION.get
        return [
            (
                term.encode("utf-8"),
                len(p),
                len(p) * boost,
                (single(p[0]) or _encode_single(p[0])) if len(p) == 1 else _encode_positions(p),
            )
            for term, p in positions.items()
        ]


def _encode_positions(positions: list[int]) -> bytes:
    """``Positions().encode(positions)`` (count, then the pickled deltas) without its Python loop."""
    deltas = [b - a for a, b in zip(chain((0,), positions), positions, strict=False)]  # stops with positions
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


#: ``Positions().encode([pos])`` by position: most terms occur once in a document, and the
#: encoding of a one-position list depends only on the position (bounded by text length).
_SINGLE_POSITION: dict[int, bytes] = {}


def _encode_single(pos: int) -> bytes:
    value = _SINGLE_POSITION[pos] = Positions().encode([pos])
    return value


def make_schema() -> Schema:
    """The Whoosh schema of an article index."""
    exact = ExactAnalyzer()
    stem = StemAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=AnalyzedText(analyzer=exact, stored=True, phrase=True, field_boost=FIELD_BOOSTS["title"]),
        title_stem=AnalyzedText(analyzer=stem, phrase=True, field_boost=FIELD_BOOSTS["title_stem"]),
        content=AnalyzedText(analyzer=exact, stored=True, phrase=True, field_boost=FIELD_BOOSTS["content"]),
        content_stem=AnalyzedText(analyzer=stem, phrase=True, field_boost=FIELD_BOOSTS["content_stem"]),
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
    """The field values of one article, ready for ``writer.update_document(**fields)``.

    The title and the content are analyzed once, as the one text entities are read from
    (:func:`index.entities.entity_text`: no token spans its blank line, so its first tokens
    are the title's and the rest the content's); the exact and stem fields get their term
    lists and the original text is stored through Whoosh's ``_stored_<field>`` values.
    """
    text = entity_text(article.title, article.content)
    tokens, exact, stems = analyze(text)
    split = bisect_left(tokens, len(article.title), key=_start) if article.title else 0
    fields: dict[str, Any] = {
        "id": article.id,
        "title": exact[:split],
        "_stored_title": article.title,
        "title_stem": stems[:split],
        "content": exact[split:],
        "_stored_content": article.content,
        "content_stem": stems[split:],
        "url": article.url or "",
        "author": article.author or "",
        "origin": article.origin,
    }
    if article.source:
        fields["source"] = article.source.replace(",", " ")
    if article.date:
        fields["date"] = dt.datetime.fromisoformat(article.date)
        fields["month"] = month_of(fields["date"])
    fields.update(_entity_fields(extract_entities_analyzed(text, tokens, exact)))
    return fields


def _start(token: tuple[str, int, int]) -> int:
    return token[1]


def _entity_fields(found: dict[str, list[str]]) -> dict[str, str]:
    """Comma-joined canonical names per type; a comma inside a name would split it in two."""
    fields = {}
    for kind in ENTITY_FACETS:
        names = dict.fromkeys(n.replace(",", " ").strip() for n in found.get(kind, ()))
        names.pop("", None)
        if names:
            fields[kind] = ",".join(names)
    return fields
