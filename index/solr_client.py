"""Talking to a SolrCloud cluster: its address, its credentials, its errors.

A Solr location is a collection URL, ``http(s)://HOST:PORT/solr/COLLECTION``; ``--index`` and
``NEWS_SEARCH_INDEX`` take one wherever they take an index directory.  The collection may be
an alias (a rebuild creates a new collection and points the alias at it).  Basic auth comes
from ``NEWS_SEARCH_SOLR_USER`` / ``NEWS_SEARCH_SOLR_PASSWORD``; ``https`` uses the system's
certificate store.

One :class:`SolrClient` is shared by a process's threads.  It keeps a small pool of
keep-alive connections per node (an ``http.client`` connection serves one request at a
time), so a search costs no TCP handshake and a server that starts a thread per request
does not leak a connection per thread.  A request that cannot reach the node it was sent to
is tried on the cluster's other live nodes (a node killed mid-query), then reported as
:class:`SolrUnavailable`; every failure is a :class:`SolrError` whose message is meant for
the user, never a traceback.

Layer: the index contract (used by the write side and the read side alike).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SolrAuthError",
    "SolrClient",
    "SolrError",
    "SolrLocation",
    "SolrMissing",
    "SolrUnavailable",
    "is_solr_url",
]

#: Idle keep-alive connections kept per node (more concurrent requests open more, then close them).
MAX_IDLE = 16

_URL = re.compile(r"^(https?)://([^/\s]+)(/[^\s?#]*?)?/([^/\s?#]+)/?$")


class SolrError(Exception):
    """A Solr request failed; the message says why, in one line."""


class SolrUnavailable(SolrError):  # noqa: N818 - a kind of SolrError, named for what happened
    """No node of the cluster answered."""


class SolrAuthError(SolrError):
    """The cluster refused our credentials."""


class SolrMissing(SolrError):  # noqa: N818 - a kind of SolrError, named for what happened
    """The collection (or alias) does not exist."""


def is_solr_url(location: object) -> bool:
    """Whether an ``--index`` value names a Solr collection rather than a directory."""
    return isinstance(location, str) and location.startswith(("http://", "https://"))


@dataclass(frozen=True)
class SolrLocation:
    """``http(s)://HOST:PORT/solr/COLLECTION`` split into the node's base URL and the collection."""

    base: str
    collection: str

    @classmethod
    def parse(cls, url: str) -> SolrLocation:
        match = _URL.match(url.strip())
        if not match:
            raise SolrError(f"not a Solr collection URL (http(s)://HOST:PORT/solr/COLLECTION): {url}")
        scheme, host, path, collection = match.groups()
        return cls(f"{scheme}://{host}{path or ''}", urllib.parse.unquote(collection))

    def __str__(self) -> str:
        return f"{self.base}/{self.collection}"


