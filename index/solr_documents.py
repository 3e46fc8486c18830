"""The Solr form of the index contract: an analyzed article as a Solr document.

Solr never analyzes our text.  Each text field is a ``PreAnalyzedField`` (the configset's
``schema.xml``) and receives the tokens the project's analysis produced
(:class:`~index.contract.IndexDocument`), in Solr's JSON pre-analyzed format::

    {"v": "1", "str": <stored text>, "tokens": [{"t": term, "s": start, "e": end, "i": 1}, …]}

* ``t`` is the exact, stem or root term, exactly as the Whoosh backend indexes it, so both
  backends hold the same terms at the same positions (one position per word, ``i`` = 1).
* ``s``/``e`` are the word's offsets in the stored text as *Java* counts them (UTF-16 code
  units): a character outside the Basic Multilingual Plane (an emoji) counts two.  They never
  go backwards (tokens come in text order).
* ``str`` — the stored value: the text on the exact fields; on the stem fields the stems
  joined by spaces, one per position (the read side's proximity rescoring reads positions
  from it); the root field is not stored.

Facet values (entities, source, month, story) are plain strings with docValues, the date a
``pdate`` plus ``day`` (days since 1970-01-01) for the date histogram, and ``title_len`` /
``content_len`` the token counts.

Layer: the index contract (Solr).  Imports the contract and the layout's fingerprint.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from index.contract import ENTITY_TYPES, ROOT_FIELD, IndexDocument

__all__ = ["java_offsets", "solr_document"]

_EPOCH = dt.date(1970, 1, 1)


def java_offsets(text: str) -> list[int] | None:
    """Per Python index ``k`` of ``text`` (and ``len(text)``), its UTF-16 offset; None when they are equal.

    Most texts have no character beyond U+FFFF, and then the offsets are Python's own.
    """
    if text.isascii() or all(ord(ch) <= 0xFFFF for ch in text):
        return None
    return [0, *accumulate(2 if ord(ch) > 0xFFFF else 1 for ch in text)]


def _tokens(terms: Sequence[str], spans: Sequence[tuple[int, int]], shift: list[int] | None) -> list[dict[str, Any]]:
    if shift is None:
        return [{"t": term, "s": start, "e": end} for term, (start, end) in zip(terms, spans, strict=True)]
    return [{"t": term, "s": shift[start], "e": shift[end]} for term, (start, end) in zip(terms, spans, strict=True)]


def _preanalyzed(tokens: list[dict[str, Any]], stored: str | None = None) -> str:
    value: dict[str, Any] = {"v": "1", "tokens": tokens}
    if stored is not None:
        value["str"] = stored
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def solr_document(doc: IndexDocument, analysis: str, seq: int) -> dict[str, Any]:
    """The Solr document of one analyzed article; ``analysis`` is the indexer's fingerprint,
    ``seq`` the article's place in index order (ties in score rank in this order)."""
    title_shift, content_shift = java_offsets(doc.title), java_offsets(doc.content)
    fields: dict[str, Any] = {
        "id": doc.id,
        "title": _preanalyzed(_tokens(doc.title_terms, doc.title_spans, title_shift), doc.title),
        "title_stem": _preanalyzed(_tokens(doc.title_stems, doc.title_spans, title_shift), " ".join(doc.title_stems)),
        "content": _preanalyzed(_tokens(doc.content_terms, doc.content_spans, content_shift), doc.content),
        "content_stem": _preanalyzed(
            _tokens(doc.content_stems, doc.content_spans, content_shift), " ".join(doc.content_stems)
        ),
        ROOT_FIELD: _preanalyzed([{"t": root} for root in doc.roots]),
        "title_len": len(doc.title_terms),
        "content_len": len(doc.content_terms),
        "story": doc.story or doc.id,
        "analysis": analysis,
        "seq": seq,
    }
    for key, value in (("url", doc.url), ("author", doc.author), ("origin", doc.origin)):
        if value:
            fields[key] = value
    if doc.source:  # the facet value, as the Whoosh index keeps it (one keyword, no comma)
        fields["source"] = doc.source.replace(",", " ")
    if doc.date:
        fields["date"] = doc.date.strftime("%Y-%m-%dT%H:%M:%SZ")  # naive dates are read as UTC on both backends
        fields["day"] = (doc.date.date() - _EPOCH).days
        fields["month"] = doc.month
    for kind in ENTITY_TYPES:
        names = dict.fromkeys(name.replace(",", " ").strip() for name in doc.entities.get(kind, ()))
        names.pop("", None)
        if names:
            fields[kind] = list(names)
    return fields
