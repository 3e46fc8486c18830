"""The web UI and JSON API of the Arabic news search engine.

``create_app`` is a Flask application factory: tests build an app per configuration and
``wsgi.py`` builds the production one (``gunicorn wsgi:app``).  Configuration comes, each
overriding the one before, from built-in defaults, ``instance/config.py`` (optional),
``NEWS_SEARCH_*`` environment variables (``NEWS_SEARCH_INDEX`` is the index directory)
and finally ``test_config``.

Layer: a front end.  Imports the read side (``search``); never the CLI.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response

from search.config import default_index_dir

#: Pages load nothing from elsewhere and run no inline code; the page works without JS.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, one lazily opened engine, the page and API blueprints."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(INDEX=str(default_index_dir()), DEBUG=False, TESTING=False)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("NEWS_SEARCH")
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Arabic as UTF-8, not \u escapes
    app.json.sort_keys = False  # type: ignore[attr-defined]  # same key order as `search-cli --json`
    _register(app)
    return app


def _register(app: Flask) -> None:
    from web import api, errors, feed, pages, state

    state.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feed.bp)
    errors.init_app(app)
    app.after_request(_security_headers)


def _security_headers(response: Response) -> Response:
    """Defence in depth against injected markup, framing and MIME sniffing."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
