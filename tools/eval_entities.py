"""Precision/recall of ``index.entities`` against the hand annotations in ``tests/data/entities``.

Set-based per article: a system value counts as correct when its canonical key (spelling,
clitics and aliases folded, as the facets fold them) equals a gold value's key.  Run::

    .venv/bin/python tools/eval_entities.py [--verbose]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.entities import TYPES, extract_entities, name_key, resolve_alias  # noqa: E402

DATA = ROOT / "tests" / "data" / "entities"


def load(name: str) -> list[dict]:
    """Annotated articles of one set, with their text read in (seed articles by path)."""
    articles = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    for article in articles:
        if "path" in article:
            article["title"], article["text"] = "", (ROOT / article["path"]).read_text(encoding="utf-8")
    return articles


def key(kind: str, name: str) -> tuple[str, ...]:
    """Gold and system names meet on the entity they resolve to, else on their spelling key."""
    known = resolve_alias(name)
    if known and known[0] == kind:
        return ("=", known[1])
    return name_key(name)


def score(articles: list[dict], verbose: bool = False) -> dict[str, tuple[float, float, int, int, int]]:
    """Per type: (precision, recall, true positives, system count, gold count)."""
    totals = {kind: [0, 0, 0] for kind in TYPES}
    for article in articles:
        got = extract_entities(article.get("title", ""), article["text"])
        for kind in TYPES:
            system = {key(kind, n): n for n in got[kind]}
            gold = {key(kind, n): n for n in article["gold"][kind]}
            hits = system.keys() & gold.keys()
            totals[kind][0] += len(hits)
            totals[kind][1] += len(system)
            totals[kind][2] += len(gold)
            if verbose:
                for k in system.keys() - gold.keys():
                    print(f"  FP {article['id']} {kind}: {system[k]}")
                for k in gold.keys() - system.keys():
                    print(f"  FN {article['id']} {kind}: {gold[k]}")
    return {
        kind: (tp / sys_n if sys_n else 1.0, tp / gold_n if gold_n else 1.0, tp, sys_n, gold_n)
        for kind, (tp, sys_n, gold_n) in totals.items()
    }


def main() -> None:
    """Print P/R per type for the seed corpus and the SaudiNewsNet sample."""
    verbose = "--verbose" in sys.argv
    for name in ("seed", "snn"):
        print(f"== {name}")
        for kind, (p, r, tp, sys_n, gold_n) in score(load(name), verbose).items():
            print(f"{kind:13s} P={p:.3f} R={r:.3f}  (tp={tp} system={sys_n} gold={gold_n})")


if __name__ == "__main__":
    main()
