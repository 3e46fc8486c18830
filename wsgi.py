"""Production entry point: ``gunicorn wsgi:app`` (set ``NEWS_SEARCH_INDEX`` to the index directory)."""

from web import create_app

app = create_app()
