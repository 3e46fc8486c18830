"""Facets and facet filters: counts over every match, AND across / OR within, inclusive dates.

The index is built through ``document_fields`` (so the real entity extractor runs) from a
few hand-written articles plus the seed corpus.  Expected counts are recomputed by brute
force from the stored fields of a Whoosh index of the same articles, which the engine's
counting never reads.  The searches run on both backends (``location``: the Whoosh index, or
a SolrCloud collection indexed by the same CLI command).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import as_json, brute_histogram
from whoosh import index as whoosh_index

from index import whoosh_facets
from index.contract import FACETS
from index.layout import CURRENT
from index.whoosh_facets import FACET_FILE, FacetValues, load_facet_values, save_facet_values
from search.cli import main
from search.config import BUNDLED_CORPUS
from search.engine import Engine, SearchRequest
from search.errors import QueryError
from search.facets import FacetCounter
from search.results import display_source
from web import create_app

SDF = "قوات سوريا الديمقراطية"
ARTICLES = [
    {
        "id": "f1",
        "title": "قسد تتقدم في الرقة",
        "content": f"أعلنت {SDF} أن مقاتليها دخلوا أحياء جديدة بالرقة. وقال متحدث باسم قسد إن المعارك مستمرة في الرقة.",
        "date": "2017-05-01",
        "source": "وكالة أ",
    },
    {
        "id": "f2",
        "title": "اجتماع في دمشق",
        "content": "عقد مسؤولون اجتماعا في دمشق لبحث الوضع في الرقة ودير الزور، وحضر ممثلون عن الأمم المتحدة.",
        "date": "2017-05-31",
        "source": "وكالة ب",
    },
    {
        "id": "f3",
        "title": "بشار الأسد يستقبل وفدا",
        "content": "استقبل الرئيس بشار الأسد في دمشق وفدا برئاسة سيرغي لافروف.",
        "date": "2017-06-01",
        "source": "وكالة أ",
    },
    {
        "id": "f4",
        "title": "تنظيم داعش ينسحب",
        "content": "انسحب مقاتلو تنظيم داعش من مواقع قرب دير الزور بعد غارات التحالف الدولي.",
        "date": "2017-06-15",
        "source": "وكالة ب",
    },
    {
        "id": "f5",
        "title": "قمة في الرياض",
        "content": "استضافت الرياض قمة خليجية بحضور قادة دول مجلس التعاون.",
        "date": "2018-01-10",
        "source": "وكالة ج",
    },
]
KINDS = ("person", "organization", "place")


def _cli_index(tmp_path_factory: pytest.TempPathFactory, target: str) -> None:
    root = tmp_path_factory.mktemp("facets")
    (root / "articles.json").write_text(json.dumps(ARTICLES, ensure_ascii=False), encoding="utf-8")
    args = ["index", str(root / "articles.json"), str(BUNDLED_CORPUS), "--rebuild", "--index", target, "-q"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def truth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Whoosh index of the articles, read only for its stored fields (the brute-force truth)."""
    target = tmp_path_factory.mktemp("facets-truth") / "index"
    _cli_index(tmp_path_factory, str(target))
    return target


@pytest.fixture(scope="module")
def index_dir(backend: str, truth_dir: Path, tmp_path_factory: pytest.TempPathFactory,
              request: pytest.FixtureRequest) -> Path | str:
    """The searched index on this module's backend: the Whoosh one, or a Solr collection of the same articles."""
    if backend == "whoosh":
        return truth_dir
    from index.solr_admin import create_collection

    url = f"{request.getfixturevalue('solr_base')}/facets"
    create_collection(url, 2, 1)
    _cli_index(tmp_path_factory, url)
    return url