class SolrClient:
    """JSON requests to one SolrCloud cluster, failing over between its live nodes."""

    def __init__(self, base: str, *, timeout: float = 30.0, user: str | None = None, password: str | None = None):
        self.bases = [base.rstrip("/")]
        self.timeout = timeout
        user = os.environ.get("NEWS_SEARCH_SOLR_USER", "") if user is None else user
        password = os.environ.get("NEWS_SEARCH_SOLR_PASSWORD", "") if password is None else password
        self._auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode() if user else None
        self._lock = threading.Lock()
        self._idle: dict[str, list[http.client.HTTPConnection]] = {}
        #: The process that made it: a worker process forked with a copy makes its own.
        self.pid = os.getpid()

    # -- requests ------------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | Sequence[tuple[str, Any]] = ()) -> dict[str, Any]:
        """``GET base/path?params`` → the JSON answer."""
        query = urllib.parse.urlencode(_pairs(params))
        return self._request("GET", f"{path}?{query}" if query else path, None, {})

    def post_form(self, path: str, params: Mapping[str, Any] | Sequence[tuple[str, Any]]) -> dict[str, Any]:
        """``POST base/path`` with form-encoded parameters (long queries do not fit in a URL)."""
        body = urllib.parse.urlencode(_pairs(params)).encode("utf-8")
        return self._request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_json(self, path: str, payload: Any, params: Mapping[str, Any] = ()) -> dict[str, Any]:
        """``POST base/path?params`` with a JSON body (updates, JSON requests)."""
        query = urllib.parse.urlencode(_pairs(params))
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return self._request("POST", f"{path}?{query}" if query else path, body, {"Content-Type": "application/json"})

    def post_raw_json(self, path: str, body: bytes, params: Mapping[str, Any] = ()) -> dict[str, Any]:
        """``POST base/path?params`` with a JSON body already encoded."""
        query = urllib.parse.urlencode(_pairs(params))
        return self._request("POST", f"{path}?{query}" if query else path, body, {"Content-Type": "application/json"})

    def post_bytes(self, path: str, body: bytes, params: Mapping[str, Any] = ()) -> dict[str, Any]:
        """``POST base/path?params`` with a binary body (a configset zip)."""
        query = urllib.parse.urlencode(_pairs(params))
        headers = {"Content-Type": "application/octet-stream"}
        return self._request("POST", f"{path}?{query}" if query else path, body, headers)

    def admin(self, action: str, **params: Any) -> dict[str, Any]:
        """A Collections API call (``/admin/collections?action=…``)."""
        return self.get("admin/collections", {"action": action, **{k: v for k, v in params.items() if v is not None}})

    def live_nodes(self) -> list[str]:
        """Base URLs of the cluster's live nodes (as the cluster names them)."""
        status = self.admin("CLUSTERSTATUS")
        scheme = self.bases[0].split("://", 1)[0]
        return [f"{scheme}://{node.replace('_solr', '/solr', 1)}" for node in status["cluster"].get("live_nodes", [])]

    def close(self) -> None:
        """Close the idle connections (a connection in use is closed when its request ends)."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    def learn_nodes(self) -> None:
        """Add the cluster's live nodes to the ones requests may go to (failover)."""
        try:
            live = self.live_nodes()
        except SolrError:
            return
        with self._lock:
            self.bases = [*self.bases, *(n for n in live if n not in self.bases)]

    # -- transport -----------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> dict[str, Any]:
        if self._auth:
            headers = {**headers, "Authorization": self._auth}
        last: Exception | None = None
        for base in list(self.bases):
            try:
                return self._send(base, method, path, body, headers)
            except (OSError, http.client.HTTPException) as exc:  # this node is down: try another
                self._demote(base)
                last = exc
        raise SolrUnavailable(f"no Solr node answered at {self.bases[0]} ({_reason(last)})")

    def _send(self, base: str, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> dict[str, Any]:
        """One request on a pooled keep-alive connection (a stale one is replaced once)."""
        parsed = urllib.parse.urlsplit(base)
        target = f"{parsed.path}/{path}"
        connection = self._checkout(base, parsed)
        try:
            try:
                connection.request(method, target, body=body, headers=headers)
                response = connection.getresponse()
            except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
                connection.close()  # the node closed an idle keep-alive connection: a fresh one
                connection = _new_connection(parsed, self.timeout)
                connection.request(method, target, body=body, headers=headers)
                response = connection.getresponse()
            data = response.read()
        except BaseException:
            connection.close()
            raise
        self._checkin(base, connection)
        return _answer(response.status, data, f"{base}/{path.split('?', 1)[0]}")

    def _checkout(self, base: str, parsed: urllib.parse.SplitResult) -> http.client.HTTPConnection:
        with self._lock:
            idle = self._idle.get(base)
            if idle:
                return idle.pop()
        return _new_connection(parsed, self.timeout)

    def _checkin(self, base: str, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(base, [])
            if len(idle) < MAX_IDLE:
                idle.append(connection)
                return
        connection.close()

    def _demote(self, base: str) -> None:
        """A node that did not answer: drop its idle connections and try it last from now on."""
        with self._lock:
            stale = self._idle.pop(base, [])
            if len(self.bases) > 1 and base in self.bases:
                self.bases.remove(base)
                self.bases.append(base)
        for connection in stale:
            connection.close()


def _new_connection(parsed: urllib.parse.SplitResult, timeout: float) -> http.client.HTTPConnection:
    if parsed.scheme == "https":
        return http.client.HTTPSConnection(parsed.netloc, timeout=timeout, context=ssl.create_default_context())
    return http.client.HTTPConnection(parsed.netloc, timeout=timeout)


def _pairs(params: Mapping[str, Any] | Sequence[tuple[str, Any]]) -> list[tuple[str, str]]:
    items = params.items() if isinstance(params, Mapping) else params
    pairs = []
    for key, value in items:
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            pairs.append((key, "true" if v is True else "false" if v is False else str(v)))
    return pairs


def _answer(status: int, data: bytes, where: str) -> dict[str, Any]:
    """The JSON body of a 2xx answer, else the matching :class:`SolrError`."""
    try:
        payload = json.loads(data) if data else {}
    except ValueError:
        payload = {}
    if 200 <= status < 300:
        return payload
    message = _error_message(payload) or data[:200].decode("utf-8", "replace").strip().splitlines()[0:1]
    message = message if isinstance(message, str) else (message[0] if message else f"HTTP {status}")
    if status in (401, 403):
        raise SolrAuthError(f"Solr refused the credentials at {where} (HTTP {status}); "
                            "set NEWS_SEARCH_SOLR_USER and NEWS_SEARCH_SOLR_PASSWORD")
    if status == 404 or "Could not find collection" in message or "not found" in message.lower():
        raise SolrMissing(f"no such Solr collection or path: {where} ({_one_line(message)})")
    if status >= 500 and "no servers hosting shard" in message.lower():
        raise SolrUnavailable(f"Solr cannot serve every shard right now: {_one_line(message)}")
    raise SolrError(f"Solr answered HTTP {status} at {where}: {_one_line(message)}")


def _error_message(payload: dict[str, Any]) -> str:
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        return str(error.get("msg") or error.get("trace", "")[:200])
    return ""


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _reason(exc: Exception | None) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return str(exc) if exc else "no node known"
