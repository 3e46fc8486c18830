"""What each field makes of a text (like Elasticsearch's ``_analyze``): ``search-cli analyze``, ``/api/analyze``.

Layer: the read side (it needs no index).
"""

from __future__ import annotations

from typing import Any

from index.analysis import clean, normalize_word, stem_word, tokenize

__all__ = ["analyze_text"]


def analyze_text(text: str) -> dict[str, Any]:
    """``{"text", "fields": {"content", "content_stem"}, "tokens": [...]}``, a token being
    ``{"token", "start", "end", "cleaned", "exact", "stem"}``."""
    tokens = [
        {
            "token": surface,
            "start": start,
            "end": end,
            "cleaned": clean(surface),
            "exact": normalize_word(surface),
            "stem": stem_word(surface),
        }
        for surface, start, end in tokenize(text)
    ]
    return {
        "text": text,
        "fields": {
            "content": [t["exact"] for t in tokens],
            "content_stem": [t["stem"] for t in tokens],
        },
        "tokens": tokens,
    }
