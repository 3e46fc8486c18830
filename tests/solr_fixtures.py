"""The SolrCloud tests' shared cluster: ZooKeeper and three Solr nodes, started once per session.

Import ``solr_cluster`` into a conftest or a test module to use it.  Starting three JVMs costs
seconds of both cores, so however many modules import the fixture (each import makes pytest
a separate fixture definition), one cluster serves them all: the first user starts it, the
last one's teardown stops it.  The value is ``start_cluster``'s answer plus ``"directory"``
(for ``restart_node`` in the fault tests).

Also: :func:`zk_set` writes a ZooKeeper node (``/security.json`` turns on basic auth on a
running cluster: :func:`basic_auth_security`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from index.solr_cluster import solr_home_cache, start_cluster, stop_cluster

#: What a local cluster needs: a JDK (the nodes' launcher is compiled) and Maven (the jars).
SOLR_TOOLS = ("java", "javac", "mvn")

_shared: dict[str, Any] = {"users": 0, "info": None}


def missing_solr_tools() -> list[str]:
    """The tools of :data:`SOLR_TOOLS` not on PATH."""
    return [tool for tool in SOLR_TOOLS if shutil.which(tool) is None]


def solr_skip_reason() -> str:
    """One line for ``pytest.skip`` when a tool is missing, else ''."""
    missing = missing_solr_tools()
    return f"SolrCloud tests need {', '.join(missing)} on PATH (a JDK 17+ and Maven)" if missing else ""


@pytest.fixture(scope="session")
def solr_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``{"zk": "127.0.0.1:PORT", "nodes": [{"url", "pid"}, …] (3), "directory": Path}``, live."""
    reason = solr_skip_reason()
    if reason:
        pytest.skip(reason)
    if _shared["users"] == 0:
        directory = tmp_path_factory.mktemp("solrcloud")
        _shared["info"] = {**start_cluster(directory, nodes=3), "directory": directory}
    _shared["users"] += 1
    try:
        yield _shared["info"]
    finally:
        _shared["users"] -= 1
        if _shared["users"] == 0:
            stop_cluster(_shared["info"]["directory"])


def zk_set(zk: str, path: str, data: str) -> None:
    """Write ZooKeeper node ``path`` of the ensemble at ``zk`` (host:port), with ZooKeeper's own CLI."""
    classpath = str(solr_home_cache() / "lib" / "*")
    command = ["java", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath,
               "org.apache.zookeeper.ZooKeeperMain", "-server", zk, "set", path, data]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def basic_auth_security(user: str, password: str) -> str:
    """A ``security.json`` that lets only ``user`` in, with Solr's salted double SHA-256 of the password."""
    salt = os.urandom(32)
    digest = hashlib.sha256(hashlib.sha256(salt + password.encode()).digest()).digest()
    credential = f"{base64.b64encode(digest).decode()} {base64.b64encode(salt).decode()}"
    return json.dumps({
        "authentication": {"class": "solr.BasicAuthPlugin", "blockUnknown": True, "credentials": {user: credential}},
        "authorization": {
            "class": "solr.RuleBasedAuthorizationPlugin",
            "permissions": [{"name": "all", "role": "admin"}],
            "user-role": {user: "admin"},
        },
    })