@pytest.fixture(scope="module")
def engine(index_dir: Path | str | str) -> Iterator[Engine]:
    eng = Engine(index_dir)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def stored(truth_dir: Path) -> dict[str, dict[str, Any]]:
    """Every document's facet values straight from the stored fields: the brute-force truth."""
    ix = whoosh_index.open_dir(str(truth_dir / os.readlink(truth_dir / CURRENT)))
    try:
        with ix.searcher() as searcher:
            return {fields["id"]: _facet_values(fields) for fields in searcher.all_stored_fields()}
    finally:
        ix.close()


def _facet_values(fields: dict[str, Any]) -> dict[str, Any]:
    values = {kind: sorted({v for v in (fields.get(kind) or "").split(",") if v}) for kind in KINDS}
    values["source"] = [fields["source"]] if fields.get("source") else []
    values["date"] = [fields["date"].strftime("%Y-%m")] if fields.get("date") else []
    values["day"] = fields["date"].strftime("%Y-%m-%d") if fields.get("date") else None
    return values


def brute_facets(stored: dict[str, dict[str, Any]], ids: set[str], months: bool = False) -> dict[str, list[dict]]:
    """The facet contract recomputed: each document once per value, count desc then value, top 20.

    A search's ``date`` facet is the date histogram (every non-empty bucket, oldest first);
    the whole-index overview's (``months``) counts months like the other facets.
    """
    out = {}
    for key in (*KINDS, "source", "date"):
        counter = Counter(v for doc_id in ids for v in stored[doc_id][key])
        ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:20]
        out[key] = [_facet_json(key, v, n) for v, n in ranked]
    if not months:
        out["date"] = brute_histogram(_days(stored, ids))[1]
    return out


def _facet_json(key: str, value: str, count: int) -> dict[str, Any]:
    """A facet value as JSON: a source also carries its display name (``label``)."""
    out: dict[str, Any] = {"value": value, "count": count}
    if key == "source":
        out["label"] = display_source(value)
    return out


def _days(stored: dict[str, dict[str, Any]], ids: set[str]) -> list[dt.date]:
    return [dt.date.fromisoformat(stored[i]["day"]) for i in ids if stored[i]["day"]]


def all_ids(engine: Engine, request: SearchRequest) -> set[str]:
    """Every matching id, page by page."""
    found: set[str] = set()
    page = 1
    while True:
        result = engine.search(SearchRequest(**{**request.__dict__, "page": page, "per_page": 100})).to_json()
        found |= {hit["id"] for hit in result["hits"]}
        if page >= max(result["pages"], 1):
            return found
        page += 1


def without_time(result: dict) -> dict:
    """A result without its timing, and its facet values without the API's toggle links."""
    out = {k: v for k, v in result.items() if k != "took_ms"}
    out["facets"] = {
        key: [{k: v for k, v in item.items() if k not in ("url", "selected")} for item in values]
        for key, values in result.get("facets", {}).items()
    }
    return out


# --- extraction reaches the index ----------------------------------------------------------


def test_known_entities_are_indexed_canonically(stored: dict[str, dict[str, Any]]) -> None:
    assert SDF in stored["f1"]["organization"]  # قسد and the full name: one canonical value
    assert "الرقة" in stored["f1"]["place"]  # بالرقة
    assert "دمشق" in stored["f2"]["place"] and "دمشق" in stored["f3"]["place"]
    assert "بشار الأسد" in stored["f3"]["person"]
    assert stored["f1"]["date"] == ["2017-05"] and stored["f1"]["source"] == ["وكالة أ"]


# --- counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest("الرقة", per_page=1),
        SearchRequest("داعش"),
        SearchRequest("دمشق OR الرياض", sort="date"),
        SearchRequest("", place=("الرقة",)),
        SearchRequest("داعش", place=("الرقة", "دمشق"), per_page=2, page=2),
    ],
)
def test_counts_equal_brute_force_over_every_match(
    engine: Engine, stored: dict[str, dict[str, Any]], request_: SearchRequest
) -> None:
    result = engine.search(request_).to_json()
    ids = all_ids(engine, request_)
    assert result["total"] == len(ids)
    assert result["facets"] == brute_facets(stored, ids)
    assert result["date_interval"] == brute_histogram(_days(stored, ids))[0]


