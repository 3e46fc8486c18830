"""Where a facet is counted, and where facet filters become a Whoosh filter.

Whoosh's own faceting (``groupedby=``) reads every matching document's values through the
field caches on each query, which costs 50–150 ms a query for multi-valued fields at 10k
documents.  Instead, a :class:`FacetTable` reads each document's facet values once per
searcher generation — from the postings, not the stored fields, so the article text is
never loaded — and keeps ``docnum → values`` lists.  Counting is then one C-level
``Counter`` pass over the docnums the engine already collected for its total.

Reading every facet posting still costs most of a cold ``search-cli search`` on a large
index (about 1 s of 1.7 s at 31k documents), so the writer saves the table into the
generation directory after each commit (:func:`save_facet_table`) and an engine loads it
(:func:`load_facet_table`) instead of reading the postings — but only when the file was
written for exactly the segments and documents it is about to search; anything else (a
missing, stale or damaged file) falls back to building the table from the postings.
"""

from __future__ import annotations

import bisect
import itertools
import json
import logging
import os
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.util.times import datetime_to_long

from index.schema import ENTITY_FACETS
from search.query import QueryError, _parse_date

__all__ = [
    "ENTITY_FACETS",
    "FACETS",
    "FacetFilters",
    "FacetTable",
    "entities_of",
    "facet_table_key",
    "load_facet_table",
    "save_facet_table",
]

log = logging.getLogger(__name__)

#: Facet keys of the result object → the index field each one is counted on.
FACETS = {"person": "person", "organization": "organization", "place": "place", "source": "source", "date": "month"}
#: Values shown per facet; a client may show fewer.
TOP_VALUES = 20
#: Match sets at least this large are counted with bit masks (see FacetTable._top_by_masks):
#: below it, one Counter pass over the documents' values is faster.
MASKS_FROM = 3000
#: Values in fewer documents than this get no bit mask (most values are rare; their masks
#: would cost memory for nothing, since a broad query's top values are frequent ones).
MASK_MIN_DOCS = 20
#: The saved table inside a generation directory (see :func:`save_facet_table`).
FACET_FILE = "facets.json"
#: Bumped whenever the file layout or what a value means changes: older files are then stale.
FACET_FILE_FORMAT = 1


def entities_of(fields: dict) -> dict[str, list[str]]:
    """A hit's ``entities`` from its stored comma-joined facet fields, each name once."""
    return {kind: _split(fields.get(kind)) for kind in ENTITY_FACETS}


def _split(stored: object) -> list[str]:
    if not isinstance(stored, str):
        return []
    return list(dict.fromkeys(v.strip() for v in stored.split(",") if v.strip()))


