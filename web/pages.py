"""The HTML pages: search (home, results, no results), one document and one entity.

Everything works with plain links and one GET form, so the site needs no JavaScript.

Layer: a front end (web).
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, g, render_template, request, url_for
from werkzeug.datastructures import iter_multi_items

from search.errors import QueryError
from search.export import MAX_EXPORT
from search.query import word_roots
from search.request import SearchRequest
from search.results import SearchResult, display_source
from web.api import api_export_url
from web.entities import TYPE_LABELS, entity_data
from web.facets import FILTER_LABELS, facet_groups
from web.feed import describe, feed_url
from web.render import external_url, marked_text, paragraphs, safe_snippet
from web.state import get_engine
from web.timeline import INTERVAL_NAMES, histogram_svg, timeline_svg

bp = Blueprint("pages", __name__)

#: Shown on the home page and the no-results page: one word, a phrase, an OR.
EXAMPLES = ("الرقة", '"دير الزور"', "داعش OR النصرة")


#: What Werkzeug leaves unescaped in a query string (``werkzeug.urls._urlencode``).
QUERY_SAFE = "!$'()*,/:;?@"


@bp.app_template_global()
def search_url(params: SearchRequest) -> str:
    """The search page URL for ``params`` (sort, paging and facet links).

    The same URL ``url_for("pages.search", **args)`` builds — the page's path once per
    request, then the arguments encoded as Werkzeug encodes them — because a results page
    has ~150 such links (facet values, chips, paging) and url_for costs ~40 µs each: 6 ms a
    page, a third of a typical search's own time.
    """
    base = g.get("search_path")
    if base is None:
        base = g.search_path = url_for("pages.search")
    query = urlencode(list(iter_multi_items(params.to_args())), safe=QUERY_SAFE)
    return f"{base}?{query}" if query else base


@bp.app_template_global()
def narrow_url(params: SearchRequest, key: str, value: str) -> str:
    """An entity chip's link: this search narrowed to the entity (page 1)."""
    return search_url(params.with_filter(key, value))


@bp.app_template_global()
def doc_url(doc_id: str, params: SearchRequest | None = None) -> str:
    """A document link carrying the search along, so the page can link back to it."""
    return url_for("pages.document", doc_id=doc_id, **(params.to_args() if params else {}))


@bp.app_template_global()
def entity_url(kind: str, name: str) -> str:
    """An entity's own page (names in lists about entities link here; see web/entities.py)."""
    return url_for("pages.entity", kind=kind, name=name)


@bp.app_template_global()
def copies_url(params: SearchRequest, story: str) -> str:
    """A collapsed hit's "N نسخ أخرى" link: the same search within its story, every copy listed."""
    pairs = [pair for pair in params.filters if pair[0] != "story"] + [("story", story)]
    return search_url(params.with_filters(pairs).with_changes(collapse=False, page=1))


@bp.app_template_global()
def copies_label(count: int) -> str:
    """ "N نسخ أخرى" with Arabic number agreement (1, 2, 3–10, 11+)."""
    if count == 1:
        return "نسخة أخرى"
    if count == 2:
        return "نسختان أخريان"
    if 3 <= count % 100 <= 10:
        return f"{count} نسخ أخرى"
    return f"{count} نسخة أخرى"


def facet_url(kind: str, name: str) -> str:
    """A new search for the articles naming an entity (names in running text link here)."""
    return url_for("pages.search", **{kind: name})


bp.add_app_template_filter(safe_snippet, "snippet")
bp.add_app_template_filter(external_url, "external_url")


@bp.get("/")
def search() -> str:
    """Home state without a query, results (or tips when there are none) with one."""
    params = SearchRequest.from_args(request.args)
    if params.blank:
        return render_template("home.html", params=params, examples=EXAMPLES)
    result = get_engine().search(params)
    return render_template("results.html", params=params, result=result, **_results_view(params, result))


