"""The Solr store: articles analyzed here, sent to a SolrCloud collection, swapped by alias.

The URL names an *alias* (``search-cli solr create`` makes one: ``NAME`` → ``NAME_<stamp>``).

* **Rebuild** — a new collection ``NAME_<stamp>`` with the live one's shards and replicas is
  filled and committed, then the alias is pointed at it (one ZooKeeper write: readers see the
  old collection or the new one, never a mix) and the old collection is deleted.  A rebuild
  that fails or is killed leaves the alias where it was; its half-built collection is deleted
  by ``cancel`` or, after a kill, by the next rebuild.
* **Update** — articles are added to the live collection; a document with the same id
  replaces the old one.  Visible at the commit.
* **Workers** — with ``procs`` > 1, analysis and entity extraction run in worker processes,
  each posting its batches to Solr's update API itself (:func:`_post_batch`: retried on
  another node while a shard has no leader, so a node killed mid-run loses nothing).
* **Stories** — assigned in this process, in input order (``index/stories.py``), as the
  Whoosh store does; an update first reads the collection's articles to know its stories.
  Documents are routed to shards by ``story`` (the collection's ``router.field``), so a
  story's copies share a shard and Solr can collapse them.  An update therefore deletes the
  previous copy of each id it re-adds (it may move to another story, hence another shard).
* **Same analysis** — each document carries the indexer's analysis fingerprint; an update of
  a collection written by another version of the analysis is refused.

Layer: the write side (Solr).  Implements ``index.store.IndexStore``.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import closing
from typing import Any, TypeVar

from index.document import index_document
from index.failpoints import failpoint, pausepoint
from index.ingest import Article
from index.layout import analysis_fingerprint
from index.solr_admin import (
    alias_properties,
    aliases,
    create_alias,
    delete_collection,
    generation_name,
    is_generation_of,
    new_collection,
)
from index.solr_client import SolrClient, SolrError, SolrLocation, SolrMissing
from index.solr_documents import solr_document
from index.store import DeleteReport, IndexingError
from index.stories import StoryTable, story_text

__all__ = ["BATCH", "SolrStore"]

#: Articles per update request: large enough to amortize a request, small enough to retry.
BATCH = 200
#: How long a batch keeps being retried while the cluster recovers (a leader election).
RETRY_SECONDS = 120.0
#: Batches in flight per worker (the parent reads ahead this far).
IN_FLIGHT = 2


F = TypeVar("F", bound=Callable[..., Any])


def _reported(method: F) -> F:
    """Solr's failures as :class:`IndexingError`, the write side's one-line error for the user."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except SolrError as error:
            raise IndexingError(str(error)) from None

    return wrapper  # type: ignore[return-value]


class SolrStore:
    """A SolrCloud alias, as the ``IndexStore`` of ``index/store.py``."""

    def __init__(self, url: str, *, client: SolrClient | None = None) -> None:
        self.where = SolrLocation.parse(url)
        self.location = str(self.where)
        self.client = client or SolrClient(self.where.base)
        self.sources: list[str] = []

    @_reported
    def exists(self) -> bool:
        return self.where.collection in aliases(self.client) or _is_collection(self.client, self.where.collection)

    @_reported
    def live_collection(self) -> str:
        """The collection the alias points at (the name itself when it is a plain collection)."""
        target = aliases(self.client).get(self.where.collection)
        if target:
            return target.split(",")[0]
        if _is_collection(self.client, self.where.collection):
            return self.where.collection
        raise IndexingError(
            f"there is no Solr collection {self.location}; create it with "
            f"search-cli solr create {self.location} --shards N --replicas M"
        )

    @_reported
    def session(
        self, *, rebuild: bool, procs: int = 1, limitmb: int = 256, sources: Iterable[str] = ()
    ) -> _SolrSession:
        self.sources = list(sources) or self.sources
        try:
            self.client.learn_nodes()
            if rebuild:
                return _SolrSession(self, self._new_collection(), procs, rebuild=True)
            live = self.live_collection()
            _check_analysis(self.client, live)
            return _SolrSession(self, live, procs, rebuild=False)
        except BaseException:
            self.client.close()  # the session owns the connections; there is none
            raise

    def _new_collection(self) -> str:
        """A new empty collection shaped like the live one (or 1 shard × 1 replica when there is none)."""
        if self.where.collection not in aliases(self.client):
            if _is_collection(self.client, self.where.collection):
                raise IndexingError(
                    f"{self.location} is a plain collection, so a rebuild cannot swap it atomically; "
                    f"create an alias with search-cli solr create URL --shards N --replicas M"
                )
            raise IndexingError(
                f"there is no Solr collection {self.location}; create it with "
                f"search-cli solr create {self.location} --shards N --replicas M"
            )
        live = self.live_collection()
        shards, replicas = _shape(self.client, live)
        _remove_stale(self.client, self.where.collection, keep=live)
        name = generation_name(self.where.collection)
        new_collection(self.client, name, shards, replicas, _config_name(self.client, live))
        return name

    @_reported
    def delete(self, ids: list[str]) -> DeleteReport:
        """Delete these ids in one commit; ids the collection does not hold are listed."""
        report = DeleteReport(index_dir=self.location)
        with closing(self.client):
            collection = self.live_collection()
            present = set(_present_ids(self.client, collection, ids))
            report.unknown = [doc_id for doc_id in ids if doc_id not in present]
            if present:
                _update(self.client, collection, {"delete": {"query": _ids_query(sorted(present))}})
                _commit(self.client, collection)
                report.deleted = len(present)
        return report


