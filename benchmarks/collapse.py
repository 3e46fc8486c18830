"""Wire copies on the first page, and what collapsing costs: every query of the mix, one run.

Run with the project venv on a built index (``search-cli index … --rebuild --index DIR``)::

    .venv/bin/python benchmarks/collapse.py --index /tmp/w-stories-31k

1. **Violations.**  Every query of ``benchmarks/queries.tsv`` (plus the issue's examples)
   runs collapsed; its first page must not hold two articles of one story.  Judged by the
   index's story ids *and* by criteria that never look at them: an identical normalized
   body, an exact (not MinHash) Jaccard of word 5-shingles of at least 0.8, or an exact
   containment of at least 0.9 (the shorter body's shingles in the other; what a MinHash or
   LSH miss would leave on the page).  Pairs with identical first 25 normalized words (the
   issue's statistic) are counted too, but not as violations: the same opening also starts
   different daily reports, which the rule keeps apart.  The same pages
   uncollapsed show how many such pairs collapsing removed.
2. **Latency.**  Each query collapsed and not, interleaved, ``--reps`` passes after a warm-up:
   p50/p95 of each (nearest rank), in the same process.
3. **Stories.**  How many stories and grouped articles the index holds, how the exact Jaccard
   of 5-shingles between each copy and its story's first article is spread (the rule works
   on a MinHash estimate), how the issue's own statistic (articles sharing their first 25
   words) compares, and ``--sample`` random groups printed title by title for eyeballing.

Writes ``benchmarks/results/collapse.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from index.analysis import normalized_terms  # noqa: E402
from search.engine import Engine, SearchRequest  # noqa: E402

#: The issue's examples of copies on page 1.
EXTRA_QUERIES = ("ولي العهد", "أمير منطقة الرياض")


def load_requests(path: Path) -> list[tuple[str, SearchRequest]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        qid, _kind, q, *rest = line.split("\t")
        filters: dict[str, list[str]] = defaultdict(list)
        for part in (rest[0] if rest else "").split(";"):
            if "=" in part:
                key, value = part.split("=", 1)
                filters[key.strip()].append(value.strip())
        out.append((qid, SearchRequest(q=q, **{k: tuple(v) for k, v in filters.items()})))
    out += [(f"issue-{i}", SearchRequest(q=q)) for i, q in enumerate(EXTRA_QUERIES, 1)]
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


class Corpus:
    """Every live article's title, source, story and body words, read from the index once."""

    def __init__(self, engine: Engine) -> None:
        self.title: dict[str, str] = {}
        self.source: dict[str, str] = {}
        self.story: dict[str, str] = {}
        self.words: dict[str, list[str]] = {}
        with engine.backend.view() as view:
            for fields in view.searcher.all_stored_fields():
                doc_id = fields["id"]
                self.title[doc_id] = fields.get("title", "")
                self.source[doc_id] = fields.get("source", "")
                self.story[doc_id] = fields.get("story") or doc_id
                self.words[doc_id] = normalized_terms(fields.get("content", "")) or normalized_terms(
                    fields.get("title", "")
                )

    def opening(self, doc_id: str) -> tuple[str, ...] | None:
        words = self.words[doc_id]
        return tuple(words[:25]) if len(words) >= 25 else None


def same_story_pairs(ids: list[str], corpus: Corpus) -> dict[str, int]:
    """Pairs of hits of one story on a page, by the index's story ids and independently."""
    pairs = Counter()
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            pairs["story_id"] += corpus.story[a] == corpus.story[b]
            opening = corpus.opening(a)
            pairs["first_25_words"] += opening is not None and opening == corpus.opening(b)
            pairs["identical_body"] += len(corpus.words[a]) > 0 and corpus.words[a] == corpus.words[b]
            pairs["exact_jaccard_0.8"] += jaccard(corpus.words[a], corpus.words[b]) >= 0.8
            pairs["exact_containment_0.9"] += containment(corpus.words[a], corpus.words[b]) >= 0.9
    return dict(pairs)


def check_pages(engine: Engine, requests: list[tuple[str, SearchRequest]], corpus: Corpus) -> dict:
    violations, removed, left = [], Counter(), Counter()
    for qid, request in requests:
        collapsed = [hit.id for hit in engine.search(request).hits]
        full = [hit.id for hit in engine.search(request.with_changes(collapse=False)).hits]
        found = same_story_pairs(collapsed, corpus)
        left.update(found)
        if any(count for name, count in found.items() if name != "first_25_words"):
            violations.append({"qid": qid, "q": request.q, "pairs": found})
        removed.update(same_story_pairs(full, corpus))
    return {
        "queries": len(requests),
        "violations": violations,
        "pairs_on_uncollapsed_first_pages": dict(removed),
        "pairs_on_collapsed_first_pages": dict(left),
    }


class CollapseClock:
    """Time spent in the backend's collapsing steps alone (a cost that other load on a shared
    machine blurs far less than whole-search latency)."""

    def __init__(self) -> None:
        from search.whoosh_backend import WhooshView

        self.spent = 0.0
        self.view = WhooshView
        self.saved = {name: getattr(WhooshView, name) for name in ("_collapse", "_story_count")}
        for name, method in self.saved.items():
            setattr(WhooshView, name, self._timed(method))

    def _timed(self, method):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - started

        return run

    def close(self) -> None:
        for name, method in self.saved.items():
            setattr(self.view, name, method)


