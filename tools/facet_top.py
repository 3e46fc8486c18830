"""The most frequent values of each entity facet over SaudiNewsNet, with and without credit filtering.

Extracts the entities of every article of the corpus as indexing does (``index.ingest`` reads
the records, ``index.entities.extract_entities`` with the article's source) in two worker
processes, counts for every (type, value) the articles it is in, and prints the top values of
each facet (person, organization, place).  A newspaper's own bylines and mastheads at the top
of a facet are what ``index.credits`` is for; this is how to see them::

    .venv/bin/python tools/facet_top.py               # the extractor as it is: key "after"
    .venv/bin/python tools/facet_top.py --no-credits  # index.credits switched off: key "no_credits"
    .venv/bin/python tools/facet_top.py --code /path/to/worktree-of-2918e42   # key "landed"

Each run is written under its key into ``benchmarks/results/facet_top15.json`` (the other key
is kept), with the time the credit step took per article (``screen_credits``, measured inside
the workers).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: ``--code DIR``: count with the extractor of another checkout (the landed code, for "before").
CODE = Path(sys.argv[sys.argv.index("--code") + 1]).resolve() if "--code" in sys.argv else None
sys.path.insert(0, str(CODE or ROOT))
if CODE is not None:  # the venv's editable install would answer with this checkout's modules
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in str(f).lower()]

import index.entities as entities  # noqa: E402
from index.entities import TYPES, extract_entities  # noqa: E402
from index.ingest import Article, read_sources  # noqa: E402

try:
    import index.credits as credits
except ImportError:  # the landed code had no credit step
    credits = None  # type: ignore[assignment]

CORPUS = Path(os.environ.get("SAUDINEWSNET") or ROOT.parent / "shared" / "corpora" / "saudinewsnet.jsonl.gz")
OUT = ROOT / "benchmarks" / "results" / "facet_top15.json"
_screen = credits.screen_credits if credits is not None else None
_spent = [0.0, 0]  # seconds in the credit step, calls (per worker)


def _timed_screen(*args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        return _screen(*args, **kwargs)
    finally:
        _spent[0] += time.perf_counter() - started
        _spent[1] += 1


def _untouched(mentions, *args, **kwargs):  # type: ignore[no-untyped-def]
    return mentions


def _setup(no_credits: bool) -> None:
    """Worker set-up: the credit step switched off, or timed (the name ``index.entities`` calls)."""
    if credits is not None:
        entities.screen_credits = _untouched if no_credits else _timed_screen  # type: ignore[attr-defined]


def _entities(batch: list[tuple[str, str, str | None]]) -> tuple[list[set[tuple[str, str]]], float, int]:
    _spent[:] = [0.0, 0]
    found = []
    for title, content, source in batch:
        got = extract_entities(title, content, source) if credits is not None else extract_entities(title, content)
        found.append({(kind, value) for kind in TYPES for value in got[kind]})
    return found, _spent[0], _spent[1]


def _batches(path: Path, size: int = 200) -> list[list[tuple[str, str, str | None]]]:
    articles = [(a.title, a.content, a.source) for a in read_sources([path]) if isinstance(a, Article)]
    return [articles[k : k + size] for k in range(0, len(articles), size)]


def count(path: Path, no_credits: bool, processes: int = 2) -> tuple[Counter, int, float, float]:
    """Article counts per (type, value), articles read, wall seconds and credit-step seconds."""
    batches = _batches(path)
    started = time.perf_counter()
    counts: Counter = Counter()
    spent, calls = 0.0, 0
    with Pool(processes, initializer=_setup, initargs=(no_credits,)) as pool:
        for found, seconds, n in pool.imap_unordered(_entities, batches):
            for values in found:
                counts.update(values)
            spent, calls = spent + seconds, calls + n
    return counts, sum(map(len, batches)), time.perf_counter() - started, (spent / calls if calls else 0.0)


def top(counts: Counter, n: int) -> dict[str, dict[str, int]]:
    """The ``n`` most frequent values of each type → the number of articles each is in."""
    by_type: dict[str, Counter] = {kind: Counter() for kind in TYPES}
    for (kind, value), articles in counts.items():
        by_type[kind][value] = articles
    return {kind: dict(by_type[kind].most_common(n)) for kind in TYPES}


def main() -> None:
    """Count, print the top values per facet and record them under "before" or "after"."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-credits", action="store_true", help="switch index.credits off (the 'before' run)")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--code", type=Path, help="another checkout whose extractor to count with (key 'landed')")
    args = ap.parse_args()
    counts, articles, seconds, per_call = count(args.corpus, args.no_credits, args.processes)
    result = top(counts, args.top)
    for kind, values in result.items():
        print(f"== {kind}")
        for value, c in values.items():
            print(f"{c:6d}  {value}")
    print(f"{articles} articles in {seconds:.1f} s with {args.processes} processes", end="")
    print("" if args.no_credits else f"; credit step {per_call * 1e3:.3f} ms an article")
    record: dict[str, object] = {
        "code": str(CODE) if CODE else "this checkout",
        "credits": "off (index.credits.screen_credits replaced by a pass-through)" if args.no_credits or CODE else "on",
        "articles": articles,
        "top": result,
    }
    if not args.no_credits and not CODE:
        record["credit_step_ms_per_article"] = round(per_call * 1e3, 4)
    saved = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    saved.pop("before", None)  # the key of an earlier version of this tool
    saved["landed" if CODE else "no_credits" if args.no_credits else "after"] = record
    args.out.write_text(json.dumps(saved, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
