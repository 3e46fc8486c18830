"""Fault injection across the whole stack: bad inputs, killed writers, concurrent writers and
readers, hostile queries and failing views.

The unit-level cases (one broken file, one killed rebuild, one malformed query) live in
test_ingest.py, test_index.py, test_search.py and test_web.py; this file combines them the
way they happen in production — many at once, in other processes, under a clock — and is
the source of the table in ``docs/reliability.md``.  Every test here must stay fast (the
file runs in well under 30 s) because it runs in ``make test``.
"""

from __future__ import annotations

import codecs
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

import pytest
from click.testing import CliRunner
from flask import Flask
from helpers import as_json
from whoosh import index as whoosh_index

from index import ingest
from index.build import IndexingError, build_index
from index.failpoints import FAILPOINT_ENV, MARKER_ENV
from index.layout import current_generation
from search.cli import main
from search.engine import Engine, SearchRequest
from search.errors import QueryError
from web import create_app
from web.state import close_engine

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "corpus"
SEED_TEXT = (SEED / "000_4e3d15a02d7a4506.txt").read_text(encoding="utf-8")
PARA = "أعلنت الحكومة اليوم عن خطة اقتصادية جديدة تهدف إلى دعم القطاعات المتضررة وتوفير فرص العمل للشباب."
#: Generous wall-clock bound for one hostile query: a hang, not slowness, is what fails.
#: A watchdog against hangs, far above the engine's own 5-second time limit: not a speed assertion.
QUERY_BOUND_S = 60.0
T = TypeVar("T")


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def article(doc_id: str, content: str, title: str = "خبر") -> dict:
    return {"id": doc_id, "title": title, "content": content, "date": "2017-06-01"}


def live_segments(index_dir: Path) -> set[str]:
    """The segment ids the live generation's TOC lists (their files are the index, not leftovers)."""
    ix = whoosh_index.open_dir(str(current_generation(index_dir)))
    try:
        return {segment.segment_id() for segment in ix._segments()}
    finally:
        ix.close()


def doc_count(index_dir: Path) -> int:
    ix = whoosh_index.open_dir(str(current_generation(index_dir)))
    try:
        return ix.doc_count()
    finally:
        ix.close()


def within(seconds: float, func: Callable[[], T]) -> T:
    """Run ``func`` in a daemon thread and fail if it has not finished after ``seconds``.

    A bound against hangs measured by a watchdog, not a speed assertion: the result or
    exception of ``func`` is passed through unchanged.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = func()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"did not finish within {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.fixture
def seeded(make_index) -> Path:
    """A seed index of this test's own (the test may change it)."""
    return make_index(name="seeded", seed=True)


# --- ingest: one directory with every kind of bad input ---------------------------------------


