"""Which store a location names: a directory is a Whoosh index, an ``http(s)://`` URL a Solr collection.

Layer: the write side.  The one place that knows the store implementations.
"""

from __future__ import annotations

from pathlib import Path

from index.solr_client import is_solr_url
from index.store import IndexStore
from index.whoosh_writer import DEFAULT_LOCK_TIMEOUT, WhooshStore

__all__ = ["open_store"]


def open_store(location: str | Path, *, lock_timeout: float | None = None) -> IndexStore:
    """The store at ``location`` (an index directory or a collection URL)."""
    if is_solr_url(location):
        from index.solr_store import SolrStore  # loaded only for a Solr location

        return SolrStore(str(location))
    return WhooshStore(Path(location), lock_timeout=DEFAULT_LOCK_TIMEOUT if lock_timeout is None else lock_timeout)
