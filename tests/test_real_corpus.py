"""A real-corpus sample: the first 1,500 SaudiNewsNet articles ingested, indexed and searched.

Reads ../shared/corpora/saudinewsnet.jsonl.gz (never copied into the repository); skipped
with a reason when it is absent.
"""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest
from helpers import as_json

from index.analysis import normalize_word
from index.build import build_index
from search.engine import Engine, SearchRequest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "saudinewsnet.jsonl.gz"
SAMPLE = 1500

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason=f"{CORPUS} not present")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = tmp_path_factory.mktemp("snn")
    sample = root / "sample.jsonl.gz"
    with gzip.open(CORPUS, "rt", encoding="utf-8") as src, gzip.open(sample, "wt", encoding="utf-8") as dst:
        dst.writelines(itertools.islice(src, SAMPLE))
    report = build_index([sample], root / "index", rebuild=True)
    # Empty-content records are reported, everything else indexed.
    assert report.indexed + report.failed == SAMPLE
    assert report.indexed > SAMPLE * 0.95
    assert all("no content" in p.reason or "no text" in p.reason for p in report.problems)
    engine = Engine(root / "index")
    yield engine
    engine.close()


def hits(engine: Engine, query: str, per_page: int = 100) -> dict[str, dict]:
    result = engine.search(SearchRequest(q=query, per_page=per_page)).to_json()
    return {hit["id"]: hit for hit in result["hits"]}


def total(engine: Engine, query: str) -> int:
    return engine.search(SearchRequest(q=query)).to_json()["total"]


def test_total_counts_every_match(engine: Engine) -> None:
    # The exact term's document frequency is a lower bound computed without the engine, and
    # paging through every page must yield exactly ``total`` distinct articles.
    for word in ("المملكة", "الرياض", "وزير"):
        with engine.backend.view() as view:
            df = view.doc_frequency("content", normalize_word(word))
        result = engine.search(SearchRequest(q=word, per_page=100, collapse=False)).to_json()
        assert result["total"] >= df > 30, word
        pages = [
            engine.search(SearchRequest(q=word, per_page=100, page=p, collapse=False)).to_json()
            for p in range(1, result["pages"] + 1)
        ]
        ids = {hit["id"] for page in pages for hit in page["hits"]}
        assert len(ids) == result["total"], word


def test_clitic_forms_find_the_same_articles(engine: Engine) -> None:
    base = total(engine, "الرياض")
    assert base > 50
    for form in ("بالرياض", "والرياض", "للرياض"):
        assert total(engine, form) == base, form


def test_hamza_less_query_matches_hamza_spelling(engine: Engine) -> None:
    assert total(engine, "الامير") == total(engine, "الأمير") > 20
    assert total(engine, "اسرائيل") == total(engine, "إسرائيل")


def test_variant_spellings_meet(engine: Engine) -> None:
    assert total(engine, "أمريكا") == total(engine, "أميركا") > 0
    assert total(engine, "مسؤول") == total(engine, "مسئول") > 0


def test_exact_form_ranks_first(engine: Engine) -> None:
    # Every top hit for the plain form contains that very form somewhere in its text.
    result = engine.search(SearchRequest(q="المملكة", per_page=10)).to_json()
    for hit in result["hits"]:
        doc = as_json(engine.document(hit["id"]))
        words = {normalize_word(w) for w in (doc["title"] + " " + doc["content"]).split()}
        assert any("المملكه" in w for w in words)


def test_snippets_mark_matches(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="وزير الخارجية", per_page=5)).to_json()
    assert result["total"] > 0
    assert all(any("<mark>" in s for s in hit["snippets"]) for hit in result["hits"])


def test_dates_and_sources_are_stored(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="السعودية", per_page=20, sort="date")).to_json()
    dates = [hit["date"] for hit in result["hits"]]
    assert all(d and d.startswith("2015-") for d in dates)
    assert dates == sorted(dates, reverse=True)
    assert all(hit["source"] for hit in result["hits"])


def test_json_roundtrip_of_results(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="الهلال", per_page=3)).to_json()
    assert json.loads(json.dumps(result, ensure_ascii=False)) == result


def test_collapsed_pages_list_each_story_once_and_account_for_every_article(engine: Engine) -> None:
    for sort in ("relevance", "date"):
        first = engine.search(SearchRequest(q="الرياض", per_page=100, sort=sort)).to_json()
        hits = [
            hit
            for p in range(1, first["pages"] + 1)
            for hit in engine.search(SearchRequest(q="الرياض", per_page=100, page=p, sort=sort)).to_json()["hits"]
        ]
        assert len(hits) == first["stories"] <= first["total"]
        assert len({hit["story"] for hit in hits}) == len(hits), "one hit per story"
        assert sum(1 + hit["duplicates"]["count"] for hit in hits) == first["total"], "copies are counted, not lost"
