"""Searching the seed corpus end to end: matching, ranking, paging, sorting, snippets, suggestions.

Every test that searches through the ``engine``, ``pair`` or ``emirs`` fixtures runs on both
backends (the module's ``backend`` fixture, tests/conftest.py): the Whoosh index and a
SolrCloud collection of the same articles.  A few tests look at one backend's machinery and
say so (:func:`whoosh_only`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from helpers import as_json
from hypothesis import given, settings
from hypothesis import strategies as st

import search.whoosh_backend as backend_module
import search.whoosh_query as whoosh_query_module
from index.build import build_index
from index.layout import current_generation
from search.engine import Engine, IndexMissing, SearchRequest
from search.errors import QueryError
from search.ranking import Ranking

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "corpus"
IDLIB, ARABY, SABAH, BOUKAMAL, ULTRA = (
    "000_4e3d15a02d7a4506",
    "001_bb53fb8a13ccd0c8",
    "002_c7ee3c5289edab1b",
    "003_180c9277222e8e9c",
    "004_fdd5bb4d0a256df4",
)
ALL = {IDLIB, ARABY, SABAH, BOUKAMAL, ULTRA}
RESULT_KEYS = {
    "query",
    "total",
    "page",
    "per_page",
    "pages",
    "sort",
    "hits",
    "suggestion",
    "took_ms",
    "facets",
    "aliases",
    "total_full",
    "date_interval",
    "stories",
    "collapse",
}
HIT_KEYS = {
    "id",
    "title",
    "date",
    "source",
    "source_name",
    "url",
    "score",
    "snippets",
    "entities",
    "passages",
    "missing",
    "story",
    "duplicates",
}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def article(doc_id: str, content: str, **fields: str) -> dict:
    return {"id": doc_id, "title": fields.pop("title", "خبر"), "content": content, **fields}


@pytest.fixture(scope="module")
def engine(seed_location: Path | str) -> Iterator[Engine]:
    eng = Engine(seed_location)
    yield eng
    eng.close()


def whoosh_only(eng: Engine) -> None:
    """Skip a test of the Whoosh backend's own machinery (its collectors, its expansion caps)."""
    if not isinstance(eng.backend, backend_module.WhooshBackend):
        pytest.skip("tests the Whoosh backend's own machinery")


@pytest.fixture(scope="module")
def pair(backend: str, make_location) -> Iterator[Engine]:
    """Two otherwise identical articles: one has the exact form الرقة, one only its stem (بالرقة)."""
    records = [article("exact", "وصل المقاتلون إلى الرقة أمس"), article("stem", "وصل المقاتلون بالرقة أمس")]
    eng = Engine(make_location(backend, records=records, name="pair"))
    yield eng
    eng.close()


def search(eng: Engine, q: str, **kwargs) -> dict:
    return eng.search(SearchRequest(q, **kwargs)).to_json()


def ids(eng: Engine, q: str, **kwargs) -> set[str]:
    result = search(eng, q, per_page=100, **kwargs)
    assert result["total"] == len(result["hits"])
    return {hit["id"] for hit in result["hits"]}


def ranked(eng: Engine, q: str, **kwargs) -> list[str]:
    return [hit["id"] for hit in search(eng, q, per_page=100, **kwargs)["hits"]]


# --- matching ---------------------------------------------------------------------------------


def test_hamzaless_idlib_finds_the_article_written_with_hamza(engine: Engine) -> None:
    found = ids(engine, "ادلب")
    assert IDLIB in found
    assert "إدلب" in as_json(engine.document(IDLIB))["content"]
    assert found == ids(engine, "إدلب")


def test_ha_for_ta_marbuta(engine: Engine) -> None:
    assert ids(engine, "الرقه") == ids(engine, "الرقة") != set()


def test_clitic_form_finds_the_bare_form(engine: Engine) -> None:
    with_bare = {doc for doc in ALL if "الرقة" in as_json(engine.document(doc))["content"]}
    assert with_bare and with_bare <= ids(engine, "بالرقة")


