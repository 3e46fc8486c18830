"""The Whoosh store: index generations written, swapped and locked; parallel rebuilds.

Whoosh commits are not crash-safe, and a half-built index must never be what users search.
So a rebuild writes a new generation next to the live one (layout: ``index/layout.py``) and
only when it is complete swaps the ``current`` symlink (an atomic rename); a rebuild that
fails or is killed leaves the previous generation searchable and its ``.partial`` directory
is removed by the next run.  An incremental session updates the current generation in place
through Whoosh's own commit (``update_document`` on the unique ``id``: re-indexing replaces),
and :meth:`WhooshStore.delete` removes articles by ``id`` the same way.

A rebuild of a large input runs in worker processes (:class:`_ParallelWriter`): each
analyzes its share of the articles and writes its own segment, so the generation has one
segment per worker.  Every commit ends by saving the facet table for the read side
(``index/whoosh_facets.py``) and the story table for the next update (``index/stories.py``).

Stories are assigned here, in the parent, in the order articles arrive, before an article
goes to a worker: the rule is greedy in index order, and a worker sees only its share.

Layer: the write side (Whoosh).  Implements ``index.store.IndexStore``.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import fcntl
import os
import pickle
import queue
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import PostingPool, SegmentWriter

from index.document import index_document
from index.failpoints import failpoint
from index.ingest import Article
from index.layout import (
    CURRENT,
    LOCK_FILE,
    MetaError,
    analysis_fingerprint,
    current_generation,
    read_meta,
    write_meta,
)
from index.store import DeleteReport, IndexingError
from index.stories import StoryTable, story_text
from index.whoosh_facets import save_facet_values
from index.whoosh_schema import make_schema, whoosh_fields

__all__ = ["DEFAULT_LOCK_TIMEOUT", "WhooshStore"]

#: How long a second writer waits for the first before giving up.
DEFAULT_LOCK_TIMEOUT = 60.0
#: Articles handed to a worker at a time.
PARALLEL_BATCH = 50


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
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> _WriterLock:
        """Wait for the lock (up to the timeout); :class:`IndexingError` when another writer keeps it."""
        self.handle = open(self.path, "a+")  # noqa: SIM115 - held until release()
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

    def release(self) -> None:
        """Let the next writer in (idempotent)."""
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def _remove_stale(index_dir: Path, keep: Path | None) -> None:
    """Delete half-written (``.partial``) and superseded generations."""
    for path in index_dir.glob("gen-*"):
        if path.is_dir() and (keep is None or path.resolve() != keep):
            shutil.rmtree(path, ignore_errors=True)


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
        failpoint("segment-written")  # the segment's files are complete, no TOC lists them yet

    def _commit_toc(self, segments: list) -> None:
        failpoint("before-toc")
        super()._commit_toc(segments)


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
    the expensive part (analysis and entity extraction, :func:`~index.document.index_document`) runs in
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
        failpoint("worker-batch")
        writer = self.writer
        tempstorage = writer.temp_storage()
        with tempstorage.open_file(filename).raw_file() as batch:
            for _ in range(doc_count):
                article, story = pickle.load(batch)
                writer.add_document(**whoosh_fields(index_document(article, story)))
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

    def add_article(self, article: Article, story: str) -> None:
        """Queue one article, and the story it was assigned, for a worker."""
        self.docbuffer.append((article, story))
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
            for item in self.docbuffer:
                pickle.dump(item, batch, pickle.HIGHEST_PROTOCOL)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(self.docbuffer)))
        self.docbuffer = []
        if len(self.tasks) == self.procs:
            failpoint("workers-started")

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


def _swap_current(index_dir: Path, generation: Path) -> None:
    tmp_link = index_dir / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
    os.symlink(generation.name, tmp_link)
    os.replace(tmp_link, index_dir / CURRENT)  # atomic: readers see old or new, never neither


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _after_commit(generation: Path, stories: StoryTable) -> None:
    """Work every commit (rebuild, update, delete) ends with, still under the writer lock:
    the facet table of the new commit, so that the first search after it loads the table
    instead of reading every facet posting; the story table, so that the next update joins
    its articles to these stories."""
    save_facet_values(generation)
    stories.save(generation, _story_key(generation))


def _story_key(generation: Path) -> dict:
    """Which commit a story table is for: a table of any other commit is stale."""
    ix = whoosh_index.open_dir(str(generation))
    try:
        with ix.reader() as reader:
            return {"generation": reader.generation(), "doc_count": reader.doc_count()}
    finally:
        ix.close()


def _load_stories(generation: Path) -> StoryTable:
    """The story table of the live commit: the saved one, else rebuilt from the stored articles."""
    table = StoryTable.load(generation, _story_key(generation))
    if table is not None:
        return table
    ix = whoosh_index.open_dir(str(generation))
    try:
        with ix.reader() as reader:
            return StoryTable.from_articles(_stored_articles(reader))
    finally:
        ix.close()


def _stored_articles(reader: Any) -> Iterator[tuple[str, str, str, str]]:
    """``(id, title, content, story)`` of every live document, in docnum order."""
    for docnum in range(reader.doc_count_all()):
        if not reader.is_deleted(docnum):
            fields = reader.stored_fields(docnum)
            yield fields.get("id", ""), fields.get("title", ""), fields.get("content", ""), fields.get("story", "")


class _RebuildSession:
    """A new generation, built beside the live one and swapped in by :meth:`commit`."""

    def __init__(self, store: WhooshStore, procs: int, limitmb: int) -> None:
        self.store = store
        self.lock = _WriterLock(store.index_dir, store.lock_timeout).acquire()
        try:
            _remove_stale(store.index_dir, keep=current_generation(store.index_dir))
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
            self.final = store.index_dir / f"gen-{stamp}-{uuid.uuid4().hex[:4]}"
            self.partial = self.final.with_name(self.final.name + ".partial")
            self.partial.mkdir()
            self.stories = StoryTable()
            self.ix = whoosh_index.create_in(str(self.partial), make_schema())
            self.writer: Any = (
                _ParallelWriter(self.ix, procs, limitmb)
                if procs > 1
                else _Writer(self.ix, limitmb=limitmb, **SEGMENT_FILES)
            )
        except BaseException:
            if hasattr(self, "partial"):
                shutil.rmtree(self.partial, ignore_errors=True)
            self.lock.release()
            raise

    def add(self, article: Article) -> None:
        story = self.stories.assign(article.id, story_text(article.title, article.content))
        if isinstance(self.writer, _ParallelWriter):
            self.writer.add_article(article, story)  # analyzed in a worker
        else:
            self.writer.update_document(**whoosh_fields(index_document(article, story)))
        failpoint("rebuild-added")

    def commit(self) -> None:
        try:
            self.writer.commit(optimize=True)
            self.ix.close()
            failpoint("rebuild-committed")
            _after_commit(self.partial, self.stories)
            now = _now()
            meta = {"created": now, "updated": now, "analysis": analysis_fingerprint(), "sources": self.store.sources}
            write_meta(self.partial, meta)
            os.rename(self.partial, self.final)
            failpoint("before-swap")
            _swap_current(self.store.index_dir, self.final)
            _remove_stale(self.store.index_dir, keep=self.final.resolve())
        except BaseException:
            shutil.rmtree(self.partial, ignore_errors=True)
            raise
        finally:
            self.lock.release()

    def cancel(self) -> None:
        try:
            self.writer.cancel()
            self.ix.close()
            shutil.rmtree(self.partial, ignore_errors=True)
        finally:
            self.lock.release()


class _UpdateSession:
    """Changes to the live generation, committed in place (Whoosh's own commit)."""

    def __init__(self, store: WhooshStore, limitmb: int) -> None:
        self.store = store
        self.lock = _WriterLock(store.index_dir, store.lock_timeout).acquire()
        try:
            live = current_generation(store.index_dir)
            if live is None:
                raise IndexingError(f"there is no index in {store.index_dir}; build one first")
            _remove_stale(store.index_dir, keep=live)
            self.live = live
            self.meta = _checked_meta(live)
            self.stories = _load_stories(live)
            self.ix = whoosh_index.open_dir(str(live))
            self.writer = _Writer(self.ix, limitmb=limitmb, **SEGMENT_FILES)
        except BaseException:
            self.lock.release()
            raise

    def add(self, article: Article) -> None:
        story = self.stories.assign(article.id, story_text(article.title, article.content))
        self.writer.update_document(**whoosh_fields(index_document(article, story)))
        failpoint("update-added")

    def commit(self) -> None:
        try:
            self.writer.commit(optimize=False)
            self.ix.close()
            failpoint("update-committed")
            _after_commit(self.live, self.stories)
            self.meta["updated"] = _now()
            self.meta["sources"] = sorted(set(self.meta.get("sources", [])) | set(self.store.sources))
            write_meta(self.live, self.meta)
        finally:
            self.lock.release()

    def cancel(self) -> None:
        try:
            self.writer.cancel()
            self.ix.close()
        finally:
            self.lock.release()


def _checked_meta(live: Path) -> dict:
    """The live generation's metadata, if it was built by this version of the analysis."""
    try:
        meta = read_meta(live)
    except MetaError as error:
        raise IndexingError(f"cannot update the index: {error}") from None
    if meta.get("analysis") != analysis_fingerprint():
        raise IndexingError(
            f"the index in {live.parent} was built by a different version of the Arabic analysis; "
            "add --rebuild to re-index everything with the current one"
        )
    return meta


class WhooshStore:
    """An index directory of generations (``index/layout.py``): the Whoosh ``IndexStore``."""

    def __init__(self, index_dir: Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.index_dir = Path(index_dir)
        self.location = str(index_dir)
        self.lock_timeout = lock_timeout
        self.sources: list[str] = []  # recorded in meta.json by the session that commits

    def exists(self) -> bool:
        return current_generation(self.index_dir) is not None

    def session(
        self, *, rebuild: bool, procs: int = 1, limitmb: int = 256, sources: Iterable[str] = ()
    ) -> _RebuildSession | _UpdateSession:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self.sources = list(sources) or self.sources
        if rebuild:
            return _RebuildSession(self, procs, limitmb)
        return _UpdateSession(self, limitmb)

    def delete(self, ids: list[str]) -> DeleteReport:
        """Delete these ids from the live generation in one commit (nothing when none is there)."""
        report = DeleteReport(index_dir=str(self.index_dir))
        if not self.index_dir.is_dir():
            raise IndexingError(f"there is no index in {self.index_dir}; build one first")
        with _WriterLock(self.index_dir, self.lock_timeout):
            live = current_generation(self.index_dir)
            if live is None or not whoosh_index.exists_in(str(live)):
                raise IndexingError(f"there is no index in {self.index_dir}; build one first")
            stories = _load_stories(live)
            report.deleted, report.unknown = _delete_ids(live, ids)
            if report.deleted:
                stories.remove(ids)
                _after_commit(live, stories)
                meta = _meta_or_empty(live)
                meta["updated"] = _now()
                write_meta(live, meta)
        return report


def _meta_or_empty(live: Path) -> dict:
    try:
        return read_meta(live)
    except MetaError as error:
        raise IndexingError(f"cannot record the delete: {error}") from None


def _delete_ids(live: Path, ids: list[str]) -> tuple[int, list[str]]:
    """Delete the present ids in one Whoosh commit; ``(deleted, unknown ids)``."""
    ix = whoosh_index.open_dir(str(live))
    try:
        with ix.searcher() as searcher:
            present = [doc_id for doc_id in ids if searcher.document_number(id=doc_id) is not None]
        found = set(present)
        unknown = [doc_id for doc_id in ids if doc_id not in found]
        deleted = 0
        if present:
            writer = _Writer(ix, **SEGMENT_FILES)
            try:
                for doc_id in present:
                    deleted += writer.delete_by_term("id", doc_id)
                failpoint("delete-marked")
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
    finally:
        ix.close()
    return deleted, unknown
