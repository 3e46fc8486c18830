"""Where things are unless told otherwise: the index location and the bundled corpus.

Layer: the read side; used by both front ends, so that neither imports the other.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["BUNDLED_CORPUS", "ENV_INDEX", "PROJECT_ROOT", "default_index_dir"]

ENV_INDEX = "NEWS_SEARCH_INDEX"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_CORPUS = PROJECT_ROOT / "data" / "corpus"


def default_index_dir() -> Path | str:
    """``$NEWS_SEARCH_INDEX`` (a directory, or a Solr collection URL kept as a string), else
    ``$XDG_DATA_HOME/arabic-news-search/index``."""
    value = os.environ.get(ENV_INDEX)
    if value:
        return value if value.startswith(("http://", "https://")) else Path(value)
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "arabic-news-search" / "index"
