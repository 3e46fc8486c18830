"""Same answers on both backends: totals, top-10 overlap and latency, Whoosh vs SolrCloud, one run.

    benchmarks/solr_compare.py --whoosh INDEX_DIR --solr http://127.0.0.1:8983/solr/news \
        [--queries benchmarks/queries.tsv] [--reps 5] [--out benchmarks/results/solr_compare.json]

Every query of the mix (the benchmark's query file: single words, phrases, plain multi-word
queries, filters) runs through the same :class:`search.engine.Engine` code on each backend —
a full page as the web page asks for it: exact total, every facet, the date histogram,
10 hits with snippets, collapse on.  Reported per query: both totals (they must be equal),
the overlap of the top-10 ids (|A ∩ B| / max(|A|, |B|)), whether the order is the same;
overall: the share of equal totals, the mean overlap, and per backend the latency p50/p95 of
``reps`` timed passes after a warm-up pass (serial, one client, same process, alternating
backends per query so that both see the same machine load).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import load_queries, pct  # noqa: E402

from search.engine import Engine, SearchRequest  # noqa: E402


def _request(query: dict) -> SearchRequest:
    return SearchRequest(q=query["q"], **{k: tuple(v) for k, v in query["filters"].items()})


def compare(whoosh: Engine, solr: Engine, queries: list[dict], reps: int) -> dict:
    rows = []
    times: dict[str, list[float]] = {"whoosh": [], "solr": []}
    for query in queries:
        request = _request(query)
        a, b = whoosh.search(request), solr.search(request)
        ids_a, ids_b = [h.id for h in a.hits], [h.id for h in b.hits]
        overlap = len(set(ids_a) & set(ids_b)) / max(len(ids_a), len(ids_b)) if ids_a or ids_b else 1.0
        rows.append({
            "qid": query["qid"], "q": query["q"], "total_whoosh": a.total, "total_solr": b.total,
            "full_whoosh": a.total_full, "full_solr": b.total_full,
            "overlap10": round(overlap, 3), "same_order": ids_a == ids_b,
            "facets_equal": _facets(a) == _facets(b),
            "stories_equal": a.stories == b.stories,
            "duplicates_equal": _duplicates(a) == _duplicates(b),
        })
    for _ in range(reps):
        for query in queries:
            request = _request(query)
            for name, engine in (("whoosh", whoosh), ("solr", solr)):
                started = time.perf_counter()
                engine.search(request)
                times[name].append((time.perf_counter() - started) * 1000)
    summary = {
        "queries": len(rows),
        "totals_equal": sum(r["total_whoosh"] == r["total_solr"] for r in rows) / len(rows),
        "facets_equal": sum(r["facets_equal"] for r in rows) / len(rows),
        "stories_equal": sum(r["stories_equal"] for r in rows) / len(rows),
        "duplicates_equal": sum(r["duplicates_equal"] for r in rows) / len(rows),
        "mean_overlap10": round(statistics.mean(r["overlap10"] for r in rows), 4),
        "min_overlap10": min(r["overlap10"] for r in rows),
        "same_order": sum(r["same_order"] for r in rows) / len(rows),
    }
    for name, values in times.items():
        summary[f"{name}_p50_ms"] = round(pct(values, 50), 2)
        summary[f"{name}_p95_ms"] = round(pct(values, 95), 2)
    summary["p95_ratio_solr_to_whoosh"] = round(summary["solr_p95_ms"] / summary["whoosh_p95_ms"], 3)
    return {"summary": summary, "rows": rows}


def _duplicates(result: object) -> dict:
    """Per listed story present on both pages: how many other copies it has."""
    return {h.id: h.duplicate_count for h in result.hits}  # type: ignore[attr-defined]


def _facets(result: object) -> dict:
    return {k: [(v.value, v.count) for v in values] for k, values in result.facets.items()}  # type: ignore[attr-defined]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--whoosh", required=True, help="Whoosh index directory")
    parser.add_argument("--solr", required=True, help="Solr collection URL")
    parser.add_argument("--queries", default=str(ROOT / "benchmarks" / "queries.tsv"))
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    queries = load_queries(Path(args.queries))
    whoosh, solr = Engine(args.whoosh), Engine(args.solr)
    try:
        result = compare(whoosh, solr, queries, args.reps)
    finally:
        whoosh.close()
        solr.close()
    result["whoosh"], result["solr"] = args.whoosh, args.solr
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(json.dumps(result["summary"], indent=1))
    for row in result["rows"]:
        if not (row["total_whoosh"] == row["total_solr"] and row["overlap10"] == 1 and row["facets_equal"]
                and row["stories_equal"]):
            print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