@pytest.fixture
def mixed_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, tuple[int | None, str]]]:
    """Good articles next to every bad input we know of; returns the dir and the expected problems.

    The unreadable file is made unreadable by a patched ``_open_binary`` (chmod is ignored
    by root, which is how this suite runs in CI), the same seam test_ingest uses.
    """
    src = tmp_path / "mixed"
    src.mkdir()
    (src / "good.txt").write_text(f"خبر سليم\n\n{PARA}", encoding="utf-8")
    (src / "cp1256.txt").write_bytes(f"خبر بترميز ويندوز\n\n{PARA}".encode("cp1256"))
    (src / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + f"خبر بترميز يونيكود\n\n{PARA}".encode("utf-16-le"))
    (src / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (src / "empty.txt").write_bytes(b"")
    lines = [json.dumps(article(f"line-{i}", f"{PARA} {i}"), ensure_ascii=False) for i in range(1, 5)]
    lines[1] = lines[1][: len(lines[1]) // 2]  # truncated mid-record, line 2 of 4
    (src / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (src / "config.json").write_text('{"version": 3, "debug": true}', encoding="utf-8")
    # Big enough to exercise the whole pipeline on one huge article while keeping this file
    # fast; the 20 MB read itself is test_ingest.py::test_20mb_article.
    (src / "big.txt").write_text("مقال طويل\n\n" + "\n\n".join(f"{i}: {PARA}" for i in range(4000)), encoding="utf-8")
    secret = src / "secret.txt"
    secret.write_text(f"خبر سري\n\n{PARA}", encoding="utf-8")
    real_open = ingest._open_binary

    def deny(path: Path, compressed: bool) -> IO[bytes]:
        if path == secret:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, compressed)

    monkeypatch.setattr(ingest, "_open_binary", deny)
    expected = {
        "binary.txt": (None, "binary"),
        "empty.txt": (None, "empty"),
        "feed.jsonl": (2, "JSON"),
        "config.json": (None, "not an article"),
        "secret.txt": (None, "Permission denied"),
    }
    return src, expected


GOOD_IDS = {"good", "cp1256", "utf16", "big", "line-1", "line-3", "line-4"}


def test_mixed_directory_indexes_every_good_document_and_reports_each_bad_one(
    mixed_dir: tuple[Path, dict[str, tuple[int | None, str]]], tmp_path: Path
) -> None:
    src, expected = mixed_dir
    index_dir = tmp_path / "ix"
    result = CliRunner().invoke(main, ["index", str(src), "--index", str(index_dir)])
    assert result.exit_code == 1, "the summary and exit code must say something failed"
    assert f"{len(GOOD_IDS)} indexed, 0 skipped, {len(expected)} failed" in result.stderr
    problem_lines = [line for line in result.stderr.splitlines() if line.startswith("search-cli: skipped ")]
    assert len(problem_lines) == len(expected), result.stderr
    for name, (line, reason) in expected.items():
        where = f"{src / name}:{line}:" if line else f"{src / name}:"
        matching = [p for p in problem_lines if where in p]
        assert len(matching) == 1, (name, problem_lines)
        assert reason.lower() in matching[0].lower(), matching[0]
    eng = Engine(index_dir)
    try:
        assert eng.stats()["documents"] == len(GOOD_IDS)
        assert {as_json(eng.document(doc_id))["id"] for doc_id in GOOD_IDS} == GOOD_IDS  # type: ignore[index]
        assert eng.search(SearchRequest("ويندوز")).to_json()["total"] == 1, "the Windows-1256 text is searchable"
        assert eng.search(SearchRequest("يونيكود")).to_json()["total"] == 1, "the UTF-16 text is searchable"
    finally:
        eng.close()


def test_strict_mixed_directory_fails_before_anything_is_swapped_in(
    mixed_dir: tuple[Path, dict[str, tuple[int | None, str]]], seeded: Path
) -> None:
    src, _ = mixed_dir
    before = current_generation(seeded)
    for extra in (["--rebuild"], []):
        result = CliRunner().invoke(main, ["index", str(src), "--index", str(seeded), "--strict", "--quiet", *extra])
        assert result.exit_code == 2
        assert "--strict" in result.stderr and "index left unchanged" in result.stderr
        assert current_generation(seeded) == before
        assert doc_count(seeded) == 5
    assert sorted(p.name for p in seeded.iterdir() if p.name.startswith("gen-")) == [before.name]  # type: ignore[union-attr]


# --- kill -9 during an incremental update ----------------------------------------------------

UPDATE_SCRIPT = """
import sys
from index.build import build_index
build_index([sys.argv[1]], sys.argv[2])
"""


@pytest.mark.parametrize("point", ["update-added", "segment-written", "before-toc", "update-committed"])
def test_incremental_update_killed_at_each_step_recovers_without_cleanup(
    seeded: Path, tmp_path: Path, point: str
) -> None:
    # Whoosh's incremental commit writes segment files, a temporary TOC and holds its own
    # WRITELOCK inside the live generation: killing it can leave all three behind.
    bulk = write_jsonl(tmp_path / "bulk.jsonl", [article(f"bulk-{i}", SEED_TEXT, f"مقال {i}") for i in range(120)])
    generation = current_generation(seeded)
    marker = tmp_path / "failpoint.txt"
    env = {**os.environ, FAILPOINT_ENV: point, MARKER_ENV: str(marker)}
    proc = subprocess.run([sys.executable, "-c", UPDATE_SCRIPT, str(bulk), str(seeded)], cwd=ROOT, env=env, check=False)
    assert proc.returncode == -signal.SIGKILL and marker.read_text().split()[0] == point, "killed at the failpoint"
    assert current_generation(seeded) == generation, "an update never swaps generations"
    count = doc_count(seeded)
    assert count == (125 if point == "update-committed" else 5), "either the whole commit is visible or none of it"
    eng = Engine(seeded)
    try:
        assert eng.search(SearchRequest("إدلب")).total >= 1
        assert eng.facets()["total"] == count, "a facet table left stale by the kill is not used"
    finally:
        eng.close()
    # The next update succeeds with no manual cleanup, even if Whoosh's WRITELOCK was left.
    extra = write_jsonl(tmp_path / "extra.jsonl", [article("after-kill", "خبر بعد الانقطاع عن الرقة")])
    report = build_index([extra], seeded, lock_timeout=10)
    assert report.indexed == 1
    assert doc_count(seeded) == count + 1
    # ...and Whoosh's commit removed the killed run's orphan segment files and temp dir.
    live = live_segments(seeded)
    leftovers = [
        p.name
        for p in generation.iterdir()  # type: ignore[union-attr]
        if p.suffix in (".col", ".pst", ".trm", ".seg", ".tmp") and p.name.split(".")[0] not in live
    ]
    assert leftovers == []


DELETE_SCRIPT = """
import sys
from index.build import delete_documents
delete_documents(sys.argv[1], sys.argv[2:])
"""


def test_delete_killed_before_its_commit_deletes_nothing(seeded: Path, tmp_path: Path) -> None:
    marker = tmp_path / "failpoint.txt"
    env = {**os.environ, FAILPOINT_ENV: "delete-marked", MARKER_ENV: str(marker)}
    victim = "000_4e3d15a02d7a4506"
    proc = subprocess.run([sys.executable, "-c", DELETE_SCRIPT, str(seeded), victim], cwd=ROOT, env=env, check=False)
    assert proc.returncode == -signal.SIGKILL and marker.read_text().startswith("delete-marked ")
    assert doc_count(seeded) == 5
    from index.build import delete_documents

    assert delete_documents(seeded, [victim], lock_timeout=10).deleted == 1
    assert doc_count(seeded) == 4


def test_stale_whoosh_writelock_and_toc_in_generation_are_harmless(seeded: Path, tmp_path: Path) -> None:
    generation = current_generation(seeded)
    assert generation is not None
    (generation / "MAIN_WRITELOCK").write_text("")
    (generation / "_MAIN_999.toc.tmp1234").write_bytes(b"\x00garbage")
    eng = Engine(seeded)
    try:
        assert eng.search(SearchRequest("إدلب")).to_json()["total"] >= 1
        extra = write_jsonl(tmp_path / "extra.jsonl", [article("after-stale", "خبر عن الرقة")])
        assert build_index([extra], seeded, lock_timeout=10).indexed == 1
        assert as_json(eng.document("after-stale")) is not None
    finally:
        eng.close()


# --- two writers, readers during writes ------------------------------------------------------

HOLD_SCRIPT = """
import sys, time
from pathlib import Path
from index.whoosh_writer import _WriterLock
with _WriterLock(Path(sys.argv[1]), timeout=5):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_second_writer_in_another_process_waits_then_gives_a_clear_message(seeded: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_SCRIPT, str(seeded), "4"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(IndexingError, match=r"another indexing run is writing .*waited 1 s"):
            build_index([SEED], seeded, lock_timeout=1)
        assert time.monotonic() - started >= 0.9, "it waited before giving up"
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]
    # The holder was killed holding the flock: the kernel released it, no stale lock remains.
    assert build_index([SEED], seeded, lock_timeout=2).indexed == 5


def test_second_writer_process_waits_for_the_first_then_succeeds(seeded: Path, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_SCRIPT, str(seeded), "1.5"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        extra = write_jsonl(tmp_path / "extra.jsonl", [article("waited", "خبر انتظر دوره")])
        started = time.monotonic()
        assert build_index([extra], seeded, lock_timeout=20).indexed == 1
        assert time.monotonic() - started >= 1.0
    finally:
        holder.wait(timeout=10)
        holder.stdout.close()  # type: ignore[union-attr]
    assert doc_count(seeded) == 6


#: The writer for the readers test: sources as a JSON list, rebuild or update.
WRITE_SCRIPT = """
import json, sys
from index.build import build_index
build_index(json.loads(sys.argv[1]), sys.argv[2], rebuild=sys.argv[3] == "rebuild")
"""


@pytest.mark.parametrize("rebuild", [False, True], ids=["update", "rebuild"])
def test_readers_keep_answering_during_a_write_in_another_process(seeded: Path, tmp_path: Path, rebuild: bool) -> None:
    new = [article(f"fresh-{i}", f"{SEED_TEXT}\n\nكلمةفريدة {i}") for i in range(60)]
    source = write_jsonl(tmp_path / "fresh.jsonl", new)
    sources = [str(source)] + ([str(SEED)] if rebuild else [])
    eng = Engine(seeded)
    errors: list[BaseException] = []
    answers = [0]
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                result = eng.search(SearchRequest("إدلب")).to_json()
                assert result["total"] >= 1
                answers[0] += 1
            except BaseException as exc:
                errors.append(exc)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", WRITE_SCRIPT, json.dumps(sources), str(seeded), "rebuild" if rebuild else "update"],
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0
        during = answers[0]  # answered while the writer process ran (it takes seconds)
        time.sleep(0.3)  # a few searches after the commit
    finally:
        stop.set()
        thread.join(10)
    try:
        assert errors == [], errors[:3]
        assert during > 5, "the reader kept answering during the write"
        # Engine reopens by itself once `current` (or the live generation) changes.
        assert eng.search(SearchRequest("كلمةفريدة")).to_json()["total"] == 60
    finally:
        eng.close()


# --- hostile queries: engine, CLI, web ---------------------------------------------------------

HOSTILE_QUERIES = {
    "thousands_of_or": " OR ".join(f"كلمة{i}" for i in range(3000)),
    "or_within_limit": " OR ".join(["داعش", "الرقة", "إدلب", "دير", "قسد"] * 30)[:1000],
    "sixty_or_terms": " OR ".join(["داعش", "الرقة", "إدلب", "قسد", "حلب", "دمشق"] * 10),
    "leading_wildcard": "*رقة",
    "leading_wildcard_short": "*ا",
    "inner_question": "?ا?",
    "lone_star": "*",
    "stars": "* * * *",
    "control_chars": "داعش\x00\x01\x07\x1b[31m\x7f\x9b الرقة",
    "rtl_ltr_marks": "\u200fداعش\u200e \u202bالرقة\u202c \u2066إدلب\u2069 \u061c",
    "emoji": "داعش 💣🇸🇾👨‍👩‍👧 الرقة",
    "only_emoji": "🙂🙂🙂",
    "ten_thousand_chars": "ا" * 10_000,
    "ten_thousand_words": "داعش " * 2000,
    "deep_parens": "(" * 200 + "داعش" + ")" * 200,
    "lone_surrogate_free_nonchars": "\ufeff\ufffe\uffff داعش",
    "field_spam": " ".join(["title:داعش", "date:[2017 to 2018]", "source:x"] * 50),
}


@pytest.fixture(scope="module")
def query_index(seed_index: Path) -> Path:
    return seed_index


@pytest.mark.parametrize("q", HOSTILE_QUERIES.values(), ids=HOSTILE_QUERIES.keys())
def test_hostile_query_is_a_result_or_a_query_error_everywhere(query_index: Path, q: str) -> None:
    eng = Engine(query_index)
    app = create_app({"INDEX": str(query_index)})  # production config: not TESTING, not DEBUG
    try:
        try:
            result = within(QUERY_BOUND_S, lambda: eng.search(SearchRequest(q)).to_json())
        except QueryError as exc:
            engine_ok = False
            assert str(exc) and "\n" not in str(exc)
        else:
            engine_ok = True
            json.dumps(result)
        cli = within(
            QUERY_BOUND_S, lambda: CliRunner().invoke(main, ["search", q, "--index", str(query_index), "--json"])
        )
        assert cli.exception is None or isinstance(cli.exception, SystemExit), cli.exception
        assert cli.exit_code in ((0, 1) if engine_ok else (2,)), cli.stderr
        assert "Traceback" not in cli.stderr + cli.stdout
        client = app.test_client()
        for path in ("/api/search", "/"):
            response = within(QUERY_BOUND_S, lambda path=path: client.get(path, query_string={"q": q}))
            assert response.status_code in ((200,) if engine_ok else (400,)) or (
                # the web caps the query length before the engine sees it
                response.status_code == 400 and len(q) > 1000
            ), response.status_code
            assert b"Traceback" not in response.data
    finally:
        eng.close()
        close_engine(app)


# --- web: production configuration -------------------------------------------------------------


@pytest.fixture
def prod_app(query_index: Path) -> Iterator[Flask]:
    app = create_app({"INDEX": str(query_index)})
    assert not app.debug and not app.testing
    yield app
    close_engine(app)


def test_exception_in_a_view_is_a_generic_500_without_traceback(
    prod_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "SECRET-INTERNAL-DETAIL"

    def boom(self: Engine, request: SearchRequest) -> dict:
        raise RuntimeError(secret)

    monkeypatch.setattr(Engine, "search", boom)
    client = prod_app.test_client()
    for path, mimetype in (("/api/search", "application/json"), ("/", "text/html")):
        response = client.get(path, query_string={"q": "داعش"})
        assert response.status_code == 500
        assert response.mimetype == mimetype
        body = response.get_data(as_text=True)
        assert secret not in body and "Traceback" not in body and "RuntimeError" not in body
        assert response.headers["Content-Security-Policy"], "error pages get the security headers too"


@pytest.mark.parametrize("page", ["1000000", "2147483647"])
def test_huge_page_number_is_an_empty_page_not_a_hang(prod_app: Flask, page: str) -> None:
    client = prod_app.test_client()
    response = within(QUERY_BOUND_S, lambda: client.get("/api/search", query_string={"q": "داعش", "page": page}))
    assert response.status_code == 200
    assert response.get_json()["hits"] == []


def test_unknown_document_is_404_in_production(prod_app: Flask) -> None:
    client = prod_app.test_client()
    assert client.get("/doc/no-such-id").status_code == 404
    assert client.get("/api/doc/no-such-id").get_json()["status"] == 404
    assert client.get("/doc/" + "%00" * 10).status_code in (400, 404)