class FacetTable:
    """Every document's facet values, by docnum, for one open searcher (build once, reuse)."""

    def __init__(self, reader: IndexReader) -> None:
        self._values: dict[str, list[tuple[str, ...]]] = {
            key: _values_by_doc(reader, field) for key, field in FACETS.items()
        }
        self._masks: dict[str, list[tuple[int, str, int]]] = {}
        self._rare: dict[str, int] = {}  # per facet: values in too few documents for a mask

    @classmethod
    def _from_values(cls, values: dict[str, list[tuple[str, ...]]]) -> FacetTable:
        table = cls.__new__(cls)
        table._values = values
        table._masks = {}
        table._rare = {}
        return table

    def counts(self, docnums: Collection[int], limit: int | None = TOP_VALUES) -> dict[str, list[dict]]:
        """``{facet: [{"value", "count"}]}`` over ``docnums``: most documents first, then by value.

        ``limit`` values per facet (None: all of them, for ``search-cli entities``).  A large
        match set is counted value by value, most frequent values first, as bit masks
        (:meth:`_top_by_masks`); a small one document by document.
        """
        if limit is None or len(docnums) < MASKS_FROM:
            return {key: _top(by_doc, docnums, limit) for key, by_doc in self._values.items()}
        matches = _bitmask(docnums, len(next(iter(self._values.values()), [])))
        out = {}
        for key, by_doc in self._values.items():
            top = self._top_by_masks(key, matches, limit)
            out[key] = top if top is not None else _top(by_doc, docnums, limit)
        return out

    def _top_by_masks(self, key: str, matches: int, limit: int) -> list[dict] | None:
        """The top ``limit`` values of one facet over the docnums set in ``matches``, or None.

        Values are visited from the most documents in the whole index down; a value's count
        among the matches cannot exceed its count in the index, so the walk stops once
        that is below the ``limit``-th best count found (ties are still visited: the value
        decides them).  None when the answer may lie among the rare values, which have no
        mask (the caller then counts document by document).
        """
        best: list[tuple[int, str]] = []  # (-count, value), sorted, at most ``limit``
        for total, value, mask in self._value_masks(key):
            if len(best) == limit and total < -best[-1][0]:
                return _as_counts(best)
            count = (mask & matches).bit_count()
            if count and (len(best) < limit or (-count, value) < best[-1]):
                bisect.insort(best, (-count, value))
                del best[limit:]
        if not self._rare[key] or (len(best) == limit and -best[-1][0] >= MASK_MIN_DOCS):
            return _as_counts(best)  # no value lacks a mask, or those that do are in fewer documents
        return None

    def _value_masks(self, key: str) -> list[tuple[int, str, int]]:
        """``(documents, value, bit mask of its docnums)`` of the values in ≥ MASK_MIN_DOCS documents,
        most documents first; built on first use (per searcher generation, like the table)."""
        masks = self._masks.get(key)
        if masks is None:
            postings: dict[str, list[int]] = {}
            for docnum, values in enumerate(self._values[key]):
                for value in values:
                    postings.setdefault(value, []).append(docnum)
            size = len(self._values[key])
            masks = [
                (len(docs), value, _bitmask(docs, size))
                for value, docs in postings.items()
                if len(docs) >= MASK_MIN_DOCS
            ]
            masks.sort(key=lambda item: (-item[0], item[1]))
            self._masks[key] = masks
            self._rare[key] = len(postings) - len(masks)
        return masks

    def to_json(self) -> dict[str, Any]:
        """The table in the saved layout: per facet, the distinct value tuples and one index per doc.

        Most documents share their tuple with others (no entity, the same month and source),
        so this is several times smaller than one list per document and loads as one list
        comprehension per facet.
        """
        out: dict[str, Any] = {}
        for key, by_doc in self._values.items():
            combos: dict[tuple[str, ...], int] = {}
            docs = [combos.setdefault(values, len(combos)) for values in by_doc]
            out[key] = {"combos": [list(c) for c in combos], "docs": docs}
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any], size: int) -> FacetTable:
        """The table from :meth:`to_json` output; ValueError unless it covers exactly ``size`` docs."""
        values: dict[str, list[tuple[str, ...]]] = {}
        for key in FACETS:
            entry = data[key]
            combos = [tuple(str(v) for v in combo) for combo in entry["combos"]]
            docs = entry["docs"]
            if not isinstance(docs, list) or len(docs) != size:
                raise ValueError(f"facet {key!r} covers {len(docs)} documents, the index has {size}")
            values[key] = [combos[i] for i in docs]
        return cls._from_values(values)


def facet_table_key(reader: IndexReader) -> dict[str, Any]:
    """What a saved table must have been built from to be valid for ``reader``.

    Docnums are positions within segments, so the table is valid only for the same segments
    in the same order with the same document counts; the TOC generation changes on every
    commit (an update, a delete, a merge), so a table from any other commit is refused even
    if the counts happen to agree.  The facet fields and the file format are part of it too.
    """
    segments = []
    for leaf, offset in reader.leaf_readers():
        segment = leaf.segment() if hasattr(leaf, "segment") else None
        segment_id = segment.segment_id() if segment is not None else None
        segments.append([segment_id, offset, leaf.doc_count_all(), leaf.doc_count()])
    return {
        "format": FACET_FILE_FORMAT,
        "generation": reader.generation(),
        "doc_count_all": reader.doc_count_all(),
        "doc_count": reader.doc_count(),
        "segments": segments,
        "facets": FACETS,
    }


