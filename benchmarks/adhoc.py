"""Ad-hoc topics: pool the top 10 of this project and of Lucene, judge blind, score nDCG@10 and P@10.

The 52 topics (``benchmarks/adhoc/topics.json``, written from the corpus before either system
was run on them — see ``benchmarks/adhoc/README.md``) are run by this project (in-process, the
shipped ranking) and by Lucene's ArabicAnalyzer with BM25 (Anserini, through
``retrieval.py``).  The union of both top-10 lists is each topic's *pool*; judges read every
pooled article (title and text) without knowing which system found it, in an order shuffled
per topic, and grade it 0/1/2 by the topic's narrative.  An article that no judge saw (a
system's hit outside the pool, after a later change) counts as not relevant, as in TREC.

    .venv/bin/python benchmarks/adhoc.py pool --index /tmp/idx31k --out /tmp/adhoc-pools
    # … judges write /tmp/adhoc-pools/judged-<T..>.json; then
    .venv/bin/python benchmarks/adhoc.py merge /tmp/adhoc-pools          # → benchmarks/adhoc/qrels.tsv
    .venv/bin/python benchmarks/adhoc.py score --index /tmp/idx31k      # → benchmarks/results/adhoc.json
    # after a ranking change: judge only what the new top 10 holds that no judge has seen
    .venv/bin/python benchmarks/adhoc.py pool-new --index /tmp/idx31k --out /tmp/adhoc-new

Runs are kept in ``benchmarks/adhoc/runs/`` (TREC format) so a score can be recomputed.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import known_items  # noqa: E402
import retrieval  # noqa: E402

TOPICS = HERE / "adhoc" / "topics.json"
QRELS = HERE / "adhoc" / "qrels.tsv"
RUNS = HERE / "adhoc" / "runs"
DEPTH = 10
#: Characters of an article a judge reads (title, then the text): enough for the lead and body.
JUDGED_CHARS = 2500


def topics() -> list[dict]:
    return json.loads(TOPICS.read_text(encoding="utf-8"))


def run_ours(index: Path, items: list[dict]) -> dict[str, list[tuple[str, float]]]:
    from search.engine import Engine

    engine = Engine(index)
    try:
        return {t["id"]: engine.run(t["query"], depth=100) for t in items}
    finally:
        engine.close()


def run_lucene(items: list[dict]) -> dict[str, list[tuple[str, float]]]:
    bench = retrieval.Bench(retrieval.Config(reuse=True))
    return bench.retrieve([(t["id"], t["query"]) for t in items], "lucene")


def write_run(name: str, run: dict[str, list[tuple[str, float]]]) -> None:
    RUNS.mkdir(parents=True, exist_ok=True)
    lines = [
        f"{qid} Q0 {doc} {rank} {score:.4f} {name}"
        for qid, hits in run.items()
        for rank, (doc, score) in enumerate(hits, 1)
    ]
    (RUNS / f"{name}.run").write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_run(name: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in (RUNS / f"{name}.run").read_text(encoding="utf-8").splitlines():
        qid, _, doc, _rank, _score, _tag = line.split()
        out.setdefault(qid, []).append(doc)
    return out


def articles(ids: set[str]) -> dict[str, dict]:
    """The pooled articles as indexing reads them (cleaned title and text), from ../shared."""
    from index.ingest import Article, read_sources

    found: dict[str, dict] = {}
    for item in read_sources([known_items.DEFAULT_CORPUS]):
        if isinstance(item, Article) and item.id in ids:
            found[item.id] = {"id": item.id, "title": item.title, "date": item.date, "text": item.content}
    return found


def pool(args: argparse.Namespace) -> None:
    items = topics()
    ours, lucene = run_ours(args.index, items), run_lucene(items)
    write_run("ours", ours)
    write_run("lucene", lucene)
    pools = {t["id"]: {d for d, _ in ours[t["id"]][:DEPTH]} | {d for d, _ in lucene[t["id"]][:DEPTH]} for t in items}
    texts = articles(set().union(*pools.values()))
    args.out.mkdir(parents=True, exist_ok=True)
    for topic in items:
        docs = sorted(pools[topic["id"]])
        random.Random(topic["id"]).shuffle(docs)  # no system order leaks into the judging order
        batch = [{**texts[d], "text": texts[d]["text"][:JUDGED_CHARS]} for d in docs if d in texts]
        (args.out / f"pool-{topic['id']}.json").write_text(
            json.dumps({"topic": topic, "articles": batch}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    print(f"{len(items)} topics, {sum(map(len, pools.values()))} pooled articles → {args.out}")


def pool_new(args: argparse.Namespace) -> None:
    """Pool files of the articles in this project's top 10 that no judge has seen (after a
    change to the ranking), to be judged blind like the first pool; ``merge`` adds them."""
    items = topics()
    judged = qrels()
    ours = run_ours(args.index, items)
    new = {t["id"]: [d for d, _ in ours[t["id"]][:DEPTH] if d not in judged.get(t["id"], {})] for t in items}
    texts = articles(set().union(*map(set, new.values())))
    args.out.mkdir(parents=True, exist_ok=True)
    for topic in items:
        docs = sorted(new[topic["id"]])
        if not docs:
            continue
        random.Random(topic["id"]).shuffle(docs)
        batch = [{**texts[d], "text": texts[d]["text"][:JUDGED_CHARS]} for d in docs if d in texts]
        (args.out / f"pool-{topic['id']}.json").write_text(
            json.dumps({"topic": topic, "articles": batch}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    print(f"{sum(map(len, new.values()))} unjudged articles in {sum(1 for v in new.values() if v)} topics → {args.out}")


def merge(args: argparse.Namespace) -> None:
    """``judged-*.json`` files (``{"topic": id, "grades": {doc: 0|1|2}}`` lists) → qrels.tsv,
    added to the judgments already there (an earlier grade of an article is kept)."""
    grades: dict[tuple[str, str], int] = {(t, d): g for t, docs in qrels().items() for d, g in docs.items()}
    for path in sorted(args.pools.glob("judged-*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8")):
            for doc, grade in entry["grades"].items():
                grades.setdefault((entry["topic"], doc), int(grade))
    lines = [f"{topic}\t{doc}\t{grade}" for (topic, doc), grade in sorted(grades.items())]
    QRELS.write_text("topic\tdoc\tgrade\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} judgments → {QRELS}")


def qrels() -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for line in QRELS.read_text(encoding="utf-8").splitlines()[1:]:
        topic, doc, grade = line.split("\t")
        out.setdefault(topic, {})[doc] = int(grade)
    return out


def ndcg(ranked: list[str], judged: dict[str, int], k: int = DEPTH) -> float:
    """nDCG@k with gains 2^grade − 1 (TREC's); unjudged articles gain nothing."""
    dcg = sum((2 ** judged.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def precision(ranked: list[str], judged: dict[str, int], k: int = DEPTH) -> float:
    """P@k, an article graded 1 or 2 counting as relevant."""
    return sum(1 for d in ranked[:k] if judged.get(d, 0) >= 1) / k


def score(args: argparse.Namespace) -> None:
    items = topics()
    judged = qrels()
    runs = {"lucene": read_run("lucene")}
    if args.index:
        ours = run_ours(args.index, items)
        write_run("ours", ours)  # kept, so that the score can be recomputed
        runs["ours"] = {q: [d for d, _ in hits] for q, hits in ours.items()}
    else:
        runs["ours"] = read_run("ours")
    table = {}
    for name, run in runs.items():
        per_topic = {t["id"]: (ndcg(run.get(t["id"], []), judged.get(t["id"], {})),
                               precision(run.get(t["id"], []), judged.get(t["id"], {}))) for t in items}  # fmt: skip
        unjudged = sum(1 for t in items for d in run.get(t["id"], [])[:DEPTH] if d not in judged.get(t["id"], {}))
        table[name] = {
            "ndcg10": sum(v[0] for v in per_topic.values()) / len(items),
            "p10": sum(v[1] for v in per_topic.values()) / len(items),
            "unjudged_in_top10": unjudged,
            "per_topic": per_topic,
        }
        print(f"{name:8s} nDCG@10 {table[name]['ndcg10']:.3f}  P@10 {table[name]['p10']:.3f}  unjudged {unjudged}")
    out = HERE / "results" / "adhoc.json"
    out.write_text(json.dumps({"topics": len(items), "systems": table}, ensure_ascii=False, indent=1) + "\n", "utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pool")
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    n = sub.add_parser("pool-new")
    n.add_argument("--index", type=Path, required=True)
    n.add_argument("--out", type=Path, required=True)
    m = sub.add_parser("merge")
    m.add_argument("pools", type=Path)
    s = sub.add_parser("score")
    s.add_argument("--index", type=Path, help="run this project again on this index (default: the stored run)")
    args = ap.parse_args()
    {"pool": pool, "pool-new": pool_new, "merge": merge, "score": score}[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
