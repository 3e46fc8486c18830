"""Administering a SolrCloud cluster's collections: the configset, collections, aliases.

Used on any cluster, the local one of ``search-cli solr start`` or a production one, through
the v1 Collections and Configsets APIs (the v2 API may be disabled).  A rebuild creates
``NAME_<timestamp>``, indexes it, points the alias ``NAME`` at it and deletes the old
collection, so searchers never see a half-built index; these are its steps.

Every failure is a :class:`~index.solr_client.SolrError` with a one-line message.

Layer: the index contract (the write side's view of the cluster).
"""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from pathlib import Path
from typing import Any

from index.solr_client import SolrClient, SolrError, SolrLocation

__all__ = [
    "CONFIGSET",
    "CONFIGSET_DIR",
    "alias_properties",
    "aliases",
    "collection_exists",
    "create_alias",
    "create_collection",
    "delete_collection",
    "generation_name",
    "is_generation_of",
    "new_collection",
    "upload_configset",
    "wait_for_active",
]

#: The configset's name in ZooKeeper, shared by every collection of this project.
CONFIGSET = "arabic-news"
CONFIGSET_DIR = Path(__file__).resolve().parents[1] / "solr" / "configset" / "conf"
#: Creating a collection waits for its replicas; on a busy 2-core machine that takes a while.
ADMIN_TIMEOUT = 180.0


def _configset_zip(conf: Path = CONFIGSET_DIR) -> bytes:
    """The files of ``conf/`` zipped at the archive's root, as the UPLOAD action takes them."""
    files = sorted(path for path in conf.rglob("*") if path.is_file())
    if not files:
        raise SolrError(f"no configset files in {conf}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(conf).as_posix())
    return buffer.getvalue()


def upload_configset(client: SolrClient, name: str = CONFIGSET) -> None:
    """Upload ``solr/configset/conf`` as configset ``name``, replacing it (and dropping stale files).

    Why overwrite: the repository's configuration is the truth; a collection created from it
    must get this checkout's schema, not one uploaded by an older build.
    """
    params = {"action": "UPLOAD", "name": name, "overwrite": "true", "cleanup": "true"}
    client.post_bytes("admin/configs", _configset_zip(), params)


def aliases(client: SolrClient) -> dict[str, str]:
    """Every alias of the cluster → the collection(s) it points at (comma-separated when several)."""
    answer = client.admin("LISTALIASES")
    return {str(alias): str(target) for alias, target in (answer.get("aliases") or {}).items()}


def alias_properties(client: SolrClient, alias: str) -> dict[str, str]:
    """The properties kept with ``alias`` (the indexer records when and from what it wrote)."""
    answer = client.admin("LISTALIASES")
    return {str(k): str(v) for k, v in ((answer.get("properties") or {}).get(alias) or {}).items()}


def _collections(client: SolrClient) -> list[str]:
    return [str(name) for name in client.admin("LIST").get("collections") or []]


def collection_exists(client: SolrClient, name: str) -> bool:
    """Whether ``name`` is a collection or an alias (both answer queries under that name)."""
    return name in _collections(client) or name in aliases(client)


def generation_name(alias: str) -> str:
    """A new collection's name behind ``alias``: ``ALIAS_<UTC timestamp to the microsecond>``."""
    return f"{alias}_{dt.datetime.now(dt.UTC).strftime('%Y%m%d%H%M%S%f')}"


def is_generation_of(name: str, alias: str) -> bool:
    """Whether ``name`` is one of ``alias``'s generations (what :func:`generation_name` makes)."""
    stamp = name[len(alias) + 1 :]
    return name.startswith(alias + "_") and len(stamp) == 20 and stamp.isdigit()


def new_collection(client: SolrClient, name: str, shards: int, replicas: int, config: str = CONFIGSET) -> None:
    """Create an empty collection routed by story (a story's copies share a shard, so Solr can
    collapse them) and wait until every replica is active."""
    try:
        client.admin(
            "CREATE",
            name=name,
            numShards=shards,
            replicationFactor=replicas,
            waitForFinalState="true",
            **{"collection.configName": config, "router.field": "story"},
        )
    except SolrError as error:
        if "core creation failed" in str(error).lower():
            raise SolrError(f"{error} — is the project's Solr plugin on every node? (`search-cli solr fetch` "
                            "builds it; README: SolrCloud in production)") from None
        raise
    wait_for_active(client, name)


def create_collection(url: str, shards: int, replicas: int, client: SolrClient | None = None) -> None:
    """Upload the configset, create the collection for ``url`` and wait until it is active.

    The URL's name becomes an *alias* of a collection ``NAME_<stamp>`` (:func:`generation_name`),
    so that a rebuild can fill a new collection and swap the alias atomically.  Refuses a
    name already taken by a collection or an alias: creating over it would either fail
    half-way or hide the existing one behind the alias.
    """
    location = SolrLocation.parse(url)
    if shards < 1 or replicas < 1:
        raise SolrError(f"a collection needs at least one shard and one replica (got {shards}×{replicas})")
    own = client is None
    client = client or SolrClient(location.base, timeout=ADMIN_TIMEOUT)
    name = location.collection
    try:
        if collection_exists(client, name):
            raise SolrError(f"Solr collection {name!r} already exists at {location.base}")
        upload_configset(client)
        collection = generation_name(name)
        new_collection(client, collection, shards, replicas)
        create_alias(client, name, collection)
    finally:
        if own:
            client.close()


def create_alias(client: SolrClient, alias: str, collection: str) -> None:
    """Point ``alias`` at ``collection`` (atomically replacing where it pointed before)."""
    client.admin("CREATEALIAS", name=alias, collections=collection)


def delete_collection(client: SolrClient, name: str) -> None:
    """Delete collection ``name`` with its data (an alias still pointing at it must be moved first)."""
    client.admin("DELETE", name=name)


def wait_for_active(client: SolrClient, collection: str, timeout: float = ADMIN_TIMEOUT) -> None:
    """Until every replica of ``collection`` (or of the collections of an alias) is active on a live node.

    Why: a collection answers queries while some replicas still recover; the indexer and the
    tests must not read a half-ready cluster as an empty one.
    """
    deadline = time.monotonic() + timeout
    while True:
        status = client.admin("CLUSTERSTATUS", collection=collection)
        ready, total = _active_replicas(status.get("cluster") or {})
        if total and ready == total:
            return
        if time.monotonic() > deadline:
            raise SolrError(f"Solr collection {collection!r}: {ready} of {total} replicas active after {timeout:.0f} s")
        time.sleep(0.25)


def _active_replicas(cluster: dict[str, Any]) -> tuple[int, int]:
    """(active replicas on live nodes, all replicas) of the collections in a CLUSTERSTATUS answer."""
    live = set(cluster.get("live_nodes") or [])
    ready = total = 0
    for collection in (cluster.get("collections") or {}).values():
        for shard in (collection.get("shards") or {}).values():
            for replica in (shard.get("replicas") or {}).values():
                total += 1
                ready += replica.get("state") == "active" and replica.get("node_name") in live
    return ready, total
