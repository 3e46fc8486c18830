"""Which backend a location names: a directory is a Whoosh index.

Layer: the read side.  The one place that knows the backend implementations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from search.backend import SearchBackend
from search.whoosh_backend import WhooshBackend

__all__ = ["open_backend"]


def open_backend(location: str | Path, **options: Any) -> SearchBackend:
    """The backend for ``location`` (an index directory); ``options`` go to its constructor."""
    return WhooshBackend(Path(location), **options)
