"""Entities across the index: an entity's page, the entity list, the whole-index facets.

Layer: the read side.  Everything here is counted by the backend's facets, so it works on any backend.
"""

from __future__ import annotations

from typing import Any

from index.contract import ENTITY_TYPES
from index.entities import entity_aliases
from search import querytree as qt
from search.backend import Filters, IndexView, SearchPlan
from search.errors import QueryError
from search.facets import TOP_VALUES
from search.results import EntityProfile, EntityRow, FacetValue

__all__ = ["RELATED_PER_TYPE", "entity_list", "entity_profile", "overview", "timeline"]

#: Co-occurring entities shown per type on an entity page.
RELATED_PER_TYPE = 10
#: A timeline longer than this many months lists only the months with articles.
MAX_TIMELINE_MONTHS = 240


def check_type(kind: str | None) -> None:
    if kind is not None and kind not in ENTITY_TYPES:
        raise QueryError(f"unknown entity type {kind!r}; use person, organization or place")


def entity_profile(view: IndexView, kind: str, name: str) -> EntityProfile | None:
    """One entity's profile, or None when no article names it.

    ``related`` are the entities named in the most of its articles (itself left out,
    :data:`RELATED_PER_TYPE` per type); ``timeline`` counts its articles per month, oldest
    first, with the empty months between filled in.
    """
    check_type(kind)
    plan = SearchPlan(qt.Every(), Filters(((kind, (name,)),)), limit=0, facet_limit=None)
    matches = view.search(plan)
    if not matches.total:
        return None
    related = {
        k: tuple(FacetValue(v, c, k) for v, c in matches.facets.get(k, []) if (k, v) != (kind, name))[:RELATED_PER_TYPE]
        for k in ENTITY_TYPES
    }
    return EntityProfile(
        type=kind,
        name=name,
        total=matches.total,
        aliases=tuple(entity_aliases().get((kind, name), [])),
        related=related,
        timeline=timeline(matches.facets.get("date", [])),
    )


def entity_list(view: IndexView, kind: str | None = None) -> list[EntityRow]:
    """Every canonical entity in the index with its aliases and document count, most documents first.

    Aliases are the gazetteer's; an entity found by a rule has none.
    """
    check_type(kind)
    kinds = ENTITY_TYPES if kind is None else (kind,)
    counts = view.search(SearchPlan(qt.Every(), limit=0, facet_limit=None)).facets
    aliases = entity_aliases()
    rows = [
        EntityRow(k, value, count, tuple(aliases.get((k, value), [])))
        for k in kinds
        for value, count in counts.get(k, [])
    ]
    return sorted(rows, key=lambda row: (-row.count, row.type, row.name))


def overview(view: IndexView) -> dict[str, Any]:
    """Facet counts over the whole index (``search-cli facets``, ``/api/facets``): every live document."""
    matches = view.search(SearchPlan(qt.Every(), limit=0, facet_limit=TOP_VALUES))
    return {
        "total": matches.total,
        "facets": {key: [FacetValue(v, c, key).to_json() for v, c in values] for key, values in matches.facets.items()},
    }


def timeline(months: list[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """``(month, count)`` oldest first, with the empty months in between (a bar chart's x axis)."""
    counts = dict(months)
    if not counts:
        return ()
    first, last = min(counts), max(counts)
    span = _month_number(last) - _month_number(first) + 1
    keys = (
        sorted(counts)
        if span > MAX_TIMELINE_MONTHS
        else [_month_name(n) for n in range(_month_number(first), _month_number(last) + 1)]
    )
    return tuple((key, counts.get(key, 0)) for key in keys)


def _month_number(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def _month_name(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"
