"""Load test: the production server (gunicorn, 2 workers) under concurrent clients, on loopback.

Unit tests call the Flask app in-process, one request at a time; they cannot show errors
that only appear with several worker processes and concurrent clients (shared index files,
the engine's lock, memory that grows with every request).  This script starts
``gunicorn wsgi:app`` exactly as production does, drives it with N client threads for a
bounded time — a mix of searches, facet clicks (filter parameters) and document pages — and
reports requests, errors, p50/p95 latency and each worker's RSS at start and end.

Loopback only: the server binds 127.0.0.1 and the clients connect there.  Not part of
pytest (it runs for a minute).  ``gunicorn`` is in the ``test`` extra::

    .venv/bin/python tools/load_test.py                     # seed corpus, 16 clients, 60 s
    .venv/bin/python tools/load_test.py --clients 32 --seconds 120 --index /path/to/index

Exit status 1 when any request failed (a 5xx, a connection error or an unexpected status).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
QUERIES = [
    "داعش",
    "الرقة",
    "ادلب",
    "بالرقة قسد",
    '"دير الزور"',
    "سوريا OR العراق",
    "تنظيم -الرقة",
    "إدل*",
    "ISIS",
    "title:داعش",
    "date:2017",
    "مستشفي",
    "داعس",
]


@dataclass
class Stats:
    """Latencies and failures collected by all client threads (appends are atomic in CPython)."""

    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    """A port nobody listens on now, for the server to bind (loopback only)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """One GET on a fresh connection (gunicorn's sync workers close after each response)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def rss_kb(pid: int) -> int:
    """Resident set size of a process from /proc (Linux), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker_pids(master: int) -> list[int]:
    """gunicorn's worker processes: the children of the master, found through /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 4 (ppid) comes after the parenthesised command name, which may contain spaces.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == master:
            pids.append(int(entry.name))
    return sorted(pids)


def build_seed_index(corpus: Path) -> Path:
    """Index ``corpus`` into a temp dir so the run never touches a real index."""
    from index.build import build_index

    index_dir = Path(tempfile.mkdtemp(prefix="load-test-")) / "index"
    report = build_index([corpus], index_dir, rebuild=True)
    print(f"indexed {report.indexed} articles from {corpus} into {index_dir}", file=sys.stderr)
    return index_dir


def start_server(index_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``gunicorn wsgi:app`` with the index from the environment, as in production."""
    env = {**os.environ, "NEWS_SEARCH_INDEX": str(index_dir)}
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"{HOST}:{port}"]
    cmd += ["--chdir", str(ROOT), "--log-level", "warning", "--timeout", "60", "wsgi:app"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {proc.returncode}")
        try:
            if get(port, "/api/stats", timeout=5)[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("gunicorn did not answer within 60 s")


def targets(port: int, queries: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Document ids and facet values (kind, value) present in the index, for realistic clicks."""
    facets = json.loads(get(port, "/api/facets")[1])["facets"]
    values = [(kind, row["value"]) for kind in ("person", "organization", "place", "source") for row in facets[kind]]
    ids: set[str] = set()
    for q in queries[:6]:
        result = json.loads(get(port, "/api/search?" + urllib.parse.urlencode({"q": q, "per_page": 50}))[1])
        ids.update(hit["id"] for hit in result.get("hits", []))
    return sorted(ids), values


def next_request(
    rng: random.Random, queries: list[str], ids: list[str], facets: list[tuple[str, str]]
) -> tuple[str, str]:
    """One request of the mix: 45 % searches (page or API), 30 % facet clicks, 25 % documents."""
    roll = rng.random()
    if roll < 0.45 or not (ids and facets):
        params = {"q": rng.choice(queries)}
        if rng.random() < 0.2:
            params["page"] = str(rng.randint(1, 3))
        if rng.random() < 0.2:
            params["sort"] = "date"
        return "search", rng.choice(["/", "/api/search"]) + "?" + urllib.parse.urlencode(params)
    if roll < 0.75:
        chosen = rng.sample(facets, k=min(len(facets), rng.randint(1, 2)))
        params = [("q", rng.choice(queries[:4]))] if rng.random() < 0.7 else []
        params += chosen
        return "facet", rng.choice(["/", "/api/search"]) + "?" + urllib.parse.urlencode(params)
    doc_id = urllib.parse.quote(rng.choice(ids), safe="")
    return "document", rng.choice(["/doc/", "/api/doc/"]) + doc_id


def client(port: int, until: float, seed: int, mix: tuple[list[str], list[str], list], stats: Stats) -> None:
    """Send requests back to back until the deadline, recording latency and failures."""
    rng = random.Random(seed)
    while time.monotonic() < until:
        kind, path = next_request(rng, *mix)
        started = time.perf_counter()
        try:
            status, _ = get(port, path)
        except OSError as exc:
            stats.errors.append(f"{path}: {exc!r}")
            continue
        stats.latencies.append(time.perf_counter() - started)
        stats.by_kind[kind] = stats.by_kind.get(kind, 0) + 1
        if status != 200:
            stats.errors.append(f"{path}: HTTP {status}")


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (0–1) of ``values``, in milliseconds."""
    if len(values) < 2:
        return (values[0] if values else 0.0) * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1] * 1000


def warm_up(port: int, queries: list[str], ids: list[str], clients: int) -> None:
    """Every query and some documents, from ``clients`` threads at once, before measuring.

    Each worker loads its searcher, lexicon, facet table and length norms on first use;
    requests sent one after another all land on the same idle worker, so the warm-up is
    concurrent, like the load, to reach every worker.  "start" RSS is then a serving
    worker's, and growth during the run is memory kept per request.
    """
    paths = ["/api/search?" + urllib.parse.urlencode({"q": q}) for q in queries]
    paths += ["/doc/" + urllib.parse.quote(doc_id, safe="") for doc_id in ids[:20]]

    def one(offset: int) -> None:
        for path in paths[offset:] + paths[:offset]:
            get(port, path)

    threads = [threading.Thread(target=one, args=(i * len(paths) // clients,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_load(index_dir: Path, *, clients: int, seconds: float, workers: int, queries: list[str]) -> dict:
    """Serve ``index_dir`` with gunicorn and drive it; requests, errors, latencies, worker RSS."""
    port = free_port()
    server = start_server(index_dir, port, workers)
    try:
        ids, facets = targets(port, queries)
        pids = worker_pids(server.pid)
        warm_up(port, queries, ids, clients)
        rss_start = {pid: rss_kb(pid) for pid in pids}
        stats = Stats()
        until = time.monotonic() + seconds
        mix = (queries, ids, facets)
        threads = [
            threading.Thread(target=client, args=(port, until, i, mix, stats), daemon=True) for i in range(clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 60)
        elapsed = time.monotonic() - started
        rss_end = {pid: rss_kb(pid) for pid in worker_pids(server.pid)}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    lat = stats.latencies
    return {
        "clients": clients,
        "workers": workers,
        "seconds": elapsed,
        "requests": len(lat) + sum(1 for e in stats.errors if "HTTP" not in e),
        "by_kind": dict(sorted(stats.by_kind.items())),
        "errors": len(stats.errors),
        "error_samples": stats.errors[:10],
        "p50_ms": percentile(lat, 0.50),
        "p95_ms": percentile(lat, 0.95),
        "max_ms": max(lat, default=0.0) * 1000,
        "rss_start_mb": {pid: kb / 1024 for pid, kb in rss_start.items()},
        "rss_end_mb": {pid: kb / 1024 for pid, kb in rss_end.items()},
        "restarted": set(rss_start) != set(rss_end),
    }


def queries_from_tsv(path: Path) -> list[str]:
    """The query texts of a ``benchmarks/queries.tsv``-style file (third column)."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return [row[2] for row in rows if len(row) >= 3 and row[0] and not row[0].startswith("#")]


def main(argv: list[str] | None = None) -> int:
    """Parse options, run the load, print the report; 1 if any request failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to drive load (default 60)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads, 8-32 (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--index", type=Path, help="an existing index (default: build the seed corpus in a temp dir)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "data" / "corpus", help="what to index without --index")
    parser.add_argument("--queries", type=Path, help="a queries.tsv file (default: a mix for the seed corpus)")
    args = parser.parse_args(argv)
    if not 8 <= args.clients <= 32:
        parser.error("--clients must be between 8 and 32")
    queries = queries_from_tsv(args.queries) if args.queries else QUERIES
    index_dir = args.index or build_seed_index(args.corpus)
    try:
        res = run_load(index_dir, clients=args.clients, seconds=args.seconds, workers=args.workers, queries=queries)
    finally:
        if args.index is None:  # the temp index we built
            shutil.rmtree(index_dir.parent, ignore_errors=True)
    elapsed, total = res["seconds"], res["requests"]
    print(f"{args.clients} clients, {args.workers} workers, {elapsed:.1f} s, index {index_dir}")
    print(f"requests: {total} ({total / elapsed:.1f}/s) — " + ", ".join(f"{k} {v}" for k, v in res["by_kind"].items()))
    print(f"errors: {res['errors']}")
    for line in res["error_samples"]:
        print(f"  {line}")
    print(f"latency: p50 {res['p50_ms']:.1f} ms, p95 {res['p95_ms']:.1f} ms, max {res['max_ms']:.1f} ms")
    for pid in sorted(set(res["rss_start_mb"]) | set(res["rss_end_mb"])):
        start, end = res["rss_start_mb"].get(pid), res["rss_end_mb"].get(pid)
        print(f"worker {pid}: RSS start {start or 0:.1f} MB, end " + (f"{end:.1f} MB" if end else "- (restarted)"))
    if res["restarted"]:
        print("workers were restarted during the run (a crash or a timeout)")
        return 1
    return 1 if res["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