def test_militia_spellings_match_the_same_documents(engine: Engine) -> None:
    assert ids(engine, "الميليشيات") == ids(engine, "المليشيات")
    assert {IDLIB, ARABY} <= ids(engine, "الميليشيات")  # 000 writes ميليشيات, 001 مليشيات


def test_exact_form_outranks_stem_only_match(pair: Engine) -> None:
    assert ranked(pair, "الرقة") == ["exact", "stem"]
    assert ranked(pair, "بالرقة") == ["stem", "exact"]


def test_phrase_is_ordered(engine: Engine) -> None:
    assert ids(engine, '"دير الزور"') >= {IDLIB, BOUKAMAL}
    assert ids(engine, "«دير الزور»") == ids(engine, '"دير الزور"')
    assert ids(engine, '"الزور دير"') == set()


def test_words_are_anded(engine: Engine) -> None:
    assert ids(engine, "داعش البوكمال") == ids(engine, "داعش") & ids(engine, "البوكمال")


def test_or(engine: Engine) -> None:
    either = ids(engine, "البوكمال OR ادلب")
    assert either == ids(engine, "البوكمال") | ids(engine, "ادلب")
    assert either > ids(engine, "البوكمال")


@pytest.mark.parametrize("q", ["داعش NOT ادلب", "داعش -ادلب"])
def test_not(engine: Engine, q: str) -> None:
    assert ids(engine, q) == ids(engine, "داعش") - ids(engine, "ادلب")
    assert IDLIB not in ids(engine, q)


def test_pure_negation_matches_the_rest(engine: Engine) -> None:
    assert ids(engine, "-ادلب") == ALL - ids(engine, "ادلب")


def test_title_field(engine: Engine) -> None:
    in_title = ids(engine, "title:البوكمال")
    assert in_title == {BOUKAMAL}
    assert ids(engine, "title:داعش") < ids(engine, "داعش")


def test_source_field(engine: Engine) -> None:
    assert ids(engine, 'source:"العربي الجديد"') == {ARABY, BOUKAMAL}
    assert ids(engine, "source:العربي") == {ARABY, BOUKAMAL}
    assert ids(engine, "source:الجديد") == {ARABY, BOUKAMAL, SABAH}
    assert ids(engine, "source:aawsat") == set()


def test_date_field(engine: Engine) -> None:
    assert ids(engine, "date:2017") == {BOUKAMAL, ULTRA}
    assert ids(engine, "date:2017-11") == {BOUKAMAL}
    assert ids(engine, "date:[2017-05 to 2017-06]") == {ULTRA}
    assert ids(engine, "date:[2017-06 to]") == {BOUKAMAL}
    assert ids(engine, "داعش date:2016") == set()


def test_id_field(engine: Engine) -> None:
    assert ids(engine, f"id:{ULTRA}") == {ULTRA}


def test_wildcard_on_the_normalized_form(engine: Engine) -> None:
    assert ids(engine, "إدل*") >= ids(engine, "title:ادلب") | {IDLIB}
    # Patterns match written (normalized) words: 002 only has والبوكمال, which the stem finds.
    assert ids(engine, "البوكم?ل") == {ARABY, BOUKAMAL}
    assert ids(engine, "البوكمال") == {ARABY, SABAH, BOUKAMAL}


