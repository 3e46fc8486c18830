"""Where the time goes: cProfile of our build on 2,000 SaudiNewsNet records and of 20 searches.

    .venv/bin/python benchmarks/profile_hotspots.py --index /tmp/arabic-news-bench/index-ours

Prints the top functions by own time (tottime) and the top project functions by
cumulative time, for the build and for the queries (the first 20 of
``benchmarks/queries.tsv``, after one warm-up pass), and writes
``benchmarks/results/profile.json``.  Temporary data goes to ``--work``.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import os
import pstats
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from run import DEFAULT_CORPUS, load_queries  # noqa: E402


def top(prof: cProfile.Profile, n: int) -> dict:
    stats = pstats.Stats(prof)
    total = stats.total_tt
    rows = []
    for (path, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append({"function": f"{_short(path)}:{line}({func})", "calls": nc, "tottime_s": tt, "cumtime_s": ct})
    own = sorted(rows, key=lambda r: r["tottime_s"], reverse=True)[:n]
    project = [r for r in rows if r["function"].startswith(("index/", "search/"))]
    cum = sorted(project, key=lambda r: r["cumtime_s"], reverse=True)[:n]
    return {"total_s": total, "by_own_time": own, "project_by_cumtime": cum}


def _short(path: str) -> str:
    for marker in (str(ROOT) + os.sep, "site-packages" + os.sep):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def show(title: str, result: dict) -> None:
    print(f"\n## {title} (profiled total {result['total_s']:.1f} s)\n")
    for key in ("by_own_time", "project_by_cumtime"):
        print(f"{key}:")
        for r in result[key]:
            print(f"  {r['tottime_s']:7.2f} own {r['cumtime_s']:7.2f} cum {r['calls']:>9}  {r['function']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--index", type=Path, required=True, help="an index built by run.py, for the queries")
    ap.add_argument("--work", type=Path, default=Path("/tmp/arabic-news-bench-profile"))
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()

    from index.build import build_index
    from search.engine import Engine, SearchRequest

    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    src = args.work / "docs.jsonl"
    with gzip.open(args.corpus, "rt", encoding="utf-8") as fh, open(src, "w", encoding="utf-8") as out:
        for i, line in enumerate(fh):
            if i >= args.docs:
                break
            out.write(line)

    prof = cProfile.Profile()
    prof.enable()
    build_index([src], args.work / "index", rebuild=True, procs=1)  # one process: cProfile sees it all
    prof.disable()
    result = {"build": top(prof, args.top)}

    queries = load_queries(HERE / "queries.tsv")[: args.queries]
    engine = Engine(args.index)
    requests = [SearchRequest(q=x["q"], **{k: tuple(v) for k, v in x["filters"].items()}) for x in queries]
    for req in requests:
        engine.search(req)
    prof = cProfile.Profile()
    prof.enable()
    for req in requests:
        engine.search(req)
    prof.disable()
    result["queries"] = top(prof, args.top)
    result["query_index"] = str(args.index)

    show(f"build of {args.docs} records", result["build"])
    show(f"{len(requests)} searches on {args.index}", result["queries"])
    (HERE / "results" / "profile.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
