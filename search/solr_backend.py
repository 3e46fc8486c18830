"""The Solr backend: the read half of the backend protocol on a SolrCloud collection.

Solr finds, counts and ranks (BM25 over our pre-analyzed terms, ``search/solr_query.py``),
counts the facets (JSON Facet API over docValues, refined across shards so the counts are
exact) and collapses wire copies (``{!collapse field=story}`` plus the ``expand`` component:
documents are routed to shards by story, ``index/solr_store.py``).  Python does what must be
the same on both backends: the query language and analysis (before), the proximity rescoring
of the best hits, snippets, "did you mean" (after) — all from the stored text.

One view holds one collection: the alias is resolved when the view opens (cached for
:data:`ALIAS_TTL` seconds), so a rebuild's swap is picked up by the next view, never in the
middle of a request.  Errors: a missing collection → :class:`IndexMissing`; an unreachable
cluster or a refused password → :class:`SearchError` with a one-line message.

Layer: the read side (Solr).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from typing import Any

import numpy as np

from index.analysis import analyze
from index.contract import ENTITY_TYPES, FACETS, TEXT_FIELDS, StoredDocument
from index.layout import analysis_fingerprint
from index.solr_admin import alias_properties
from index.solr_client import SolrAuthError, SolrClient, SolrError, SolrLocation, SolrMissing, SolrUnavailable
from search import querytree as qt
from search.backend import DUPLICATE_IDS, Filters, Found, Listing, Matches, SearchPlan
from search.errors import BackendUnavailable, IndexMissing, QueryError
from search.histogram import DateHistogram, date_histogram
from search.proximity import closeness
from search.ranking import DEFAULT_RANKING, Ranking, reported_score
from search.solr_query import Compiled, compile_tree, filter_queries
from search.whoosh_ranking import plain_words

__all__ = ["SolrBackend", "SolrView"]

#: Seconds an alias → collection lookup (and the generation's caches) is trusted.
ALIAS_TTL = 2.0
#: Key terms a "more like this" query is built from (as the Whoosh backend).
SIMILAR_TERMS = 12
#: Extra facet values each shard sends beyond the limit, so that a value whose count is split
#: across shards is not missed at the top-N boundary (Solr then refines the counts exactly).
OVERREQUEST = 500
#: Hits read per request by a listing (an export).
LISTING_BATCH = 500
#: The stored fields a hit is read with.
STORED_FIELDS = "id,title,content,date,source,url,author,story,person,organization,place"
_TOO_SLOW = "the search took too long; use more specific words"
#: Pauses between the tries of a search that a mending cluster refused (a node died: its
#: replicas are still listed until its ZooKeeper session expires, and leaders are re-elected).
RETRY_DELAYS = (0.1, 0.3, 1.0, 2.0)


class _Generation:
    """One collection as it stands: its name and the memos computed from it."""

    def __init__(self, collection: str, version: str) -> None:
        self.collection = collection
        self.key = (collection, version)
        self.memos: dict[str, Any] = {}
        self.lock = threading.Lock()


class SolrBackend:
    """Searches one SolrCloud collection or alias (``http(s)://HOST:PORT/solr/NAME``); thread-safe."""

    def __init__(
        self,
        url: str,
        *,
        time_limit: float = 5.0,
        ranking: Ranking = DEFAULT_RANKING,
        search_slots: int | None = None,  # the Whoosh backend's option: Solr bounds its own concurrency
        client: SolrClient | None = None,
    ) -> None:
        self.where = SolrLocation.parse(url)
        self.location = str(self.where)
        self.client = client or SolrClient(self.where.base)
        self.time_limit = time_limit
        self.ranking = ranking
        self._generation: _Generation | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._nodes_learned = False
        self._pool: ThreadPoolExecutor | None = None

    @contextmanager
    def view(self) -> Iterator[SolrView]:
        try:
            yield SolrView(self, self._current())
        except SolrMissing as error:
            raise IndexMissing(f"no Solr collection at {self.location}: {error}") from None
        except (SolrAuthError, SolrUnavailable) as error:
            raise BackendUnavailable(str(error)) from None
        except SolrError as error:  # Solr refused the request (400: a limit, such as too many terms)
            if "HTTP 400" in str(error):
                raise QueryError(f"Solr cannot run this search: {error}") from None
            raise BackendUnavailable(f"Solr: {error}") from None

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        self.client.close()

    def pool(self) -> ThreadPoolExecutor:
        """Threads for a search's second request (sent while the first is answered)."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="solr-search")
            return self._pool

    def _current(self) -> _Generation:
        """The collection behind the alias, looked up again at most every :data:`ALIAS_TTL` seconds."""
        now = time.monotonic()
        generation = self._generation
        if generation is not None and now - self._checked < ALIAS_TTL:
            return generation
        with self._lock:
            if not self._nodes_learned:
                self.client.learn_nodes()
                self._nodes_learned = True
            key = self._lookup()
            if self._generation is None or self._generation.key != key:
                self._generation = _Generation(*key)
            self._checked = now
            return self._generation

    def _lookup(self) -> tuple[str, str]:
        """(collection, its newest version): a new commit makes a new generation (fresh memos)."""
        name = self.where.collection
        answer = self.client.post_form(
            f"{name}/select", {"q": "*:*", "rows": 1, "fl": "_version_", "sort": "_version_ desc"}
        )
        docs = answer["response"]["docs"]
        version = f"{answer['response']['numFound']}:{docs[0]['_version_'] if docs else 0}"
        aliases = self.client.admin("LISTALIASES").get("aliases", {})
        return aliases.get(name, name).split(",")[0], version


class SolrView:
    """One request's view of one collection."""

    def __init__(self, backend: SolrBackend, generation: _Generation) -> None:
        self.backend = backend
        self.client = backend.client
        self.gen = generation
        self.collection = generation.collection
        self.generation = generation.collection

    # -- search ----------------------------------------------------------------------------------

    def search(self, plan: SearchPlan) -> Matches:
        """One request: the page (its stories, when collapsed), the counts and the facets.

        A collapsed page of a query whose best hits are rescored for proximity takes two, sent
        at once (:meth:`_rescored_stories`): Solr picks a story's best article by its score
        before the rescoring, and the Whoosh backend, after.
        """
        if plan.limit == 0 and isinstance(plan.tree, qt.Every) and not plan.filters and not plan.date_histogram:
            # The whole index counted (the facets page, the entity list): once per generation.
            whole = self.memo(f"whole:{plan.facet_limit}", lambda: self._search(plan))
            return Matches(whole.total, [], {key: list(values) for key, values in whole.facets.items()})
        return self._search(plan)

    def _search(self, plan: SearchPlan) -> Matches:
        compiled = self._compile(plan.tree)
        words = plain_words(plan.tree)
        end = plan.offset + plan.limit
        window = self._window(plan, words)
        collapse = plan.collapse and end > 0
        rows = max(end, window) if end > 0 else 0
        params = self._params(plan, compiled, window if collapse and window else rows, stems=bool(window))
        if collapse and not window:
            self._collapse(params, compiled, plan.sort)
        facets = self._facets(plan, compiled, excluded="collapse" if collapse and not window else None)
        params["json.facet"] = json.dumps(facets, ensure_ascii=False)
        collapsed = None
        if collapse and window:  # the stories' request does not wait for the window's: both at once
            stories_params = self._params(plan, compiled, end + window)
            self._collapse(stories_params, compiled, plan.sort)
            collapsed = self.backend.pool().submit(self._select, stories_params)
        answer = self._select(params)
        facets_answer = answer.get("facets", {})
        counted = facets_answer.get("articles")
        total = int(counted["count"] if counted else answer["response"]["numFound"])
        stories = int(answer["response"]["numFound"]) if collapse else None
        if collapsed is not None:
            window_hits = self._rescore(answer["response"]["docs"], words)
            hits, stories = self._rescored_stories(plan, compiled, words, window_hits, collapsed.result())
        else:
            hits = self._hits(answer, compiled, words, window)[plan.offset : end] if end > 0 else []
        return Matches(
            total,
            hits,
            _facet_counts(facets_answer),
            total_full=int(facets_answer.get("full", {}).get("count", 0)) if compiled.coverage else None,
            histogram=_histogram(facets_answer) if plan.date_histogram else None,
            stories=stories if plan.collapse else None,
        )

    def _collapse(self, params: dict[str, Any], compiled: Compiled, sort: str) -> None:
        """Collapse the request to each story's best article (in the page's order), the others by expand."""
        params["fq"] = [*params["fq"], "{!collapse tag=collapse field=story sort=$collapse_sort}"]
        params["collapse_sort"] = params["expand.sort"] = _sort(compiled, sort)
        params["expand"] = "true"
        params["expand.rows"] = DUPLICATE_IDS
        params["expand.fl"] = "id"

    def _rescored_stories(
        self,
        plan: SearchPlan,
        compiled: Compiled,
        words: tuple[qt.Word, ...],
        window: list[tuple[dict, float]],
        answer: dict[str, Any],
    ) -> tuple[list[Found], int]:
        """A page of stories in the final order (the rescored window, then Solr's collapsed order).

        A story with an article in the window is placed, and led, by its first article there;
        any other story by Solr's collapsed list (no article of it was rescored).  Its other
        articles: those of the window in their new order, then the rest as Solr expands them.
        """
        end = plan.offset + plan.limit
        expanded = answer.get("expanded", {})
        heads: list[tuple[dict[str, Any], float]] = []
        members: dict[str, list[str]] = {}
        for doc, score in window:
            story = doc.get("story", doc["id"])
            if story in members:
                members[story].append(doc["id"])
            else:
                members[story] = []
                heads.append((doc, score))
        solr_heads = {doc.get("story", doc["id"]): doc for doc in answer["response"]["docs"]}
        heads += [(doc, float(doc.get("score", 0.0))) for story, doc in solr_heads.items() if story not in members]
        found = []
        for doc, score in heads[plan.offset : end]:
            story = doc.get("story", doc["id"])
            group = expanded.get(story, {})
            expanded_ids = [d["id"] for d in group.get("docs", [])]
            others = [*members.get(story, []), solr_heads.get(story, doc)["id"], *expanded_ids]
            ids = tuple(i for i in dict.fromkeys(others) if i != doc["id"])
            count = int(group.get("numFound", len(ids)))
            tier = int(doc["cov"]) if compiled.coverage else None
            shown = reported_score(tier, score)
            found.append(Found(_stored(doc), shown, _missing(doc, compiled, words), ids[:DUPLICATE_IDS], count))
        return found, int(answer["response"]["numFound"])

    def _window(self, plan: SearchPlan, words: tuple[qt.Word, ...]) -> int:
        """Hits to rescore for proximity: the first ``rescore_window`` of a relevance sort of two or more words."""
        ranking = self.backend.ranking
        if plan.sort != "relevance" or len(words) < 2 or ranking.proximity <= 0:
            return 0
        return ranking.rescore_window

    def _compile(self, tree: qt.Node) -> Compiled:
        return compile_tree(tree, self.backend.ranking, self._sources)

    def _params(self, plan: SearchPlan, compiled: Compiled, rows: int, stems: bool = False) -> dict[str, Any]:
        fields = [STORED_FIELDS, "score", *(["title_stem,content_stem"] if stems else [])]
        if compiled.coverage:
            fields.append(f"cov:{compiled.coverage}")
            fields += [f"m{i}:exists(query({ref}))" for i, ref in enumerate(compiled.words) if ref]
        params: dict[str, Any] = {
            "q": compiled.q,
            **compiled.params,
            "fq": filter_queries(plan.filters),
            "rows": rows,
            "fl": ",".join(fields),
            "sort": _sort(compiled, plan.sort),
            "timeAllowed": int(self.backend.time_limit * 1000),
        }
        return params

    def _facets(self, plan: SearchPlan, compiled: Compiled, excluded: str | None = None) -> dict[str, Any]:
        """The JSON Facet request: every facet, the full-match count, the date histogram, and the
        article total — all over every match (``excluded``: the tag of the story collapse)."""
        domain = {"excludeTags": excluded} if excluded else {}
        facets: dict[str, Any] = {}
        if excluded:  # the collapsed numFound counts stories: count the articles here
            facets["articles"] = {"type": "query", "q": "*:*", "domain": domain}
        if plan.facet_limit != 0:
            limit = -1 if plan.facet_limit is None else plan.facet_limit
            for key, field in FACETS.items():
                if key == "date" and plan.date_histogram:
                    continue  # the histogram takes the month facet's place (search/engine.py)
                facets[f"f_{key}"] = {
                    "type": "terms", "field": field, "limit": limit, "sort": "count desc",
                    "refine": True, "overrequest": -1 if limit < 0 else OVERREQUEST, "domain": domain,
                }
        if compiled.coverage:
            full = len(compiled.words)
            facets["full"] = {"type": "query", "q": f"{{!frange l={full}}}{compiled.coverage}", "domain": domain}
        if plan.date_histogram:
            facets["days"] = {"type": "terms", "field": "day", "limit": -1, "domain": domain}
        return facets

    def _select(self, params: dict[str, Any]) -> dict[str, Any]:
        """A search request, tried again a few times while the cluster is mending (a node just died)."""
        for delay in (*RETRY_DELAYS, None):
            try:
                answer = self.client.post_form(f"{self.collection}/select", _flat(params))
                break
            except SolrError as error:
                if delay is None or not _transient(error):
                    raise
                time.sleep(delay)
                self.client.learn_nodes()
        header = answer.get("responseHeader", {})
        if header.get("partialResults"):
            raise QueryError(_TOO_SLOW)
        return answer

    def _hits(self, answer: dict[str, Any], compiled: Compiled, words: tuple[qt.Word, ...], window: int) -> list[Found]:
        docs = answer["response"]["docs"]
        expanded = answer.get("expanded", {})
        rescored = self._rescore(docs[:window], words) if window else []
        ordered = [*rescored, *((doc, float(doc.get("score", 0.0))) for doc in docs[len(rescored) :])]
        found = []
        for doc, score in ordered:
            tier = int(doc["cov"]) if compiled.coverage else None
            missing = _missing(doc, compiled, words)
            duplicates: tuple[str, ...] = ()
            count = 0
            group = expanded.get(doc.get("story", ""))
            if group:
                duplicates = tuple(d["id"] for d in group["docs"])
                count = int(group["numFound"])
            found.append(Found(_stored(doc), reported_score(tier, score), missing, duplicates, count))
        return found

    def _rescore(self, docs: list[dict[str, Any]], words: tuple[qt.Word, ...]) -> list[tuple[dict[str, Any], float]]:
        """The first hits reordered by the words' proximity (``search/ranking.py`` rule 3), with their new scores.

        Positions come from the stem fields' stored values: the stems the index holds, one per
        position (``index/solr_documents.py``).
        """
        ranking = self.backend.ranking
        scored = []
        for doc in docs:
            body = _closeness(doc.get("content_stem", ""), words)
            title = _closeness(doc.get("title_stem", ""), words)
            boost = 1.0 + ranking.proximity * (body + ranking.title_proximity * title)
            scored.append((doc, float(doc.get("score", 0.0)) * boost))
        tiers = [int(doc.get("cov", 0)) for doc in docs]
        order = sorted(range(len(scored)), key=lambda i: (-tiers[i], -scored[i][1], i))
        return [scored[i] for i in order]

    def listing(self, plan: SearchPlan) -> Listing:
        """Every match in result order: ids and scores paged with a cursor, documents read in batches."""
        compiled = self._compile(plan.tree)
        words = plain_words(plan.tree)
        window = self._window(plan, words)
        params = self._params(plan, compiled, LISTING_BATCH)
        params["sort"] = _sort(compiled, plan.sort) + ",id asc"  # a cursor needs the unique key last
        params["fl"] = "id,score" + ("," + params["fl"].split(",score,", 1)[1] if compiled.coverage else "")
        ranked: list[dict[str, Any]] = []
        cursor = "*"
        while True:
            answer = self._select({**params, "cursorMark": cursor})
            ranked += answer["response"]["docs"]
            if answer.get("nextCursorMark", cursor) == cursor:
                break
            cursor = answer["nextCursorMark"]
        return Listing(len(ranked), self._listed(ranked, compiled, words, window))

    def _listed(
        self, ranked: list[dict[str, Any]], compiled: Compiled, words: tuple[qt.Word, ...], window: int
    ) -> Iterator[Found]:
        for start in range(0, len(ranked), LISTING_BATCH):
            batch = ranked[start : start + LISTING_BATCH]
            stored = self._documents([doc["id"] for doc in batch], stems=start == 0 and bool(window))
            docs = [{**stored.get(doc["id"], {}), **doc} for doc in batch]
            if start == 0 and window:
                pairs = [*self._rescore(docs[:window], words), *((d, float(d["score"])) for d in docs[window:])]
            else:
                pairs = [(d, float(d.get("score", 0.0))) for d in docs]
            for doc, score in pairs:
                tier = int(doc["cov"]) if compiled.coverage else None
                yield Found(_stored(doc), reported_score(tier, score), _missing(doc, compiled, words))

    def count(self, tree: qt.Node, filters: Filters) -> int:
        return self.search(SearchPlan(tree, filters, limit=0, facet_limit=0)).full

    # -- documents -------------------------------------------------------------------------------

    def _documents(self, ids: list[str], stems: bool = False) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        fields = STORED_FIELDS + (",title_stem,content_stem" if stems else "")
        answer = self._select({"q": "{!terms f=id}" + ",".join(ids), "rows": len(ids), "fl": fields})
        return {doc["id"]: doc for doc in answer["response"]["docs"]}

    def document(self, doc_id: str) -> StoredDocument | None:
        answer = self._select({"q": "id:" + json.dumps(doc_id, ensure_ascii=False), "rows": 1, "fl": STORED_FIELDS})
        docs = answer["response"]["docs"]
        return _stored(docs[0]) if docs else None

    def similar(self, doc_id: str, limit: int) -> list[tuple[StoredDocument, float]]:
        """Articles sharing the most distinctive stems with ``doc_id`` (Whoosh's Bo1 key terms, same weights)."""
        doc = self.document(doc_id)
        if doc is None:
            return []
        _, _, stems = analyze(f"{doc.title}\n\n{doc.content}")
        key_terms = self._key_terms(Counter(s for s in stems if s))
        if not key_terms:
            return []
        q = " ".join(f'content_stem:{json.dumps(t, ensure_ascii=False)}^{w:.6g}' for t, w in key_terms)
        fq = "-id:" + json.dumps(doc_id, ensure_ascii=False)
        answer = self._select({"q": q, "fq": fq, "rows": limit, "fl": STORED_FIELDS + ",score"})
        return [(_stored(d), float(d["score"])) for d in answer["response"]["docs"]]

    def _key_terms(self, weights: Counter[str]) -> list[tuple[str, float]]:
        """The :data:`SIMILAR_TERMS` best terms by Whoosh's Bo1 model (``whoosh.classify``)."""
        stats = self._term_stats("content_stem", list(weights), ttf=True)
        docs = self._numdocs()
        scored = []
        for term, weight in weights.items():
            cf = stats.get(term, (0, 0))[1]
            if cf:
                f = cf / docs
                scored.append((weight * math.log((1.0 + f) / f, 2) + math.log(1.0 + f, 2), term))
        if not scored:
            return []
        best = max(score for score, _ in scored)
        f = best / docs
        norm = (best * math.log((1.0 + f) / f) + math.log(1.0 + f)) / math.log(2.0)
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        return [(term, score / norm) for score, term in scored[:SIMILAR_TERMS]]

    # -- vocabulary ------------------------------------------------------------------------------

    def _term_stats(self, field: str, terms: list[str], ttf: bool = False) -> dict[str, tuple[int, int]]:
        """(document frequency, total frequency) of each of ``terms`` in ``field`` (one request per 500)."""
        found: dict[str, tuple[int, int]] = {}
        for start in range(0, len(terms), 500):
            chunk = terms[start : start + 500]
            params = {"terms.fl": field, "terms.list": ",".join(chunk), "terms.ttf": ttf, "terms.limit": -1}
            answer = self.client.post_form(f"{self.collection}/terms", params)
            for term, value in _pairs(answer.get("terms", {}).get(field, [])):
                found[term] = (int(value["df"]), int(value["ttf"])) if isinstance(value, dict) else (int(value), 0)
        return found

    def doc_frequency(self, field: str, term: str) -> int:
        return self.doc_frequencies(field, [term]).get(term, 0)

    def doc_frequencies(self, field: str, terms: list[str]) -> dict[str, int]:
        """Document frequencies of many terms at once (did-you-mean asks for hundreds)."""
        cache = self.memo(f"df:{field}", dict)
        wanted = [t for t in dict.fromkeys(terms) if t not in cache and "," not in t]
        if wanted:
            stats = self._term_stats(field, wanted)
            cache.update({t: stats.get(t, (0, 0))[0] for t in wanted})
        return {t: cache.get(t, 0) for t in terms}

    def terms_within(self, field: str, term: str, distance: int, prefix: int) -> list[str]:
        candidates = self._terms(field, {"terms.prefix": term[:prefix], "terms.limit": -1})
        return [t for t in candidates if abs(len(t) - len(term)) <= distance and _distance(t, term) <= distance]

    def prefix_terms(self, field: str, prefix: str, limit: int) -> list[str]:
        return self._terms(field, {"terms.prefix": prefix, "terms.limit": limit, "terms.sort": "index"})[:limit]

    def expand(self, pattern: qt.Pattern) -> list[str]:
        fields = ("title",) if pattern.title_only else ("title", "content")
        regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern.pattern)
        terms: list[str] = []
        for field in fields:
            terms += self._terms(field, {"terms.regex": regex, "terms.limit": -1})
        return terms

    def _terms(self, field: str, params: dict[str, Any]) -> list[str]:
        answer = self.client.post_form(f"{self.collection}/terms", {"terms.fl": field, "terms.mincount": 1, **params})
        return sorted(term for term, _ in _pairs(answer.get("terms", {}).get(field, [])))

    def _sources(self) -> list[str]:
        def build() -> list[str]:
            answer = self._select({"q": "*:*", "rows": 0, "json.facet": json.dumps(
                {"s": {"type": "terms", "field": "source", "limit": -1}}
            )})
            return [b["val"] for b in answer.get("facets", {}).get("s", {}).get("buckets", [])]

        return self.memo("sources", build)

    def _numdocs(self) -> int:
        return int(self._select({"q": "*:*", "rows": 0})["response"]["numFound"])

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        memos = self.gen.memos
        if key not in memos:
            value = build()
            with self.gen.lock:
                memos.setdefault(key, value)
        return memos[key]

    def stats(self) -> dict[str, Any]:
        """Documents, terms per field, size, provenance, shards and whether the analysis matches."""
        status = self.client.admin("CLUSTERSTATUS", collection=self.collection)["cluster"]["collections"]
        state = status[self.collection]
        answer = self._select({"q": "*:*", "rows": 0, "json.facet": json.dumps(
            {"a": {"type": "terms", "field": "analysis", "limit": 5}}
        )})
        analyses = {b["val"] for b in answer.get("facets", {}).get("a", {}).get("buckets", [])}
        props = alias_properties(self.client, self.backend.where.collection)
        stats: dict[str, Any] = {
            "documents": int(answer["response"]["numFound"]),
            "terms": {f: len(self._terms(f, {"terms.limit": -1})) for f in TEXT_FIELDS},
            "size_bytes": self._size(state),
            "created": props.get("created"),
            "updated": props.get("updated"),
            "index_dir": self.backend.location,
            "generation": self.collection,
            "shards": len(state["shards"]),
            "replicas": sum(len(s["replicas"]) for s in state["shards"].values()),
            "analysis_matches": analyses <= {analysis_fingerprint()},
        }
        if not stats["analysis_matches"]:
            stats["warning"] = (
                f"the collection {self.collection} was built by a different version of the Arabic analysis; "
                "some words may not be found until it is rebuilt (`search-cli index --rebuild`)"
            )
        return stats

    def _size(self, state: dict[str, Any]) -> int:
        """Index bytes of one replica per shard (what one copy of the collection takes)."""
        total = 0
        for shard in state["shards"].values():
            replica = next(iter(shard["replicas"].values()))
            base = replica["base_url"]
            try:
                with closing(SolrClient(base)) as node:
                    answer = node.get("admin/cores", {"action": "STATUS", "core": replica["core"]})
                total += int(answer["status"][replica["core"]]["index"].get("sizeInBytes", 0))
            except (SolrError, KeyError):
                continue
        return total


