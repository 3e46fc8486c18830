"""Collapsing a ranked list to one hit per story (wire copies listed once), on numpy arrays.

The write side gives every article a story (``index/stories.py``); a backend turns stories
into small integer codes, one per document, and hands the codes of its hits *in final result
order* to these functions.  Nothing here knows a backend or a sort: a story is listed where
its first hit stands, so collapsing keeps whatever order the ranking decided.

Cost: a page needs only the first ``offset + limit`` stories, found in a prefix of the list
that grows until it holds them (usually a few dozen hits); counting every story is one
boolean mask over the codes.

Layer: the read side.
"""

from __future__ import annotations

import numpy as np

__all__ = ["first_per_story", "story_count", "story_members"]


def story_count(codes: np.ndarray, size: int) -> int:
    """How many distinct stories ``codes`` (each below ``size``) hold."""
    seen = np.zeros(size, dtype=bool)
    seen[codes] = True
    return int(np.count_nonzero(seen))


def first_per_story(codes: np.ndarray, want: int) -> np.ndarray:
    """Positions in ``codes`` (result order) of each story's first hit, for the first ``want`` stories."""
    if want <= 0 or not len(codes):
        return np.empty(0, dtype=np.int64)
    prefix = max(4 * want, 64)
    while True:
        _, first = np.unique(codes[:prefix], return_index=True)
        if len(first) >= want or prefix >= len(codes):
            return np.sort(first)[:want].astype(np.int64)
        prefix *= 4


def story_members(codes: np.ndarray, leads: np.ndarray, cap: int) -> list[tuple[np.ndarray, int]]:
    """Per lead position, the positions of the other hits of its story in result order (the
    first ``cap``) and how many there are."""
    if not len(leads):
        return []
    lead_codes = codes[leads]
    slot = np.full(int(codes.max()) + 1, -1, dtype=np.int64)
    slot[lead_codes] = np.arange(len(leads))
    which = slot[codes]
    members = np.flatnonzero(which >= 0)
    groups = which[members]
    out = []
    for i, lead in enumerate(leads.tolist()):
        mine = members[groups == i]
        others = mine[mine != lead]
        out.append((others[:cap], len(others)))
    return out
