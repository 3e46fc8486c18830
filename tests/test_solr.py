"""The SolrCloud backend: its own write path, its errors and its faults, on a local 3-node cluster.

The behavioural search tests (tests/test_search.py, test_facets.py, test_stories.py) run on
both backends already; this module covers what only a cluster has: updates that move an
article between shards, alias swaps, worker processes posting to Solr, credentials, and
nodes killed with SIGKILL while queries or an indexing run go on.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from solr_fixtures import basic_auth_security, solr_skip_reason, zk_set

from index.build import build_index, delete_documents
from index.contract import FIELD_BOOSTS, IndexDocument
from index.failpoints import MARKER_ENV, PAUSEPOINT_ENV
from index.solr_admin import aliases, create_collection, wait_for_active
from index.solr_client import SolrClient
from index.solr_cluster import restart_node
from index.solr_documents import java_offsets, solr_document
from index.store import IndexingError, StrictModeError
from search import querytree as qt
from search.backend import SearchPlan
from search.cli import main
from search.engine import Engine, SearchRequest
from web import create_app
from web.state import close_engine

pytestmark = pytest.mark.skipif(bool(solr_skip_reason()), reason=solr_skip_reason() or "-")

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "solr" / "configset" / "conf" / "schema.xml"
WORDS = (
    *("الرياض", "جدة", "مكة", "المدينة", "الدمام", "وزير", "أمير", "مجلس", "الشورى", "التعليم", "الصحة"),
    *("النفط", "الأسهم", "السوق", "المنتخب", "الكرة", "الهلال", "النصر", "الاتحاد", "المطر", "الطقس"),
    *("الحرارة", "المرور", "الجامعة", "الطلاب", "المستشفى", "المشروع", "الميزانية", "التنمية", "الاقتصاد"),
    *("الشركة", "البنك", "الاستثمار", "الأمن", "الحدود", "الحج", "العمرة", "الزوار", "المعرض", "الكتاب"),
)


def records(count: int, seed: int = 0, prefix: str = "r") -> list[dict[str, str]]:
    """``count`` short articles of random words (no two share a five-word run: each its own story)."""
    rnd = random.Random(seed)
    return [
        {
            "id": f"{prefix}{i:05d}",
            "title": " ".join(rnd.choices(WORDS, k=5)),
            "content": " ".join(rnd.choices(WORDS, k=60)),
            "date": f"2015-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "source": "صحيفة اختبار",
        }
        for i in range(count)
    ]


def write_json(path: Path, items: list[dict[str, str]]) -> Path:
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def new_url(base: str, name: str, shards: int = 2, replicas: int = 1) -> str:
    url = f"{base}/{name}"
    create_collection(url, shards, replicas)
    return url


def ids_and_stories(location: Path | str) -> dict[str, str]:
    with closing(Engine(location)) as engine, engine.backend.view() as view:
        return {found.doc.id: found.doc.story for found in view.listing(SearchPlan(qt.Every())).hits}


def collection_of(client: SolrClient, alias: str) -> str:
    return aliases(client)[alias]


@pytest.fixture(scope="module")
def client(solr_base: str) -> Iterator[SolrClient]:
    with closing(SolrClient(solr_base)) as solr:
        yield solr


# --- the index contract in Solr's terms -----------------------------------------------------------


def test_the_schema_boosts_fields_as_the_contract_does() -> None:
    """The similarity applies the field boosts inside the term frequency; they must be the contract's."""
    similarity = ET.parse(SCHEMA).getroot().find("similarity")
    assert similarity is not None and similarity.get("class", "").endswith("WhooshBM25FSimilarityFactory")
    named = {e.get("name", ""): float(e.text or 0) for e in similarity}
    boosts = {name.removeprefix("boost."): value for name, value in named.items() if name.startswith("boost.")}
    assert boosts == FIELD_BOOSTS


