"""The JSON API: the same searches as the page, as ``search-cli ... --json`` prints them.

``/api/search`` returns the engine's result object (``SearchResult.to_json``), so clients,
the page and the CLI never disagree; its facet values also carry the API URL that toggles
them.  Errors are ``{"ok": false, "error": ..., "status": N}`` (see errors.py).

Layer: a front end (web).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, request, url_for
from werkzeug.datastructures import iter_multi_items

from search.errors import QueryError
from search.explain import analyze_text
from search.export import check_format, export_chunks
from search.request import SearchRequest
from web.entities import entity_data
from web.state import get_engine
from web.suggest import suggestions

bp = Blueprint("api", __name__, url_prefix="/api")

#: /api/analyze is for looking at a phrase or a sentence, not for bulk text.
MAX_ANALYZE_CHARS = 10_000


def api_search_url(params: SearchRequest) -> str:
    """The ``/api/search`` URL of a request (a facet value's toggle link in JSON)."""
    query = urlencode(list(iter_multi_items(params.to_args())))
    base = url_for("api.search")
    return f"{base}?{query}" if query else base


@bp.get("/search")
def search() -> Response:
    """The engine's result for ``q, sort, page, per_page`` and the filters (``person=…&person=…``, ``from``, ``to``)."""
    params = SearchRequest.from_args(request.args)
    return jsonify(get_engine().search(params).to_json(api_search_url))


#: What an export is sent as, per format.
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def api_export_url(params: SearchRequest, fmt: str) -> str:
    """The ``/api/export`` URL of a request's whole result set (the results page links it)."""
    args = params.with_changes(page=1).to_args()
    args.pop("per_page", None)
    query = urlencode([*iter_multi_items(args), ("format", fmt)])
    return f"{url_for('api.export')}?{query}"


@bp.get("/export")
def export() -> Response:
    """Every article of a search (same parameters; ``format=csv|jsonl``), streamed.

    The total is counted before the first byte (``X-Total-Count``), so an export over the cap
    is a 400 with a message, never a cut-off file; the articles are read in batches while
    the response is written.
    """
    fmt = check_format(request.args.get("format"))
    exported = get_engine().export(SearchRequest.from_args(request.args))
    response = Response(export_chunks(exported, fmt), content_type=EXPORT_TYPES[fmt])
    response.call_on_close(exported.close)  # also when the client goes away mid-stream
    response.headers["Content-Disposition"] = f'attachment; filename="export.{fmt}"'
    response.headers["X-Total-Count"] = str(exported.total)
    return response


@bp.get("/doc/<path:doc_id>")
def document(doc_id: str) -> Response:
    """One article's stored fields, or a 404."""
    doc = get_engine().document(doc_id)
    if doc is None:
        abort(404, description=f"no document with id {doc_id!r}")
    return jsonify(doc.to_json())


@bp.get("/analyze")
def analyze() -> Response:
    """How ``text`` is tokenized, normalized and stemmed (needs no index)."""
    text = request.args.get("text")
    if text is None or not text.strip():
        raise QueryError("text is required, e.g. /api/analyze?text=المدارس")
    if len(text) > MAX_ANALYZE_CHARS:
        raise QueryError(f"text is too long ({len(text)} characters; the limit is {MAX_ANALYZE_CHARS})")
    return jsonify(analyze_text(text))


@bp.get("/stats")
def stats() -> Response:
    """Size and provenance of the index."""
    return jsonify(get_engine().stats())


@bp.get("/entities")
def entities() -> Response:
    """Every entity in the index with aliases and counts; ``type`` limits it to one kind."""
    kind = request.args.get("type") or None
    return jsonify([row.to_json() for row in get_engine().entities(kind)])


@bp.get("/facets")
def facets() -> Response:
    """Facet counts over the whole index."""
    return jsonify(get_engine().facets())


@bp.get("/suggest")
def suggest() -> Response:
    """Completions of the last word of ``q``: ``{"q", "suggestions": [...]}``."""
    q = request.args.get("q", "")
    return jsonify({"q": q, "suggestions": suggestions(q)})


@bp.get("/entity/<kind>/<path:name>")
def entity(kind: str, name: str) -> Response:
    """An entity's profile and one page of its articles (``page``, ``per_page``), or a 404."""
    data = entity_data(kind, name, SearchRequest.from_args(request.args))
    if data is None:
        abort(404, description=f"no articles name the {kind} {name!r}")
    return jsonify(data)
