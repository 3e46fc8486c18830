"""Which backend a location names: a directory is a Whoosh index, an ``http(s)://`` URL a Solr collection.

Layer: the read side.  The one place that knows the backend implementations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from index.solr_client import is_solr_url
from search.backend import SearchBackend
from search.solr_backend import SolrBackend
from search.whoosh_backend import WhooshBackend

__all__ = ["open_backend"]


def open_backend(location: str | Path, **options: Any) -> SearchBackend:
    """The backend for ``location`` (an index directory or a collection URL); ``options`` go to its constructor."""
    if is_solr_url(location):
        return SolrBackend(str(location), **options)
    return WhooshBackend(Path(location), **options)
