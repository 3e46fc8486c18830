"""Search-as-you-type: completions of the last word typed, for ``/api/suggest``.

A suggestion is the whole query with its last word completed, because that is what a
``<datalist>`` option puts in the box.  Words come from the index's own vocabulary of
titles and content (normalized, most documents first); entity names and aliases that
start with the word come first, since they are what people look for — a multi-word
name goes in quotes so that it is searched as a phrase.
"""

from __future__ import annotations

from search.errors import QueryError
from web.state import get_engine

#: A suggestion request is one short query, not text.
MAX_SUGGEST_CHARS = 200
MAX_WORDS = 8
MAX_ENTITIES = 4


def suggestions(q: str) -> list[str]:
    """Completed queries for ``q``; none when it is blank or ends with a space (the word is done)."""
    if len(q) > MAX_SUGGEST_CHARS:
        raise QueryError(f"q is too long for suggestions ({len(q)} characters; the limit is {MAX_SUGGEST_CHARS})")
    if not q.strip() or q[-1].isspace():
        return []
    head, _, last = q.rpartition(" ")
    last = last.lstrip('"«“+-')
    if not last:
        return []
    stem = f"{head} " if head else ""
    engine = get_engine()
    done = [_quoted(name) for name in engine.complete_entities(last, MAX_ENTITIES)]
    done += engine.complete(last, MAX_WORDS)
    return list(dict.fromkeys(stem + item for item in done))


def _quoted(name: str) -> str:
    return f'"{name}"' if " " in name else name
