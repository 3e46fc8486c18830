"""Wire copies: stories assigned at index time (index/stories.py) and collapsed in results.

The seed corpus has no copies, so these tests write small corpora of their own: bodies drawn
from a fixed vocabulary (different seeds share no 5-word run), copies of them exact or
lightly edited, and articles that share only a boilerplate opening.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from flask import Flask

from index.build import build_index, delete_documents
from index.stories import MIN_WORDS, OPENING_WORDS, STORY_FILE, StoryTable, story_text
from search import querytree as qt
from search.backend import DUPLICATE_IDS, SearchPlan
from search.cli import main
from search.engine import Engine, SearchRequest
from search.request import args_from_mapping
from search.results import SearchResult
from web import create_app
from web.state import close_engine

_TEXT = (
    "أعلن وزير الخارجية اليوم عن زيارة رسمية إلى العاصمة لبحث العلاقات الثنائية بين البلدين "
    "وقال المتحدث باسم الوزارة إن المحادثات تناولت التعاون الاقتصادي والأمني والتجاري "
    "وأكد المسؤول أهمية تعزيز الشراكة في مجالات الطاقة والتعليم والصحة والنقل والاستثمار "
    "كما ناقش الجانبان تطورات الأوضاع الإقليمية والدولية ذات الاهتمام المشترك وسبل دعم "
    "الاستقرار والتنمية المستدامة في المنطقة خلال الأعوام المقبلة وفق رؤية طموحة"
)
VOCABULARY = tuple(_TEXT.split())
ROOT = Path(__file__).resolve().parents[1]


def body(seed: int, words: int = 120, topic: str = "الرياض") -> str:
    """A body of ``words`` words from the vocabulary (the seed decides which), naming ``topic`` twice."""
    rng = random.Random(seed)
    drawn = [rng.choice(VOCABULARY) for _ in range(words)]
    drawn[3], drawn[words // 2] = topic, topic
    return " ".join(drawn)


def edited(text: str, every: int = 40) -> str:
    """A paper's light edit of a wire text: one word in ``every`` changed, a closing line added."""
    words = text.split()
    for i in range(every // 2, len(words), every):
        words[i] = "وأضاف"
    return " ".join(words) + " المصدر وكالة الأنباء"


BOILERPLATE = "الرياض واس أعلنت الهيئة العامة للإحصاء اليوم"  # 7 words, well under OPENING_WORDS


def article(doc_id: str, content: str, source: str, date: str, title: str | None = None) -> dict:
    return {"id": doc_id, "title": title or f"خبر {doc_id}", "content": content, "source": source, "date": date}


#: Story "w1": a wire text printed by four papers (exact, exact, edited, edited), and two
#: stories of one article each; "w2": a second wire story, two copies.
WIRE = body(1)
OTHER = body(2)
RECORDS = [
    article("w1-spa", WIRE, "spa", "2015-07-01", title="الرياض تستضيف المحادثات"),
    article("solo-1", body(3), "okaz", "2015-07-02", title="الرياض والعلاقات الثنائية"),
    article("w1-okaz", WIRE, "okaz", "2015-07-02"),
    article("w2-spa", OTHER, "spa", "2015-07-03"),
    article("w1-sabq", edited(WIRE), "sabq", "2015-07-04"),
    article("solo-2", BOILERPLATE + " " + body(4), "sabq", "2015-07-05"),
    article("w2-riyadh", edited(OTHER, every=30), "alriyadh", "2015-07-06"),
    article("w1-riyadh", edited(WIRE, every=25), "alriyadh", "2015-07-07"),
    article("solo-3", BOILERPLATE + " " + body(5), "okaz", "2015-07-08"),
]
STORY = {
    "w1-spa": "w1-spa",
    "w1-okaz": "w1-spa",
    "w1-sabq": "w1-spa",
    "w1-riyadh": "w1-spa",
    "w2-spa": "w2-spa",
    "w2-riyadh": "w2-spa",
    "solo-1": "solo-1",
    "solo-2": "solo-2",
    "solo-3": "solo-3",
}


def write_records(path: Path, records: list[dict]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def stories_of(location: Path | str) -> dict[str, str]:
    """Every indexed article's story, as stored in the index (either backend)."""
    engine = Engine(location)
    try:
        with engine.backend.view() as view:
            return {found.doc.id: found.doc.story for found in view.listing(SearchPlan(qt.Every())).hits}
    finally:
        engine.close()


# --- the rule ----------------------------------------------------------------------------


def assign_all(texts: list[tuple[str, str]]) -> dict[str, str]:
    table = StoryTable()
    return {doc_id: table.assign(doc_id, story_text("", text)) for doc_id, text in texts}


def test_an_exact_copy_joins_the_story_of_the_first_article() -> None:
    assert assign_all([("a", WIRE), ("b", OTHER), ("c", WIRE)]) == {"a": "a", "b": "b", "c": "a"}


def test_a_lightly_edited_copy_joins_and_hamza_or_ta_marbuta_spellings_do_not_matter() -> None:
    respelled = WIRE.replace("أعلن", "اعلن").replace("الخارجية", "الخارجيه")
    stories = assign_all([("a", WIRE), ("b", edited(WIRE)), ("c", respelled), ("d", OTHER)])
    assert stories == {"a": "a", "b": "a", "c": "a", "d": "d"}


def test_a_shared_boilerplate_opening_does_not_merge_different_articles() -> None:
    one, two = BOILERPLATE + " " + body(4), BOILERPLATE + " " + body(5)
    assert assign_all([("a", one), ("b", two)]) == {"a": "a", "b": "b"}


def test_a_truncated_copy_joins_but_an_identical_opening_alone_does_not() -> None:
    words = WIRE.split()
    truncated = " ".join(words[:45])  # a paper printed the wire's first part only
    assert assign_all([("a", WIRE), ("b", truncated)]) == {"a": "a", "b": "a"}
    same_opening = " ".join(words[:OPENING_WORDS]) + " " + body(6, words=60)  # a formula, then other news
    assert assign_all([("a", WIRE), ("b", same_opening)]) == {"a": "a", "b": "b"}


def test_an_item_quoted_in_a_long_digest_does_not_join_the_digest() -> None:
    item = " ".join(WIRE.split()[:40])
    digest = item + " " + body(7, words=240)  # a round-up: this item and much else
    assert assign_all([("digest", digest), ("item", item)]) == {"digest": "digest", "item": "item"}


def test_a_body_too_short_to_judge_is_its_own_story() -> None:
    short = " ".join(WIRE.split()[: MIN_WORDS - 1])
    assert assign_all([("a", short), ("b", short)]) == {"a": "a", "b": "b"}
    assert story_text("", short).signature is None


def test_an_article_joins_its_most_similar_earlier_article() -> None:
    half = " ".join(OTHER.split()[:60] + WIRE.split()[60:])  # half of the wire, after another opening
    stories = assign_all([("a", WIRE), ("b", OTHER), ("c", edited(OTHER, every=12)), ("d", OTHER)])
    assert stories["d"] == "b"
    assert assign_all([("a", WIRE), ("b", half)])["b"] == "b", "half the shingles is below the threshold"


def test_the_title_counts_only_when_there_is_no_body() -> None:
    table = StoryTable()
    assert table.assign("a", story_text("عنوان أول", WIRE)) == "a"
    assert table.assign("b", story_text("عنوان آخر تماما", WIRE)) == "a"
    assert story_text(WIRE, "").signature is not None


def test_the_table_survives_saving_and_is_refused_for_another_commit(tmp_path: Path) -> None:
    table = StoryTable()
    for doc_id, text in (("a", WIRE), ("b", OTHER), ("gone", body(9))):
        table.assign(doc_id, story_text("", text))
    table.remove(["gone"])
    table.save(tmp_path, {"generation": 3})
    assert StoryTable.load(tmp_path, {"generation": 4}) is None
    loaded = StoryTable.load(tmp_path, {"generation": 3})
    assert loaded is not None
    assert loaded.ids == ["a", "b"] and loaded.stories == ["a", "b"]
    assert loaded.assign("c", story_text("", edited(OTHER))) == "b"
    assert loaded.assign("gone", story_text("", body(9))) == "gone"
    (tmp_path / STORY_FILE).write_bytes(b"not a zip")
    assert StoryTable.load(tmp_path, {"generation": 3}) is None


def test_signatures_are_the_same_in_every_process() -> None:
    """Fixed seeds and hashes, never Python's salted ``hash``: an update run by another process
    must compute the signature the build computed."""
    code = "import sys; from index.stories import story_text; print(story_text('', sys.argv[1]).signature.tolist())"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, WIRE], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    ).stdout
    here = story_text("", WIRE).signature
    assert here is not None and here.dtype == np.uint32
    assert json.loads(out) == here.tolist()


