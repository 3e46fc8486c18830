"""Precision/recall of ``index.entities`` against the hand annotations in ``tests/data/entities``.

Sets:

* ``seed`` — the five seed articles (whole), ``snn`` — 24 SaudiNewsNet excerpts (the first
  gold, chosen around role cues: optimistic);
* ``random-dev`` / ``random-test`` — 90 *whole* SaudiNewsNet articles drawn at random and
  annotated blind by two annotators each, then adjudicated (``docs/entity-annotation.md``):
  30 for development (their errors may be looked at), 60 for testing.  ``random-test`` was
  scored once, blind, and then opened for error analysis (its first score is in the README);
* ``random-test2`` — 60 more, drawn afterwards (seed 20261202, ``random_gold_2.json``) and
  annotated the same way: the held-out set now, scored only, never inspected article by
  article (``--verbose`` does not list its errors).

  Their texts are read from ``../shared`` (never committed) and go through the same ingest as
  indexing does.

Each article is extracted with its ``source`` (gold records carry it), as the indexer does, so
that its paper's own bylines and credit lines are left out (``index.credits``).

Matching (per article and type, each gold entity matched at most once): a system value is
right when its key — the entity it resolves to (``resolve_alias``), else its spelling key
(``name_key``: clitics, hamza, ta marbuta and spelling variants folded) — equals the key of
the gold name or of one of its variants.  Run::

    .venv/bin/python tools/eval_entities.py [--sets seed,snn,random-dev,random-test] [--verbose]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.entities import TYPES, extract_entities, name_key, resolve_alias  # noqa: E402
from index.ingest import Article, read_sources  # noqa: E402

DATA = ROOT / "tests" / "data" / "entities"
CORPUS = Path(os.environ.get("SAUDINEWSNET") or ROOT.parent / "shared" / "corpora" / "saudinewsnet.jsonl.gz")
SETS = ("seed", "snn", "random-dev", "random-test", "random-test2")
#: Sets whose errors are never printed: held out.
HELD_OUT = ("random-test2",)


def key(kind: str, name: str) -> tuple[str, ...]:
    """Gold and system names meet on the entity they resolve to, else on their spelling key."""
    known = resolve_alias(name)
    if known and known[0] == kind:
        return name_key(known[1])  # the canonical name: a system value that *is* it meets it too
    return name_key(name)


def load(name: str) -> list[dict]:
    """Annotated articles of one set with ``title``, ``text`` and ``gold`` ({type: [{name, variants}]})."""
    if name.startswith("random"):
        return _load_random(name.split("-", 1)[1])
    articles = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    for article in articles:
        if "path" in article:
            article["title"], article["text"] = "", (ROOT / article["path"]).read_text(encoding="utf-8")
        article["gold"] = {k: [{"name": n, "variants": []} for n in names] for k, names in article["gold"].items()}
    return articles


def _load_random(split: str) -> list[dict]:
    items = [a for path in sorted(DATA.glob("random_gold*.json")) for a in json.loads(path.read_text(encoding="utf-8"))]
    gold = [a for a in items if a["split"] == split]
    wanted = {a["url"] for a in gold}
    records = {}
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("url") in wanted:
                records[record["url"]] = record
    with tempfile.TemporaryDirectory() as tmp:  # the articles as indexing reads them
        path = Path(tmp) / "records.jsonl"
        path.write_text("".join(json.dumps(records[a["url"]], ensure_ascii=False) + "\n" for a in gold), "utf-8")
        articles = {a.url: a for a in read_sources([path]) if isinstance(a, Article)}
    for item in gold:
        article = articles[item["url"]]
        item["title"], item["text"] = article.title, article.content
    return gold


def _gold_keys(kind: str, entity: dict) -> set[tuple[str, ...]]:
    return {key(kind, n) for n in (entity["name"], *entity.get("variants", ()))}


def score(articles: list[dict], verbose: bool = False) -> dict[str, tuple[float, float, int, int, int]]:
    """Per type: (precision, recall, true positives, system count, gold count)."""
    totals = {kind: [0, 0, 0] for kind in TYPES}
    for article in articles:
        got = extract_entities(article.get("title", ""), article["text"], article.get("source"))
        for kind in TYPES:
            # Every value counts: two values of one entity (a facet split) are one hit and one
            # false positive, not one hit.
            system = [(key(kind, n), n) for n in got[kind]]
            gold = [(_gold_keys(kind, e), e["name"]) for e in article["gold"][kind]]
            unmatched = list(range(len(gold)))
            hits = 0
            for k, value in system:
                match = next((g for g in unmatched if k in gold[g][0]), None)
                if match is None:
                    if verbose:
                        print(f"  FP {article['id']} {kind}: {value}")
                    continue
                unmatched.remove(match)
                hits += 1
            if verbose:
                for g in unmatched:
                    print(f"  FN {article['id']} {kind}: {gold[g][1]}")
            totals[kind][0] += hits
            totals[kind][1] += len(system)
            totals[kind][2] += len(gold)
    return {
        kind: (tp / sys_n if sys_n else 1.0, tp / gold_n if gold_n else 1.0, tp, sys_n, gold_n)
        for kind, (tp, sys_n, gold_n) in totals.items()
    }


def overall(scores: dict[str, tuple[float, float, int, int, int]]) -> tuple[float, float, float]:
    """Micro-averaged precision, recall and F1 over all types."""
    tp = sum(s[2] for s in scores.values())
    system = sum(s[3] for s in scores.values())
    gold = sum(s[4] for s in scores.values())
    p, r = (tp / system if system else 1.0), (tp / gold if gold else 1.0)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    """Print P/R per type (and overall F1) for each set."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="seed,snn,random-dev")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    for name in args.sets.split(","):
        scores = score(load(name), args.verbose and name not in HELD_OUT)
        print(f"== {name}")
        for kind, (p, r, tp, sys_n, gold_n) in scores.items():
            print(f"{kind:13s} P={p:.3f} R={r:.3f}  (tp={tp} system={sys_n} gold={gold_n})")
        p, r, f = overall(scores)
        print(f"{'all':13s} P={p:.3f} R={r:.3f} F1={f:.3f}")


if __name__ == "__main__":
    main()
