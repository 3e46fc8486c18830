"""``search-cli``: index Arabic news and search it from the terminal.

Exit codes (scripts rely on them): 0 = results / success, 1 = no results (or, for
``index``, some inputs were skipped), 2 = error, with a one-line message on stderr.

Imports of Whoosh and the engine are deferred into the commands so that ``--help`` and a
cold ``search`` start fast.

Layer: a front end.  Imports the read side (the engine, the query and result models) and
the write side (indexing); never the web package, which ``serve`` starts by its import
string, as gunicorn does.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from search.config import BUNDLED_CORPUS, ENV_INDEX, default_index_dir
from search.request import MAX_PER_PAGE, MAX_RUN_DEPTH, SORTS
from search.solr_commands import solr_group

#: Export formats of ``search --all`` (as ``search.export.EXPORT_FORMATS``; kept here so that
#: ``--help`` does not import the engine).
EXPORT_FORMATS = ("csv", "jsonl")

if TYPE_CHECKING:
    from search.engine import Engine, SearchRequest
    from search.results import SearchResult, Snippet

F = TypeVar("F", bound=Callable[..., Any])
#: The web application, by import string ("module:factory"), as gunicorn takes it.
WEB_APP = "web:create_app"


def _index_dir(value: str | None) -> Path | str:
    """The ``--index`` location: a directory (Whoosh), or a Solr collection URL, kept as typed."""
    if not value:
        return default_index_dir()
    return value if value.startswith(("http://", "https://")) else Path(value)


index_option = click.option(
    "--index",
    "index_dir",
    metavar="DIR|URL",
    help=(
        "Index directory (Whoosh), or a SolrCloud collection URL http(s)://HOST:PORT/solr/NAME "
        f"(default: ${ENV_INDEX}, else ~/.local/share/arabic-news-search/index)."
    ),
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")


def filter_options(func: F) -> F:
    """``--person/--organization/--place/--source`` (repeatable), ``--from/--to`` and ``--story``.

    The same names as the web page's and the API's query parameters, so a search reads the
    same everywhere: AND across facets, OR within one, dates inclusive.
    """
    for name, what in (
        ("source", "source"),
        ("place", "place"),
        ("organization", "organization"),
        ("person", "person"),
    ):
        func = click.option(
            f"--{name}", multiple=True, metavar="NAME", help=f"Only articles with this {what} (repeat: any of them)."
        )(func)
    func = click.option("--story", metavar="ID", help="Only the articles of this story (copies of one text).")(func)
    func = click.option("--to", "date_to", metavar="DATE", help="Up to this date, inclusive: YYYY[-MM[-DD]].")(func)
    return click.option("--from", "date_from", metavar="DATE", help="From this date: YYYY[-MM[-DD]].")(func)


def _fail(message: str) -> None:
    click.echo(f"search-cli: error: {message}", err=True)
    sys.exit(2)


def user_errors(func: F) -> F:
    """Turn the errors a user can cause into a one-line message and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from index.store import IndexingError
        from search.errors import SearchError

        try:
            return func(*args, **kwargs)
        except (SearchError, IndexingError) as exc:
            _fail(str(exc))
        except BrokenPipeError:
            # The reader went away (`search-cli entities | head`): stop quietly, as cat does.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        except KeyboardInterrupt:
            _fail("interrupted")

    return wrapper  # type: ignore[return-value]


def _print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="arabic-news-search")
def main() -> None:
    """Search Arabic news: every spelling of a word, nothing that only looks like it."""


# --- index ---------------------------------------------------------------------------------


@main.command("index")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--rebuild", is_flag=True, help="Build a fresh index and swap it in when complete.")
@click.option("--strict", is_flag=True, help="Any unreadable input aborts the run; the index stays as it was.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no per-file problem lines.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Processes that analyze articles (default: automatic; Solr: they also post to Solr).",
)
@user_errors
def index_command(
    sources: tuple[Path, ...], index_dir: str | None, rebuild: bool, strict: bool, quiet: bool, workers: int | None
) -> None:
    """Index SOURCES (files or directories; default: the bundled sample corpus).

    Formats: .txt (one article a file), .json (an article or a list), .jsonl, each optionally
    .gz.  Without --rebuild, articles are added to the existing index (same id → replaced).
    """
    from tqdm import tqdm

    from index.build import build_index
    from index.ingest import IngestProblem

    target = _index_dir(index_dir)
    paths = list(sources) or [BUNDLED_CORPUS]
    bar = tqdm(unit=" docs", desc="indexing", file=sys.stderr, disable=True if quiet else None, leave=False)

    def on_item(item: object) -> None:
        if isinstance(item, IngestProblem):
            if not quiet:
                where = f"{item.path}:{item.line}" if item.line else item.path
                bar.write(f"search-cli: skipped {where}: {item.reason}", file=sys.stderr)
        else:
            bar.update(1)

    try:
        report = build_index(paths, target, rebuild=rebuild, strict=strict, on_item=on_item, procs=workers)
    finally:
        bar.close()
    action = "rebuilt" if report.rebuilt else "updated"
    click.echo(
        f"{action} {target}: {report.indexed} indexed, {report.skipped} skipped, "
        f"{report.failed} failed in {report.seconds:.1f} s",
        err=True,
    )
    if report.failed or report.skipped:
        sys.exit(1)