def _results_view(params: SearchRequest, result: SearchResult) -> dict[str, Any]:
    """What the results template needs beyond the engine's own result."""
    pages = result.pages
    return {
        "first_rank": result.first_rank,
        "prev_url": search_url(params.with_changes(page=params.page - 1)) if params.page > 1 else None,
        "next_url": search_url(params.with_changes(page=params.page + 1)) if params.page < pages else None,
        "sort_links": [
            (label, sort, search_url(params.with_changes(sort=sort, page=1)))
            for sort, label in (("relevance", "الأكثر صلة"), ("date", "الأحدث"))
        ],
        "suggestion_url": (search_url(params.with_changes(q=result.suggestion, page=1)) if result.suggestion else None),
        "facets": facet_groups(result, search_url),
        "histogram": histogram_svg(result, search_url),
        "interval_name": INTERVAL_NAMES.get(result.date_interval or "", ("", ""))[0],
        "filter_chips": _filter_chips(params),
        "root_links": _root_links(params),
        "clear_url": search_url(params.cleared()) if params.q.strip() else url_for("pages.search"),
        "collapse_url": search_url(params.with_changes(collapse=not params.collapse, page=1)),
        "examples": EXAMPLES,
        "seconds": f"{result.took_ms / 1000:.2f}",
        "feed_url": feed_url(params),
        "feed_title": f"{describe(params)} (Atom)",
        "export_links": (
            [(fmt.upper(), api_export_url(params, fmt)) for fmt in ("csv", "jsonl")]
            if 0 < result.total <= MAX_EXPORT
            else []
        ),
    }


def _root_links(params: SearchRequest) -> list[tuple[str, str, str]]:
    """``(word, root, url)``: «كل مشتقات الجذر», a ``root:`` search for each query word with a root
    (the filters kept), so كتاب leads to مكتبة، كاتب، يكتبون."""
    return [
        (word, root, search_url(params.with_changes(q=f"root:{root}", page=1))) for word, root in word_roots(params.q)
    ]


def _filter_chips(params: SearchRequest) -> list[tuple[str, str, str]]:
    """``(label, value as shown, url that removes it)`` for each active filter (a source by its name)."""
    return [
        (
            FILTER_LABELS.get(key, key),
            (display_source(value) or value) if key == "source" else value,
            search_url(params.toggled(key, value)),
        )
        for key, value in params.filters
    ]


@bp.get("/doc/<path:doc_id>")
def document(doc_id: str) -> str:
    """One article in full: entities marked in the text, its names, similar articles, a way back."""
    engine = get_engine()
    doc = engine.document(doc_id)
    if doc is None:
        abort(404, description=f"no document with id {doc_id!r}")
    try:
        params = SearchRequest.from_args(request.args)
    except QueryError:
        params = SearchRequest()  # a mangled back link must not hide the document
    return render_template(
        "document.html",
        doc=doc,
        params=params,
        paragraphs=[marked_text(p, facet_url) for p in paragraphs(doc.content)],
        similar=engine.similar(doc_id),
        type_labels=TYPE_LABELS,
    )


@bp.get("/entity/<kind>/<path:name>")
def entity(kind: str, name: str) -> str:
    """A person, organization or place: its articles, aliases, companions and timeline."""
    params = SearchRequest.from_args(request.args)
    data = entity_data(kind, name, params)
    if data is None:
        abort(404, description=f"no articles name the {kind} {name!r}")
    articles = data["articles"]
    page_url = functools.partial(_entity_page_url, kind, name, params)
    return render_template(
        "entity.html",
        params=SearchRequest(),
        entity=data,
        label=TYPE_LABELS[kind][0],
        type_labels=TYPE_LABELS,
        timeline=timeline_svg(name, data["timeline"]),
        search_link=facet_url(kind, name),
        entity_search=SearchRequest().with_filters([(kind, name)]),
        first_rank=(articles["page"] - 1) * articles["per_page"] + 1,
        prev_url=page_url(articles["page"] - 1) if articles["page"] > 1 else None,
        next_url=page_url(articles["page"] + 1) if articles["page"] < articles["pages"] else None,
    )


def _entity_page_url(kind: str, name: str, params: SearchRequest, page: int) -> str:
    """Another page of an entity's articles, keeping the page size."""
    args = SearchRequest(page=page, per_page=params.per_page).to_args()
    return url_for("pages.entity", kind=kind, name=name, **args)
