"""Where a facet is counted (the Whoosh backend; a search engine backend counts its own).

A :class:`~index.whoosh_facets.FacetValues` table holds, per facet, one entry per (document,
value) pair — the entry's docnum and the value's number in code-point order — read once per
index generation.  Counting the values of any set of matching documents is then one
``bincount`` per facet, and a facet filter (the documents holding some value) one mask.

Values are ordered by count, then by value (code point), on every backend.

Layer: the read side (Whoosh).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

import numpy as np

from index.whoosh_facets import Facet, FacetValues

__all__ = ["TOP_VALUES", "Counts", "FacetCounter"]

#: Values shown per facet; a client may show fewer.
TOP_VALUES = 20

#: ``{facet: [(value, count)]}``, most documents first, then by value.
Counts = dict[str, list[tuple[str, int]]]


class _Facet:
    """Counting over one facet's arrays (``index.whoosh_facets.Facet``)."""

    def __init__(self, facet: Facet) -> None:
        self.values = facet.values
        self.entry_doc = facet.entry_doc
        self.entry_value = facet.entry_value

    def counts(self, mask: np.ndarray | None, limit: int | None) -> list[tuple[str, int]]:
        """``(value, count)`` over the documents set in ``mask`` (None: all), best ``limit`` first."""
        entries = self.entry_value if mask is None else self.entry_value[mask[self.entry_doc]]
        counts = np.bincount(entries, minlength=len(self.values))
        present = np.flatnonzero(counts)
        if limit is not None and len(present) > limit:
            threshold = np.partition(counts[present], len(present) - limit)[len(present) - limit]
            present = present[counts[present] >= threshold]  # ties at the threshold are decided below
        order = np.lexsort((present, -counts[present]))  # count descending, then value (code point)
        chosen = present[order][:limit]
        return [(self.values[i], int(counts[i])) for i in chosen.tolist()]

    def docs_with(self, values: Iterable[str]) -> np.ndarray:
        """The docnums holding any of ``values``."""
        wanted = [i for i in (self._number(v) for v in values) if i is not None]
        if not wanted:
            return np.empty(0, dtype=np.int64)
        return np.unique(self.entry_doc[np.isin(self.entry_value, wanted)])

    def _number(self, value: str) -> int | None:
        i = bisect.bisect_left(self.values, value)
        return i if i < len(self.values) and self.values[i] == value else None


class FacetCounter:
    """Counts facet values over sets of docnums of one index generation; safe to share between threads."""

    def __init__(self, values: FacetValues) -> None:
        self.size = values.size
        self.values = values
        self.facets = {key: _Facet(facet) for key, facet in values.facets.items()}

    def counts(self, docnums: Iterable[int] | np.ndarray | None, limit: int | None = TOP_VALUES) -> Counts:
        """``{facet: [(value, count)]}`` over ``docnums`` (None: every document), ``limit`` values per facet."""
        mask = None
        if docnums is not None:
            ids = docnums if isinstance(docnums, np.ndarray) else np.fromiter(docnums, dtype=np.int64)
            mask = np.zeros(self.size, dtype=bool)
            mask[ids] = True
        return {key: facet.counts(mask, limit) for key, facet in self.facets.items()}

    def docs_with(self, key: str, values: Iterable[str]) -> np.ndarray:
        """The docnums whose ``key`` facet holds any of ``values`` (a filter: OR within one facet)."""
        return self.facets[key].docs_with(values)