# --- stories in the index ------------------------------------------------------------------


@pytest.fixture(scope="module")
def wire_index(backend: str, make_location) -> Path | str:
    """The wire articles on this module's backend (the collapse tests run on both)."""
    return make_location(backend, records=RECORDS, name="wire")


@pytest.fixture(scope="module")
def engine(wire_index: Path | str) -> Iterator[Engine]:
    engine = Engine(wire_index)
    yield engine
    engine.close()


def test_a_build_stores_each_articles_story(wire_index: Path | str) -> None:
    assert stories_of(wire_index) == STORY


def test_updates_join_new_articles_to_the_stories_there_and_match_a_full_build(tmp_path: Path) -> None:
    first, rest = RECORDS[:4], RECORDS[4:]
    index_dir = tmp_path / "index"
    build_index([write_records(tmp_path / "first.json", first)], index_dir, rebuild=True)
    build_index([write_records(tmp_path / "rest.json", rest)], index_dir)
    assert stories_of(index_dir) == STORY


def test_deleted_articles_leave_their_story_ids_valid(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index([write_records(tmp_path / "all.json", RECORDS)], index_dir, rebuild=True)
    delete_documents(index_dir, ["w1-spa"])
    late = article("w1-late", edited(WIRE, every=33), "okaz", "2015-07-09")
    build_index([write_records(tmp_path / "late.json", [late])], index_dir)
    stories = stories_of(index_dir)
    assert "w1-spa" not in stories
    assert stories["w1-okaz"] == stories["w1-late"] == "w1-spa", "a copy still joins through the other copies"


def test_a_lost_story_table_is_rebuilt_from_the_index(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index([write_records(tmp_path / "first.json", RECORDS[:4])], index_dir, rebuild=True)
    (index_dir / "current" / STORY_FILE).unlink()
    build_index([write_records(tmp_path / "rest.json", RECORDS[4:])], index_dir)
    assert stories_of(index_dir) == STORY
    assert (index_dir / "current" / STORY_FILE).is_file()


def test_a_parallel_rebuild_assigns_the_same_stories(tmp_path: Path) -> None:
    source = write_records(tmp_path / "all.json", RECORDS * 1)
    build_index([source], tmp_path / "parallel", rebuild=True, procs=2)
    assert stories_of(tmp_path / "parallel") == STORY


# --- collapsing ------------------------------------------------------------------------------


def ids(result: SearchResult) -> list[str]:
    return [hit.id for hit in result.hits]


def test_each_story_is_listed_once_with_its_copies(engine: Engine) -> None:
    collapsed = engine.search(SearchRequest(q="الرياض"))
    full = engine.search(SearchRequest(q="الرياض", collapse=False))
    assert full.total == collapsed.total == len(RECORDS)
    assert collapsed.stories == 5 and collapsed.listed == 5 and collapsed.pages == 1
    assert [STORY[i] for i in ids(collapsed)] == list(dict.fromkeys(STORY[i] for i in ids(full)))
    for hit in collapsed.hits:
        copies = [i for i in ids(full) if STORY[i] == STORY[hit.id] and i != hit.id]
        assert hit.duplicates == tuple(copies), "the other copies, in result order"
        assert hit.duplicate_count == len(copies)
        assert hit.story == STORY[hit.id]
    assert full.listed == full.total and all(hit.duplicate_count == 0 for hit in full.hits)


def test_collapsing_keeps_the_best_ranked_copy_and_the_counts_of_articles(engine: Engine) -> None:
    collapsed = engine.search(SearchRequest(q="الرياض"))
    full = engine.search(SearchRequest(q="الرياض", collapse=False))
    first_of = {}
    for i in ids(full):
        first_of.setdefault(STORY[i], i)
    assert ids(collapsed) == list(first_of.values())
    assert collapsed.facets == full.facets, "facets count articles"
    assert {v.value: v.count for v in collapsed.facets["source"]} == {"okaz": 3, "spa": 2, "sabq": 2, "alriyadh": 2}


def test_collapsing_follows_the_date_sort(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="الرياض", sort="date"))
    assert ids(result) == ["solo-3", "w1-riyadh", "w2-riyadh", "solo-2", "solo-1"]
    assert result.hits[1].duplicates == ("w1-sabq", "w1-okaz", "w1-spa")


def test_pages_walk_stories(engine: Engine) -> None:
    whole = ids(engine.search(SearchRequest(q="الرياض", sort="date")))
    pages = [engine.search(SearchRequest(q="الرياض", sort="date", per_page=2, page=p)) for p in (1, 2, 3, 4)]
    assert [r.pages for r in pages] == [3, 3, 3, 3]
    assert [i for r in pages for i in ids(r)] == whole
    assert ids(pages[3]) == [] and pages[3].total == len(RECORDS)


def test_a_forgiving_query_collapses_within_its_ranked_order(engine: Engine) -> None:
    query = "الرياض الثنائية كلمةغائبة"  # three words: two of them are enough
    full = engine.search(SearchRequest(q=query, collapse=False))
    collapsed = engine.search(SearchRequest(q=query))
    assert full.total == collapsed.total and full.full == collapsed.full
    first_of: dict[str, str] = {}
    for i in ids(full):
        first_of.setdefault(STORY[i], i)
    assert ids(collapsed) == list(first_of.values())
    assert all(hit.missing == ("كلمةغائبة",) for hit in collapsed.hits)


def test_the_story_filter_lists_one_storys_articles(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="الرياض", story="w1-spa", collapse=False))
    assert sorted(ids(result)) == sorted(i for i, s in STORY.items() if s == "w1-spa")
    listing = engine.search(SearchRequest(story="w2-spa", collapse=False))
    assert ids(listing) == ["w2-riyadh", "w2-spa"], "filters alone: newest first"
    assert engine.search(SearchRequest(q="الرياض", story="no-such-story")).total == 0


