"""Export benchmark: time and memory of exporting whole result sets (``Engine.export``).

Run with the *project* venv on a built index (e.g. of the 31k SaudiNewsNet corpus)::

    search-cli index ../shared/corpora/saudinewsnet.jsonl.gz --rebuild --index /tmp/saudi-31k
    .venv/bin/python benchmarks/export.py --index /tmp/saudi-31k

Each case runs in a child process of its own: it opens the index, warms up what every
export shares (one small export of another query: the facet table, the date column, the
analysis caches), then exports the case's result set in full, as ``/api/export`` and
``search-cli search --all`` write it (``search.export.export_chunks``), to a sink that only
counts the bytes.  Per case: the articles, the seconds from the request to the last byte,
and the peak resident memory *above* what the process held before the case (``VmHWM``,
reset through ``/proc/self/clear_refs``), so a flat export shows about the same peak for
3,000 articles and for 30,000.  ``--tracemalloc`` adds a second pass measuring the peak of
Python's own allocations (slower; not timed).

Prints a markdown table and writes ``benchmarks/results/export.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # this checkout's packages, wherever the script is run from

from search.engine import Engine, SearchRequest  # noqa: E402
from search.export import export_chunks  # noqa: E402

#: Result sets from a few thousand articles to the whole corpus (SaudiNewsNet: July–August 2015).
CASES: dict[str, SearchRequest] = {
    "first 10 days of August, newest first": SearchRequest(date_from="2015-08-01", date_to="2015-08-10"),
    "word «السعودية», by relevance": SearchRequest(q="السعودية"),
    "word «اليوم», by relevance": SearchRequest(q="اليوم"),
    "word «العام», by date": SearchRequest(q="العام", sort="date"),
    "July 2015, newest first": SearchRequest(date_from="2015-07", date_to="2015-07"),
    "every dated article, newest first": SearchRequest(date_from="2000", date_to="2030"),
}
WARM_UP = SearchRequest(q="الرياض", date_from="2015-08-01", date_to="2015-08-01")
TARGET_SECONDS_PER_10K = 5.0


def _status_kb(field: str) -> int:
    """A ``/proc/self/status`` memory figure (VmRSS, VmHWM) in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _reset_peak() -> None:
    """Start a new resident-memory high-water mark (Linux ≥ 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def _export(engine: Engine, request: SearchRequest, fmt: str) -> tuple[int, int]:
    """Export ``request`` in full; its total and the bytes written."""
    written = 0
    with engine.export(request) as exported:
        for chunk in export_chunks(exported, fmt):
            written += len(chunk.encode("utf-8"))
    return exported.total, written


def measure(engine: Engine, name: str, request: SearchRequest, fmt: str, python_peak: bool) -> dict[str, object]:
    """One case: articles, seconds, MB written, peak RSS above the start, optionally Python's peak."""
    before = _status_kb("VmRSS")
    _reset_peak()
    started = time.perf_counter()
    total, written = _export(engine, request, fmt)
    seconds = time.perf_counter() - started
    row: dict[str, object] = {
        "case": name,
        "request": request.to_args(),
        "articles": total,
        "seconds": round(seconds, 2),
        "articles_per_s": round(total / seconds) if seconds else 0,
        "mb_written": round(written / 1e6, 1),
        "peak_rss_above_start_mb": round((_status_kb("VmHWM") - before) / 1024, 1),
    }
    if python_peak:
        tracemalloc.start()
        _export(engine, request, fmt)
        row["python_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
        tracemalloc.stop()
    return row


def child(index: str, name: str, fmt: str, python_peak: bool) -> dict[str, object]:
    """One case in this process (``--child``): open, warm up, measure."""
    engine = Engine(index)
    try:
        _export(engine, WARM_UP, fmt)
        return measure(engine, name, CASES[name], fmt, python_peak)
    finally:
        engine.close()


def _in_child(args: argparse.Namespace, name: str) -> dict[str, object]:
    command = [sys.executable, __file__, "--index", args.index, "--format", args.format, "--child", name]
    if args.tracemalloc:
        command.append("--tracemalloc")
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="a built index directory")
    parser.add_argument("--format", default="csv", choices=("csv", "jsonl"))
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python's peak allocations")
    parser.add_argument("--out", default=str(HERE / "results" / "export.json"))
    parser.add_argument("--child", choices=list(CASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.index, args.child, args.format, args.tracemalloc), ensure_ascii=False))
        return
    rows = [_in_child(args, name) for name in CASES]
    python_peak = " Python peak (MB) |" if args.tracemalloc else ""
    print(f"| case | articles | seconds | articles/s | MB {args.format} | peak RSS above start (MB) |{python_peak}")
    print("|---|---:|---:|---:|---:|---:|" + ("---:|" if args.tracemalloc else ""))
    for row in rows:
        print(
            f"| {row['case']} | {row['articles']:,} | {row['seconds']} | {row['articles_per_s']:,} "
            f"| {row['mb_written']} | {row['peak_rss_above_start_mb']} |"
            + (f" {row['python_peak_mb']} |" if args.tracemalloc else "")
        )
    result = {
        "index": args.index,
        "format": args.format,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "target": f"10,000 articles in <= {TARGET_SECONDS_PER_10K} s at flat memory",
        "cases": rows,
    }
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