class _SolrSession:
    """One batch of changes to one collection, visible at :meth:`commit`."""

    def __init__(self, store: SolrStore, collection: str, procs: int, *, rebuild: bool) -> None:
        self.store, self.client, self.collection, self.rebuild = store, store.client, collection, rebuild
        self.stories = StoryTable() if rebuild else StoryTable.from_articles(_stored_articles(store.client, collection))
        self.analysis = analysis_fingerprint()
        self.seq = 0 if rebuild else _next_seq(store.client, collection)
        self.batch: list[tuple[Article, str, int]] = []
        self.pool = ProcessPoolExecutor(procs) if procs > 1 else None
        self.pending: set[Future[int]] = set()
        self.limit = IN_FLIGHT * procs

    @_reported
    def add(self, article: Article) -> None:
        story = self.stories.assign(article.id, story_text(article.title, article.content))
        self.batch.append((article, story, self.seq))
        self.seq += 1
        if len(self.batch) >= BATCH:
            self._flush()
        failpoint("solr-added")

    def _flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        job = (self.client.bases, self.collection, batch, self.analysis, not self.rebuild)
        if self.pool is None:
            _post_batch(*job, client=self.client)
            return
        self.pending.add(self.pool.submit(_post_batch, *job))
        while len(self.pending) >= self.limit:
            done, self.pending = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in done:
                future.result()  # a batch that failed for good stops the run

    @_reported
    def commit(self) -> None:
        try:
            self._flush()
            for future in self.pending:
                future.result()
            _commit(self.client, self.collection)
            failpoint("solr-committed")
            if self.rebuild:
                self._swap()
            self._record()
        except BaseException:
            self.cancel()
            raise
        finally:
            self._close_pool()
            self.client.close()

    def _swap(self) -> None:
        alias = self.store.where.collection
        old = aliases(self.client).get(alias)
        create_alias(self.client, alias, self.collection)
        if old and old != self.collection:
            delete_collection(self.client, old)

    def _record(self) -> None:
        """When and from what the index was written: properties of the alias (``stats`` reads them)."""
        alias = self.store.where.collection
        if alias not in aliases(self.client):
            return  # a plain collection (not made by solr create) has nowhere to keep them
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        props = {} if self.rebuild else alias_properties(self.client, alias)
        sources = sorted(set(json.loads(props.get("sources", "[]"))) | set(self.store.sources))
        values = {"created": props.get("created") or now, "updated": now, "sources": json.dumps(sources)}
        self.client.admin("ALIASPROP", name=alias, **{f"property.{k}": v for k, v in values.items()})

    def cancel(self) -> None:
        self._close_pool(cancel=True)
        if self.rebuild:
            with contextlib.suppress(SolrError):  # else the next rebuild removes it (_remove_stale)
                delete_collection(self.client, self.collection)
        self.client.close()

    def _close_pool(self, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)
            self.pool = None


def _post_batch(
    bases: list[str],
    collection: str,
    batch: list[tuple[Article, str, int]],
    analysis: str,
    replace: bool,
    client: SolrClient | None = None,
) -> int:
    """Analyze a batch and post it (in a worker, or in the indexer itself); retried until it lands.

    Posting the same documents twice is harmless (same ids replace), so a request whose
    answer was lost is simply sent again.
    """
    docs = [solr_document(index_document(article, story), analysis, seq) for article, story, seq in batch]
    client = client or _worker_client(bases)
    # An update may move an id to another story, hence another shard: delete its old copy first.
    body: Any = _delete_then_add(_ids_query([doc["id"] for doc in docs]), docs) if replace else docs
    failpoint("solr-batch")
    _update(client, collection, body)
    pausepoint("solr-batch-posted")
    return len(docs)


_CLIENTS: dict[tuple[str, ...], SolrClient] = {}


def _worker_client(bases: list[str]) -> SolrClient:
    key = tuple(bases)
    client = _CLIENTS.get(key)
    if client is None or client.pid != os.getpid():
        client = _CLIENTS[key] = SolrClient(bases[0])
        client.bases = list(bases)
        atexit.register(client.close)  # a worker's keep-alive connection, closed when it exits
    return client


