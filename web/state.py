"""One :class:`Engine` per application, opened on first use and closed with the app.

Opening an index costs far more than a query, so requests share the engine (it is
thread-safe and notices a rebuilt index by itself) instead of opening one per request.
Flask has no "app shutdown" signal, so the engine is closed by a finalizer that runs
when the app is garbage-collected or the interpreter exits, or by :func:`close_engine`.
"""

from __future__ import annotations

import threading
import weakref

from flask import Flask, current_app

from search.engine import Engine

_KEY = "news_search_engine"
_LOCK_KEY = "news_search_engine_lock"


def init_app(app: Flask) -> None:
    """Prepare the lazy engine slot of ``app``."""
    app.extensions[_LOCK_KEY] = threading.Lock()
    app.extensions[_KEY] = None


def get_engine() -> Engine:
    """The current app's engine, created on first use (so a missing index is not fatal at start)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions.get(_KEY)
    if engine is not None:
        return engine
    with app.extensions[_LOCK_KEY]:
        engine = app.extensions.get(_KEY)
        if engine is None:
            engine = Engine(str(app.config["INDEX"]))
            app.extensions[_KEY] = engine
            weakref.finalize(app, engine.close)
    return engine


def close_engine(app: Flask) -> None:
    """Release the index files now (tests and embedding servers call this on shutdown)."""
    with app.extensions[_LOCK_KEY]:
        engine = app.extensions.get(_KEY)
        app.extensions[_KEY] = None
    if engine is not None:
        engine.close()
