"""What the fitted date histogram costs and draws on a real index (issue 10, "time that fits").

Run with the *project* venv on an index of the full corpus::

    .venv/bin/search-cli index ../shared/corpora/saudinewsnet.jsonl.gz --rebuild --index /tmp/snn-index
    .venv/bin/python benchmarks/date_histogram.py --index /tmp/snn-index

For every query of ``benchmarks/queries.tsv`` it reports the interval and the number of
buckets, and times the histogram itself (``WhooshView._histogram``: the day numbers of the
matching documents, the interval choice, the bucketing) on each search; then the whole
search with and without it, passes interleaved, and once per process the day-number column
read on the first search of a generation.  Writes ``benchmarks/results/date_histogram.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from run import load_queries, pct  # noqa: E402 - the benchmark's own helpers, after the path

from search.engine import Engine, SearchRequest  # noqa: E402
from search.whoosh_backend import WhooshView  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--queries", default=str(HERE / "queries.tsv"))
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", default=str(HERE / "results" / "date_histogram.json"))
    args = parser.parse_args()
    queries = load_queries(Path(args.queries))
    requests = [SearchRequest(q=x["q"], **{k: tuple(v) for k, v in x["filters"].items()}) for x in queries]

    engine = Engine(args.index)
    with engine.backend.view() as view:
        started = time.perf_counter()
        view.gen.days(view.searcher)  # type: ignore[attr-defined]
        cold_ms = (time.perf_counter() - started) * 1000
    costs: list[float] = []
    original = WhooshView._histogram

    def timed(self: WhooshView, plan: object, docnums: object) -> object:
        started = time.perf_counter()
        found = original(self, plan, docnums)  # type: ignore[arg-type]
        costs.append((time.perf_counter() - started) * 1000)
        return found

    WhooshView._histogram = timed  # type: ignore[method-assign]
    per_query = []
    for query, request in zip(queries, requests, strict=True):
        costs.clear()
        result = engine.search(request)
        for _ in range(args.reps):
            engine.search(request)
        per_query.append(
            {
                "qid": query["qid"],
                "q": query["q"],
                "total": result.total,
                "interval": result.date_interval,
                "buckets": len(result.facets["date"]),
                "histogram_ms": round(statistics.median(costs), 3),
            }
        )
    with_ms, without_ms = _search_times(engine, requests, args.reps, original)
    engine.close()
    report = {
        "index": args.index,
        "queries": len(queries),
        "intervals": dict(Counter(str(q["interval"]) for q in per_query)),
        "histogram_ms": _summary([q["histogram_ms"] for q in per_query]),
        "histogram_ms_largest_result": max(per_query, key=lambda q: q["total"]),
        "search_ms_with": _summary(with_ms),
        "search_ms_without": _summary(without_ms),
        "day_column_first_read_ms": round(cold_ms, 1),
        "per_query": per_query,
    }
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "per_query"}, ensure_ascii=False, indent=1))


def _search_times(engine: Engine, requests: list, reps: int, original: object) -> tuple[list[float], list[float]]:
    """Whole searches with the histogram and without it (``_histogram`` answering None), interleaved."""
    with_ms: list[float] = []
    without_ms: list[float] = []
    for _ in range(reps):
        for histogram, times in ((True, with_ms), (False, without_ms)):
            WhooshView._histogram = original if histogram else (lambda self, plan, docnums: None)  # type: ignore[method-assign,assignment]
            for request in requests:
                started = time.perf_counter()
                engine.search(request)
                times.append((time.perf_counter() - started) * 1000)
    WhooshView._histogram = original  # type: ignore[method-assign,assignment]
    return with_ms, without_ms


def _summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(pct(values, 50), 3), "p95": round(pct(values, 95), 3), "max": round(max(values), 3)}


if __name__ == "__main__":
    main()
