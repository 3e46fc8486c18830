"""The errors the read side raises for the front ends to show: each message is one line for the user.

Layer: the read side (its bottom).
"""

from __future__ import annotations

__all__ = ["BackendUnavailable", "IndexMissing", "QueryError", "SearchError"]


class SearchError(Exception):
    """Base of the errors a front end reports as a message instead of a traceback."""


class QueryError(SearchError, ValueError):
    """A query or request parameter the user has to change (HTTP 400, exit code 2)."""


class IndexMissing(SearchError):  # noqa: N818 - the name the front ends know
    """There is no index to search; the message tells the user how to build one (HTTP 503)."""


class BackendUnavailable(SearchError):  # noqa: N818 - named like IndexMissing, for what the user sees
    """The index is on a server that cannot answer now (unreachable, credentials refused) (HTTP 503)."""
