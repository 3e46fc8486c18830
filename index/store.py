"""The write half of the backend protocol: what the indexer needs from an index store.

A store is where articles go: a Whoosh directory (``index/whoosh_writer.py``) today, any
other engine tomorrow.  The indexer (``index/build.py``) reads and checks the sources and
hands articles to a :class:`WriteSession`; the store analyzes them with the project's
analysis (``index/document.py``, possibly in worker processes) and owns everything about
how they are kept.  The read half of the protocol is ``search/backend.py``.

Guarantees every store gives:

* **Atomic rebuilds.**  A session opened with ``rebuild=True`` writes a complete new index
  next to the live one; readers see the old index until :meth:`WriteSession.commit`
  swaps it in, and nothing at all if the session is cancelled or the process dies.
* **Replace by id.**  Adding an article whose id is already indexed replaces it.
* **One writer at a time.**  Opening a session waits for another writer (up to a timeout),
  then fails with :class:`IndexingError`; the lock dies with its holder.
* **Same analysis.**  A store refuses an incremental update of an index built by another
  version of the analysis (:func:`index.layout.analysis_fingerprint`).

Layer: the index contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from index.ingest import Article

__all__ = ["DeleteReport", "IndexStore", "IndexingError", "StrictModeError", "WriteSession"]


class IndexingError(Exception):
    """An index cannot be opened or written; the message is meant for the user."""


class StrictModeError(IndexingError):
    """``--strict`` and an input could not be read; nothing was changed."""


@dataclass
class DeleteReport:
    """What a delete did."""

    deleted: int = 0
    unknown: list[str] = field(default_factory=list)
    index_dir: str = ""
    seconds: float = 0.0


class WriteSession(Protocol):
    """One batch of changes, visible to readers only after :meth:`commit`."""

    def add(self, article: Article) -> None:
        """Index one article (replacing one with the same id)."""

    def commit(self) -> None:
        """Make every added article visible at once (a rebuild: swap the new index in)."""

    def cancel(self) -> None:
        """Discard everything added in this session."""


class IndexStore(Protocol):
    """An index the indexer can write to."""

    location: str

    def exists(self) -> bool:
        """Whether there is a live index to update."""

    def session(
        self, *, rebuild: bool, procs: int = 1, limitmb: int = 256, sources: Iterable[str] = ()
    ) -> WriteSession:
        """Take the writer lock and start a session (a new index when ``rebuild``).

        ``procs`` processes analyze the articles of a rebuild; ``sources`` are recorded
        with the index as where its articles came from.
        """

    def delete(self, ids: list[str]) -> DeleteReport:
        """Delete these ids in one commit; unknown ids are listed, not an error."""
