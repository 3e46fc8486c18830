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

from index.writer import (
    IndexingError,
    StrictModeError,
    _WriterLock,
    build_index,
    current_generation,
    read_meta,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "corpus"


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
def seeded(tmp_path: Path) -> Path:
    index_dir = tmp_path / "ix"
    report = build_index([SEED], index_dir, rebuild=True)
    assert (report.indexed, report.failed, report.rebuilt) == (5, 0, True)
    return index_dir


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
from index.writer import build_index
build_index([sys.argv[1]], sys.argv[2], rebuild=True)
"""


@pytest.mark.parametrize("delay", [0.3, 1.0, 2.0])
def test_rebuild_killed_with_sigkill_leaves_previous_index(seeded: Path, tmp_path: Path, delay: float) -> None:
    # A corpus big enough that the rebuild is still running when it is killed.
    text = (SEED / "000_4e3d15a02d7a4506.txt").read_text(encoding="utf-8")
    records = [{"id": f"bulk-{i}", "title": f"مقال {i}", "content": text} for i in range(1500)]
    bulk = write_jsonl(tmp_path / "bulk.jsonl", records)
    before = current_generation(seeded)
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(bulk), str(seeded)], cwd=ROOT)
    time.sleep(delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    live = current_generation(seeded)
    if proc.returncode == -signal.SIGKILL:
        assert live == before
        assert len(doc_ids(seeded)) == 5
    else:  # the machine was fast enough to finish: then the new index must be complete
        assert proc.returncode == 0
        assert len(doc_ids(seeded)) == 1500
    # The next run recovers without manual cleanup.
    report = build_index([SEED], seeded)
    assert report.indexed == 5
    assert not list(seeded.glob("*.partial"))


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
    assert (current_generation(parallel) / "facets.json").exists()


def test_parallel_rebuild_with_a_failing_worker_keeps_previous_index(
    seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    import index.writer

    real = index.writer.document_fields

    def fail_on_one(article):  # runs in the (forked) worker
        if article.id == "doc-77":
            raise RuntimeError("analysis blew up")
        return real(article)

    monkeypatch.setattr(index.writer, "document_fields", fail_on_one)
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
    from index.writer import MAX_PROCS, PARALLEL_MIN_BYTES, _available_cpus, rebuild_procs

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
from index.writer import build_index
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
@pytest.mark.parametrize("delay", [1.0, 2.5])
def test_parallel_rebuild_killed_with_sigkill_leaves_no_workers_and_previous_index(
    seeded: Path, tmp_path: Path, delay: float
) -> None:
    bulk = write_jsonl(tmp_path / "bulk-parallel.jsonl", varied_records(1500))
    before = current_generation(seeded)
    proc = subprocess.Popen([sys.executable, "-c", KILL_PARALLEL_SCRIPT, str(bulk), str(seeded)], cwd=ROOT)
    time.sleep(delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if proc.returncode == -signal.SIGKILL:
        assert current_generation(seeded) == before
        assert len(doc_ids(seeded)) == 5
    else:
        assert proc.returncode == 0
        assert len(doc_ids(seeded)) == 1500
    deadline = time.monotonic() + 5
    while _processes_mentioning(str(bulk)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_mentioning(str(bulk)) == [], "the workers died with their parent"
    report = build_index([SEED], seeded, lock_timeout=5)  # nobody holds the writer lock
    assert report.indexed == 5
    assert not list(seeded.glob("*.partial"))


# --- the pre-analyzed text fields ---------------------------------------------------------------


def test_pre_analyzed_fields_post_what_the_analyzers_post() -> None:
    from whoosh.fields import TEXT

    from index.schema import make_schema
    from search.analysis import analyze

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
    from index.writer import delete_documents

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
    from search.facets import load_facet_table

    ix = whoosh_index.open_dir(str(generation))
    with ix.reader() as reader:
        assert load_facet_table(generation, reader) is not None
    ix.close()
    # Deleting again: nothing to do, nothing committed, every id reported.
    again = delete_documents(seeded, [ids[0]])
    assert (again.deleted, again.unknown) == (0, [ids[0]])
    assert read_meta(generation)["updated"] == meta["updated"]


def test_delete_documents_from_a_parallel_build(tmp_path: Path) -> None:
    from index.writer import delete_documents

    source = write_jsonl(tmp_path / "many.jsonl", varied_records(160))
    build_index([source], tmp_path / "ix", rebuild=True, procs=2)
    victims = [f"doc-{i}" for i in range(0, 160, 7)]
    assert delete_documents(tmp_path / "ix", victims).deleted == len(victims)
    left = doc_ids(tmp_path / "ix")
    assert len(left) == 160 - len(victims) and not set(victims) & set(left)


def test_delete_documents_refuses_a_missing_index_and_waits_for_the_lock(seeded: Path, tmp_path: Path) -> None:
    from index.writer import delete_documents

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
    from index.ingest import Article, read_sources
    from index.schema import document_fields, make_schema

    source = write_jsonl(tmp_path / "many.jsonl", varied_records(60))
    build_index([source], tmp_path / "ours", rebuild=True, procs=1)
    (tmp_path / "stock").mkdir()
    stock = whoosh_index.create_in(str(tmp_path / "stock"), make_schema())
    writer = stock.writer()
    for item in read_sources([str(source)]):
        assert isinstance(item, Article)
        writer.add_document(**document_fields(item))
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
    import index.writer

    source = write_jsonl(tmp_path / "many.jsonl", varied_records(120))
    build_index([source], tmp_path / "memory", rebuild=True, procs=1)
    chunk = index.writer.RUN_CHUNK
    index.writer.RUN_CHUNK = 1000  # several chunks per run
    try:
        build_index([source], tmp_path / "spilled", rebuild=True, procs=1, limitmb=1)
    finally:
        index.writer.RUN_CHUNK = chunk
    assert postings_by_id(tmp_path / "memory") == postings_by_id(tmp_path / "spilled")