def latency(engine: Engine, requests: list[tuple[str, SearchRequest]], reps: int) -> dict:
    timings: dict[bool, list[float]] = {True: [], False: []}
    work: list[float] = []
    clock = CollapseClock()
    for _, request in requests:  # warm-up
        engine.search(request)
        engine.search(request.with_changes(collapse=False))
    for _ in range(reps):
        for _, request in requests:
            for collapse in (True, False):
                clock.spent = 0.0
                started = time.perf_counter()
                engine.search(request.with_changes(collapse=collapse))
                timings[collapse].append((time.perf_counter() - started) * 1000)
                if collapse:
                    work.append(clock.spent * 1000)
    clock.close()
    out: dict = {"collapse_steps_only": {"p50_ms": pct(work, 50), "p95_ms": pct(work, 95), "max_ms": max(work)}}
    for collapse, times in timings.items():
        out["on" if collapse else "off"] = {"n": len(times), "p50_ms": pct(times, 50), "p95_ms": pct(times, 95)}
    out["p50_added_ms"] = out["on"]["p50_ms"] - out["off"]["p50_ms"]
    out["p95_added_ms"] = out["on"]["p95_ms"] - out["off"]["p95_ms"]
    return out


def shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + 5]) for i in range(max(1, len(words) - 4))}


def containment(a: list[str], b: list[str]) -> float:
    """The share of the shorter body's shingles in the other (bodies of 20+ words)."""
    if len(a) < 20 or len(b) < 20:
        return 0.0
    one, two = shingles(a), shingles(b)
    return len(one & two) / min(len(one), len(two))


def jaccard(a: list[str], b: list[str]) -> float:
    if len(a) < 8 or len(b) < 8:
        return 0.0
    one, two = shingles(a), shingles(b)
    return len(one & two) / len(one | two)


def story_stats(corpus: Corpus, sample: int, seed: int) -> dict:
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id, story in corpus.story.items():
        groups[story].append(doc_id)
    multi = {story: members for story, members in groups.items() if len(members) > 1}
    jaccard_bins = Counter()
    low: list[tuple[str, str]] = []
    for members in multi.values():
        for other in members[1:]:
            j = jaccard(corpus.words[members[0]], corpus.words[other])
            jaccard_bins[f"{min(int(j * 10), 9) / 10:.1f}"] += 1
            if j < 0.3:
                low.append((members[0], other))
    openings: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for doc_id in corpus.words:
        key = corpus.opening(doc_id)
        if key is not None:
            openings[key].append(doc_id)
    shared = [m for m in openings.values() if len(m) > 1]
    split = sum(1 for m in shared if len({corpus.story[d] for d in m}) > 1)
    rng = random.Random(seed)
    picked = rng.sample(sorted(multi), min(sample, len(multi)))
    low_picked = rng.sample(low, min(sample // 2, len(low)))
    return {
        "articles": len(corpus.story),
        "stories": len(groups),
        "stories_with_copies": len(multi),
        "articles_in_stories_with_copies": sum(len(m) for m in multi.values()),
        "largest_story": max((len(m) for m in groups.values()), default=0),
        "story_sizes": dict(sorted(Counter(len(m) for m in multi.values()).items())),
        "copy_vs_first_exact_jaccard": dict(sorted(jaccard_bins.items())),
        "first_25_words_groups": len(shared),
        "first_25_words_articles": sum(len(m) for m in shared),
        "first_25_words_groups_split_across_stories": split,
        "joined_below_exact_jaccard_0.3": len(low),
        "sample": [[f"{corpus.source[d]} | {corpus.title[d]}" for d in multi[story]] for story in picked],
        "low_jaccard_sample": [
            [f"{corpus.source[d]} | {corpus.title[d]} | {' '.join(corpus.words[d][:40])}" for d in pair]
            for pair in low_picked
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="a built index directory")
    parser.add_argument("--queries", default=str(HERE / "queries.tsv"))
    parser.add_argument("--reps", type=int, default=5, help="timed passes over the mix")
    parser.add_argument("--sample", type=int, default=20, help="random story groups to print")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--out", default=str(HERE / "results" / "collapse.json"))
    args = parser.parse_args()
    engine = Engine(args.index)
    requests = load_requests(Path(args.queries))
    corpus = Corpus(engine)
    result = {
        "pages": check_pages(engine, requests, corpus),
        "latency": latency(engine, requests, args.reps),
        "stories": story_stats(corpus, args.sample, args.seed),
    }
    engine.close()
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "stories"}, ensure_ascii=False, indent=1))
    stories = result["stories"]
    print(json.dumps({k: v for k, v in stories.items() if "sample" not in k}, ensure_ascii=False, indent=1))
    for name in ("sample", "low_jaccard_sample"):
        for n, group in enumerate(stories[name], 1):
            print(f"\n{name} [{n}]")
            for line in group:
                print("   ", line)


if __name__ == "__main__":
    main()
