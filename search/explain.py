"""What each field makes of a text (like Elasticsearch's ``_analyze``): ``search-cli analyze``, ``/api/analyze``.

Layer: the read side (it needs no index).
"""

from __future__ import annotations

from typing import Any

from index.analysis import clean, normalize_word, root_word, stem_word, tokenize

__all__ = ["analyze_text"]


def analyze_text(text: str) -> dict[str, Any]:
    """``{"text", "fields": {"content", "content_stem", "root"}, "tokens": [...]}``, a token being
    ``{"token", "start", "end", "cleaned", "exact", "stem", "root"}``.

    ``root`` is the word's Arabic root (``root:`` queries), null for a word without one
    (function words, foreign names, numbers); the ``root`` field lists the roots indexed.
    """
    tokens = [
        {
            "token": surface,
            "start": start,
            "end": end,
            "cleaned": clean(surface),
            "exact": normalize_word(surface),
            "stem": stem_word(surface),
            "root": root_word(surface) or None,
        }
        for surface, start, end in tokenize(text)
    ]
    return {
        "text": text,
        "fields": {
            "content": [t["exact"] for t in tokens],
            "content_stem": [t["stem"] for t in tokens],
            "root": [t["root"] for t in tokens if t["root"]],
        },
        "tokens": tokens,
    }