def test_a_query_the_collectors_run_collapses_too(engine: Engine) -> None:
    """``date:[…]`` ranges go through Whoosh's collectors, not the one-walk scorer."""
    query = "date:[2015-07-01 to 2015-07-31]"
    collapsed = engine.search(SearchRequest(q=query))
    full = engine.search(SearchRequest(q=query, collapse=False))
    assert collapsed.total == full.total == len(RECORDS)
    assert collapsed.stories == 5 and len(collapsed.hits) == 5
    assert len({STORY[i] for i in ids(collapsed)}) == 5
    assert sum(hit.duplicate_count for hit in collapsed.hits) == len(RECORDS) - 5


def test_trec_runs_list_every_article(engine: Engine) -> None:
    assert sorted(doc_id for doc_id, _ in engine.run("الرياض")) == sorted(STORY)


def test_duplicate_ids_are_capped_but_counted(tmp_path: Path) -> None:
    copies = [article(f"copy-{i:02}", WIRE, "spa", "2015-07-01") for i in range(DUPLICATE_IDS + 3)]
    index_dir = tmp_path / "index"
    build_index([write_records(tmp_path / "copies.json", copies)], index_dir, rebuild=True)
    engine = Engine(index_dir)
    try:
        (hit,) = engine.search(SearchRequest(q="الرياض")).hits
    finally:
        engine.close()
    assert hit.duplicate_count == DUPLICATE_IDS + 2
    assert len(hit.duplicates) == DUPLICATE_IDS