def test_a_document_counts_once_per_value(engine: Engine) -> None:
    result = engine.search(SearchRequest("id:f1")).to_json()
    assert result["total"] == 1
    assert {"value": SDF, "count": 1} in result["facets"]["organization"]
    assert {"value": "الرقة", "count": 1} in result["facets"]["place"]
    hit = result["hits"][0]
    assert hit["entities"]["organization"].count(SDF) == 1 and hit["entities"]["place"].count("الرقة") == 1


def test_facets_are_ordered_by_count_then_value_dates_by_time(engine: Engine) -> None:
    facets = engine.search(SearchRequest("", source=("وكالة أ", "وكالة ب", "وكالة ج"))).to_json()["facets"]
    for key, values in facets.items():
        keys = (
            [item["value"] for item in values]
            if key == "date"
            else [(-item["count"], item["value"]) for item in values]
        )
        assert keys == sorted(keys) and len(values) > 1


def test_whole_index_facets(engine: Engine, stored: dict[str, dict[str, Any]]) -> None:
    result = engine.facets()
    assert result["total"] == len(stored)
    assert result["facets"] == brute_facets(stored, set(stored), months=True)


def test_hits_and_documents_carry_their_entities(engine: Engine, stored: dict[str, dict[str, Any]]) -> None:
    for hit in engine.search(SearchRequest("الرقة", per_page=50)).to_json()["hits"]:
        assert {k: sorted(v) for k, v in hit["entities"].items()} == {k: stored[hit["id"]][k] for k in KINDS}
    doc = as_json(engine.document("f3"))
    assert doc is not None and "بشار الأسد" in doc["entities"]["person"]


# --- filters --------------------------------------------------------------------------------


def expected(stored: dict[str, dict[str, Any]], **wanted: tuple[str, ...]) -> set[str]:
    """Ids passing the filters by brute force: AND across keys, OR within one."""
    return {doc_id for doc_id, values in stored.items() if all(set(values[k]) & set(v) for k, v in wanted.items())}


def test_and_across_facets_or_within_one(engine: Engine, stored: dict[str, dict[str, Any]]) -> None:
    both = all_ids(engine, SearchRequest("", place=("الرقة",), organization=(SDF,)))
    assert "f1" in both and both == expected(stored, place=("الرقة",), organization=(SDF,))
    either = all_ids(engine, SearchRequest("", place=("الرياض", "دمشق")))
    assert {"f2", "f3", "f5"} <= either and either == expected(stored, place=("الرياض", "دمشق"))
    narrowed = all_ids(engine, SearchRequest("", place=("الرياض", "دمشق"), source=("وكالة أ",)))
    assert narrowed == {"f3"}


def test_filters_narrow_a_word_search(engine: Engine, stored: dict[str, dict[str, Any]]) -> None:
    words = all_ids(engine, SearchRequest("الرقة"))
    filtered = all_ids(engine, SearchRequest("الرقة", organization=(SDF,)))
    assert filtered == words & expected(stored, organization=(SDF,)) and filtered < words


def test_filters_do_not_change_scores(engine: Engine) -> None:
    plain = {h["id"]: h["score"] for h in engine.search(SearchRequest("الرقة", per_page=50)).to_json()["hits"]}
    for hit in engine.search(SearchRequest("الرقة", per_page=50, place=("الرقة",))).to_json()["hits"]:
        assert hit["score"] == plain[hit["id"]]


def test_a_filter_nothing_passes_finds_nothing(engine: Engine) -> None:
    """Whoosh reads an empty filter set as "no filter"; the engine must not."""
    result = engine.search(SearchRequest("الرقة", person=("لا أحد بهذا الاسم",))).to_json()
    assert result["total"] == 0 and result["hits"] == [] and all(v == [] for v in result["facets"].values())