@main.command("delete")
@click.argument("ids", nargs=-1, required=True)
@index_option
@user_errors
def delete_command(ids: tuple[str, ...], index_dir: str | None) -> None:
    """Delete the articles with these IDS from the index (``-`` reads ids from stdin, one a line).

    One commit, no rebuild.  Ids the index does not hold are listed and make the exit code 1;
    the others are deleted all the same.
    """
    from index.build import delete_documents

    wanted = [line.strip() for line in sys.stdin] if ids == ("-",) else list(ids)
    wanted = [doc_id for doc_id in wanted if doc_id]
    if not wanted:
        _fail("no ids to delete")
    target = _index_dir(index_dir)
    report = delete_documents(target, wanted)
    for doc_id in report.unknown:
        click.echo(f"search-cli: no article with id {doc_id!r}", err=True)
    click.echo(
        f"deleted {report.deleted} from {target}, {len(report.unknown)} unknown in {report.seconds:.1f} s", err=True
    )
    if report.unknown:
        sys.exit(1)


# --- search --------------------------------------------------------------------------------


def _use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _render_snippet(snippet: Snippet, color: bool) -> str:
    """A snippet as a terminal line: «… » in front (every snippet line has it, cut or not, as
    before, unless the text opens with dots itself), matched words in colour (or plain), an
    ellipsis where the end was cut (none next to dots already there)."""
    body = "".join(
        click.style(text, fg="yellow", bold=True) if marked and color else text for text, marked in snippet.pieces()
    )
    return ("" if snippet.opens_with_dots else "… ") + body + snippet.ellipsis_after


def _print_results(result: SearchResult) -> None:
    color = _use_color()
    total, took = result.total, result.took_ms
    full = f", {result.full} with every word" if result.full < total else ""
    stories = f" in {result.listed} stories" if result.collapsed else ""
    click.echo(
        f"{total} result{'s' if total != 1 else ''}{stories} for «{result.query or '*'}» ({took:.0f} ms{full})"
        + (f" — page {result.page} of {result.pages}" if result.pages > 1 else "")
    )
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    for alias in result.aliases:
        click.echo(f"«{alias.query}» also matches the {alias.type} «{alias.entity}» under any of its names")
    for rank, hit in enumerate(result.hits, start=result.first_rank):
        title = click.style(hit.title, bold=True) if color else hit.title
        date = hit.date.isoformat() if hit.date else None
        meta = " · ".join(str(x) for x in (date, hit.source_name, hit.id) if x)
        click.echo(f"\n{rank}. {title}\n   {meta}  (score {hit.score:.2f})")
        for snippet in hit.snippets:
            click.echo(f"   {_render_snippet(snippet, color)}")
        if hit.missing:
            click.echo(f"   missing: {', '.join(hit.missing)}")
        if hit.duplicate_count:
            more = hit.duplicate_count - len(hit.duplicates)
            listed = ", ".join(hit.duplicates) + (f" and {more} more" if more else "")
            click.echo(f"   + {hit.duplicate_count} other cop{'ies' if hit.duplicate_count > 1 else 'y'}: {listed}")


