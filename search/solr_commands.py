"""``search-cli solr …``: a local SolrCloud for development and tests, and collections on any cluster.

``start`` leaves ZooKeeper and the nodes running after it exits (they are detached) and prints
one JSON line, ``{"zk": …, "nodes": [{"url": …, "pid": …}, …]}``, for scripts; ``stop`` stops
what ``start`` recorded in the same directory.  ``create`` works on any cluster.  Errors are
one line on stderr and exit code 2, as everywhere in ``search-cli``.

Layer: a front end (registered by ``search.cli``; it cannot import ``search.cli``, so it has
its own small copy of the error handling).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["solr_group"]


def _fail(message: str) -> None:
    click.echo(f"search-cli: error: {message}", err=True)
    sys.exit(2)


def cluster_errors(func: F) -> F:
    """Turn the errors a user can meet (no java, port taken, Solr refusing) into one line and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from index.solr_client import SolrError
        from index.solr_cluster import ClusterError

        try:
            return func(*args, **kwargs)
        except (ClusterError, SolrError) as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        except KeyboardInterrupt:
            _fail("interrupted")

    return wrapper  # type: ignore[return-value]


directory_option = click.option(
    "--dir",
    "directory",
    required=True,
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="The cluster's directory: node homes, logs, ZooKeeper's data and cluster.json.",
)


@click.group("solr")
def solr_group() -> None:
    """A local SolrCloud (ZooKeeper and Solr nodes, one JVM each) and collections on any cluster."""


@solr_group.command("fetch")
@cluster_errors
def fetch_command() -> None:
    """Fetch the Solr jars with Maven (once), build the project's Solr plugin jar, print both paths.

    The plugin (the ranking the configset names) must be on every node of a production
    cluster before ``solr create``; the README says how.
    """
    from index.solr_cluster import ensure_jars, plugin_jar

    click.echo(str(ensure_jars()))
    click.echo(str(plugin_jar()))


@solr_group.command("start")
@directory_option
@click.option("--nodes", default=3, show_default=True, type=click.IntRange(1, 16), help="How many Solr nodes.")
@click.option(
    "--port", type=click.IntRange(1, 65535), help="First node's port (the others follow); default: free ports.",
)
@cluster_errors
def start_command(directory: Path, nodes: int, port: int | None) -> None:
    """Start ZooKeeper and the nodes in the background; print one JSON line once every node is live."""
    from index.solr_cluster import start_cluster

    click.echo(json.dumps(start_cluster(directory, nodes=nodes, port=port)))


@solr_group.command("stop")
@directory_option
@cluster_errors
def stop_command(directory: Path) -> None:
    """Stop the cluster started in DIR (nodes first, then ZooKeeper); print how many processes stopped."""
    from index.solr_cluster import stop_cluster

    click.echo(json.dumps({"stopped": stop_cluster(directory)}))


@solr_group.command("create")
@click.argument("url")
@click.option("--shards", default=1, show_default=True, type=click.IntRange(1, 1024), help="Number of shards.")
@click.option("--replicas", default=1, show_default=True, type=click.IntRange(1, 16), help="Replicas of each shard.")
@cluster_errors
def create_command(url: str, shards: int, replicas: int) -> None:
    """Upload the configset and create the collection of URL (http://HOST:PORT/solr/COLLECTION)."""
    from index.solr_admin import create_collection

    create_collection(url, shards, replicas)
    click.echo(f"created {url}: {shards} shard(s) × {replicas} replica(s)", err=True)