@pytest.mark.parametrize(
    ("date_from", "date_to", "ids"),
    [
        ("2017-05-31", "2017-06-01", {"f2", "f3"}),  # both ends inclusive
        ("2017-05", "2017-05", {"f1", "f2"}),  # a month includes its last day
        ("2017-06", None, {"f3", "f4", "f5"}),
        (None, "2017", {"f1", "f2", "f3", "f4"}),
        ("2018-01-10", "2018-01-10", {"f5"}),
    ],
)
def test_date_range_is_inclusive(
    engine: Engine, stored: dict[str, dict[str, Any]], date_from: str | None, date_to: str | None, ids: set[str]
) -> None:
    found = all_ids(engine, SearchRequest("", date_from=date_from, date_to=date_to))
    assert {i for i in found if i.startswith("f")} == ids
    lo, hi = date_from or "0000", date_to or "9999"
    by_day = {i for i, v in stored.items() if v["day"] and lo <= v["day"][: len(lo)] and v["day"][: len(hi)] <= hi}
    assert found == by_day


def test_bad_dates_are_query_errors(engine: Engine) -> None:
    with pytest.raises(QueryError, match="not a valid date"):
        engine.search(SearchRequest("الرقة", date_from="2017-13")).to_json()
    with pytest.raises(QueryError, match="ends before it starts"):
        engine.search(SearchRequest("", date_from="2018", date_to="2017")).to_json()


def test_filter_only_search_lists_newest_first(engine: Engine) -> None:
    result = engine.search(SearchRequest("", source=("وكالة أ", "وكالة ب"))).to_json()
    assert result["sort"] == "date" and result["total"] == 4
    assert [h["id"] for h in result["hits"]] == ["f4", "f3", "f2", "f1"]
    with pytest.raises(QueryError, match="empty query"):
        engine.search(SearchRequest("  ")).to_json()


def test_counts_follow_an_incremental_update(tmp_path: Path) -> None:
    """The per-document facet cache is rebuilt when the searcher sees a new commit."""
    target = tmp_path / "ix"
    first = tmp_path / "a.json"
    first.write_text(json.dumps(ARTICLES[:2], ensure_ascii=False), encoding="utf-8")
    assert CliRunner().invoke(main, ["index", str(first), "--index", str(target), "-q"]).exit_code == 0
    eng = Engine(target)
    try:
        assert {"value": "دمشق", "count": 1} in eng.facets()["facets"]["place"]
        more = tmp_path / "b.json"
        more.write_text(json.dumps(ARTICLES[2:3], ensure_ascii=False), encoding="utf-8")
        assert CliRunner().invoke(main, ["index", str(more), "--index", str(target), "-q"]).exit_code == 0
        assert {"value": "دمشق", "count": 2} in eng.facets()["facets"]["place"]
    finally:
        eng.close()


# --- CLI and API ----------------------------------------------------------------------------


