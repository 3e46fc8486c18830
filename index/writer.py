"""Write articles into the index: full rebuilds swapped in atomically, incremental updates in place.

On-disk layout of an index directory::

    INDEX_DIR/
        current -> gen-20261122T044501-3f2a   (symlink: what readers open)
        gen-20261122T044501-3f2a/             (a complete Whoosh index + meta.json)
        gen-20261122T050010-91cc.partial/     (a rebuild in progress, or one that was killed)
        .writer.lock                          (one writer at a time)

Whoosh commits are not crash-safe, and a half-built index must never be what users search.
So a rebuild writes a new generation next to the live one and only when it is complete
swaps the ``current`` symlink (an atomic rename); a rebuild that fails or is killed leaves
the previous generation searchable and its ``.partial`` directory is removed by the next run.
Adding sources to an existing index updates the current generation in place through
Whoosh's own commit (``update_document`` on the unique ``id``: re-indexing replaces).
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from index.ingest import Article, IngestProblem, read_sources
from index.schema import document_fields, make_schema

CURRENT = "current"
LOCK_FILE = ".writer.lock"
META_FILE = "meta.json"
#: How long a second writer waits for the first before giving up.
DEFAULT_LOCK_TIMEOUT = 60.0


class IndexingError(Exception):
    """An index cannot be opened or written; the message is meant for the user."""


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


def analysis_fingerprint() -> str:
    """Hash of everything that decides which terms and entities a text becomes.

    Stored with the index; the searcher compares it with the running code so that an index
    built by a different analyzer or extractor is reported instead of silently missing
    matches or facet values.  Covers the analysis and stemmer, the entity extractor, the
    schema, and their shipped data.
    """
    import index.entities
    import index.schema
    import search.analysis
    import search.stemmer

    digest = hashlib.sha1()
    for module in (search.analysis, search.stemmer, index.entities, index.schema):
        digest.update(Path(module.__file__).read_bytes())
    data_dirs = (Path(search.stemmer.__file__).parent / "data", Path(index.entities.__file__).parent / "gazetteer")
    for data_dir in data_dirs:
        for path in sorted(data_dir.iterdir()):
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def current_generation(index_dir: Path) -> Path | None:
    """The directory of the live index generation, or None when there is none yet."""
    link = index_dir / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def read_meta(generation: Path) -> dict:
    """The ``meta.json`` of a generation (empty when missing or unreadable)."""
    try:
        return json.loads((generation / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_meta(generation: Path, meta: dict) -> None:
    tmp = generation / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, generation / META_FILE)


class _WriterLock:
    """An exclusive ``flock`` on ``INDEX_DIR/.writer.lock``, waited for up to ``timeout`` s.

    flock is released by the kernel when the holder dies, so a killed run never leaves a
    stale lock behind (unlike Whoosh's own lock file, which we never hold across runs).
    """

    def __init__(self, index_dir: Path, timeout: float) -> None:
        self.path = index_dir / LOCK_FILE
        self.timeout = timeout
        self.handle = None

    def __enter__(self) -> _WriterLock:
        self.handle = open(self.path, "a+")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    self.handle.close()
                    raise IndexingError(
                        f"another indexing run is writing to {self.path.parent} "
                        f"(waited {self.timeout:.0f} s); try again when it has finished"
                    ) from None
                time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        assert self.handle is not None
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _remove_stale(index_dir: Path, keep: Path | None) -> None:
    """Delete half-written (``.partial``) and superseded generations."""
    for path in index_dir.glob("gen-*"):
        if path.is_dir() and (keep is None or path.resolve() != keep):
            shutil.rmtree(path, ignore_errors=True)


def _swap_current(index_dir: Path, generation: Path) -> None:
    tmp_link = index_dir / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
    os.symlink(generation.name, tmp_link)
    os.replace(tmp_link, index_dir / CURRENT)  # atomic: readers see old or new, never neither


ProgressFn = Callable[[Article | IngestProblem], None]


def _add_articles(
    writer, items: Iterable[Article | IngestProblem], report: IndexReport, on_item: ProgressFn | None
) -> None:
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
        writer.update_document(**document_fields(item))
        report.indexed += 1


def build_index(
    sources: Iterable[str | Path],
    index_dir: str | Path,
    *,
    rebuild: bool = False,
    strict: bool = False,
    on_item: ProgressFn | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    limitmb: int = 256,
) -> IndexReport:
    """Index ``sources`` into ``index_dir``.

    With ``rebuild`` (or when there is no index yet) a new generation is built and swapped
    in; otherwise the articles are added to the live generation, replacing same-id ones.
    With ``strict``, any ingest problem aborts before anything becomes visible.
    """
    started = time.monotonic()
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    report = IndexReport(index_dir=str(index_dir))
    sources = [str(s) for s in sources]
    with _WriterLock(index_dir, lock_timeout):
        live = current_generation(index_dir)
        _remove_stale(index_dir, keep=live)
        if rebuild or live is None:
            report.rebuilt = True
            _rebuild(sources, index_dir, report, strict, on_item, limitmb)
        else:
            _update(sources, live, report, strict, on_item, limitmb)
    report.seconds = time.monotonic() - started
    return report


class StrictModeError(IndexingError):
    """Raised in ``--strict`` mode when an input could not be read; nothing was changed."""


def _check_strict(report: IndexReport, strict: bool) -> None:
    if strict and report.problems:
        first = report.problems[0]
        where = f"{first.path}:{first.line}" if first.line else first.path
        raise StrictModeError(
            f"--strict: {len(report.problems)} input problem(s), first: {where}: {first.reason}; index left unchanged"
        )


def _write_sources(ix, sources, report: IndexReport, strict: bool, on_item, limitmb: int, *, optimize: bool) -> None:
    """Add every article of ``sources`` in one Whoosh commit; on any failure, commit nothing."""
    writer = ix.writer(limitmb=limitmb)
    try:
        _add_articles(writer, read_sources(sources), report, on_item)
        _check_strict(report, strict)
    except BaseException:
        writer.cancel()
        ix.close()
        raise
    writer.commit(optimize=optimize)
    ix.close()


def _rebuild(sources, index_dir: Path, report: IndexReport, strict: bool, on_item, limitmb: int) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    final = index_dir / f"gen-{stamp}-{uuid.uuid4().hex[:4]}"
    partial = final.with_name(final.name + ".partial")
    partial.mkdir()
    try:
        ix = whoosh_index.create_in(str(partial), make_schema())
        _write_sources(ix, sources, report, strict, on_item, limitmb, optimize=True)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        _write_meta(partial, {"created": now, "updated": now, "analysis": analysis_fingerprint(), "sources": sources})
        os.rename(partial, final)
        _swap_current(index_dir, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    _remove_stale(index_dir, keep=final.resolve())


def _update(sources, live: Path, report: IndexReport, strict: bool, on_item, limitmb: int) -> None:
    meta = read_meta(live)
    if meta.get("analysis") != analysis_fingerprint():
        raise IndexingError(
            f"the index in {live.parent} was built by a different version of the Arabic analysis; "
            "add --rebuild to re-index everything with the current one"
        )
    _write_sources(whoosh_index.open_dir(str(live)), sources, report, strict, on_item, limitmb, optimize=False)
    meta["updated"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    meta["sources"] = sorted(set(meta.get("sources", [])) | set(sources))
    _write_meta(live, meta)