@main.command("search")
@click.argument("query", nargs=-1)
@index_option
@click.option(
    "--limit", "-n", default=10, show_default=True, type=click.IntRange(1, MAX_PER_PAGE), help="Hits per page."
)
@click.option("--page", "-p", default=1, show_default=True, type=click.IntRange(1, None), help="Page number.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option(
    "--no-collapse",
    "no_collapse",
    is_flag=True,
    help="List every copy of a wire story (by default a story is listed once, with its other copies).",
)
@filter_options
@json_option
@click.option("--all", "export_all", is_flag=True, help="Every matching article, not one page (see --format).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    help="With --all: csv (UTF-8 with BOM, for Excel) or jsonl (the default).",
)
@user_errors
def search_command(
    query: tuple[str, ...],
    index_dir: str | None,
    limit: int,
    page: int,
    sort: str,
    no_collapse: bool,
    as_json: bool,
    export_all: bool,
    fmt: str | None,
    **filters: Any,
) -> None:
    """Search the index.  QUERY: words (all must match), "phrases", OR, NOT/-word, field:value, wild*.

    With filters only (no QUERY), lists the matching articles newest first.  With --all,
    writes every matching article (metadata, entities, text) to stdout as CSV or JSON Lines.

    Examples:  search-cli search الرقة   ·   search-cli search '"دير الزور" -النظام'   ·
    search-cli search --place الرقة --from 2017-05 --to 2017-06   ·
    search-cli search داعش --all --format csv > daesh.csv
    """
    from search.engine import Engine, SearchRequest

    if fmt and not export_all:
        _fail("--format goes with --all")
    if export_all and as_json:
        _fail("--all writes CSV or JSON Lines (--format); it does not take --json")
    engine = Engine(_index_dir(index_dir))
    try:
        request = SearchRequest(
            q=" ".join(query), page=page, per_page=limit, sort=sort, collapse=not no_collapse, **filters
        )
        if export_all:
            sys.exit(0 if _export(engine, request, fmt or "jsonl") else 1)
        result = engine.search(request)
    finally:
        engine.close()
    if as_json:
        _print_json(result.to_json())
    else:
        _print_results(result)
    sys.exit(0 if result.total else 1)


def _export(engine: Engine, request: SearchRequest, fmt: str) -> int:
    """Write every article of ``request`` to stdout in ``fmt`` (UTF-8 whatever the locale); its total."""
    from search.export import export_chunks

    out = sys.stdout.buffer
    with engine.export(request) as exported:
        for chunk in export_chunks(exported, fmt):
            out.write(chunk.encode("utf-8"))
    out.flush()
    click.echo(f"exported {exported.total} article{'s' if exported.total != 1 else ''}", err=True)
    return exported.total


@main.command("interactive")
@index_option
@click.option(
    "--limit", "-n", default=5, show_default=True, type=click.IntRange(1, MAX_PER_PAGE), help="Hits per query."
)
@user_errors
def interactive_command(index_dir: str | None, limit: int) -> None:
    """Type queries, see results; an empty line or Ctrl-D quits.  Keeps the index open between queries."""
    from search.engine import Engine, SearchRequest
    from search.errors import QueryError

    engine = Engine(_index_dir(index_dir))
    click.echo('Type a query (words, "phrases", OR, -word, title:…, wild*); empty line to quit.')
    try:
        while True:
            try:
                text = input("بحث> ").strip()
            except EOFError:
                break
            if not text:
                break
            try:
                _print_results(engine.search(SearchRequest(q=text, per_page=limit)))
            except QueryError as exc:
                click.echo(f"error: {exc}", err=True)
            click.echo("")
    finally:
        engine.close()


# --- show ----------------------------------------------------------------------------------


@main.command("show")
@click.argument("doc_id")
@index_option
@json_option
@user_errors
def show_command(doc_id: str, index_dir: str | None, as_json: bool) -> None:
    """Show one document: metadata and its cleaned text."""
    from search.engine import Engine

    engine = Engine(_index_dir(index_dir))
    try:
        doc = engine.document(doc_id)
    finally:
        engine.close()
    if doc is None:
        _fail(f"no document with id {doc_id!r}")
    data = doc.to_json()
    if as_json:
        _print_json(data)
        return
    click.echo(click.style(doc.title, bold=True) if _use_color() else doc.title)
    for key in ("id", "date", "source", "author", "url"):
        if data.get(key):
            shown = data[key]
            if key == "source" and doc.source_name != doc.source:
                shown = f"{doc.source_name} ({doc.source})"
            click.echo(f"{key}: {shown}")
    for kind, names in doc.entities.items():
        if names:
            click.echo(f"{kind}: {', '.join(names)}")
    click.echo("")
    click.echo(doc.content)


# --- facets --------------------------------------------------------------------------------


@main.command("facets")
@index_option
@json_option
@user_errors
def facets_command(index_dir: str | None, as_json: bool) -> None:
    """The top people, organizations, places, sources and months over the whole index."""
    from search.engine import Engine

    engine = Engine(_index_dir(index_dir))
    try:
        result = engine.facets()
    finally:
        engine.close()
    if as_json:
        _print_json(result)
        return
    click.echo(f"documents: {result['total']}")
    for key, values in result["facets"].items():
        click.echo(f"\n{key}:")
        for item in values:
            label = item.get("label", item["value"])
            label = label if label == item["value"] else f"{label} ({item['value']})"  # the id filters
            click.echo(f"  {item['count']:>6}  {label}")


