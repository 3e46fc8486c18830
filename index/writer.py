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
Whoosh's own commit (``update_document`` on the unique ``id``: re-indexing replaces), and
:func:`delete_documents` removes articles by ``id`` the same way.

A rebuild of a large input runs in worker processes (:class:`_ParallelWriter`, one per
CPU up to :data:`MAX_PROCS`): each analyzes its share of the articles and writes its own
segment, so the generation has one segment per worker.  Every commit ends by saving the
facet table for the search side (:func:`_after_commit`).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import fcntl
import hashlib
import json
import multiprocessing
import os
import pickle
import queue
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import PostingPool, SegmentWriter

from index.ingest import Article, IngestProblem, read_sources
from index.schema import document_fields, make_schema

CURRENT = "current"
LOCK_FILE = ".writer.lock"
META_FILE = "meta.json"
#: How long a second writer waits for the first before giving up.
DEFAULT_LOCK_TIMEOUT = 60.0
#: Worker processes of a parallel rebuild at most.  Each writes its own segment, and every
#: segment is one more term lookup per query term at search time, so more processes than
#: the two cores of the machines this runs on would slow searching for little build speed.
MAX_PROCS = 2
#: A rebuild from less input than this (bytes on disk) stays in one process: starting the
#: workers (each loads the lexicon and compiles the gazetteers) costs more than it saves.
PARALLEL_MIN_BYTES = 4_000_000
#: Articles handed to a worker at a time.
PARALLEL_BATCH = 50


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


class _LengthTable:
    """A segment's field lengths for Whoosh's posting writer, read once per field.

    Whoosh asks the length of a document's field for *every posting* it writes (for the
    block statistics BM25 skipping uses), each time through four calls and a column read;
    with four positional text fields that was about a tenth of a build.  The values are the
    reader's own, so the index is byte for byte the same.
    """

    def __init__(self, reader: object) -> None:
        self._reader = reader
        self._tables: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        """``reader.doc_field_length(docnum, fieldname, default)``."""
        table = self._tables.get(fieldname)
        if table is None:
            reader = self._reader
            count = reader.doc_count_all()
            table = self._tables[fieldname] = [reader.doc_field_length(d, fieldname, default) for d in range(count)]
        return table[docnum]


#: Postings per pickled chunk of a sorted run (see :class:`_ChunkedPool`).
RUN_CHUNK = 20_000


class _ChunkedPool(PostingPool):
    """Whoosh's posting pool, writing and reading its sorted runs a chunk at a time.

    When the postings outgrow ``limitmb`` the pool sorts them and spills them to a
    temporary "run" file, and the commit merges the runs back.  Whoosh pickles and
    unpickles each posting with its own call: with four positional fields a build
    spills millions of postings, and those calls cost as much as writing the index.
    One ``pickle.dump`` per :data:`RUN_CHUNK` postings does the same in C.  The runs are
    private temporary files, so their format is ours to choose; the merged order (and
    so the index) is unchanged.
    """

    def _write_run(self, f: Any, items: Iterable[tuple]) -> None:
        items = iter(items)
        while chunk := list(islice(items, RUN_CHUNK)):
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path: str) -> Iterator[tuple]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


#: Segments as separate files, not one compound file.  A reader opens Whoosh's compound file
#: through mmap but copies each part it opens into a BytesIO (``BufferFile``): every search
#: process then held the whole postings and stored text in private memory (700 MB per web
#: worker on the 31k-article index).  Separate files are read on demand and shared through
#: the page cache; search speed measured the same.
SEGMENT_FILES = {"compound": False}


class _Writer(SegmentWriter):
    """Whoosh's segment writer with a faster spill (:class:`_ChunkedPool`) and field lengths
    served from :class:`_LengthTable` at flush."""

    def __init__(self, ix: whoosh_index.Index, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        pool = _ChunkedPool(self._tempstorage, self.newsegment)
        pool.limit = self.pool.limit
        self.pool = pool

    def _flush_segment(self) -> None:
        # SegmentWriter._flush_segment, but the lengths reader wrapped.
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        lengths = _LengthTable(reader) if reader is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if reader is not None:
            reader.close()


def _die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux; elsewhere a no-op).

    A rebuild killed with SIGKILL cannot stop its workers itself; without this they would
    wait for work forever, keep the writer lock's file open and hold their memory.
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            return
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)