def test_collapse_and_story_round_trip_through_query_strings() -> None:
    request = SearchRequest.from_args(args_from_mapping({"q": "الرياض", "collapse": "false", "story": "w1-spa"}))
    assert (request.collapse, request.story) == (False, "w1-spa")
    assert request.to_args() == {"q": "الرياض", "collapse": "false", "story": ["w1-spa"]}
    assert SearchRequest.from_args(args_from_mapping(request.to_args())) == request
    assert SearchRequest.from_args(args_from_mapping({"q": "x"})).collapse is True
    assert "collapse" not in SearchRequest(q="x").to_args()
    assert SearchRequest.from_args(args_from_mapping({"q": "x", "collapse": "0"})).collapse is False
    assert request.cleared() == SearchRequest(q="الرياض", collapse=False)


# --- front ends ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(wire_index: Path | str) -> Iterator[Flask]:
    application = create_app({"INDEX": str(wire_index), "TESTING": True})
    yield application
    close_engine(application)


def test_the_api_gives_stories_and_duplicates(app: Flask) -> None:
    client = app.test_client()
    data = client.get("/api/search?q=الرياض&sort=date").get_json()
    assert (data["total"], data["stories"], data["pages"], data["collapse"]) == (9, 5, 1, True)
    hit = data["hits"][1]
    assert hit["id"] == "w1-riyadh" and hit["story"] == "w1-spa"
    assert hit["duplicates"] == {"count": 3, "ids": ["w1-sabq", "w1-okaz", "w1-spa"]}
    assert data["hits"][0]["duplicates"] == {"count": 0, "ids": []}
    full = client.get("/api/search?q=الرياض&collapse=false").get_json()
    assert (full["total"], full["stories"], full["collapse"], len(full["hits"])) == (9, 9, False, 9)
    bad = client.get("/api/search?q=الرياض&collapse=maybe")
    assert bad.status_code == 400 and "collapse" in bad.get_json()["error"]