@main.command("entities")
@index_option
@click.option("--type", "kind", type=click.Choice(["person", "organization", "place"]), help="Only this type.")
@json_option
@user_errors
def entities_command(index_dir: str | None, kind: str | None, as_json: bool) -> None:
    """Canonical people, organizations and places in the index, with aliases and document counts."""
    from search.engine import Engine

    engine = Engine(_index_dir(index_dir))
    try:
        rows = engine.entities(kind)
    finally:
        engine.close()
    if as_json:
        _print_json({"entities": [row.to_json() for row in rows]})
        return
    for row in rows:
        others = [a for a in row.aliases if a != row.name]
        aliases = f"  = {' = '.join(others)}" if others else ""
        click.echo(f"{row.count:>6}  {row.type:<12}  {row.name}{aliases}")


# --- batch ---------------------------------------------------------------------------------


@main.command("batch")
@click.argument("queries", type=click.File("r", encoding="utf-8"))
@index_option
@click.option(
    "--limit",
    "-n",
    default=MAX_RUN_DEPTH,
    show_default=True,
    type=click.IntRange(1, MAX_RUN_DEPTH),
    help="Hits per query (TREC runs are 1,000 deep).",
)
@click.option("--tag", default="arabic-news-search", show_default=True, help="Run tag (last TREC column).")
@user_errors
def batch_command(queries: Any, index_dir: str | None, limit: int, tag: str) -> None:
    """Run a file of `qid<TAB>query` lines and print a TREC run (qid Q0 docid rank score tag).

    The output feeds trec_eval or ir_measures.  A malformed query is reported on stderr
    and skipped; the others still run.
    """
    from search.engine import Engine
    from search.errors import QueryError

    engine = Engine(_index_dir(index_dir))
    failed = 0
    try:
        for number, line in enumerate(queries, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            qid, sep, text = line.rstrip("\n").partition("\t")
            if not sep:
                click.echo(f"search-cli: line {number}: expected 'qid<TAB>query'", err=True)
                failed += 1
                continue
            try:
                ranked = engine.run(text, depth=limit)
            except QueryError as exc:
                click.echo(f"search-cli: line {number} ({qid}): {exc}", err=True)
                failed += 1
                continue
            for rank, (doc_id, score) in enumerate(ranked, start=1):
                click.echo(f"{qid} Q0 {doc_id} {rank} {score:.10f} {tag}")
    finally:
        engine.close()
    if failed:
        sys.exit(1)


# --- stats ---------------------------------------------------------------------------------


@main.command("stats")
@index_option
@json_option
@user_errors
def stats_command(index_dir: str | None, as_json: bool) -> None:
    """Documents, terms, size on disk and last update of the index."""
    from search.engine import Engine

    engine = Engine(_index_dir(index_dir))
    try:
        stats = engine.stats()
    finally:
        engine.close()
    if as_json:
        _print_json(stats)
        return
    click.echo(f"index:      {stats['index_dir']}")
    click.echo(f"documents:  {stats['documents']}")
    terms = stats.get("terms", {})
    click.echo("terms:      " + ", ".join(f"{field} {n}" for field, n in terms.items()))
    click.echo(f"size:       {stats['size_bytes'] / 1e6:.1f} MB")
    click.echo(f"created:    {stats.get('created')}")
    click.echo(f"updated:    {stats.get('updated')}")
    if stats.get("warning"):
        click.echo(f"warning:    {stats['warning']}")


# --- analyze -------------------------------------------------------------------------------


@main.command("analyze")
@click.argument("text", nargs=-1, required=True)
@json_option
def analyze_command(text: tuple[str, ...], as_json: bool) -> None:
    """Show how TEXT is tokenized, normalized (exact fields), stemmed (stem fields) and its roots (root:)."""
    from search.explain import analyze_text

    result = analyze_text(" ".join(text))
    if as_json:
        _print_json(result)
        return
    rows = [("token", "exact (title, content)", "stem (title_stem, content_stem)", "root (root)")]
    rows += [(t["token"], t["exact"], t["stem"], t["root"] or "-") for t in result["tokens"]]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


# --- serve ---------------------------------------------------------------------------------


@main.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
def serve_command(index_dir: str | None, host: str, port: int) -> None:
    """Serve the search page and JSON API with Flask's development server (not for production:
    use `gunicorn wsgi:app` there).  The index is opened on the first search.
    """
    module, _, factory = WEB_APP.partition(":")
    create_app = getattr(importlib.import_module(module), factory)
    app = create_app({"INDEX": str(_index_dir(index_dir))} if index_dir else None)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"serving {app.config['INDEX']} on http://{shown}:{port}/  (Ctrl-C to stop)", err=True)
    app.run(host=host, port=port, threaded=True, debug=False, load_dotenv=False)


main.add_command(solr_group)


if __name__ == "__main__":
    main()
