"""Exporting a whole result set: every matching article, streamed as CSV or JSON Lines.

A results page shows ten hits; a researcher wants all of them in a spreadsheet or a script.
:meth:`search.engine.Engine.export` finds and orders every match first (the total is known
before anything is written, so a set over :data:`MAX_EXPORT` is refused with a message
instead of being cut off), then reads the articles in batches while the front end writes
them: memory holds the ids, not the documents.  ``/api/export`` and ``search-cli search
--all`` write the same bytes through :func:`export_chunks`.

Nothing is collapsed: an export lists every article, wire copies included.

Layer: the read side.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType

from search.errors import QueryError
from search.results import ExportedArticle

__all__ = ["CSV_COLUMNS", "EXPORT_FORMATS", "LIST_SEPARATOR", "MAX_EXPORT", "Export", "check_format", "export_chunks"]

#: Articles one export may hold.  The whole SaudiNewsNet corpus (31,030 articles, 155 MB as
#: CSV) fits three times over; a larger set is a copy of the index, which a bulk tool
#: (reading the corpus files themselves) does better than a search request.
MAX_EXPORT = 100_000
EXPORT_FORMATS = ("csv", "jsonl")
#: Columns of the CSV, the keys of a JSONL line (:meth:`ExportedArticle.to_json`), in order.
CSV_COLUMNS = (
    "id",
    "title",
    "date",
    "source",
    "source_name",
    "url",
    "author",
    "person",
    "organization",
    "place",
    "missing",
    "text",
)
#: How a list (the people of an article …) is written in one CSV cell.
LIST_SEPARATOR = " | "
#: Excel reads a CSV as UTF-8 only when it starts with a byte-order mark.
BOM = "\ufeff"
#: Articles formatted into one chunk of output (a front end writes chunk by chunk).
CHUNK_ARTICLES = 100


class Export:
    """An exported result set: its total, known before any article is read, and the articles in order.

    It holds the index view the articles are read from (one generation from first to last):
    iterate it once, inside ``with`` or followed by :meth:`close`.  Iterating to the end
    also releases the view.
    """

    def __init__(self, total: int, sort: str, articles: Iterator[ExportedArticle], release: Callable[[], None]) -> None:
        self.total = total
        self.sort = sort
        self._articles = articles
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> Iterator[ExportedArticle]:
        try:
            yield from self._articles
        finally:
            self.close()

    def close(self) -> None:
        """Release the index view (again: nothing happens)."""
        release, self._release = self._release, None
        if release is not None:
            release()

    def __enter__(self) -> Export:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def check_format(name: str | None) -> str:
    """The export format asked for (default ``jsonl``), or a :class:`QueryError`."""
    chosen = name or "jsonl"
    if chosen not in EXPORT_FORMATS:
        raise QueryError(f"format must be 'csv' or 'jsonl' (got {chosen[:20]!r})")
    return chosen


def export_chunks(articles: Iterable[ExportedArticle], fmt: str) -> Iterator[str]:
    """The articles as text in ``fmt``, a few dozen at a time: CSV (UTF-8 BOM, a header, RFC 4180
    quoting, ``\\r\\n``) or JSON Lines (one object a line, UTF-8 Arabic, no escapes)."""
    write = _csv_rows if check_format(fmt) == "csv" else _jsonl_rows
    if fmt == "csv":
        yield BOM + _csv_text([list(CSV_COLUMNS)])
    batch: list[ExportedArticle] = []
    for article in articles:
        batch.append(article)
        if len(batch) == CHUNK_ARTICLES:
            yield write(batch)
            batch = []
    if batch:
        yield write(batch)


def _jsonl_rows(articles: list[ExportedArticle]) -> str:
    return "".join(json.dumps(a.to_json(), ensure_ascii=False) + "\n" for a in articles)


def _csv_rows(articles: list[ExportedArticle]) -> str:
    records = [a.to_json() for a in articles]
    return _csv_text([[_cell(record[column]) for column in CSV_COLUMNS] for record in records])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()
