"""The facet sidebar's view model: each value of the result with its count and toggle link.

The engine's :class:`~search.results.FacetValue` knows whether it is selected and which
search toggles it; this module only turns that search into the page's URL.  The date facet
is not listed here: the page draws it as a histogram above the hits (``web/timeline.py``).

Layer: a front end (web).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from search.request import SearchRequest
from search.results import SearchResult

#: Sidebar headings, in the order the groups are shown.
LABELS = {
    "person": "أشخاص",
    "organization": "منظمات",
    "place": "أماكن",
    "source": "المصادر",
}


#: How an active filter is named (its removable chip, a feed's title).
FILTER_LABELS = {
    "person": "شخص",
    "organization": "منظمة",
    "place": "مكان",
    "source": "المصدر",
    "from": "من",
    "to": "إلى",
    "story": "نسخ الخبر",
}


@dataclass(frozen=True)
class FacetLink:
    """One value with its count, whether it is selected, and the link that toggles it."""

    value: str
    count: int
    selected: bool
    url: str
    #: What the reader sees (a source's display name; otherwise the value).
    label: str = ""


@dataclass(frozen=True)
class FacetGroup:
    """One sidebar section, e.g. the people mentioned in the results."""

    key: str
    label: str
    values: list[FacetLink]


def facet_groups(result: SearchResult, url_for: Callable[[SearchRequest], str]) -> list[FacetGroup]:
    """Sidebar groups for the known facet keys, in :data:`LABELS` order; empty ones left out."""
    groups = []
    for key, label in LABELS.items():
        values = [
            FacetLink(item.value, item.count, item.selected, url_for(item.toggle), item.label)
            for item in result.facets.get(key, ())
            if item.toggle is not None
        ]
        if values:
            groups.append(FacetGroup(key, label, values))
    return groups
