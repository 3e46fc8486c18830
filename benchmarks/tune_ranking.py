"""Find the ranking weights by measurement: a grid search on the known-item *tuning* set.

Each point of the grid is a :class:`search.ranking.Ranking`; each is scored by MRR@10, S@1 and
S@10 of the 300 tuning queries (``benchmarks/data/known_items_tune.tsv``) on an index of the
whole SaudiNewsNet corpus, in this process, through :meth:`search.engine.Engine.run` — exactly
what ``search-cli batch`` ranks.  The best point (MRR@10, ties by S@1) is reported, and the
same point is then scored once on the held-out set, which is never used to choose.

    .venv/bin/python benchmarks/tune_ranking.py --index /tmp/idx31k
    .venv/bin/python benchmarks/tune_ranking.py --index /tmp/idx31k --quick    # a coarse grid

Writes ``benchmarks/results/ranking_grid.json`` (every point's scores).  The index is built
beforehand with ``search-cli index ../shared/corpora/saudinewsnet.jsonl.gz --rebuild --index DIR``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import known_items  # noqa: E402

from search.engine import Engine  # noqa: E402
from search.ranking import Ranking  # noqa: E402

GRID = {
    "exact_weight": [0.0, 0.1, 0.2, 0.4, 1.0],
    "proximity": [0.0, 0.25, 0.5, 1.0, 2.0],
    "title_proximity": [0.5, 1.0, 2.0],
    "alias_boost": [0.5],
}
QUICK = {
    "exact_weight": [0.0, 0.2, 1.0],
    "proximity": [0.0, 0.5, 1.0],
    "title_proximity": [1.0],
    "alias_boost": [0.5],
}


def score(engine: Engine, rows: list[dict], depth: int = 10) -> dict[str, float]:
    """MRR@10, S@1, S@10 and the queries with no result, over ``rows`` (known-item queries)."""
    rr = s1 = s10 = empty = 0
    for row in rows:
        ranked = [doc_id for doc_id, _ in engine.run(row["query"], depth=depth)]
        if not ranked:
            empty += 1
        if row["target_id"] in ranked:
            rank = ranked.index(row["target_id"]) + 1
            rr += 1 / rank
            s1 += rank == 1
            s10 += rank <= 10
    n = len(rows)
    return {"mrr10": rr / n, "s1": s1 / n, "s10": s10 / n, "no_result": empty}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--output", type=Path, default=HERE / "results" / "ranking_grid.json")
    args = ap.parse_args()
    tune = known_items.read_tsv(HERE / "data" / "known_items_tune.tsv")
    heldout = known_items.read_tsv(HERE / "data" / "known_items_heldout.tsv")
    grid = QUICK if args.quick else GRID
    points = []
    for values in itertools.product(*grid.values()):
        ranking = Ranking(**dict(zip(grid, values, strict=True)))
        engine = Engine(args.index, ranking=ranking)
        started = time.perf_counter()
        result = score(engine, tune)
        engine.close()
        points.append({"ranking": ranking.__dict__, "tune": result, "seconds": time.perf_counter() - started})
        print(json.dumps(points[-1]), flush=True)
    best = max(points, key=lambda p: (p["tune"]["mrr10"], p["tune"]["s1"]))
    engine = Engine(args.index, ranking=Ranking(**best["ranking"]))
    best["heldout"] = score(engine, heldout)
    engine.close()
    args.output.write_text(json.dumps({"best": best, "points": points}, indent=1) + "\n", encoding="utf-8")
    print("best:", json.dumps(best))
    return 0


if __name__ == "__main__":
    sys.exit(main())