def test_the_page_names_both_counts_and_links_the_copies(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/?q=الرياض&sort=date").get_data(as_text=True)
    assert "<bdi>9</bdi> مقالاً في <bdi>5</bdi> قصة" in page
    assert "3 نسخ أخرى" in page and "نسخة أخرى" in page
    assert "story=w1-spa" in page and "collapse=false" in page
    listing = client.get("/?q=الرياض&sort=date&story=w1-spa&collapse=false").get_data(as_text=True)
    assert listing.count('class="hit"') == 4
    assert "نسخ أخرى" not in listing
    assert 'name="collapse" value="false"' in listing, "the search form keeps collapse off"


def test_the_cli_collapses_unless_told_not_to(wire_index: Path | str) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["search", "الرياض", "--index", str(wire_index), "--sort", "date"]).stdout
    assert out.startswith("9 results in 5 stories")
    assert "+ 3 other copies: w1-sabq, w1-okaz, w1-spa" in out
    result = runner.invoke(main, ["search", "الرياض", "--index", str(wire_index), "--no-collapse", "--json"])
    data = json.loads(result.stdout)
    assert (data["total"], data["stories"], len(data["hits"]), data["collapse"]) == (9, 9, 9, False)
    copies = runner.invoke(main, ["search", "--story", "w2-spa", "--no-collapse", "--index", str(wire_index)])
    assert copies.exit_code == 0 and copies.stdout.startswith("2 results")


def test_batch_runs_are_never_collapsed(wire_index: Path | str, tmp_path: Path) -> None:
    queries = tmp_path / "queries.tsv"
    queries.write_text("q1\tالرياض\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["batch", str(queries), "--index", str(wire_index)]).stdout
    assert sorted(line.split()[2] for line in out.splitlines()) == sorted(STORY)


def test_an_entity_page_lists_stories_with_their_copies(app: Flask) -> None:
    client = app.test_client()
    data = client.get("/api/entity/place/الرياض").get_json()["articles"]
    assert (data["total"], data["stories"], data["pages"]) == (9, 5, 1)
    assert data["hits"][1]["duplicates"]["count"] == 3
    page = client.get("/entity/place/الرياض").get_data(as_text=True)
    assert "3 نسخ أخرى" in page
    assert "place=%D8%A7%D9%84%D8%B1%D9%8A%D8%A7%D8%B6" in page and "story=w1-spa" in page