def test_offsets_are_java_utf16_positions() -> None:
    assert java_offsets("الرقة") is None  # the Basic Multilingual Plane: Python's own offsets
    text = "😀 الرقة 😀 دير"
    shift = java_offsets(text)
    assert shift is not None and shift[2] == 3 and shift[len(text)] == len(text) + 2
    doc = IndexDocument(
        id="x", title="", content=text, title_terms=[], title_stems=[], title_spans=[],
        content_terms=["الرقه", "دير"], content_stems=["رقه", "دير"], content_spans=[(2, 7), (10, 13)],
    )
    tokens = json.loads(solr_document(doc, "fp", 0)["content"])["tokens"]
    assert [(t["s"], t["e"]) for t in tokens] == [(3, 8), (12, 15)]  # each emoji counts two
    assert all(a["e"] <= b["s"] for a, b in itertools.pairwise(tokens))  # never backwards


# --- writing ------------------------------------------------------------------------------------------


def test_an_update_adds_replaces_and_joins_stories_as_a_full_build_does(
    solr_base: str, client: SolrClient, tmp_path: Path
) -> None:
    first = records(30, seed=1)
    wire = {**first[3], "id": "copy-of-3"}  # a wire copy: joins r00003's story
    moved = {**first[5], "content": first[7]["content"], "title": first[7]["title"]}  # r00005 now copies r00007
    url = new_url(solr_base, "updates")
    build_index([write_json(tmp_path / "a.json", first)], url, rebuild=True)
    report = build_index([write_json(tmp_path / "b.json", [wire, moved])], url)
    assert not report.rebuilt and report.indexed == 2
    got = ids_and_stories(url)
    assert len(got) == 31 and got["copy-of-3"] == "r00003" and got["r00005"] == "r00007"
    whoosh = tmp_path / "whoosh"
    build_index([tmp_path / "a.json"], whoosh, rebuild=True)
    build_index([tmp_path / "b.json"], whoosh)
    assert ids_and_stories(whoosh) == got  # the same stories as the Whoosh store's update
    answer = client.post_form(f"{collection_of(client, 'updates')}/select", {"q": "id:r00005", "rows": 5})
    assert answer["response"]["numFound"] == 1  # moved to another story (maybe another shard), not doubled


def test_delete_removes_present_ids_and_lists_unknown_ones(solr_base: str, tmp_path: Path) -> None:
    url = new_url(solr_base, "deletes")
    build_index([write_json(tmp_path / "a.json", records(12, seed=2))], url, rebuild=True)
    report = delete_documents(url, ["r00001", "r00002", "nope"])
    assert report.deleted == 2 and report.unknown == ["nope"]
    assert set(ids_and_stories(url)) == {f"r{i:05d}" for i in range(12)} - {"r00001", "r00002"}


def test_a_rebuild_swaps_the_alias_and_drops_the_old_collection(
    solr_base: str, client: SolrClient, tmp_path: Path
) -> None:
    url = new_url(solr_base, "swaps")
    build_index([write_json(tmp_path / "a.json", records(10, seed=3, prefix="a"))], url, rebuild=True)
    before = collection_of(client, "swaps")
    with closing(Engine(url)) as engine:
        assert engine.search(SearchRequest("الرياض OR جدة OR مكة")).total > 0
        build_index([write_json(tmp_path / "b.json", records(7, seed=4, prefix="b"))], url, rebuild=True)
        after = collection_of(client, "swaps")
        assert after != before and before not in client.admin("LIST")["collections"]
        time.sleep(2.1)  # the engine looks the alias up again at most every 2 s
        assert set(ids_and_stories(url)) == {f"b{i:05d}" for i in range(7)}
        assert engine.stats()["generation"] == after and engine.stats()["documents"] == 7


def test_a_failed_rebuild_leaves_the_live_collection_alone(solr_base: str, client: SolrClient, tmp_path: Path) -> None:
    url = new_url(solr_base, "strict")
    build_index([write_json(tmp_path / "a.json", records(5, seed=5))], url, rebuild=True)
    live = collection_of(client, "strict")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(StrictModeError):
        build_index([write_json(tmp_path / "b.json", records(5, seed=6, prefix="b")), broken], url, rebuild=True,
                    strict=True)
    assert collection_of(client, "strict") == live
    assert [c for c in client.admin("LIST")["collections"] if c.startswith("strict_")] == [live]
    assert len(ids_and_stories(url)) == 5


