"""Where a facet is counted (the Whoosh backend; a search engine backend counts its own).

A :class:`~index.whoosh_facets.FacetValues` table holds every document's facet values by
docnum, read once per index generation.  Counting is then one C-level ``Counter`` pass over
the docnums the search already collected for its exact total — or, for a large match set,
bit masks of the most frequent values, visited from the most documents down and stopped as
soon as no remaining value can enter the top (:meth:`FacetCounter._top_by_masks`).

Values are ordered by count, then by value (code point), on every backend.

Layer: the read side (Whoosh).
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Collection, Iterable

from index.whoosh_facets import FacetValues

__all__ = ["MASKS_FROM", "TOP_VALUES", "Counts", "FacetCounter"]

#: Values shown per facet; a client may show fewer.
TOP_VALUES = 20
#: Match sets at least this large are counted with bit masks: below it, one Counter pass
#: over the documents' values is faster.
MASKS_FROM = 3000
#: Values in fewer documents than this get no bit mask (most values are rare; their masks
#: would cost memory for nothing, since a broad query's top values are frequent ones).
MASK_MIN_DOCS = 20

#: ``{facet: [(value, count)]}``, most documents first, then by value.
Counts = dict[str, list[tuple[str, int]]]


class FacetCounter:
    """Counts facet values over sets of docnums of one index generation; safe to share between threads.

    The masks are built on first use; two threads may build the same masks at once (the
    work is repeated, the result is the same, and it is published in one assignment).
    """

    def __init__(self, values: FacetValues) -> None:
        self.values = values
        #: per facet: (masks of the frequent values, number of values without a mask)
        self._masks: dict[str, tuple[list[tuple[int, str, int]], int]] = {}

    def counts(self, docnums: Collection[int], limit: int | None = TOP_VALUES) -> Counts:
        """``{facet: [(value, count)]}`` over ``docnums``, ``limit`` values per facet (None: all)."""
        by_facet = self.values.by_facet
        if limit is None or len(docnums) < MASKS_FROM:
            return {key: _top(by_doc, docnums, limit) for key, by_doc in by_facet.items()}
        matches = _bitmask(docnums, len(self.values))
        out = {}
        for key, by_doc in by_facet.items():
            top = self._top_by_masks(key, matches, limit)
            out[key] = top if top is not None else _top(by_doc, docnums, limit)
        return out

    def _top_by_masks(self, key: str, matches: int, limit: int) -> list[tuple[str, int]] | None:
        """The top ``limit`` values of one facet over the docnums set in ``matches``, or None.

        Values are visited from the most documents in the whole index down; a value's count
        among the matches cannot exceed its count in the index, so the walk stops once
        that is below the ``limit``-th best count found (ties are still visited: the value
        decides them).  None when the answer may lie among the rare values, which have no
        mask (the caller then counts document by document).
        """
        masks, rare = self._value_masks(key)
        best: list[tuple[int, str]] = []  # (-count, value), sorted, at most ``limit``
        for total, value, mask in masks:
            if len(best) == limit and total < -best[-1][0]:
                return _as_counts(best)
            count = (mask & matches).bit_count()
            if count and (len(best) < limit or (-count, value) < best[-1]):
                bisect.insort(best, (-count, value))
                del best[limit:]
        if not rare or (len(best) == limit and -best[-1][0] >= MASK_MIN_DOCS):
            return _as_counts(best)  # no value lacks a mask, or those that do are in fewer documents
        return None

    def _value_masks(self, key: str) -> tuple[list[tuple[int, str, int]], int]:
        """``(documents, value, bit mask of its docnums)`` of the values in ≥ MASK_MIN_DOCS documents,
        most documents first, and how many values have no mask."""
        found = self._masks.get(key)
        if found is None:
            by_doc = self.values.by_facet[key]
            postings: dict[str, list[int]] = {}
            for docnum, values in enumerate(by_doc):
                for value in values:
                    postings.setdefault(value, []).append(docnum)
            size = len(by_doc)
            masks = [
                (len(docs), value, _bitmask(docs, size))
                for value, docs in postings.items()
                if len(docs) >= MASK_MIN_DOCS
            ]
            masks.sort(key=lambda item: (-item[0], item[1]))
            found = self._masks[key] = (masks, len(postings) - len(masks))
        return found


def _bitmask(docnums: Iterable[int], size: int) -> int:
    """The docnums as one integer, bit d set for docnum d (counting is then ``&`` and ``bit_count``)."""
    bits = bytearray((size + 7) // 8)
    for docnum in docnums:
        bits[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(bits, "little")


def _as_counts(best: list[tuple[int, str]]) -> list[tuple[str, int]]:
    return [(value, -negative) for negative, value in best]


def _top(by_doc: list[tuple[str, ...]], docnums: Iterable[int], limit: int | None) -> list[tuple[str, int]]:
    """Top values of one facet; each document adds one per distinct value (terms are unique).

    Only the values that can make the top ``limit`` are sorted: a broad query has thousands
    of distinct person and place values, and sorting them all cost more than counting.
    """
    counter = Counter(itertools.chain.from_iterable(map(by_doc.__getitem__, docnums)))
    items: Iterable[tuple[str, int]] = counter.items()
    if limit is not None and len(counter) > limit:
        threshold = sorted(counter.values())[-limit]  # a C sort of ints beats a Python-level heap here
        items = [item for item in items if item[1] >= threshold]
    return sorted(items, key=lambda item: (-item[1], item[0]))[:limit]
