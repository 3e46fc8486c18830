"""The facet sidebar's view model, built from ``result.get("facets")``.

The engine returns ``{"person": [{"value": v, "count": n}, ...], ..., "date": [...]}``; the
API passes that on untouched (it must equal the CLI's JSON), so whether a value is
selected and the link that toggles it (Datasette style) are worked out here, from the
page's own parameters.  ``{"person": {v: n}}`` and ``[[v, n], ...]`` are read too, and
anything else is ignored rather than failing the whole page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from web.params import SearchParams

#: Sidebar headings, in the order the groups are shown.
LABELS = {
    "person": "أشخاص",
    "organization": "منظمات",
    "place": "أماكن",
    "source": "المصادر",
    "date": "التاريخ",
}


@dataclass(frozen=True)
class FacetValue:
    """One value with its count, whether it is selected, and the link that toggles it."""

    value: str
    count: int
    selected: bool
    url: str


@dataclass(frozen=True)
class FacetGroup:
    """One sidebar section, e.g. the people mentioned in the results."""

    key: str
    label: str
    values: list[FacetValue]


def facet_groups(facets: Any, params: SearchParams, url_for_params: Callable[[SearchParams], str]) -> list[FacetGroup]:
    """Sidebar groups for the known facet keys; empty when the result has no facets."""
    if not isinstance(facets, dict):
        return []
    groups = []
    for key, label in LABELS.items():
        values = [_value(key, value, count, params, url_for_params) for value, count in _pairs(facets.get(key))]
        if values:
            groups.append(FacetGroup(key, label, values))
    return groups


def _value(
    key: str, value: str, count: int, params: SearchParams, url_for_params: Callable[[SearchParams], str]
) -> FacetValue:
    """One entry; a month toggles the ``from``/``to`` range instead of a ``date`` parameter."""
    if key == "date":
        return FacetValue(value, count, params.month_selected(value), url_for_params(params.month_toggled(value)))
    return FacetValue(value, count, params.selected(key, value), url_for_params(params.toggled(key, value)))


def _pairs(raw: Any) -> list[tuple[str, int]]:
    """``(value, count)`` pairs from any of the accepted shapes."""
    if isinstance(raw, dict):
        items: list[Any] = list(raw.items())
    elif isinstance(raw, list):
        items = raw
    else:
        return []
    pairs = []
    for item in items:
        pair = _pair(item)
        if pair is not None:
            pairs.append(pair)
    return pairs


def _pair(item: Any) -> tuple[str, int] | None:
    if isinstance(item, dict):
        value = item.get("value", item.get("name", item.get("key")))
        count = item.get("count", 0)
    elif isinstance(item, list | tuple) and len(item) == 2:
        value, count = item
    else:
        return None
    if not isinstance(value, str) or not value or isinstance(count, bool) or not isinstance(count, int):
        return None
    return value, count
