"""Completions of a prefix from the index's own vocabulary (search-as-you-type).

Layer: the read side.
"""

from __future__ import annotations

from index.analysis import normalize_word
from index.contract import EXACT_FIELDS
from search.backend import IndexView
from search.spelling import popularity

__all__ = ["COMPLETE_SCAN", "complete"]

#: Vocabulary terms read per field for one completion: bounds the cost of a one-letter prefix.
COMPLETE_SCAN = 2000


def complete(view: IndexView, prefix: str, limit: int = 8) -> list[str]:
    """Title and content words starting with ``prefix`` (normalized), most documents first.

    The exact fields hold normalized words, so the completions are normalized too (الرقه,
    not الرقة).
    """
    norm = normalize_word(prefix.strip())
    if not norm:
        return []
    terms: set[str] = set()
    for field in EXACT_FIELDS:
        terms.update(view.prefix_terms(field, norm, COMPLETE_SCAN))
    ranked = sorted(terms, key=lambda term: (-popularity(view, EXACT_FIELDS, term), term))
    return ranked[:limit]