def _delete_then_add(query: str, docs: list[dict[str, Any]]) -> str:
    """One update command: a delete by query, then one ``add`` per document.

    Solr's JSON update format repeats the ``add`` key, which a Python dict cannot, so the
    command is written as text.
    """
    parts = [f'"delete":{json.dumps({"query": query}, ensure_ascii=False)}']
    parts += [f'"add":{{"doc":{json.dumps(doc, ensure_ascii=False)}}}' for doc in docs]
    return "{" + ",".join(parts) + "}"


def _update(client: SolrClient, collection: str, body: Any) -> None:
    """One update request, retried with back-off while the cluster cannot take it."""
    deadline = time.monotonic() + RETRY_SECONDS
    delay = 0.5
    while True:
        try:
            if isinstance(body, str):
                client.post_raw_json(f"{collection}/update", body.encode("utf-8"))
            else:
                client.post_json(f"{collection}/update", body)
            return
        except SolrMissing:
            raise
        except SolrError as error:
            if time.monotonic() > deadline or not _transient(error):
                raise IndexingError(f"Solr did not take a batch: {error}") from None
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
            client.learn_nodes()


def _transient(error: SolrError) -> bool:
    text = str(error)
    return any(mark in text for mark in ("HTTP 5", "no Solr node", "cannot serve", "leader", "HTTP 409"))


def _commit(client: SolrClient, collection: str) -> None:
    _update(client, collection, {"commit": {"waitSearcher": True}})


def _ids_query(ids: list[str]) -> str:
    return "{!terms f=id}" + ",".join(ids)


def _present_ids(client: SolrClient, collection: str, ids: list[str]) -> Iterator[str]:
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        answer = client.post_form(f"{collection}/select", {"q": _ids_query(chunk), "fl": "id", "rows": len(chunk)})
        yield from (doc["id"] for doc in answer["response"]["docs"])


def _stored_articles(client: SolrClient, collection: str) -> Iterator[tuple[str, str, str, str]]:
    """``(id, title, content, story)`` of every article, in index order (cursor paging)."""
    cursor = "*"
    while True:
        answer = client.post_form(
            f"{collection}/select",
            {"q": "*:*", "fl": "id,title,content,story", "sort": "seq asc,id asc", "rows": 1000, "cursorMark": cursor},
        )
        for doc in answer["response"]["docs"]:
            yield doc["id"], doc.get("title", ""), doc.get("content", ""), doc.get("story", doc["id"])
        if answer.get("nextCursorMark", cursor) == cursor:
            return
        cursor = answer["nextCursorMark"]


def _next_seq(client: SolrClient, collection: str) -> int:
    """The index order number after the collection's last article (an update appends, as Whoosh does)."""
    answer = client.post_form(f"{collection}/select", {"q": "*:*", "rows": 1, "fl": "seq", "sort": "seq desc"})
    docs = answer["response"]["docs"]
    return int(docs[0].get("seq", -1)) + 1 if docs else 0


def _check_analysis(client: SolrClient, collection: str) -> None:
    """Refuse to mix two versions of the analysis in one collection."""
    answer = client.post_form(
        f"{collection}/select",
        {"q": "*:*", "rows": 0, "json.facet": json.dumps({"a": {"type": "terms", "field": "analysis", "limit": 5}})},
    )
    found = {bucket["val"] for bucket in answer.get("facets", {}).get("a", {}).get("buckets", [])}
    if found - {analysis_fingerprint()}:
        raise IndexingError(
            f"the collection {collection} was built by a different version of the Arabic analysis; "
            "add --rebuild to re-index everything with the current one"
        )


def _cluster_collection(client: SolrClient, name: str) -> dict[str, Any]:
    status = client.admin("CLUSTERSTATUS", collection=name)
    return status["cluster"]["collections"][name]


def _is_collection(client: SolrClient, name: str) -> bool:
    try:
        return name in client.admin("CLUSTERSTATUS", collection=name)["cluster"].get("collections", {})
    except SolrError:
        return False


def _shape(client: SolrClient, collection: str) -> tuple[int, int]:
    """(shards, replicas per shard) of a collection."""
    state = _cluster_collection(client, collection)
    shards = state["shards"]
    replicas = max(len(shard["replicas"]) for shard in shards.values())
    return len(shards), replicas


def _config_name(client: SolrClient, collection: str) -> str:
    return _cluster_collection(client, collection).get("configName", "arabic-news")


def _remove_stale(client: SolrClient, alias: str, keep: str) -> None:
    """Delete collections left by a rebuild that was killed (``ALIAS_<stamp>`` not behind the alias)."""
    for name in client.admin("LIST").get("collections", []):
        if name != keep and is_generation_of(name, alias):
            delete_collection(client, name)