# --- helpers ------------------------------------------------------------------------------------


def _transient(error: SolrError) -> bool:
    """Whether a failed request may succeed if tried again soon (no node answered, or a 5xx)."""
    return isinstance(error, SolrUnavailable) or "HTTP 5" in str(error)


def _sort(compiled: Compiled, sort: str) -> str:
    """Solr's sort: coverage first (a forgiving query), then the score or the date (undated last)."""
    parts = [f"{compiled.coverage} desc"] if compiled.coverage else []
    parts += ["date desc", "score desc"] if sort == "date" else ["score desc"]
    return ",".join([*parts, "seq asc"])


def _flat(params: dict[str, Any]) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for key, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append((key, v))
    return pairs


def _pairs(flat: list[Any] | dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Solr's flat ``[term, value, term, value, …]`` lists (or a JSON object) as pairs."""
    if isinstance(flat, dict):
        yield from flat.items()
        return
    yield from zip(flat[0::2], flat[1::2], strict=True)


def _facet_counts(answer: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
    counts = {}
    for key in FACETS:
        facet = answer.get(f"f_{key}")
        if facet is not None:
            buckets = [(str(b["val"]), int(b["count"])) for b in facet.get("buckets", [])]
            counts[key] = sorted(buckets, key=lambda pair: (-pair[1], pair[0]))
    return counts


def _histogram(answer: dict[str, Any]) -> DateHistogram | None:
    buckets = answer.get("days", {}).get("buckets", [])
    if not buckets:
        return None
    days = np.array([int(b["val"]) for b in buckets], dtype=np.int64)
    counts = np.array([int(b["count"]) for b in buckets], dtype=np.int64)
    return date_histogram(np.repeat(days, counts))


def _missing(doc: dict[str, Any], compiled: Compiled, words: tuple[qt.Word, ...]) -> tuple[str, ...]:
    """The words of a forgiving query the hit lacks (none for a hit naming the query's entity)."""
    if not compiled.coverage or int(doc.get("cov", 0)) >= len(compiled.words):
        return ()
    return tuple(
        word.text for i, word in enumerate(words) if compiled.words[i] is None or not doc.get(f"m{i}", False)
    )


def _closeness(stems: str, words: tuple[qt.Word, ...]) -> float:
    """How close the words stand in a stem field's stored value (its stems, one per position)."""
    if not stems:
        return 0.0
    positions: dict[str, list[int]] = {w.stem: [] for w in words if w.stem}
    for pos, stem in enumerate(stems.split(" ")):
        slot = positions.get(stem)
        if slot is not None:
            slot.append(pos)
    return closeness([positions.get(w.stem) or None if w.stem else None for w in words])


def _stored(doc: dict[str, Any]) -> StoredDocument:
    date = doc.get("date")
    return StoredDocument(
        id=doc.get("id", ""),
        title=doc.get("title", ""),
        content=doc.get("content", ""),
        date=dt.date.fromisoformat(date[:10]) if isinstance(date, str) else None,
        source=doc.get("source") or None,
        url=doc.get("url") or None,
        author=doc.get("author") or None,
        entities={kind: tuple(doc.get(kind, ())) for kind in ENTITY_TYPES},
        story=doc.get("story") or doc.get("id", ""),
    )


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (with transpositions counted as one edit, as Whoosh's terms_within)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]