def test_workers_index_what_one_process_indexes(solr_base: str, tmp_path: Path) -> None:
    source = write_json(tmp_path / "a.json", [*records(300, seed=7), {**records(1, seed=7)[0], "id": "dup"}])
    one, two = new_url(solr_base, "one_proc"), new_url(solr_base, "two_procs")
    build_index([source], one, rebuild=True, procs=1)
    build_index([source], two, rebuild=True, procs=2)
    assert ids_and_stories(one) == ids_and_stories(two) and len(ids_and_stories(two)) == 301
    with closing(Engine(one)) as a, closing(Engine(two)) as b:
        for q in ("الرياض جدة", "وزير الصحة", '"السوق المنتخب"'):
            assert a.search(SearchRequest(q)).to_json()["hits"] == b.search(SearchRequest(q)).to_json()["hits"]


def test_an_update_by_another_analysis_is_refused(solr_base: str, client: SolrClient, tmp_path: Path) -> None:
    url = new_url(solr_base, "fingerprint")
    build_index([write_json(tmp_path / "a.json", records(3, seed=8))], url, rebuild=True)
    collection = collection_of(client, "fingerprint")
    client.post_json(f"{collection}/update", [{"id": "old", "story": "old", "analysis": "an-older-analysis"}],
                     {"commit": "true"})
    with pytest.raises(IndexingError, match="different version of the Arabic analysis"):
        build_index([tmp_path / "a.json"], url)


# --- the front ends on a collection --------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_url(make_location) -> str:
    return make_location("solr", name="seed_fronts", seed=True)


def test_every_cli_command_works_on_a_collection(seed_url: str, tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str) -> Any:
        result = runner.invoke(main, [*args, "--index", seed_url])
        assert result.exit_code == 0, result.output
        return result

    hits = json.loads(run("search", "الرقة", "--json").stdout)["hits"]
    assert hits and all("الرقة" in json.dumps(h["snippets"], ensure_ascii=False) for h in hits[:1])
    assert json.loads(run("show", hits[0]["id"], "--json").stdout)["id"] == hits[0]["id"]
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["documents"] == 5 and stats["shards"] == 2 and stats["analysis_matches"] is True
    assert json.loads(run("facets", "--json").stdout)["facets"]["place"]
    assert "قوات سوريا الديمقراطية" in run("entities").stdout
    queries = tmp_path / "q.tsv"
    queries.write_text("1\tالرقة\n2\tدير الزور\n", encoding="utf-8")
    assert len(run("batch", str(queries)).stdout.splitlines()) >= 5
    env = {"NEWS_SEARCH_INDEX": seed_url}
    result = runner.invoke(main, ["search", "داعش", "--json"], env=env)
    assert result.exit_code == 0 and json.loads(result.stdout)["total"] == 5


def test_the_web_app_searches_a_collection(seed_url: str) -> None:
    app = create_app({"INDEX": seed_url, "TESTING": True})
    try:
        web = app.test_client()
        found = web.get("/api/search?q=الرقة").get_json()
        assert found["total"] == 4 and found["hits"][0]["snippets"]
        page = web.get("/?q=الرقة")
        assert page.status_code == 200 and "<mark>" in page.get_data(as_text=True)
        doc = web.get(f"/doc/{found['hits'][0]['id']}")
        assert doc.status_code == 200
        assert web.get("/api/suggest?q=الرق").status_code == 200
        feed = web.get("/feed?q=الرقة")
        assert feed.status_code == 200 and b"<entry" in feed.data
        entity = web.get("/api/entity/organization/قوات سوريا الديمقراطية").get_json()
        assert entity["total"] >= 3 and entity["articles"]
        assert web.get("/entity/organization/قوات سوريا الديمقراطية").status_code == 200
        export = web.get("/api/export?q=الرقة&format=jsonl")
        assert export.status_code == 200 and len(export.get_data(as_text=True).splitlines()) == 4
    finally:
        close_engine(app)


