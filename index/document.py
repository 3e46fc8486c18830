"""Where a document becomes index fields: one article → one :class:`~index.contract.IndexDocument`.

The title and the content are analyzed once, as the one text entities are read from
(:func:`index.entities.entity_text`: no token spans its blank line, so its first tokens are
the title's and the rest the content's).  The same tokens give the exact and stem term lists
of both fields, their character spans, the words' roots and the entity names, whatever
backend stores them.

Layer: the write side.  Imports the analysis layer, the contract, ingest and entities.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left

from index.analysis import Span, analyze, root_terms
from index.contract import ENTITY_TYPES, IndexDocument
from index.entities import entity_text, extract_entities_analyzed  # no fallback: entities are required
from index.ingest import Article

__all__ = ["index_document"]


def index_document(article: Article, story: str | None = None) -> IndexDocument:
    """Analyze ``article`` into the fields every backend indexes.

    ``story``: the story the store assigned it (``index/stories.py``); alone, its own id.
    """
    text = entity_text(article.title, article.content)
    tokens, exact, stems = analyze(text)
    split = bisect_left(tokens, len(article.title), key=_start) if article.title else 0
    offset = len(text) - len(article.content)  # where the content starts in ``text``
    found = extract_entities_analyzed(text, tokens, exact, source=article.source)  # credits of its own paper out
    return IndexDocument(
        id=article.id,
        title=article.title,
        content=article.content,
        title_terms=exact[:split],
        title_stems=stems[:split],
        title_spans=[(a, b) for _, a, b in tokens[:split]],
        content_terms=exact[split:],
        content_stems=stems[split:],
        content_spans=[(a - offset, b - offset) for _, a, b in tokens[split:]],
        date=dt.datetime.fromisoformat(article.date) if article.date else None,
        source=article.source,
        url=article.url,
        author=article.author,
        origin=article.origin,
        entities={kind: tuple(found.get(kind, ())) for kind in ENTITY_TYPES},
        roots=root_terms(tokens),
        story=story or article.id,
    )


def _start(token: Span) -> int:
    return token[1]