def save_facet_table(generation_dir: str | Path) -> Path:
    """Build the facet table of the index in ``generation_dir`` and save it there; return the file.

    Call it after every commit (rebuild, update, delete), while still holding the writer
    lock, so that readers opening the new commit find a table made for it.  The file is
    written to a temporary name and renamed, so a reader never sees half a file, and it is
    keyed by :func:`facet_table_key`: a reader of any other commit ignores it.
    """
    generation_dir = Path(generation_dir)
    ix = whoosh_index.open_dir(str(generation_dir))
    try:
        with ix.reader() as reader:
            payload = {"key": facet_table_key(reader), "table": FacetTable(reader).to_json()}
    finally:
        ix.close()
    target = generation_dir / FACET_FILE
    temp = target.with_name(f".{FACET_FILE}.{os.getpid()}.tmp")
    try:
        with open(temp, "w", encoding="utf-8") as out:
            json.dump(payload, out, ensure_ascii=False, separators=(",", ":"))
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def load_facet_table(generation_dir: str | Path, reader: IndexReader) -> FacetTable | None:
    """The saved table of ``generation_dir`` if it was made for exactly what ``reader`` reads, else None.

    None for a missing, stale (another commit) or unreadable file; the caller then builds
    the table from the postings.  Never raises for a bad file: a damaged cache must not
    stop searches.
    """
    path = Path(generation_dir) / FACET_FILE
    try:
        with open(path, encoding="utf-8") as f:
            payload = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        log.warning("ignoring the unreadable facet table %s: %s", path, error)
        return None
    try:
        if not isinstance(payload, dict) or payload.get("key") != facet_table_key(reader):
            return None
        return FacetTable.from_json(payload["table"], reader.doc_count_all())
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        log.warning("ignoring the damaged facet table %s: %s", path, error)
        return None


def _values_by_doc(reader: IndexReader, field: str) -> list[tuple[str, ...]]:
    """``docnum → values`` of one field, read from its postings (a term is a value)."""
    size = reader.doc_count_all()
    by_doc: list[list[str]] = [[] for _ in range(size)]
    if field in reader.schema.names():
        for btext in reader.lexicon(field):
            value = btext.decode("utf-8")
            for docnum in reader.postings(field, btext).all_ids():
                by_doc[docnum].append(value)
    return [tuple(values) for values in by_doc]


def _bitmask(docnums: Iterable[int], size: int) -> int:
    """The docnums as one integer, bit d set for docnum d (counting is then ``&`` and ``bit_count``)."""
    bits = bytearray((size + 7) // 8)
    for docnum in docnums:
        bits[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(bits, "little")


def _as_counts(best: list[tuple[int, str]]) -> list[dict]:
    return [{"value": value, "count": -negative} for negative, value in best]


def _top(by_doc: list[tuple[str, ...]], docnums: Iterable[int], limit: int | None) -> list[dict]:
    """Top values of one facet; each document adds one per distinct value (terms are unique).

    Only the values that can make the top ``limit`` are sorted: a broad query has thousands
    of distinct person and place values, and sorting them all cost more than counting.
    """
    counter = Counter(itertools.chain.from_iterable(map(by_doc.__getitem__, docnums)))
    items: Iterable[tuple[str, int]] = counter.items()
    if limit is not None and len(counter) > limit:
        threshold = sorted(counter.values())[-limit]  # a C sort of ints beats a Python-level heap here
        items = [item for item in items if item[1] >= threshold]
    ranked = sorted(items, key=lambda item: (-item[1], item[0]))[:limit]
    return [{"value": value, "count": count} for value, count in ranked]


@dataclass(frozen=True)
class FacetFilters:
    """The filters of a search: AND across facets, OR within one, dates inclusive."""

    person: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    def __bool__(self) -> bool:
        return any((*self._values().values(), self.date_from, self.date_to))

    def _values(self) -> dict[str, tuple[str, ...]]:
        return {"person": self.person, "organization": self.organization, "place": self.place, "source": self.source}

    def query(self) -> wq.Query | None:
        """The Whoosh query that selects the allowed documents, or None without filters."""
        parts: list[wq.Query] = [_any_of(field, values) for field, values in self._values().items() if values]
        dates = _date_range(self.date_from, self.date_to)
        if dates is not None:
            parts.append(dates)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def allowed(self, searcher: Searcher) -> set[int] | None:
        """Docnums passing every filter (Whoosh's ``filter=`` takes the set as is), or None."""
        query = self.query()
        return None if query is None else set(searcher.docs_for_query(query))


def _any_of(field: str, values: Iterable[str]) -> wq.Query:
    """One facet's values: exact canonical names, any of them (OR)."""
    terms: list[wq.Query] = [wq.Term(field, v) for v in dict.fromkeys(values)]
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def _date_range(date_from: str | None, date_to: str | None) -> wq.Query | None:
    """``from``/``to`` as YYYY[-MM[-DD]], both ends inclusive (``to=2017-05`` includes May 31)."""
    start = datetime_to_long(_parse_date(date_from).floor()) if date_from else None
    end = datetime_to_long(_parse_date(date_to).ceil()) if date_to else None
    if start is None and end is None:
        return None
    if start is not None and end is not None and start > end:
        raise QueryError(f"the date range {date_from} to {date_to} ends before it starts")
    return wq.NumericRange("date", start, end)
