"""Every document's facet values, read from a Whoosh index once and saved with each commit.

Whoosh's own faceting reads every matching document's values through its field caches on
each query (50–150 ms a query for multi-valued fields at 10k documents).  The read side
counts facets over a :class:`FacetValues` table instead — ``docnum → values`` per facet, read
from the postings, never from the stored text — built once per index generation.

Reading every facet posting still costs most of a cold ``search-cli search`` on a large
index (about 1 s of 1.7 s at 31k documents), so the writer saves the table into the
generation directory after each commit (:func:`save_facet_values`) and a reader loads it
(:func:`load_facet_values`) — but only when the file was written for exactly the segments
and documents it is about to search; a missing, stale or damaged file is reported and the
table is built from the postings instead.

Layer: the index contract (Whoosh).  The write side saves the table, the read side counts on it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.reading import IndexReader

from index.contract import FACETS

__all__ = ["FACET_FILE", "FacetValues", "facet_table_key", "load_facet_values", "save_facet_values"]

log = logging.getLogger(__name__)

#: The saved table inside a generation directory.
FACET_FILE = "facets.json"
#: Bumped whenever the file layout or what a value means changes: older files are then stale.
FACET_FILE_FORMAT = 1


class FacetValues:
    """``docnum → values`` of every facet, for one Whoosh reader (build once, share, never change)."""

    def __init__(self, by_facet: dict[str, list[tuple[str, ...]]]) -> None:
        self.by_facet = by_facet

    @classmethod
    def from_reader(cls, reader: IndexReader) -> FacetValues:
        """Read every facet field's postings (a term is a value)."""
        return cls({key: _values_by_doc(reader, field) for key, field in FACETS.items()})

    def __len__(self) -> int:
        return len(next(iter(self.by_facet.values()), []))

    def to_json(self) -> dict[str, Any]:
        """The saved layout: per facet, the distinct value tuples and one index per document.

        Most documents share their tuple with others (no entity, the same month and source),
        so this is several times smaller than one list per document and loads as one list
        comprehension per facet.
        """
        out: dict[str, Any] = {}
        for key, by_doc in self.by_facet.items():
            combos: dict[tuple[str, ...], int] = {}
            docs = [combos.setdefault(values, len(combos)) for values in by_doc]
            out[key] = {"combos": [list(c) for c in combos], "docs": docs}
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any], size: int) -> FacetValues:
        """The table from :meth:`to_json` output; ValueError unless it covers exactly ``size`` docs."""
        by_facet: dict[str, list[tuple[str, ...]]] = {}
        for key in FACETS:
            entry = data[key]
            combos = [tuple(str(v) for v in combo) for combo in entry["combos"]]
            docs = entry["docs"]
            if not isinstance(docs, list) or len(docs) != size:
                raise ValueError(f"facet {key!r} covers {len(docs)} documents, the index has {size}")
            by_facet[key] = [combos[i] for i in docs]
        return cls(by_facet)


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
            payload = {"key": facet_table_key(reader), "table": FacetValues.from_reader(reader).to_json()}
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


def load_facet_values(generation_dir: str | Path, reader: IndexReader) -> FacetValues | None:
    """The saved table of ``generation_dir`` if it was made for exactly what ``reader`` reads, else None.

    None for a missing or stale (another commit) file, quietly: the caller builds the table
    from the postings.  An unreadable or damaged file is logged as a warning first — a
    broken cache must not stop searches, but it must not go unnoticed either.
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
        return FacetValues.from_json(payload["table"], reader.doc_count_all())
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
