"""How close the query words stand in an article: a number in [0, 1] per field.

For the words of a query in their typed order, each neighbouring pair that the article has
contributes ``1 / distance`` — 1 when they stand side by side (in either order), ½ with one
word between them, and so on — taken at the closest pair of their occurrences; the sum is
divided by the number of pairs.  A missing word breaks nothing: the pair is skipped and the
words around it are compared with each other.  So «أمير منطقة الرياض» scores 1 and «أمير عسير
يستقبل وكيل إمارة منطقة الرياض» ((1/5 + 1) / 2 = 0.6) less.

Positions come from the backend (the stem fields' positions, so clitics and spellings do not
matter); this module is pure arithmetic on them.

Layer: the read side.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

__all__ = ["closeness"]


def closeness(positions: Sequence[Sequence[int] | None]) -> float:
    """Closeness of words given their sorted positions in one field (None: the word is absent)."""
    present = [p for p in positions if p]
    pairs = len(positions) - 1
    if pairs <= 0 or len(present) < 2:
        return 0.0
    total = 0.0
    for a, b in itertools.pairwise(present):
        total += 1.0 / _min_distance(a, b)
    return min(1.0, total / pairs)


def _min_distance(a: Sequence[int], b: Sequence[int]) -> int:
    """The smallest ``|x - y|`` (at least 1) over ``x`` in ``a`` and ``y`` in ``b``, both sorted."""
    if len(a) > len(b):
        a, b = b, a
    best = None
    for x in a:
        i = bisect.bisect_left(b, x)
        for j in (i - 1, i):
            if 0 <= j < len(b):
                d = abs(b[j] - x)
                if d and (best is None or d < best):
                    best = d
    return best or 1