# --- errors: one line, exit code 2 ---------------------------------------------------------------


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "search.cli", *args],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=300, check=False,
    )


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


def test_a_missing_collection_is_one_line(solr_base: str) -> None:
    assert "no Solr collection" in one_line_error(cli("search", "الرقة", "--index", f"{solr_base}/no_such"))


def test_an_unreachable_cluster_is_one_line() -> None:
    assert "127.0.0.1:1" in one_line_error(cli("search", "الرقة", "--index", "http://127.0.0.1:1/solr/x"))
    assert "127.0.0.1:1" in one_line_error(cli("index", "--index", "http://127.0.0.1:1/solr/x"))


def test_a_wrong_password_is_one_line(solr_cluster: dict[str, Any], seed_url: str) -> None:
    zk_set(solr_cluster["zk"], "/security.json", basic_auth_security("reader", "right"))
    try:
        _wait_for_auth(seed_url, 401)
        wrong = {"NEWS_SEARCH_SOLR_USER": "reader", "NEWS_SEARCH_SOLR_PASSWORD": "wrong"}
        assert "credentials" in one_line_error(cli("search", "الرقة", "--index", seed_url, env=wrong))
        right = {"NEWS_SEARCH_SOLR_USER": "reader", "NEWS_SEARCH_SOLR_PASSWORD": "right"}
        assert cli("search", "الرقة", "--index", seed_url, env=right).returncode == 0
    finally:
        zk_set(solr_cluster["zk"], "/security.json", "{}")
        _wait_for_auth(seed_url, 200)


def _wait_for_auth(url: str, status: int, timeout: float = 30.0) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            got = urllib.request.urlopen(f"{url}/select?q=*:*&rows=0", timeout=5).status
        except urllib.error.HTTPError as error:
            got = error.code
        if got == status or time.monotonic() > deadline:
            assert got == status
            return
        time.sleep(0.2)


# --- faults: kill -9 a node -----------------------------------------------------------------------


def _node_of(cluster: dict[str, Any], node_name: str) -> int:
    """The cluster's index of a node named as ZooKeeper names it (``127.0.0.1:PORT_solr``)."""
    port = int(node_name.split(":")[1].split("_")[0])
    return next(i for i, n in enumerate(cluster["nodes"]) if n["url"].endswith(f":{port}/solr"))


def _kill(cluster: dict[str, Any], index: int) -> None:
    os.kill(cluster["nodes"][index]["pid"], signal.SIGKILL)


def _restart(cluster: dict[str, Any], index: int, client: SolrClient, collections: list[str]) -> None:
    node = restart_node(cluster["directory"], index)
    cluster["nodes"][index]["pid"] = node["pid"]
    for collection in collections:
        wait_for_active(client, collection, timeout=180)


def _replica_nodes(client: SolrClient, collection: str, cluster: dict[str, Any]) -> list[int]:
    state = client.admin("CLUSTERSTATUS", collection=collection)["cluster"]["collections"][collection]
    return [_node_of(cluster, r["node_name"]) for s in state["shards"].values() for r in s["replicas"].values()]


