"""The corpus' news sources: a site id (``okaz``) → the paper's Arabic name and its names for itself.

The table is data, ``index/data/sources.tsv`` (its header says what each column means).  Two
readers use it: :mod:`index.credits`, which keeps a paper's own bylines, mastheads and credit
lines out of its articles' entities, and whatever shows an article's source to a reader
(:func:`source_name`).

Layer: the bottom of the index side, like ``index.normalize``: imports nothing of the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["SOURCES_FILE", "Source", "find_source", "source_name", "sources"]

SOURCES_FILE = Path(__file__).parent / "data" / "sources.tsv"


@dataclass(frozen=True)
class Source:
    """One news source: its corpus id, its display name and the names it uses for itself.

    ``self_names[0]`` is the paper as an organization entity (``صحيفة عكاظ``).
    """

    id: str
    name: str
    self_names: tuple[str, ...]

    @property
    def entity(self) -> str:
        """The paper as an organization facet value."""
        return self.self_names[0]


@cache
def sources() -> dict[str, Source]:
    """Every source of ``sources.tsv`` by id, in file order."""
    table: dict[str, Source] = {}
    for number, line in enumerate(SOURCES_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not all(f.strip() for f in fields):
            raise ValueError(f"{SOURCES_FILE}:{number}: expected id, name and self names separated by tabs")
        key, name, names = (f.strip() for f in fields)
        table[key] = Source(key, name, tuple(n.strip() for n in names.split("|") if n.strip()))
    return table


def find_source(source: str | None) -> Source | None:
    """The source a record's ``source`` field names: by id (``okaz``), else by display name (``عكاظ``)."""
    if not source:
        return None
    table = sources()
    found = table.get(source.strip())
    if found is None:
        found = next((s for s in table.values() if s.name == source.strip()), None)
    return found


def source_name(source: str | None) -> str | None:
    """The Arabic display name of a source id (``aawsat`` → ``الشرق الأوسط``), or None when unknown."""
    found = find_source(source)
    return found.name if found else None
