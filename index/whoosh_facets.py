"""Every document's facet values, read from a Whoosh index once and saved with each commit.

Whoosh's own faceting reads every matching document's values through its field caches on
each query (50–150 ms a query for multi-valued fields at 10k documents).  The read side
counts facets over a :class:`FacetValues` table instead — per facet, its values in code-point
order and one entry per (document, value) pair, as two integer arrays — read from the
postings, never from the stored text, once per index generation.

Reading every facet posting still costs most of a cold ``search-cli search`` on a large
index, so the writer saves the table into the generation directory after each commit
(:func:`save_facet_values`, a ``.npz`` of plain arrays, no pickle) and a reader loads it
(:func:`load_facet_values`) — but only when the file was written for exactly the segments and
documents it is about to search; a missing or stale file is ignored quietly, a damaged one
with a warning, and the table is then built from the postings.

Layer: the index contract (Whoosh).  The write side saves the table, the read side counts on it.
"""

from __future__ import annotations

import json
import logging
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.reading import IndexReader

from index.contract import FACETS

__all__ = ["FACET_FILE", "FacetValues", "facet_table_key", "load_facet_values", "save_facet_values"]

log = logging.getLogger(__name__)

#: The saved table inside a generation directory.
FACET_FILE = "facets.npz"
#: Bumped whenever the file layout or what a value means changes: older files are then stale.
FACET_FILE_FORMAT = 2
_SEPARATOR = "\x00"  # between the values of a facet in the saved file (never inside a value)


class Facet:
    """One facet: its values in code-point order, and per (document, value) pair the docnum and value number."""

    __slots__ = ("entry_doc", "entry_value", "values")

    def __init__(self, values: list[str], entry_doc: np.ndarray, entry_value: np.ndarray) -> None:
        self.values = values
        self.entry_doc = entry_doc
        self.entry_value = entry_value


class FacetValues:
    """The facets of every document of one Whoosh reader (build once, share, never change)."""

    def __init__(self, size: int, facets: dict[str, Facet]) -> None:
        self.size = size
        self.facets = facets

    @classmethod
    def from_documents(cls, by_facet: dict[str, list[tuple[str, ...]]]) -> FacetValues:
        """The table from ``docnum → values`` lists per facet (tests, small tables)."""
        size = len(next(iter(by_facet.values()), []))
        facets = {}
        for key, by_doc in by_facet.items():
            values = sorted({v for vs in by_doc for v in vs})
            number = {v: i for i, v in enumerate(values)}
            pairs = [(d, number[v]) for d, vs in enumerate(by_doc) for v in dict.fromkeys(vs)]
            docs = np.array([d for d, _ in pairs], dtype=np.int64)
            nums = np.array([n for _, n in pairs], dtype=np.int64)
            facets[key] = Facet(values, docs, nums)
        return cls(size, facets)

    @classmethod
    def from_reader(cls, reader: IndexReader) -> FacetValues:
        """Read every facet field's postings (a term is a value; deleted documents have none)."""
        facets = {}
        for key, field in FACETS.items():
            values: list[str] = []
            docs: list[np.ndarray] = []
            if field in reader.schema.names():
                for btext in reader.lexicon(field):
                    values.append(btext.decode("utf-8"))
                    docs.append(np.fromiter(reader.postings(field, btext).all_ids(), dtype=np.int64))
            nums = [np.full(len(d), i, dtype=np.int64) for i, d in enumerate(docs)]
            facets[key] = Facet(
                values,
                np.concatenate(docs) if docs else np.empty(0, np.int64),
                np.concatenate(nums) if nums else np.empty(0, np.int64),
            )
        return cls(reader.doc_count_all(), facets)

    def documents(self, key: str) -> list[tuple[str, ...]]:
        """``docnum → values`` of one facet (for tests and reports; the counter uses the arrays)."""
        facet = self.facets[key]
        by_doc: list[list[str]] = [[] for _ in range(self.size)]
        for d, n in zip(facet.entry_doc.tolist(), facet.entry_value.tolist(), strict=True):
            by_doc[d].append(facet.values[n])
        return [tuple(sorted(vs)) for vs in by_doc]

    def arrays(self) -> dict[str, np.ndarray]:
        """The table as named plain arrays (what :func:`save_facet_values` writes)."""
        out: dict[str, np.ndarray] = {}
        for key, facet in self.facets.items():
            joined = _SEPARATOR.join(facet.values).encode("utf-8")
            out[f"{key}.values"] = np.frombuffer(joined, dtype=np.uint8)
            out[f"{key}.count"] = np.array([len(facet.values)], dtype=np.int64)
            out[f"{key}.doc"] = facet.entry_doc.astype(np.int32)
            out[f"{key}.value"] = facet.entry_value.astype(np.int32)
        return out

    @classmethod
    def from_arrays(cls, arrays: Any, size: int) -> FacetValues:
        """The table from :meth:`arrays`; ValueError unless it is whole and covers exactly ``size`` documents."""
        facets = {}
        for key in FACETS:
            raw = bytes(arrays[f"{key}.values"]).decode("utf-8")
            count = int(arrays[f"{key}.count"][0])
            values = raw.split(_SEPARATOR) if count else []
            docs = arrays[f"{key}.doc"].astype(np.int64)
            nums = arrays[f"{key}.value"].astype(np.int64)
            if len(values) != count or len(docs) != len(nums):
                raise ValueError(f"facet {key!r} is not whole")
            if len(docs) and (docs.min() < 0 or docs.max() >= size or nums.min() < 0 or nums.max() >= count):
                raise ValueError(f"facet {key!r} points outside the index ({size} documents)")
            facets[key] = Facet(values, docs, nums)
        return cls(size, facets)


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


def save_facet_values(generation_dir: str | Path) -> Path:
    """Build the facet table of the index in ``generation_dir`` and save it there; return the file.

    Called after every commit (rebuild, update, delete), while still holding the writer
    lock, so that readers opening the new commit find a table made for it.  Written to a
    temporary name and renamed, so a reader never sees half a file; keyed by
    :func:`facet_table_key`, so a reader of any other commit ignores it.
    """
    generation_dir = Path(generation_dir)
    ix = whoosh_index.open_dir(str(generation_dir))
    try:
        with ix.reader() as reader:
            key = json.dumps(facet_table_key(reader), ensure_ascii=False).encode("utf-8")
            arrays = FacetValues.from_reader(reader).arrays()
    finally:
        ix.close()
    target = generation_dir / FACET_FILE
    temp = target.with_name(f".{FACET_FILE}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as out:
            np.savez(out, key=np.frombuffer(key, dtype=np.uint8), **arrays)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def load_facet_values(generation_dir: str | Path, reader: IndexReader) -> FacetValues | None:
    """The saved table of ``generation_dir`` if it was made for exactly what ``reader`` reads, else None.

    None for a missing or stale (another commit) file, quietly: the caller builds the table
    from the postings.  An unreadable or damaged file is logged as a warning first — a
    broken cache must not stop searches, but it must not go unnoticed either.
    """
    path = Path(generation_dir) / FACET_FILE
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as arrays:
            key = json.loads(bytes(arrays["key"]).decode("utf-8"))
            if key != facet_table_key(reader):
                return None
            return FacetValues.from_arrays(arrays, reader.doc_count_all())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, IndexError, zipfile.BadZipFile, EOFError) as error:
        log.warning("ignoring the damaged facet table %s: %s", path, error)
        return None
