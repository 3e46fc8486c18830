"""``search-cli solr start/create/stop`` and the collection admin on a real local SolrCloud.

One cluster, started by ``search-cli solr start`` as a user would, serves the module's tests
in file order (start, create, aliases, auth, a killed node, stop); the session cluster of
``solr_fixtures`` is only checked to be up (the other Solr test modules use it).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from solr_fixtures import basic_auth_security, solr_cluster, solr_skip_reason, zk_set  # noqa: F401

from index.solr_admin import (
    aliases,
    collection_exists,
    create_alias,
    delete_collection,
    is_generation_of,
    new_collection,
    upload_configset,
    wait_for_active,
)
from index.solr_client import SolrClient, SolrMissing
from index.solr_cluster import ClusterError, restart_node, stop_cluster

pytestmark = pytest.mark.skipif(bool(solr_skip_reason()), reason=solr_skip_reason() or "-")

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``search-cli ARGS`` in a fresh interpreter that turns warnings into errors."""
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "search.cli", *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})}, check=False,
    )


def command_line(pid: int) -> str:
    """The command line of ``pid`` ('' when it is gone), as ps shows it."""
    done = subprocess.run(["ps", "-ww", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert proc.stderr.startswith("search-cli: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    return proc.stderr


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``search-cli solr start`` of a 3-node cluster: the process, its answer and its directory."""
    directory = tmp_path_factory.mktemp("cli-cluster")
    began = time.monotonic()
    proc = cli("solr", "start", "--dir", str(directory))
    seconds = time.monotonic() - began
    try:
        yield {"proc": proc, "directory": directory, "seconds": seconds,
               "info": json.loads(proc.stdout) if proc.returncode == 0 else None}
    finally:
        with contextlib.suppress(ClusterError):  # test_stop_stops_every_process normally did it
            stop_cluster(directory)


@pytest.fixture(scope="module")
def client(started: dict[str, Any]) -> Iterator[SolrClient]:
    if started["info"] is None:
        pytest.fail(f"solr start failed: {started['proc'].stderr}")
    solr = SolrClient(started["info"]["nodes"][0]["url"])
    yield solr
    solr.close()


def test_start_prints_one_json_line_and_leaves_three_node_jvms_running(started: dict[str, Any]) -> None:
    proc = started["proc"]
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1 and "Traceback" not in proc.stderr
    info = started["info"]
    pids = [node["pid"] for node in info["nodes"]]
    assert len(set(pids)) == 3
    for pid in pids:  # the node's own JVM (not a shell), still running after the CLI exited
        args = command_line(pid)
        assert "SolrNode" in args and os.path.basename(args.split()[0]) == "java", args
    state = json.loads((started["directory"] / "cluster.json").read_text(encoding="utf-8"))
    assert state["zk"] == info["zk"] and state["zk_pid"] not in pids
    assert "QuorumPeerMain" in command_line(state["zk_pid"])
    assert [n["url"] for n in state["nodes"]] == [n["url"] for n in info["nodes"]]
    print(f"solr start: 3 nodes live in {started['seconds']:.1f} s")


def test_create_makes_an_active_two_by_two_collection(client: SolrClient) -> None:
    url = f"{client.bases[0]}/news_2x2"
    proc = cli("solr", "create", url, "--shards", "2", "--replicas", "2")
    assert proc.returncode == 0, proc.stderr
    collection = aliases(client)["news_2x2"]  # the name is an alias of NAME_<stamp>, for rebuilds to swap
    assert is_generation_of(collection, "news_2x2")
    status = client.admin("CLUSTERSTATUS", collection=collection)["cluster"]
    assert status["collections"][collection]["router"]["field"] == "story"  # a story's copies share a shard
    shards = status["collections"][collection]["shards"]
    replicas = [r for shard in shards.values() for r in shard["replicas"].values()]
    assert len(shards) == 2 and len(replicas) == 4
    assert all(r["state"] == "active" and r["node_name"] in status["live_nodes"] for r in replicas)
    assert len({r["node_name"] for r in replicas}) >= 2, "replicas are spread over the nodes"


def test_create_of_an_existing_collection_is_one_line(client: SolrClient) -> None:
    err = one_error_line(cli("solr", "create", f"{client.bases[0]}/news_2x2", "--shards", "1", "--replicas", "1"))
    assert "already exists" in err


def test_create_on_an_unreachable_cluster_is_one_line() -> None:
    err = one_error_line(cli("solr", "create", "http://127.0.0.1:1/solr/x", "--shards", "1", "--replicas", "1"))
    assert "127.0.0.1:1" in err


def test_a_rebuild_moves_an_alias_and_deletes_the_old_collection(client: SolrClient) -> None:
    upload_configset(client)
    new_collection(client, "rebuild_1", 1, 1)
    create_alias(client, "rebuild", "rebuild_1")
    assert aliases(client)["rebuild"] == "rebuild_1"
    assert collection_exists(client, "rebuild") and collection_exists(client, "rebuild_1")
    new_collection(client, "rebuild_2", 1, 2)
    create_alias(client, "rebuild", "rebuild_2")
    delete_collection(client, "rebuild_1")
    assert aliases(client)["rebuild"] == "rebuild_2"
    assert not collection_exists(client, "rebuild_1")
    wait_for_active(client, "rebuild", timeout=60)  # through the alias
    with pytest.raises(SolrMissing):
        delete_collection(client, "rebuild_1")


def test_wrong_password_is_one_line(started: dict[str, Any], client: SolrClient) -> None:
    zk, url = started["info"]["zk"], f"{client.bases[0]}/guarded"
    zk_set(zk, "/security.json", basic_auth_security("admin", "right"))
    try:
        _wait_for_status(client.bases[0], 401)
        err = one_error_line(cli("solr", "create", url, env={"NEWS_SEARCH_SOLR_USER": "admin",
                                                           "NEWS_SEARCH_SOLR_PASSWORD": "wrong"}))
        assert "credentials" in err and "HTTP 401" in err
        proc = cli("solr", "create", url, env={"NEWS_SEARCH_SOLR_USER": "admin", "NEWS_SEARCH_SOLR_PASSWORD": "right"})
        assert proc.returncode == 0, proc.stderr
    finally:
        zk_set(zk, "/security.json", "{}")
        _wait_for_status(client.bases[0], 200)


def _wait_for_status(base: str, status: int, timeout: float = 30.0) -> None:
    """Until an anonymous request gets HTTP ``status`` (nodes reload security.json when ZK changes)."""
    deadline = time.monotonic() + timeout
    got = 0
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/admin/collections?action=LIST", timeout=5) as answer:
                got = answer.status
        except urllib.error.HTTPError as exc:
            got = exc.code
        if got == status:
            return
        time.sleep(0.2)
    raise AssertionError(f"anonymous requests still get HTTP {got}, not {status}")


def test_a_killed_node_restarts_on_its_port_and_its_replicas_recover(
    started: dict[str, Any], client: SolrClient
) -> None:
    directory = started["directory"]
    old = started["info"]["nodes"][2]
    os.kill(old["pid"], signal.SIGKILL)
    with pytest.raises(ClusterError, match="still running"):
        restart_node(directory, 0)
    new = restart_node(directory, 2)
    assert new["url"] == old["url"] and new["pid"] != old["pid"] and "SolrNode" in command_line(new["pid"])
    wait_for_active(client, "news_2x2", timeout=120)
    state = json.loads((directory / "cluster.json").read_text(encoding="utf-8"))
    assert state["nodes"][2]["pid"] == new["pid"]


def test_start_refuses_a_port_in_use_and_a_running_directory(started: dict[str, Any], tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = one_error_line(cli("solr", "start", "--dir", str(tmp_path / "c"), "--nodes", "1", "--port", str(port)))
    assert f"port {port} is in use" in err
    assert "already running" in one_error_line(cli("solr", "start", "--dir", str(started["directory"])))
    assert "no cluster" in one_error_line(cli("solr", "stop", "--dir", str(tmp_path / "empty")))


def test_stop_stops_every_process(started: dict[str, Any]) -> None:
    state = json.loads((started["directory"] / "cluster.json").read_text(encoding="utf-8"))
    pids = [node["pid"] for node in state["nodes"]] + [state["zk_pid"]]
    proc = cli("solr", "stop", "--dir", str(started["directory"]))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"stopped": 4}
    assert all(command_line(pid) == "" or "defunct" in command_line(pid) for pid in pids)
    for node in state["nodes"]:
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", node["port"])) != 0, "the node's port is closed"
    again = cli("solr", "stop", "--dir", str(started["directory"]))
    assert again.returncode == 0 and json.loads(again.stdout) == {"stopped": 0}


def test_the_session_cluster_is_three_live_nodes(solr_cluster: dict[str, Any]) -> None:  # noqa: F811
    solr = SolrClient(solr_cluster["nodes"][0]["url"])
    try:
        assert sorted(solr.live_nodes()) == sorted(node["url"] for node in solr_cluster["nodes"])
    finally:
        solr.close()
    assert all("SolrNode" in command_line(node["pid"]) for node in solr_cluster["nodes"])