def cli_json(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip().startswith("{") else None


def test_cli_filters(engine: Engine, index_dir: Path | str) -> None:
    code, got = cli_json(
        "search", "--place", "الرياض", "--place", "دمشق", "--source", "وكالة أ", "--index", str(index_dir), "--json"
    )
    assert code == 0 and [h["id"] for h in got["hits"]] == ["f3"]
    want = engine.search(SearchRequest("", place=("الرياض", "دمشق"), source=("وكالة أ",))).to_json()
    assert without_time(got) == without_time(want)
    code, got = cli_json(
        "search", "الرقة", "--person", "بشار الأسد", "--to", "2017", "--index", str(index_dir), "--json"
    )
    assert code == 1 and got["total"] == 0
    code, got = cli_json("search", "--from", "2017-05-31", "--to", "2017-06-01", "--index", str(index_dir), "--json")
    assert code == 0 and {h["id"] for h in got["hits"]} == {"f2", "f3"}
    code, got = cli_json("search", "--organization", SDF, "--index", str(index_dir), "--json")
    assert "f1" in {h["id"] for h in got["hits"]}


def test_cli_empty_query_without_filters_is_an_error(index_dir: Path | str) -> None:
    result = CliRunner().invoke(main, ["search", "--index", str(index_dir)])
    assert result.exit_code == 2 and "empty query" in result.stderr


def test_cli_facets_json_and_text(engine: Engine, index_dir: Path | str) -> None:
    code, got = cli_json("facets", "--index", str(index_dir), "--json")
    assert code == 0 and got == engine.facets()
    text = CliRunner().invoke(main, ["facets", "--index", str(index_dir)]).stdout
    assert "place:" in text and "الرقة" in text


def test_cli_show_json_has_entities(index_dir: Path | str) -> None:
    code, got = cli_json("show", "f1", "--index", str(index_dir), "--json")
    assert code == 0 and SDF in got["entities"]["organization"] and "الرقة" in got["entities"]["place"]
    text = CliRunner().invoke(main, ["show", "f1", "--index", str(index_dir)]).stdout
    assert f"organization: {SDF}" in text


@pytest.fixture(scope="module")
def client(index_dir: Path | str) -> Any:
    app = create_app({"INDEX": str(index_dir), "TESTING": True})
    return app.test_client()


def test_api_filters_equal_the_cli_json(client: Any, index_dir: Path | str, stored: dict[str, dict[str, Any]]) -> None:
    got = client.get("/api/search?q=الرقة&place=الرقة&place=دمشق&from=2017-05&to=2017-06").get_json()
    code, cli = cli_json(
        "search", "الرقة", "--place", "الرقة", "--place", "دمشق", "--from", "2017-05", "--to", "2017-06",
        "--index", str(index_dir), "--json",
    )  # fmt: skip
    assert code == 0 and without_time(got) == without_time(cli)
    assert {h["id"] for h in got["hits"] if h["id"].startswith("f")} == {"f1", "f2"}
    person = client.get("/api/search?person=بشار الأسد&person=سيرغي لافروف").get_json()
    want = expected(stored, person=("بشار الأسد", "سيرغي لافروف"))
    assert person["hits"][0]["id"] == "f3" and {h["id"] for h in person["hits"]} == want


def test_page_sidebar_chips_and_clear_all(client: Any) -> None:
    page = client.get("/?q=الرقة&place=الرقة&from=2017-05&to=2017-05").get_data(as_text=True)
    aside = page[page.index("<aside") : page.index("</aside>")]
    assert "أماكن" in aside and "منظمات" in aside and "المصادر" in aside
    assert "التاريخ" not in aside, "the histogram above the hits replaces the sidebar's date list"
    assert 'class="selected" aria-current="true"' in aside  # الرقة
    assert "النتائج حسب اليوم" in page and '<svg class="histogram"' in page  # May, by the day, above the hits
    assert "إزالة كل عوامل التصفية" in page and 'href="/?q=%D8%A7%D9%84%D8%B1%D9%82%D8%A9"' in page
    assert 'class="entities"' in page and "organization=" in page
    filter_only = client.get("/?place=الرياض").get_data(as_text=True)
    assert "الأخبار المطابقة لعوامل التصفية" in filter_only and "قمة في الرياض" in filter_only


# --- the facet table saved with the commit --------------------------------------------------


def _index_with(tmp_path: Path, articles: list[dict]) -> Path:
    source = tmp_path / f"articles{len(list(tmp_path.glob('articles*')))}.json"
    source.write_text(json.dumps(articles, ensure_ascii=False), encoding="utf-8")
    target = tmp_path / "ix"
    assert CliRunner().invoke(main, ["index", str(source), "--index", str(target), "-q"]).exit_code == 0
    return target


def _live(target: Path) -> Path:
    return target / os.readlink(target / CURRENT)


def _loaded_table(target: Path) -> object:
    """What ``load_facet_values`` makes of the live generation's saved file (None: refused)."""
    ix = whoosh_index.open_dir(str(_live(target)))
    try:
        with ix.reader() as reader:
            return load_facet_values(_live(target), reader)
    finally:
        ix.close()


def _built_counts(target: Path) -> dict[str, list[dict]]:
    """Whole-index counts from a table built from the postings (the reference)."""
    ix = whoosh_index.open_dir(str(_live(target)))
    try:
        with ix.reader() as reader:
            counts = FacetCounter(FacetValues.from_reader(reader)).counts(list(reader.all_doc_ids()))
            return {key: [_facet_json(key, v, c) for v, c in values] for key, values in counts.items()}
    finally:
        ix.close()


def _no_postings_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("the facet table was built from the postings, not loaded")

    monkeypatch.setattr(whoosh_facets.FacetValues, "from_reader", refuse)


def test_saved_table_is_loaded_and_equals_the_built_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _index_with(tmp_path, ARTICLES)
    expected = _built_counts(target)
    path = save_facet_values(_live(target))
    assert path == _live(target) / FACET_FILE and path.exists()
    assert not list(_live(target).glob(".*.tmp"))  # written under a temporary name, then renamed
    _no_postings_reads(monkeypatch)
    eng = Engine(target)
    try:
        assert eng.facets()["facets"] == expected
        result = eng.search(SearchRequest("الرقة")).to_json()
        assert result["facets"]["place"][0] == {"value": "الرقة", "count": 2}
    finally:
        eng.close()


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with open(path, "wb") as out:
        np.savez(out, **arrays)


def _key(arrays: dict[str, np.ndarray]) -> dict:
    return json.loads(bytes(arrays["key"]).decode("utf-8"))


def _with_key(arrays: dict[str, np.ndarray], key: dict) -> dict[str, np.ndarray]:
    return {**arrays, "key": np.frombuffer(json.dumps(key).encode("utf-8"), dtype=np.uint8)}


def test_a_table_saved_for_an_older_commit_is_not_used(tmp_path: Path) -> None:
    target = _index_with(tmp_path, ARTICLES[:2])
    save_facet_values(_live(target))
    stale = (_live(target) / FACET_FILE).read_bytes()
    _index_with(tmp_path, ARTICLES[2:3])  # an incremental commit into the same generation
    (_live(target) / FACET_FILE).write_bytes(stale)  # as if the writer had not saved again
    assert _loaded_table(target) is None
    eng = Engine(target)
    try:
        assert {"value": "دمشق", "count": 2} in eng.facets()["facets"]["place"]
    finally:
        eng.close()


def test_a_stale_key_is_refused_even_when_the_document_count_agrees(tmp_path: Path) -> None:
    """Only the commit (TOC generation) differs: the key must still refuse it."""
    target = _index_with(tmp_path, ARTICLES)
    save_facet_values(_live(target))
    path = _live(target) / FACET_FILE
    arrays = _read_npz(path)
    key = _key(arrays)
    key["generation"] -= 1
    _write_npz(path, _with_key(arrays, key))
    assert _loaded_table(target) is None


def test_the_loaded_table_is_what_counts(tmp_path: Path) -> None:
    """A valid key makes the engine trust the file (so the key is all that guards it)."""
    target = _index_with(tmp_path, ARTICLES)
    save_facet_values(_live(target))
    path = _live(target) / FACET_FILE
    arrays = _read_npz(path)
    arrays["source.values"] = np.frombuffer("وكالة ز".encode(), dtype=np.uint8)
    arrays["source.count"] = np.array([1])
    arrays["source.value"] = np.zeros_like(arrays["source.value"])
    _write_npz(path, arrays)
    eng = Engine(target)
    try:
        assert eng.facets()["facets"]["source"] == [{"value": "وكالة ز", "count": len(ARTICLES), "label": "وكالة ز"}]
    finally:
        eng.close()


def _damaged(kind: str, path: Path) -> None:
    data = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
        return
    if kind == "binary":
        path.write_bytes(b"\x00\xff garbage")
        return
    arrays = _read_npz(path)
    if kind == "missing-array":
        del arrays["person.doc"]
    elif kind == "bad-index":
        arrays["date.doc"] = np.full_like(arrays["date.doc"], len(ARTICLES) + 5)
    elif kind == "wrong-count":
        arrays["date.count"] = np.array([int(arrays["date.count"][0]) + 3])
    elif kind == "not-utf8":
        arrays["place.values"] = np.frombuffer(b"\xff\xfe", dtype=np.uint8)
    _write_npz(path, arrays)


@pytest.mark.parametrize("kind", ["truncated", "binary", "missing-array", "bad-index", "wrong-count", "not-utf8"])
def test_a_damaged_table_is_ignored_and_rebuilt(tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture) -> None:
    target = _index_with(tmp_path, ARTICLES)
    expected = _built_counts(target)
    save_facet_values(_live(target))
    _damaged(kind, _live(target) / FACET_FILE)
    eng = Engine(target)
    try:
        with caplog.at_level("WARNING", logger="index.whoosh_facets"):
            assert eng.facets()["facets"] == expected
        assert eng.search(SearchRequest("الرقة")).to_json()["total"] == 2
    finally:
        eng.close()
    assert any("damaged facet table" in r.message for r in caplog.records)


def test_no_saved_table_builds_one(tmp_path: Path) -> None:
    target = _index_with(tmp_path, ARTICLES)
    (_live(target) / FACET_FILE).unlink(missing_ok=True)  # the writer may have saved one
    eng = Engine(target)
    try:
        assert eng.facets()["facets"] == _built_counts(target)
    finally:
        eng.close()


# --- counting as arrays ---------------------------------------------------------------------


def _random_table(rnd: random.Random, size: int) -> FacetValues:
    """Facets with a few frequent values, many rare ones and deliberate ties."""
    names = [f"v{i:03d}" for i in range(120)]
    weights = [1.0 / (1 + i) for i in range(len(names))]
    values = {}
    for key in FACETS:
        by_doc = []
        for _ in range(size):
            k = rnd.choice([0, 0, 1, 1, 2, 3]) if key not in ("source", "date") else 1
            by_doc.append(tuple(sorted(set(rnd.choices(names, weights, k=k)))))
        values[key] = by_doc
    return FacetValues.from_documents(values)


def _brute(table: FacetValues, docnums: list[int], limit: int | None) -> dict[str, list[tuple[str, int]]]:
    out = {}
    for key in table.facets:
        by_doc = table.documents(key)
        counter = Counter(v for d in docnums for v in by_doc[d])
        out[key] = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return out


@pytest.mark.parametrize("limit", [1, 3, 20, None])
def test_array_counts_equal_brute_force(limit: int | None) -> None:
    """Same values, counts and order (count, then code point) as counting every document by hand."""
    rnd = random.Random(limit or 0)
    table = _random_table(rnd, 600)
    counter = FacetCounter(table)
    for size in (0, 1, 7, 50, 300, 600):
        docnums = rnd.sample(range(600), size)
        assert counter.counts(docnums, limit) == _brute(table, docnums, limit)
    assert counter.counts(None, limit) == _brute(table, list(range(600)), limit)


def test_facet_filters_select_the_documents_holding_a_value() -> None:
    table = _random_table(random.Random(9), 300)
    counter = FacetCounter(table)
    for key in FACETS:
        wanted = ["v000", "v007", "no-such-value"]
        expected = [d for d, values in enumerate(table.documents(key)) if set(values) & set(wanted)]
        assert counter.docs_with(key, wanted).tolist() == expected