@pytest.fixture(scope="module")
def replicated(solr_cluster: dict[str, Any], solr_base: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A 2-shard × 2-replica collection of 400 articles."""
    url = new_url(solr_base, "replicated", shards=2, replicas=2)
    source = write_json(tmp_path_factory.mktemp("replicated") / "a.json", records(400, seed=9))
    build_index([source], url, rebuild=True)
    return url


def test_killing_a_node_during_a_query_loop_fails_no_query_after_a_few_seconds(
    solr_cluster: dict[str, Any], client: SolrClient, replicated: str
) -> None:
    collection = collection_of(client, "replicated")
    victim = next(i for i in _replica_nodes(client, collection, solr_cluster) if i != 0)  # the URL's node stays
    queries = ["الرياض", "وزير الصحة", "السوق المنتخب الكرة", '"أمير مجلس"']
    with closing(Engine(replicated)) as engine:
        expected = {q: engine.search(SearchRequest(q)).total for q in queries}
        outcomes: list[tuple[float, str, object]] = []
        _kill(solr_cluster, victim)
        killed = time.monotonic()
        try:
            while time.monotonic() - killed < 12:
                for q in queries:
                    try:
                        outcomes.append((time.monotonic() - killed, q, engine.search(SearchRequest(q)).total))
                    except Exception as error:  # every failure is recorded, and judged below
                        outcomes.append((time.monotonic() - killed, q, error))
        finally:
            _restart(solr_cluster, victim, client, [collection])
    late = [(t, q, got) for t, q, got in outcomes if t > 4.0]
    assert late and all(got == expected[q] for _, q, got in late), [o for o in late if o[2] != expected[o[1]]][:5]


def test_killing_a_node_during_indexing_loses_no_document(
    solr_cluster: dict[str, Any], solr_base: str, client: SolrClient, tmp_path: Path
) -> None:
    """The indexer pauses after its first batch is in (proof that the kill falls mid-run), a node
    holding replicas is killed, and the run goes on: its retries must land every batch."""
    url = new_url(solr_base, "killed_while_indexing", shards=2, replicas=2)
    source = write_json(tmp_path / "a.json", records(1200, seed=10))
    marker = tmp_path / "marker"
    env = {**os.environ, PAUSEPOINT_ENV: "solr-batch-posted", MARKER_ENV: str(marker)}
    indexer = subprocess.Popen(
        [sys.executable, "-W", "error", "-m", "search.cli", "index", str(source), "--rebuild", "--workers", "2",
         "--index", url, "-q"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    victim = None
    try:
        deadline = time.monotonic() + 240
        while not marker.exists() and indexer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), indexer.communicate()[1][-2000:]
        building = [c for c in client.admin("LIST")["collections"] if c.startswith("killed_while_indexing_")]
        new = max(building)  # the collection the rebuild fills (the newest stamp)
        victim = next(i for i in _replica_nodes(client, new, solr_cluster) if i != 0)
        _kill(solr_cluster, victim)
        Path(str(marker) + ".resume").touch()
        _, err = indexer.communicate(timeout=600)
        assert indexer.returncode == 0, err[-3000:]
    finally:
        if indexer.poll() is None:
            indexer.kill()
        if victim is not None:
            _restart(solr_cluster, victim, client, [collection_of(client, "killed_while_indexing")])
    assert set(ids_and_stories(url)) == {f"r{i:05d}" for i in range(1200)}


def test_a_restarted_node_recovers_and_serves(
    solr_cluster: dict[str, Any], client: SolrClient, replicated: str
) -> None:
    """After the kills above, every replica is active again and each node answers for the whole collection."""
    collection = collection_of(client, "replicated")
    wait_for_active(client, collection, timeout=120)
    for node in solr_cluster["nodes"]:
        with closing(SolrClient(node["url"])) as direct:
            answer = direct.post_form(f"{collection}/select", {"q": "*:*", "rows": 0})
            assert answer["response"]["numFound"] == 400
        with closing(SolrClient(node["url"])) as direct:  # the node's own replica, alone (no distribution)
            for core in _cores_on(direct, collection):
                local = direct.post_form(f"{core}/select", {"q": "*:*", "rows": 0, "distrib": "false"})
                assert local["response"]["numFound"] > 0


def _cores_on(client: SolrClient, collection: str) -> list[str]:
    status = client.get("admin/cores", {"action": "STATUS"})["status"]
    return [name for name, core in status.items() if core.get("cloud", {}).get("collection") == collection]


def test_concurrent_threads_share_one_engine_on_a_collection(seed_url: str) -> None:
    with closing(Engine(seed_url)) as engine:
        expected = engine.search(SearchRequest("داعش")).total
        errors: list[object] = []

        def worker() -> None:
            for _ in range(10):
                if engine.search(SearchRequest("داعش")).total != expected:
                    errors.append("total")

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
