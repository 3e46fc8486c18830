"""``search-cli`` end to end on the bundled seed corpus: contract, exit codes, error messages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED_IDS = sorted(p.stem for p in (ROOT / "data" / "corpus").glob("*.txt"))


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("cli") / "index"
    result = CliRunner().invoke(main, ["index", "--rebuild", "--index", str(target), "--quiet"])
    assert result.exit_code == 0, result.output
    return target


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def search_json(index_dir: Path, *query: str, extra: tuple[str, ...] = ()) -> dict:
    code, out, err = run("search", *query, "--index", str(index_dir), "--json", *extra)
    assert code in (0, 1), err
    return json.loads(out)


def test_index_summary_counts(tmp_path: Path) -> None:
    code, _, err = run("index", "--index", str(tmp_path / "ix"), "--quiet")
    assert code == 0
    assert "5 indexed, 0 skipped, 0 failed" in err


def test_index_reports_broken_files_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "good.json").write_text('{"title": "خبر", "content": "نص عن الرقة"}', encoding="utf-8")
    (tmp_path / "src" / "bad.json").write_text('{"title": "خبر"', encoding="utf-8")
    code, _, err = run("index", str(tmp_path / "src"), "--index", str(tmp_path / "ix"))
    assert code == 1
    assert "bad.json" in err and "1 indexed" in err and "1 failed" in err


def test_search_json_contract(index_dir: Path) -> None:
    result = search_json(index_dir, "داعش")
    assert set(result) >= {"query", "total", "page", "hits", "suggestion", "took_ms"}
    assert result["query"] == "داعش" and result["page"] == 1
    assert result["total"] == len(SEED_IDS)  # every seed article mentions ISIS
    for hit in result["hits"]:
        assert set(hit) >= {"id", "title", "date", "source", "score", "snippets"}
        assert hit["id"] in SEED_IDS
        assert any("<mark>" in s for s in hit["snippets"])
    scores = [hit["score"] for hit in result["hits"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("query", "expected_ids"),
    [
        ("ادلب", {"000_4e3d15a02d7a4506", "004_fdd5bb4d0a256df4"}),  # written إدلب in both
        ("إدلب", {"000_4e3d15a02d7a4506", "004_fdd5bb4d0a256df4"}),
        ("البنتاجون", {"002_c7ee3c5289edab1b"}),  # written البنتاغون
        ("لافروف", {"001_bb53fb8a13ccd0c8"}),
        ('"حي الصناعة"', {"000_4e3d15a02d7a4506"}),
        ("قسد", set(SEED_IDS)),  # written قسد in 004 only; the others say قوات سوريا/سورية الديمقراطية
    ],
)
def test_search_finds_every_spelling(index_dir: Path, query: str, expected_ids: set[str]) -> None:
    result = search_json(index_dir, query)
    assert {hit["id"] for hit in result["hits"]} == expected_ids


def test_search_sort_by_date_and_paging(index_dir: Path) -> None:
    by_date = search_json(index_dir, "داعش", extra=("--sort", "date"))
    dates = [hit["date"] for hit in by_date["hits"] if hit["date"]]
    assert dates == sorted(dates, reverse=True) and dates
    page1 = search_json(index_dir, "داعش", extra=("--limit", "2"))
    page2 = search_json(index_dir, "داعش", extra=("--limit", "2", "--page", "2"))
    assert page1["total"] == page2["total"] == 5
    assert not {h["id"] for h in page1["hits"]} & {h["id"] for h in page2["hits"]}


def test_no_results_exit_1(index_dir: Path) -> None:
    code, out, _ = run("search", "كوالالمبور", "--index", str(index_dir))
    assert code == 1
    assert out.startswith("0 results")


@pytest.mark.parametrize("query", ['"دير الزور', "(الرقة", "title:", "*", "foo:bar"])
def test_malformed_query_exit_2_with_one_line(index_dir: Path, query: str) -> None:
    code, out, err = run("search", query, "--index", str(index_dir))
    assert code == 2
    assert out == ""
    assert err.startswith("search-cli: error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("search", "الرقة", "--index", str(tmp_path / "nowhere"))
    assert code == 2
    assert "search-cli index" in err


def test_index_from_environment_variable(index_dir: Path) -> None:
    code, out, _ = run("stats", "--json", env={"NEWS_SEARCH_INDEX": str(index_dir)})
    assert code == 0
    stats = json.loads(out)
    assert stats["documents"] == 5 and stats["size_bytes"] > 0 and stats["updated"]


def test_show(index_dir: Path) -> None:
    code, out, _ = run("show", "003_180c9277222e8e9c", "--index", str(index_dir), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["date"] == "2017-11-01"
    assert "+ الخط -" not in doc["content"] and "البوكمال" in doc["content"]
    code, out, _ = run("show", "003_180c9277222e8e9c", "--index", str(index_dir))
    assert code == 0 and out.startswith(doc["title"])
    code, _, err = run("show", "no-such-id", "--index", str(index_dir))
    assert code == 2 and "no-such-id" in err


def test_batch_prints_a_trec_run(index_dir: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.tsv"
    queries.write_text('q1\tالرقة\nq2\tلافروف\nq3\t"غير مغلق\n', encoding="utf-8")
    code, out, err = run("batch", str(queries), "--index", str(index_dir), "--limit", "3")
    lines = out.splitlines()
    assert all(re.fullmatch(r"q[12] Q0 \S+ \d+ -?\d+\.\d+ arabic-news-search", line) for line in lines)
    assert sum(line.startswith("q1 ") for line in lines) == 3
    assert sum(line.startswith("q2 ") for line in lines) == 1
    assert "q3" in err and code == 1  # the malformed query is reported, the others still ran


def test_analyze_shows_each_field() -> None:
    code, out, _ = run("analyze", "بالرقة والبنتاجون", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["fields"]["content"] == ["بالرقه", "والبنتاجون"]
    plain = json.loads(run("analyze", "الرقة", "البنتاغون", "--json")[1])
    assert result["fields"]["content_stem"] == plain["fields"]["content_stem"]
    assert [t["token"] for t in result["tokens"]] == ["بالرقة", "والبنتاجون"]
    code, out, _ = run("analyze", "بالرقة")
    assert code == 0 and "بالرقة" in out and "stem" in out


def test_real_console_script_no_color_when_piped(index_dir: Path) -> None:
    env = {**os.environ, "NEWS_SEARCH_INDEX": str(index_dir)}
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-m", "search.cli", "search", "الرقة"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout and "<mark>" not in proc.stdout
    assert proc.stderr == ""


def test_delete_removes_articles_and_reports_unknown_ids(tmp_path: Path) -> None:
    target = tmp_path / "index"
    assert run("index", "--rebuild", "--index", str(target), "--quiet")[0] == 0
    victim, survivor = SEED_IDS[0], SEED_IDS[1]
    code, _, err = run("delete", victim, "no-such-article", "--index", str(target))
    assert code == 1
    assert "'no-such-article'" in err and "deleted 1" in err
    assert run("show", victim, "--index", str(target))[0] != 0
    assert run("show", survivor, "--index", str(target))[0] == 0
    assert json.loads(run("stats", "--index", str(target), "--json")[1])["documents"] == len(SEED_IDS) - 1


def test_delete_reads_ids_from_stdin(tmp_path: Path) -> None:
    target = tmp_path / "index"
    assert run("index", "--rebuild", "--index", str(target), "--quiet")[0] == 0
    result = CliRunner().invoke(main, ["delete", "-", "--index", str(target)], input="\n".join(SEED_IDS[:2]) + "\n")
    assert result.exit_code == 0, result.stderr
    assert "deleted 2" in result.stderr


def test_delete_without_index_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("delete", "x", "--index", str(tmp_path / "none"))
    assert code == 2 and "no index" in err and "Traceback" not in err