def test_wildcard_expansion_cap(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    whoosh_only(engine)  # Lucene matches a wildcard without expanding it into one clause per word
    monkeypatch.setattr(whoosh_query_module, "MAX_EXPANSIONS", 3)
    with pytest.raises(QueryError, match=r"too many words match 'ال\*' \(more than 3\); make the pattern longer"):
        search(engine, "ال*")
    assert ids(engine, "البوكما*") == {ARABY, BOUKAMAL}  # few expansions are fine


def test_total_expansion_cap_over_all_patterns(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    whoosh_only(engine)
    monkeypatch.setattr(whoosh_query_module, "MAX_TOTAL_EXPANSIONS", 5)
    assert ids(engine, "البوكما*")  # 2 terms (title + content)
    with pytest.raises(QueryError, match=r"the wildcards of this query match too many words \(\d+, the limit is 5\)"):
        search(engine, "البوكما* OR ادل* OR دير*")


# --- paging and sorting ---------------------------------------------------------------------


def test_paging(engine: Engine) -> None:
    pages = [search(engine, "داعش", page=n, per_page=2) for n in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [5, 5, 5, 5]
    assert [p["pages"] for p in pages] == [3, 3, 3, 3]
    assert [len(p["hits"]) for p in pages] == [2, 2, 1, 0]
    seen = [hit["id"] for p in pages for hit in p["hits"]]
    assert len(seen) == len(set(seen)) == 5
    assert seen == ranked(engine, "داعش")
    scores = [hit["score"] for p in pages for hit in p["hits"]]
    assert scores == sorted(scores, reverse=True)


def test_sort_by_date_newest_first_undated_last(engine: Engine) -> None:
    hits = search(engine, "داعش", sort="date")["hits"]
    assert [h["date"] for h in hits] == ["2017-11-01", "2017-05-22", None, None, None]
    undated = [h["score"] for h in hits[2:]]
    assert undated == sorted(undated, reverse=True) and all(s > 0 for s in undated)


def test_sorted_paging(engine: Engine) -> None:
    first, second = (search(engine, "داعش", sort="date", per_page=2, page=n) for n in (1, 2))
    assert [h["id"] for h in first["hits"] + second["hits"]] == ranked(engine, "داعش", sort="date")[:4]


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest("داعش", page=0),
        SearchRequest("داعش", page=-1),
        SearchRequest("داعش", per_page=0),
        SearchRequest("داعش", per_page=101),
        SearchRequest("داعش", sort="oldest"),
    ],
)
def test_bad_paging_and_sort(engine: Engine, request_: SearchRequest) -> None:
    with pytest.raises(QueryError):
        engine.search(request_).to_json()


# --- result shape and snippets ----------------------------------------------------------------


def test_result_shape_is_json_ready(engine: Engine) -> None:
    result = search(engine, "البوكمال")
    assert set(result) == RESULT_KEYS
    assert result["query"] == "البوكمال" and result["sort"] == "relevance" and result["suggestion"] is None
    assert isinstance(result["took_ms"], float)
    hit = result["hits"][0]
    assert set(hit) == HIT_KEYS
    assert hit["id"] == BOUKAMAL and hit["date"] == "2017-11-01" and hit["source"] == "العربي الجديد"
    assert isinstance(hit["score"], float)
    json.dumps(result, ensure_ascii=False)


def test_snippets_mark_the_original_word(engine: Engine, pair: Engine) -> None:
    hits = {h["id"]: h for h in search(engine, "الرقة", per_page=10)["hits"]}
    assert any("<mark>والرقة</mark>" in s for s in hits[SABAH]["snippets"])
    stem_hit = next(h for h in search(pair, "الرقة")["hits"] if h["id"] == "stem")
    assert stem_hit["snippets"] == ["وصل المقاتلون <mark>بالرقة</mark> أمس"]


def test_snippets_are_escaped(engine: Engine) -> None:
    for hit in search(engine, "داعش")["hits"]:
        for snippet in hit["snippets"]:
            bare = snippet.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in bare and '"' not in bare
    assert any("&quot;<mark>داعش</mark>&quot;" in s for s in search(engine, "داعش")["hits"][0]["snippets"])


def test_title_only_match_shows_the_first_sentence(engine: Engine) -> None:
    (hit,) = search(engine, f"id:{ULTRA}")["hits"]
    assert len(hit["snippets"]) == 1 and "<mark>" not in hit["snippets"][0]


# --- did you mean -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [("داعس", "داعش"), ("البوكمل", "البوكمال"), ("داعس الرقة", "داعش الرقة"), ("الرقة  داعس", "الرقة  داعش")],
)
def test_suggestion_for_a_typo(engine: Engine, typo: str, suggestion: str) -> None:
    result = search(engine, typo)
    assert result["suggestion"] == suggestion
    assert search(engine, suggestion)["total"] > result["total"]


