"""Whoosh vs a local SolrCloud (3 nodes, 2 shards × 2 replicas), one run: builds, queries, scaling.

    benchmarks/solr_bench.py [--sizes 31k,100k,300k] [--work /tmp/solr-bench] [--reps 3]
                             [--out benchmarks/results/solr.json] [--no-lucene]

For each corpus size, in one process tree on this machine:

* **build** — ``search-cli index --rebuild --workers 2`` into a Whoosh directory, and into a
  fresh SolrCloud collection (``search-cli solr create URL --shards 2 --replicas 2`` first);
  wall seconds, CPU seconds of the indexer and its workers (the Solr JVMs' CPU is read from
  /proc before and after), the indexer's peak RSS, the JVMs' RSS after the build, disk
  (Whoosh: the directory; Solr: every replica's index, so twice one copy).
* **queries** — the benchmark query mix (benchmarks/queries.tsv) as the web page runs it: a
  full page, exact total, every facet, the date histogram, 10 hits with snippets, stories
  collapsed; one warm-up pass, then ``reps`` passes alternating the backends query by query,
  one client, in this process (:mod:`solr_compare`); also totals equal and top-10 overlap.
* **Lucene** (31k only) — Anserini's ``SearchCollection`` (BM25, ArabicAnalyzer) over the same
  queries on the Anserini index that benchmarks/run.py builds: the mean time per query
  without the JVM's start, from two runs (the mix once, and 21 times): (t21 − t1) / 20 passes.

Sizes above the real corpus are synthetic: SaudiNewsNet paragraphs recombined into new
articles (3–8 paragraphs each, new ids and dates, a title taken from another article),
seeded, so every run builds the same text.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import bench_env, du_mb, load_queries, run_child  # noqa: E402
from solr_compare import compare  # noqa: E402

from index.solr_cluster import start_cluster, stop_cluster  # noqa: E402
from search.engine import Engine  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "saudinewsnet.jsonl.gz"
CLI = [sys.executable, "-m", "search.cli"]
LUCENE_INDEX = Path("/tmp/arabic-news-bench/index-lucene")


def parse_size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def corpus_of(size: int, work: Path) -> tuple[Path, int, str]:
    """The input of ``size`` articles: SaudiNewsNet up to its own size (31k: all of it), else synthetic.

    Records without content are left out (the indexer reports each as a problem and exits 1),
    so "31k" is SaudiNewsNet's 30,676 articles with content, on both backends.
    """
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        raw = [json.loads(line) for line in fh]
    real = [r for r in raw if (r.get("content") or "").strip()]
    if size <= len(raw):
        path = work / f"corpus-{size}.jsonl"
        with open(path, "w", encoding="utf-8") as out:
            for record in real[:size]:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return path, min(size, len(real)), "SaudiNewsNet"
    return synthetic(real, size, work), size, "synthetic"


def synthetic(real: list[dict], size: int, work: Path) -> Path:
    """``size`` new articles from the real ones' paragraphs (seeded: the same text every run)."""
    rnd = random.Random(size)
    paragraphs = [p.strip() for r in real for p in (r.get("content") or "").split("\n") if len(p.strip()) > 40]
    titles = [r["title"] for r in real if r.get("title")]
    sources = sorted({r.get("source") or "" for r in real} - {""})
    path = work / f"corpus-{size}.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for i in range(size):
            day = 1 + rnd.randrange(28)
            record = {
                "id": f"syn{size}-{i:07d}",
                "title": rnd.choice(titles),
                "content": "\n".join(rnd.choices(paragraphs, k=rnd.randint(3, 8))),
                "date_extracted": f"{rnd.choice((2014, 2015, 2016))}-{1 + rnd.randrange(12):02d}-{day:02d}",
                "source": rnd.choice(sources),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def jvm_stats(pids: list[int]) -> tuple[float, float]:
    """(CPU seconds, RSS MB) summed over the cluster's JVMs, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = rss = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / ticks
            rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 1e6
        except (OSError, IndexError, ValueError):
            continue
    return cpu, rss


def solr_disk_mb(base: str, collection: str) -> float:
    from index.solr_admin import aliases
    from index.solr_client import SolrClient

    client = SolrClient(base)
    try:
        name = aliases(client).get(collection, collection)
        state = client.admin("CLUSTERSTATUS", collection=name)["cluster"]["collections"][name]
        total = 0
        for shard in state["shards"].values():
            for replica in shard["replicas"].values():
                node = SolrClient(replica["base_url"])
                try:
                    status = node.get("admin/cores", {"action": "STATUS", "core": replica["core"]})
                    total += int(status["status"][replica["core"]]["index"]["sizeInBytes"])
                finally:
                    node.close()
        return total / 1e6
    finally:
        client.close()


def build_whoosh(source: Path, out: Path, logs: Path) -> dict:
    cmd = [*CLI, "index", str(source), "--rebuild", "--workers", "2", "--index", str(out), "-q"]
    result = run_child(cmd, log=logs / f"whoosh-{out.name}.log")
    result["disk_mb"] = du_mb(out)
    return result


def build_solr(source: Path, url: str, logs: Path, pids: list[int]) -> dict:
    created = subprocess.run([*CLI, "solr", "create", url, "--shards", "2", "--replicas", "2"],
                             capture_output=True, text=True, check=False)
    if created.returncode != 0:
        raise RuntimeError(created.stderr)
    cpu_before, _ = jvm_stats(pids)
    cmd = [*CLI, "index", str(source), "--rebuild", "--workers", "2", "--index", url, "-q"]
    result = run_child(cmd, log=logs / f"solr-{url.rsplit('/', 1)[1]}.log")
    cpu_after, rss = jvm_stats(pids)
    base, collection = url.rsplit("/", 1)
    result.update(jvm_cpu_s=cpu_after - cpu_before, jvm_rss_mb=rss, disk_mb=solr_disk_mb(base, collection))
    result["cpu_s_all"] = result["cpu_s"] + result["jvm_cpu_s"]
    return result


def lucene_per_query(queries: list[dict], work: Path) -> dict:
    """Anserini SearchCollection's mean time per query without JVM start: (t(21 passes) − t(1)) / 20."""
    env, jar = bench_env()
    java = str(Path(env["JAVA_HOME"]) / "bin" / "java")
    times = {}
    for passes in (1, 21):
        topics = work / f"topics-{passes}.tsv"
        with open(topics, "w", encoding="utf-8") as fh:
            for p in range(passes):
                for q in queries:
                    fh.write(f"{p}{q['qid'][1:]}\t{q['q'].replace(chr(34), '')}\n")
        cmd = [java, "-cp", jar, "io.anserini.search.SearchCollection", "-index", str(LUCENE_INDEX),
               "-topics", str(topics), "-topicReader", "TsvString", "-output", str(work / f"run-{passes}.txt"),
               "-bm25", "-language", "ar", "-hits", "10", "-threads", "1"]
        started = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        times[passes] = time.perf_counter() - started
    per_query_ms = (times[21] - times[1]) / (20 * len(queries)) * 1000
    return {"per_query_ms": round(per_query_ms, 3), "wall_1_pass_s": round(times[1], 2),
            "wall_21_passes_s": round(times[21], 2), "queries": len(queries)}


def table(results: dict) -> str:
    """The results as the README's markdown table (one row per size and backend)."""
    rows = [
        "| articles | backend | build (wall) | CPU (indexer + JVMs) | peak RSS | disk | query p50 / p95 "
        "| totals equal | top-10 overlap |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["sizes"].values():
        w, s, q = row["whoosh_build"], row["solr_build"], row["queries"]
        label = f"{row['articles']:,} ({row.get('corpus', 'synthetic')})"
        rows.append(f"| {label} | Whoosh | {w['wall_s']:.0f} s | {w['cpu_s']:.0f} s "
                    f"| {w['peak_rss_mb']:.0f} MB | {w['disk_mb']:.0f} MB "
                    f"| {q['whoosh_p50_ms']:.0f} / {q['whoosh_p95_ms']:.0f} ms | | |")
        rows.append(f"| | SolrCloud 3 nodes, 2×2 | {s['wall_s']:.0f} s | {s['cpu_s_all']:.0f} s "
                    f"| indexer {s['peak_rss_mb']:.0f} MB, JVMs {s['jvm_rss_mb']:.0f} MB "
                    f"| {s['disk_mb']:.0f} MB (2 copies) | {q['solr_p50_ms']:.0f} / {q['solr_p95_ms']:.0f} ms "
                    f"| {q['totals_equal']:.0%} | {q['mean_overlap10']:.3f} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="31k,100k,300k", help="up to 31k: SaudiNewsNet; more: synthetic")
    parser.add_argument("--work", default="/tmp/solr-bench")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "solr.json"))
    parser.add_argument("--no-lucene", action="store_true")
    parser.add_argument("--table", action="store_true", help="print --out's results as a markdown table and stop")
    args = parser.parse_args()
    if args.table:
        print(table(json.loads(Path(args.out).read_text(encoding="utf-8"))))
        return 0
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    (work / "logs").mkdir(exist_ok=True)
    queries = load_queries(ROOT / "benchmarks" / "queries.tsv")
    results: dict = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "sizes": {}, "machine": os.cpu_count()}
    cluster_dir = work / "cluster"
    stop_cluster(cluster_dir) if (cluster_dir / "cluster.json").exists() else None
    cluster = start_cluster(cluster_dir, nodes=3)
    pids = [n["pid"] for n in cluster["nodes"]] + [json.loads((cluster_dir / "cluster.json").read_text())["zk_pid"]]
    base = cluster["nodes"][0]["url"]
    try:
        if not args.no_lucene and LUCENE_INDEX.is_dir():
            results["lucene_31k"] = lucene_per_query(queries, work)
            print(json.dumps(results["lucene_31k"]), file=sys.stderr, flush=True)
        for size in map(parse_size, args.sizes.split(",")):
            results["sizes"][str(size)] = one_size(size, work, base, pids, queries, args.reps)
            Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    finally:
        stop_cluster(cluster_dir)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


def one_size(size: int, work: Path, base: str, pids: list[int], queries: list[dict], reps: int) -> dict:
    print(f"== {size} articles", file=sys.stderr, flush=True)
    source, articles, kind = corpus_of(size, work)
    whoosh_dir, url = work / f"whoosh-{size}", f"{base}/bench{size}"
    row: dict = {"articles": articles, "corpus": kind}
    row["whoosh_build"] = build_whoosh(source, whoosh_dir, work / "logs")
    print("  whoosh", json.dumps(row["whoosh_build"]), file=sys.stderr, flush=True)
    row["solr_build"] = build_solr(source, url, work / "logs", pids)
    print("  solr", json.dumps(row["solr_build"]), file=sys.stderr, flush=True)
    whoosh, solr = Engine(whoosh_dir), Engine(url)
    try:
        compared = compare(whoosh, solr, queries, reps)
    finally:
        whoosh.close()
        solr.close()
    row["queries"] = compared["summary"]
    row["solr_jvm_rss_mb_after_queries"] = round(jvm_stats(pids)[1], 1)
    print("  queries", json.dumps(row["queries"]), file=sys.stderr, flush=True)
    return row


if __name__ == "__main__":
    sys.exit(main())
