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
