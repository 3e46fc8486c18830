"""Which store a location names: a directory is a Whoosh index.

Layer: the write side.  The one place that knows the store implementations.
"""

from __future__ import annotations

from pathlib import Path

from index.store import IndexStore
from index.whoosh_writer import DEFAULT_LOCK_TIMEOUT, WhooshStore

__all__ = ["open_store"]


def open_store(location: str | Path, *, lock_timeout: float | None = None) -> IndexStore:
    """The store at ``location`` (an index directory)."""
    return WhooshStore(Path(location), lock_timeout=DEFAULT_LOCK_TIMEOUT if lock_timeout is None else lock_timeout)