@pytest.mark.parametrize("q", ["داعش", "البوكمال", '"داعس"', "title:داعس", "-داعس الرقة", "زززز"])
def test_no_suggestion(engine: Engine, q: str) -> None:
    assert search(engine, q)["suggestion"] is None


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["", '"دير', "(داعش", "داعش)", "*", "a*", "foo:bar", "داعش OR", "x" * 10_000])
def test_malformed_queries_raise_query_error(engine: Engine, q: str) -> None:
    with pytest.raises(QueryError) as info:
        search(engine, q)
    assert str(info.value) and "\n" not in str(info.value)


def test_time_limit(seed_index: Path) -> None:
    """A search past its time limit is a QueryError, in the one-walk scorer and in Whoosh's collectors."""
    eng = Engine(seed_index, time_limit=-1.0)  # already expired when the search starts
    try:
        with pytest.raises(QueryError, match="took too long"):
            search(eng, "داعش")
        with pytest.raises(QueryError, match="took too long"):
            search(eng, '"دير الزور" OR الرقة')
    finally:
        eng.close()


def test_time_limit_in_whooshs_collectors(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """``date:`` ranges go through Whoosh's collectors, which enforce the limit themselves."""
    whoosh_only(engine)
    from whoosh.collectors import TimeLimit, TimeLimitCollector

    class Expired(TimeLimitCollector):
        def collect_matches(self) -> None:
            raise TimeLimit

    monkeypatch.setattr(backend_module, "TimeLimitCollector", Expired)
    with pytest.raises(QueryError, match="took too long"):
        search(engine, "داعش date:2017")


def test_missing_index(tmp_path: Path) -> None:
    eng = Engine(tmp_path / "nothing")
    with pytest.raises(IndexMissing, match="search-cli index"):
        search(eng, "داعش")
    with pytest.raises(IndexMissing):
        eng.stats()


FUZZ_PIECES = [*'داعشالرقة دير"«»()*?-+:[]', "OR", "AND", "NOT", "title:", "date:", "source:", "id:", " to "]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(st.sampled_from(FUZZ_PIECES), max_size=40).map("".join)))
def test_fuzz_search_returns_a_result_or_raises_query_error(engine: Engine, text: str) -> None:
    try:
        result = search(engine, text)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert set(result) == RESULT_KEYS
        json.dumps(result)


# --- documents, statistics, reopening ---------------------------------------------------------


def test_document(engine: Engine) -> None:
    doc = as_json(engine.document(ULTRA))
    assert doc is not None
    assert set(doc) == {"id", "title", "date", "source", "source_name", "url", "author", "content", "entities"}
    assert doc["date"] == "2017-05-22" and doc["source"] == "ألترا صوت" and doc["content"]
    assert as_json(engine.document("no-such-id")) is None


def test_stats(engine: Engine, seed_location: Path | str) -> None:
    stats = engine.stats()
    assert stats["documents"] == 5
    assert stats["terms"]["content"] > stats["terms"]["title"] > 0
    assert stats["terms"]["content_stem"] < stats["terms"]["content"]
    assert stats["size_bytes"] > 0 and stats["created"] and stats["updated"]
    assert stats["index_dir"] == str(seed_location)
    assert stats["analysis_matches"] is True and "warning" not in stats
    json.dumps(stats)


def test_stats_warn_about_a_different_analysis(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    build_index([write_jsonl(tmp_path / "a.jsonl", [article("a", "نص")])], tmp_path / "ix", rebuild=True)
    meta_path = current_generation(tmp_path / "ix") / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "analysis": "something-else"}), encoding="utf-8")
    eng = Engine(tmp_path / "ix")
    with caplog.at_level(logging.WARNING, logger="search.whoosh_backend"):
        stats = eng.stats()
    eng.close()
    assert stats["analysis_matches"] is False and "rebuil" in stats["warning"]
    assert any("different version" in r.message for r in caplog.records)