class _AnalyzingTask(SubWriterTask):
    """A worker of :class:`_ParallelWriter`: turns articles into fields and writes a segment.

    Whoosh's own worker receives ready field values; ours receives the articles, so that
    the expensive part (analysis and entity extraction, :func:`document_fields`) runs in
    the workers too and not serially in the parent.
    """

    def __init__(self, *args: object, parent_pid: int) -> None:
        super().__init__(*args)
        self.parent_pid = parent_pid
        self.daemon = True  # a parent that exits normally never leaves a worker behind

    def run(self) -> None:
        """SubWriterTask.run, with our segment writer (multisegment only)."""
        _die_with_parent(self.parent_pid)
        writer = self.writer = _Writer(self.storage.open_index(self.indexname), _lk=False, **self.kwargs)
        while True:
            job = self.jobqueue.get()
            if job is None:
                break
            self._process_file(*job)
        fieldnames = writer.pool.fieldnames
        self.resultqueue.put((None, fieldnames, writer._finalize_segment()), timeout=5)

    def _process_file(self, filename: str, doc_count: int) -> None:
        writer = self.writer
        tempstorage = writer.temp_storage()
        with tempstorage.open_file(filename).raw_file() as batch:
            for _ in range(doc_count):
                article = pickle.load(batch)
                writer.add_document(**document_fields(article))
        tempstorage.delete_file(filename)


