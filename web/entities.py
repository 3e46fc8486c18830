"""An entity's page data, shared by ``/entity/<type>/<name>`` and ``/api/entity/<type>/<name>``.

Both show the same thing — the engine's profile of the entity plus one page of its
articles (a filter-only search, so newest first) — so the HTML page and the JSON cannot
disagree.  Links to entities follow one rule across the site: a name *in running text*
(a hit's entity chips, a mention marked in an article) narrows the search to it, since
that is what a reader of results wants next; a name *in a list about entities* (a
document's metadata, an entity page's related names) opens that entity's own page.
"""

from __future__ import annotations

from typing import Any

from index.contract import ENTITY_TYPES
from search.request import SearchRequest
from web.state import get_engine

#: How each entity type is named on the pages (singular, plural).
TYPE_LABELS = {
    "person": ("شخص", "أشخاص"),
    "organization": ("منظمة", "منظمات"),
    "place": ("مكان", "أماكن"),
}
ARTICLE_KEYS = ("total", "stories", "page", "per_page", "pages", "hits")


def entity_data(kind: str, name: str, params: SearchRequest) -> dict[str, Any] | None:
    """Profile and one page of articles (JSON), or None for an unknown type or an entity in no article."""
    if kind not in ENTITY_TYPES:
        return None
    engine = get_engine()
    profile = engine.entity(kind, name)
    if profile is None:
        return None
    listing = SearchRequest(page=params.page, per_page=params.per_page).with_filters([(kind, name)])
    result = engine.search(listing).to_json()
    return {**profile.to_json(), "articles": {key: result[key] for key in ARTICLE_KEYS}}
