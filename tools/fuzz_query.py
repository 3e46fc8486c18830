"""Coverage-guided fuzzing of the query parser and a search over a small seed index (atheris).

The hypothesis tests in ``tests/test_search.py`` and ``tests/test_reliability.py`` try the
query shapes we thought of; this harness lets libFuzzer find the ones we did not, guided by
which branches of ``search/query.py`` (and the search behind it) a new input reaches.

The contract under test is the one every front end relies on: for *any* text,
:func:`search.query.analyze_query` and :meth:`search.engine.Engine.search` either return a
result or raise :class:`search.query.QueryError` with a one-line message.  Anything else —
another exception, a multi-line message, a result that is not JSON — is a crash, and
libFuzzer saves the input to ``crash-*`` for a regression test.

atheris is a development tool, not a dependency (it builds a native extension and only
supports CPython on Linux/macOS), so it is not in ``pyproject.toml``::

    .venv/bin/pip install atheris
    .venv/bin/python tools/fuzz_query.py -max_total_time=180 -print_final_stats=1 [CORPUS_DIR]

Arguments after the script name are passed to libFuzzer (``-runs=N``, ``-max_len=…``).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import atheris

INSTRUMENTED = ["search.query", "index.analysis", "search.engine", "search.facets", "search.whoosh_backend"]

with atheris.instrument_imports(include=INSTRUMENTED):
    from search.engine import Engine, SearchRequest
    from search.query import QueryError, analyze_query

from index.build import build_index  # noqa: E402 - after the instrumented imports

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "corpus"


def _open_seed_engine() -> Engine:
    """A fresh index of the five seed articles in a temp dir (kept for the whole run)."""
    index_dir = Path(tempfile.mkdtemp(prefix="fuzz-query-")) / "ix"
    build_index([SEED], index_dir, rebuild=True)
    return Engine(index_dir)


ENGINE: Engine | None = None


def check_one(text: str) -> None:
    """The contract: a JSON-ready result or a one-line QueryError, from parsing and from searching."""
    assert ENGINE is not None
    try:
        analyze_query(text)
    except QueryError as exc:
        _check_message(exc)
    try:
        result = ENGINE.search(SearchRequest(text))
    except QueryError as exc:
        _check_message(exc)
    else:
        json.dumps(result.to_json())


def _check_message(exc: QueryError) -> None:
    message = str(exc)
    if not message or "\n" in message:
        raise AssertionError(f"QueryError message must be one non-empty line: {message!r}")


def test_one_input(data: bytes) -> None:
    """libFuzzer entry point: the bytes become a Unicode query (any code point, not only UTF-8)."""
    provider = atheris.FuzzedDataProvider(data)
    check_one(provider.ConsumeUnicodeNoSurrogates(len(data)))


def main() -> None:
    """Build the seed index, then hand control to libFuzzer."""
    global ENGINE
    ENGINE = _open_seed_engine()
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