class _ParallelWriter(MpWriter):
    """Whoosh's multi-process writer for a *new* index, one finished segment per worker.

    Each worker analyzes its share of the articles and writes it as a complete segment
    (postings included), so the commit — most of a serial build — runs in parallel too;
    the parent only reads the input and finally lists the segments in the TOC.  Merging
    them into one (``optimize``) would rewrite every posting serially again, so the index
    keeps ``procs`` segments.  Unlike ``MpWriter`` it notices a worker that died (instead
    of silently committing without its documents) and stops its workers on ``cancel``.
    Only for rebuilds: the workers add documents without deleting same-id ones, which is
    right only because the caller passes each id once and the index starts empty.
    """

    def __init__(self, ix: whoosh_index.Index, procs: int, limitmb: int) -> None:
        # limitmb is per worker, as in Whoosh's MpWriter: halving it makes each worker spill
        # sorted runs to disk and merge them back, which costs more than the memory saves.
        super().__init__(
            ix,
            procs=procs,
            batchsize=PARALLEL_BATCH,
            subargs={"limitmb": limitmb, **SEGMENT_FILES},
            multisegment=True,
            **SEGMENT_FILES,
        )

    def add_article(self, article: Article) -> None:
        """Queue one article for a worker."""
        self.docbuffer.append(article)
        if len(self.docbuffer) >= self.batchsize:
            self._enqueue()
        self._added_sub = True

    def _new_task(self) -> SubWriterTask:
        task = _AnalyzingTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
            parent_pid=os.getpid(),
        )
        self.tasks.append(task)
        task.start()
        return task

    def _check_workers(self) -> None:
        dead = [task.exitcode for task in self.tasks if task.exitcode not in (None, 0)]
        if dead:
            raise IndexingError(f"an indexing worker process failed (exit code {dead[0]}); nothing was changed")

    def _put(self, job: object) -> None:
        while True:
            self._check_workers()
            try:
                self.jobqueue.put(job, timeout=0.5)
                return
            except queue.Full:
                continue

    def _enqueue(self) -> None:
        filename = f"{uuid.uuid4().hex}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as batch:
            for article in self.docbuffer:
                pickle.dump(article, batch, pickle.HIGHEST_PROTOCOL)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(self.docbuffer)))
        self.docbuffer = []

    def cancel(self) -> None:
        """Stop the workers and discard everything written."""
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
            task.join()
        super(MpWriter, self).cancel()  # SegmentWriter.cancel: MpWriter's cannot reach the workers

    def _commit(self, mergetype: object, optimize: object, merge: object) -> None:
        try:
            self._commit_segments(mergetype, optimize, merge)
        except BaseException:
            self.cancel()
            raise

    def _commit_segments(self, mergetype: object, optimize: object, merge: object) -> None:
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self._put(None)
        segments = self._merge_segments(mergetype, optimize, merge)
        results: list = []
        while len(results) < len(self.tasks):
            try:
                results.append(self.resultqueue.get(timeout=0.5))
            except queue.Empty:
                self._check_workers()
                if not any(task.is_alive() for task in self.tasks) and self.resultqueue.empty():
                    raise IndexingError("an indexing worker process ended without its segment") from None
        for task in self.tasks:
            task.join()
        self._check_workers()
        segments += [segment for _, _, segment in results if segment.doc_count_all()]  # an idle worker's is empty
        self._close_segment()
        self._commit_toc(segments)
        self._finish()


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
        if isinstance(writer, _ParallelWriter):
            writer.add_article(item)
        else:
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
    procs: int | None = None,
) -> IndexReport:
    """Index ``sources`` into ``index_dir``.

    With ``rebuild`` (or when there is no index yet) a new generation is built and swapped
    in; otherwise the articles are added to the live generation, replacing same-id ones.
    With ``strict``, any ingest problem aborts before anything becomes visible.
    A rebuild uses ``procs`` processes (default: :func:`rebuild_procs` decides from the
    CPUs and the input size); ``limitmb`` is the memory for buffered postings per process.
    An incremental update is always one process: it is small, and it must replace
    same-id documents, which the workers do not.
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
            _rebuild(sources, index_dir, report, strict, on_item, limitmb, rebuild_procs(sources, procs))
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


def _write_sources(
    ix, sources, report: IndexReport, strict: bool, on_item, limitmb: int, *, optimize: bool, procs: int = 1
) -> None:
    """Add every article of ``sources`` in one Whoosh commit; on any failure, commit nothing."""
    writer = _ParallelWriter(ix, procs, limitmb) if procs > 1 else _Writer(ix, limitmb=limitmb, **SEGMENT_FILES)
    try:
        _add_articles(writer, read_sources(sources), report, on_item)
        _check_strict(report, strict)
    except BaseException:
        writer.cancel()
        ix.close()
        raise
    writer.commit(optimize=optimize)
    ix.close()


def _rebuild(sources, index_dir: Path, report: IndexReport, strict: bool, on_item, limitmb: int, procs: int) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    final = index_dir / f"gen-{stamp}-{uuid.uuid4().hex[:4]}"
    partial = final.with_name(final.name + ".partial")
    partial.mkdir()
    try:
        ix = whoosh_index.create_in(str(partial), make_schema())
        _write_sources(ix, sources, report, strict, on_item, limitmb, optimize=True, procs=procs)
        _after_commit(partial)
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
    _after_commit(live)
    meta["updated"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    meta["sources"] = sorted(set(meta.get("sources", [])) | set(sources))
    _write_meta(live, meta)


def _after_commit(generation: Path) -> None:
    """Work every commit (rebuild, update, delete) ends with, still under the writer lock.

    Saves the facet table for the new commit (``search/facets.py``), so that the first
    search after it loads the table instead of reading every facet posting.  Imported
    here, not at the top: the search package is not needed to write an index otherwise.
    """
    from search.facets import save_facet_table

    save_facet_table(generation)


@dataclass
class DeleteReport:
    """What :func:`delete_documents` did."""

    deleted: int = 0
    unknown: list[str] = field(default_factory=list)
    index_dir: str = ""
    seconds: float = 0.0


def delete_documents(
    index_dir: str | Path, ids: Iterable[str], *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
) -> DeleteReport:
    """Delete the articles with these ``id``s from the live generation, in one commit.

    Takes the writer lock like any other write.  Ids the index does not hold are listed in
    the report (``unknown``), not an error, so that a repeated delete is harmless; nothing
    is committed when none of the ids is there.  ``meta.json``'s ``updated`` is stamped when
    something was deleted.  A missing index is an :class:`IndexingError`.
    """
    started = time.monotonic()
    index_dir = Path(index_dir)
    wanted = list(dict.fromkeys(str(doc_id) for doc_id in ids))
    report = DeleteReport(index_dir=str(index_dir))
    if not index_dir.is_dir():
        raise IndexingError(f"there is no index in {index_dir}; build one first")
    with _WriterLock(index_dir, lock_timeout):
        live = current_generation(index_dir)
        if live is None or not whoosh_index.exists_in(str(live)):
            raise IndexingError(f"there is no index in {index_dir}; build one first")
        ix = whoosh_index.open_dir(str(live))
        try:
            with ix.searcher() as searcher:
                present = [doc_id for doc_id in wanted if searcher.document_number(id=doc_id) is not None]
            found = set(present)
            report.unknown = [doc_id for doc_id in wanted if doc_id not in found]
            if present:
                writer = ix.writer(**SEGMENT_FILES)
                try:
                    for doc_id in present:
                        report.deleted += writer.delete_by_term("id", doc_id)
                except BaseException:
                    writer.cancel()
                    raise
                writer.commit()
        finally:
            ix.close()
        if report.deleted:
            _after_commit(live)
            meta = read_meta(live)
            meta["updated"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            _write_meta(live, meta)
    report.seconds = time.monotonic() - started
    return report
