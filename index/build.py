"""Indexing: read sources, check them, and write the articles to a store in one session.

Backend-neutral: the store (``index/stores.py`` picks it from the location) decides how
articles are kept; this module decides *which* articles go in and reports what happened —
every problem of every input, duplicates, ``--strict`` — so that every store behaves alike.

Layer: the write side.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index.ingest import Article, IngestProblem, read_sources
from index.solr_client import is_solr_url
from index.store import DeleteReport, IndexingError, StrictModeError, WriteSession
from index.stores import open_store

__all__ = [
    "DeleteReport",
    "IndexReport",
    "IndexingError",
    "StrictModeError",
    "build_index",
    "delete_documents",
    "rebuild_procs",
]

#: Worker processes of a parallel rebuild at most.  Each writes its own segment, and every
#: segment is one more term lookup per query term at search time, so more processes than
#: the two cores of the machines this runs on would slow searching for little build speed.
MAX_PROCS = 2
#: A rebuild from less input than this (bytes on disk) stays in one process: starting the
#: workers (each loads the lexicon and compiles the gazetteers) costs more than it saves.
PARALLEL_MIN_BYTES = 4_000_000

ProgressFn = Callable[[Article | IngestProblem], None]


@dataclass
class IndexReport:
    """What one indexing run did, for the command's summary line."""

    indexed: int = 0
    skipped: int = 0
    failed: int = 0
    problems: list[IngestProblem] = field(default_factory=list)
    rebuilt: bool = False
    index_dir: str = ""
    seconds: float = 0.0


def build_index(
    sources: Iterable[str | Path],
    index_dir: str | Path,
    *,
    rebuild: bool = False,
    strict: bool = False,
    on_item: ProgressFn | None = None,
    lock_timeout: float | None = None,
    limitmb: int = 256,
    procs: int | None = None,
) -> IndexReport:
    """Index ``sources`` into the index at ``index_dir``.

    With ``rebuild`` (or when there is no index yet) a new index is built and swapped in;
    otherwise the articles are added to the live one, replacing same-id ones.  With
    ``strict``, any ingest problem aborts before anything becomes visible.  A rebuild uses
    ``procs`` processes (default: :func:`rebuild_procs` decides from the CPUs and the input
    size); ``limitmb`` is the memory for buffered postings per process.  An incremental
    update is one process: it is small, and it must replace same-id documents.
    """
    started = time.monotonic()
    store = open_store(index_dir, lock_timeout=lock_timeout)
    report = IndexReport(index_dir=str(index_dir))
    sources = [str(s) for s in sources]
    report.rebuilt = rebuild or not store.exists()
    # An update of a Whoosh index is one process (it must replace same-id documents in
    # order); a Solr store replaces by id on the server, so its updates may use workers too.
    workers = rebuild_procs(sources, procs) if report.rebuilt or is_solr_url(index_dir) else 1
    session = store.session(rebuild=report.rebuilt, procs=workers, limitmb=limitmb, sources=sources)
    try:
        _add_articles(session, read_sources(sources), report, on_item)
        _check_strict(report, strict)
    except BaseException:
        session.cancel()
        raise
    session.commit()
    report.seconds = time.monotonic() - started
    return report


def delete_documents(index_dir: str | Path, ids: Iterable[str], *, lock_timeout: float | None = None) -> DeleteReport:
    """Delete the articles with these ``id``s, in one commit.

    Ids the index does not hold are listed in the report (``unknown``), not an error, so a
    repeated delete is harmless.  A missing index is an :class:`IndexingError`.
    """
    started = time.monotonic()
    wanted = list(dict.fromkeys(str(doc_id) for doc_id in ids))
    report = open_store(index_dir, lock_timeout=lock_timeout).delete(wanted)
    report.seconds = time.monotonic() - started
    return report


def _add_articles(
    session: WriteSession, items: Iterable[Article | IngestProblem], report: IndexReport, on_item: ProgressFn | None
) -> None:
    """Feed every readable article to the session once; count and keep every problem."""
    seen: dict[str, str] = {}
    for item in items:
        if on_item is not None:
            on_item(item)
        if isinstance(item, IngestProblem):
            report.failed += 1
            report.problems.append(item)
            continue
        if item.id in seen:
            report.skipped += 1
            report.problems.append(
                IngestProblem(
                    item.origin, None, f"duplicate id {item.id!r} (already read from {seen[item.id]}); skipped"
                )
            )
            continue
        seen[item.id] = item.origin
        session.add(item)
        report.indexed += 1


def _check_strict(report: IndexReport, strict: bool) -> None:
    if strict and report.problems:
        first = report.problems[0]
        where = f"{first.path}:{first.line}" if first.line else first.path
        raise StrictModeError(
            f"--strict: {len(report.problems)} input problem(s), first: {where}: {first.reason}; index left unchanged"
        )


def _input_bytes(sources: list[str]) -> int:
    """Size on disk of the input files (directories walked); unreadable paths count 0."""
    total = 0
    for source in sources:
        path = Path(source)
        try:
            files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
            total += sum(p.stat().st_size for p in files)
        except OSError:
            continue
    return total


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def rebuild_procs(sources: list[str], procs: int | None = None) -> int:
    """How many processes a rebuild of ``sources`` uses: ``procs`` if given, else automatic.

    Automatic: one per available CPU up to :data:`MAX_PROCS`, and one for small inputs
    (under :data:`PARALLEL_MIN_BYTES`), on a one-CPU machine, or inside a daemonic
    process (a multiprocessing worker), which may not start processes of its own.
    """
    if procs is not None:
        return max(1, procs)
    if multiprocessing.current_process().daemon or _input_bytes(sources) < PARALLEL_MIN_BYTES:
        return 1
    return max(1, min(MAX_PROCS, _available_cpus()))