def test_engine_notices_rebuilds_and_updates(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    first = write_jsonl(tmp_path / "first.jsonl", [article("a", "خبر عن الرقة")])
    second = write_jsonl(tmp_path / "second.jsonl", [article("b", "خبر آخر عن الرقة")])
    third = write_jsonl(tmp_path / "third.jsonl", [article("c", "خبر ثالث عن الرقة")])
    build_index([first], index_dir, rebuild=True)
    eng = Engine(index_dir)
    try:
        assert ids(eng, "الرقة") == {"a"}
        build_index([first, second], index_dir, rebuild=True)  # new generation, symlink swapped
        assert ids(eng, "الرقة") == {"a", "b"}
        build_index([third], index_dir)  # committed into the live generation
        assert ids(eng, "الرقة") == {"a", "b", "c"}
        assert eng.stats()["documents"] == 3
    finally:
        eng.close()


# --- threads -----------------------------------------------------------------------------------


def test_threads_search_at_once_and_get_what_one_thread_gets(seed_location: Path | str) -> None:
    """No global lock: many threads share one engine; every answer equals the serial one."""
    import threading

    queries = ["الرقة", "داعش", '"دير الزور"', "إدل*", "قسد OR النصرة", "title:داعش", "الرقة date:2017"]
    eng = Engine(seed_location)
    try:
        expected = {q: without_time(search(eng, q, per_page=5)) for q in queries}
        failures: list[object] = []
        start = threading.Barrier(8)

        def worker(offset: int) -> None:
            start.wait()
            for i in range(40):
                q = queries[(i + offset) % len(queries)]
                got = without_time(search(eng, q, per_page=5))
                if got != expected[q]:
                    failures.append((q, got))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
    finally:
        eng.close()


def without_time(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "took_ms"}


def test_a_page_number_beyond_any_limit_says_what_the_limit_is(engine: Engine) -> None:
    from search.request import MAX_PAGE

    with pytest.raises(QueryError, match=rf"page must be between 1 and {MAX_PAGE} \(got 99999999999999999999\)"):
        SearchRequest.from_args({"q": "داعش", "page": "99999999999999999999"} | _Args())
    with pytest.raises(QueryError, match="per_page must be between 1 and 100"):
        SearchRequest.from_args({"q": "داعش", "per_page": "101"} | _Args())


class _Args(dict):
    """A dict that answers ``getlist`` like a query string."""

    def __or__(self, other: dict) -> _Args:  # type: ignore[override]
        return _Args({**self, **other})

    def __ror__(self, other: dict) -> _Args:  # type: ignore[override]
        return _Args({**other, **self})

    def getlist(self, key: str) -> list[str]:
        return [self[key]] if key in self else []


# --- forgiving queries, coverage and proximity (issue: whole-query retrieval) -------------------


@pytest.fixture(scope="module")
def emirs_index(backend: str, make_location) -> Path | str:
    records = [
        article("near", "قلد الأمير الأوسمة للمتفوقين", title="أمير منطقة الرياض يقلد الأوسمة"),
        article("far", "استقبل في مكتبه وكيل الإمارة للشؤون الأمنية", title="أمير عسير يستقبل وكيل إمارة منطقة الرياض"),
        article("two-of-three", "أعلنت أمانة منطقة الرياض عن مشروع جديد"),
        article("literal", "الرياض الرياض الرياض منطقة منطقة"),
        article("none", "خبر عن الطقس في جدة"),
    ]
    return make_location(backend, records=records, name="emirs")


@pytest.fixture(scope="module")
def emirs(emirs_index: Path | str) -> Iterator[Engine]:
    eng = Engine(emirs_index)
    yield eng
    eng.close()


def test_a_plain_query_lists_partial_matches_below_the_full_ones(emirs: Engine) -> None:
    result = emirs.search(SearchRequest("أمير منطقة الرياض")).to_json()
    ids = [hit["id"] for hit in result["hits"]]
    assert result["total"] == 4 and result["total_full"] == 2
    assert set(ids[:2]) == {"near", "far"} and set(ids[2:]) == {"two-of-three", "literal"}
    assert [hit["missing"] for hit in result["hits"][:2]] == [[], []]
    assert all(hit["missing"] == ["أمير"] for hit in result["hits"][2:])


def test_words_side_by_side_rank_first(emirs: Engine) -> None:
    ids = [hit["id"] for hit in emirs.search(SearchRequest("أمير منطقة الرياض")).to_json()["hits"]]
    assert ids[0] == "near", "the title says «أمير منطقة الرياض»; the other has the words apart"


def test_every_word_in_other_forms_outranks_fewer_words_typed_literally(emirs: Engine) -> None:
    result = emirs.search(SearchRequest("للأمير بمنطقة والرياض")).to_json()
    ids = [hit["id"] for hit in result["hits"]]
    assert set(ids[:2]) == {"near", "far"} and result["total_full"] == 2
    assert ids.index("literal") > 1


def test_explicit_syntax_stays_strict(emirs: Engine) -> None:
    result = emirs.search(SearchRequest("أمير AND منطقة AND الرياض")).to_json()
    assert result["total"] == result["total_full"] == 2
    assert emirs.search(SearchRequest('"منطقة الرياض" أمير')).to_json()["total"] == 2


def test_a_partial_hit_says_what_it_lacks_on_the_page_and_in_the_cli(emirs: Engine) -> None:
    from search.cli import _print_results

    result = emirs.search(SearchRequest("أمير منطقة الرياض"))
    with pytest.MonkeyPatch.context() as patch:
        lines: list[str] = []
        patch.setattr("click.echo", lambda text="", **_: lines.append(str(text)))
        _print_results(result)
    assert any(line.strip() == "missing: أمير" for line in lines)
    assert "2 with every word" in lines[0]


def test_with_no_hit_having_every_word_none_is_counted_full(emirs: Engine) -> None:
    result = emirs.search(SearchRequest("أمير منطقة الرياض الطقس")).to_json()
    assert result["total"] > 0 and result["total_full"] == 0


def test_a_sixty_four_word_query_is_answered(emirs: Engine) -> None:
    words = ["أمير", "منطقة", "الرياض", "جدة"] * 16
    assert emirs.search(SearchRequest(" ".join(words))).total >= 0


def test_function_words_must_all_match_and_do_not_lower_the_bar() -> None:
    from search.query import analyze_query

    tree = analyze_query("من هو رئيس الوزراء").tree
    assert tree.minimum == 4  # من and هو, and both content words (two of them: all needed)
    assert analyze_query("أمير منطقة الرياض").tree.minimum == 2


@pytest.mark.parametrize("window", [100, 1])
def test_scores_fall_with_rank_so_a_trec_run_keeps_its_order(emirs_index: Path | str, window: int) -> None:
    """trec_eval re-sorts a run by score: a partial hit must not outscore a full one above it,
    nor a hit after the proximity window one inside it."""
    with closing(Engine(emirs_index, ranking=Ranking(rescore_window=window))) as engine:
        for query in ("أمير منطقة الرياض", "للأمير بمنطقة والرياض", "الرياض منطقة"):
            run = engine.run(query, depth=10)
            assert [doc_id for doc_id, _ in run] == [hit.id for hit in engine.search(SearchRequest(query)).hits]
            scores = [score for _, score in run]
            assert scores == sorted(scores, reverse=True), query


@pytest.mark.parametrize("window", [100, 1])
def test_pages_neither_overlap_nor_skip(emirs_index: Path | str, window: int) -> None:
    with closing(Engine(emirs_index, ranking=Ranking(rescore_window=window))) as engine:
        every = [hit.id for hit in engine.search(SearchRequest("أمير منطقة الرياض", per_page=10)).hits]
        paged = [
            hit.id
            for page in (1, 2, 3, 4)
            for hit in engine.search(SearchRequest("أمير منطقة الرياض", page=page, per_page=1)).hits
        ]
    assert paged == every and len(every) == 4


def test_the_issue_example_capital_of_isis(engine: Engine) -> None:
    """«عاصمه داعش»: the article saying «عاصمة داعش» ranks above the one with عاصمته … داعش far apart."""
    ids = ranked(engine, "عاصمه داعش")
    assert ids.index(SABAH) < ids.index(ARABY)
