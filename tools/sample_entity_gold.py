"""Draw the random SaudiNewsNet articles of the entity gold standard and cut them into batches.

The gold standard (``tests/data/entities/random_gold.json``) is made of *whole* articles
drawn uniformly at random — not excerpts chosen around role cues — so that it measures
what the facets show on ordinary news.  This script only samples and writes the articles
to annotate; the annotation itself follows ``docs/entity-annotation.md`` and is done
blind to the extractor's output.  The texts are never committed: the gold file keeps the
article ids and urls, and ``tools/eval_entities.py`` reads the texts from ../shared.

    python3 tools/sample_entity_gold.py OUT_DIR [--count 90] [--batches 6] [--seed 20261201]
    python3 tools/sample_entity_gold.py OUT_DIR --count 60 --batches 4 --seed 20261202   # a second draw

Writes ``OUT_DIR/batch-<k>.jsonl`` (one article a line: ``id``, ``source``, ``url``,
``title``, ``text``) and ``OUT_DIR/assignments.json`` (which annotators get which
batches: every article is annotated by two of them).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "saudinewsnet.jsonl.gz"
EXCLUDED = ROOT / "tests" / "data" / "entities" / "snn.json"  # the older excerpt sample
#: Articles already in a gold set are never drawn again (a second draw adds new ones).
GOLD = ROOT / "tests" / "data" / "entities"


def article_id(url: str) -> str:
    """The id ``index.ingest`` gives a record without an ``id``: a hash of its url."""
    return "u" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--count", type=int, default=90)
    parser.add_argument("--batches", type=int, default=6)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()

    excluded = {item["url"] for item in json.loads(EXCLUDED.read_text(encoding="utf-8"))}
    for path in sorted(GOLD.glob("random_gold*.json")):
        excluded |= {item["url"] for item in json.loads(path.read_text(encoding="utf-8"))}
    with gzip.open(args.corpus, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    usable = [r for r in records if (r.get("content") or "").strip() and r.get("url") and r["url"] not in excluded]
    chosen = random.Random(args.seed).sample(usable, args.count)
    args.out.mkdir(parents=True, exist_ok=True)
    size = -(-args.count // args.batches)
    for k in range(args.batches):
        with open(args.out / f"batch-{k + 1}.jsonl", "w", encoding="utf-8") as out:
            for record in chosen[k * size : (k + 1) * size]:
                item = {
                    "id": article_id(record["url"]),
                    "source": record.get("source"),
                    "url": record["url"],
                    "title": record.get("title") or "",
                    "text": record["content"],
                }
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
    # Annotator a takes batches a and a+1 (cyclically): two independent annotations per article.
    assignments = {f"annotator-{a + 1}": [a + 1, (a + 1) % args.batches + 1] for a in range(args.batches)}
    (args.out / "assignments.json").write_text(json.dumps(assignments, indent=1), encoding="utf-8")
    print(f"{args.count} articles in {args.batches} batches of {size} → {args.out}")


if __name__ == "__main__":
    main()
