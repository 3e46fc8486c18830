"""Errors as the client expects them: JSON under ``/api/``, an HTML page elsewhere.

Every error a user can cause maps to its own status (400 for a malformed query or bad
paging, 404, 503 without an index), so a bad query is never a 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from search.errors import BackendUnavailable, IndexMissing, QueryError
from search.request import MAX_QUERY_CHARS, SearchRequest

log = logging.getLogger(__name__)

#: What the HTML error page says, in Arabic, for each status.
TITLES = {
    400: "تعذّر فهم الطلب",
    404: "الصفحة غير موجودة",
    405: "طريقة الطلب غير مسموحة",
    500: "حدث خطأ في الخادم",
    503: "البحث غير متاح حاليًا",
}


def wants_json() -> bool:
    """API clients get JSON errors; people get pages."""
    return request.path.startswith("/api/")


def json_error(message: str, status: int) -> tuple[Response, int]:
    """The API's one error shape: ``{"ok": false, "error": ..., "status": N}``."""
    return jsonify({"ok": False, "error": message, "status": status}), status


def error_page(message: str, status: int) -> tuple[str, int]:
    """An HTML error page; a 400 keeps the query in the search box so it can be fixed."""
    title = TITLES.get(status, "خطأ")
    params = _form_params() if status == 400 else SearchRequest()
    return render_template("error.html", status=status, title=title, message=message, params=params), status


def _form_params() -> SearchRequest:
    """The rejected search as far as it can be kept, to refill the search box."""
    try:
        return SearchRequest.from_args(request.args)
    except QueryError:
        return SearchRequest(q=request.args.get("q", "")[:MAX_QUERY_CHARS])


def respond(message: str, status: int) -> tuple[Response | str, int]:
    """JSON or HTML depending on who asked."""
    return json_error(message, status) if wants_json() else error_page(message, status)


def _bad_query(exc: QueryError) -> tuple[Response | str, int]:
    return respond(str(exc), 400)


def _index_missing(exc: IndexMissing | BackendUnavailable) -> tuple[Response | str, int]:
    log.warning("%s", exc)
    return respond(str(exc), 503)


def _http_error(exc: HTTPException) -> tuple[Response | str, int]:
    status = exc.code or 500
    return respond(exc.description or exc.name, status)


def _server_error(exc: InternalServerError) -> tuple[Response | str, int]:
    log.error("unhandled error on %s", request.path, exc_info=exc.original_exception)
    return respond("internal server error", 500)


def init_app(app: Flask) -> None:
    """Register the handlers on the app, so they also cover unknown URLs."""
    app.register_error_handler(QueryError, _bad_query)
    app.register_error_handler(IndexMissing, _index_missing)
    app.register_error_handler(BackendUnavailable, _index_missing)
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(HTTPException, _http_error)
