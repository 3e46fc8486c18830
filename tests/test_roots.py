"""Root search: a word's root (index/roots.py), the root field, ``root:`` queries, their
snippets, ``analyze`` and the results page's «كل مشتقات الجذر» links."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from index.analysis import root_terms, root_word, tokenize
from index.document import index_document
from index.ingest import Article
from index.roots import as_root, root_of
from index.whoosh_schema import RootAnalyzer, make_schema
from search.cli import main
from search.engine import Engine, SearchRequest
from search.errors import QueryError
from search.explain import analyze_text
from search.query import parse_query, word_roots
from search.querytree import Root
from search.snippets import make_snippets
from web import create_app


@pytest.mark.parametrize(
    ("words", "root"),
    [
        ("كتاب مكتبة كاتب يكتبون الكتابة مكتوب مكاتب كتبوا وسيكتب كتاباتي", "كتب"),
        ("قال يقول واقول فيقولون", "قول"),
        ("اجتماع المجتمع جامعة للاجتماع جمعية", "جمع"),
        ("أكد التأكيد يؤكد", "ءكد"),  # a hamza radical is ء, whatever its seat
        ("مستمر استمرار يمر", "مرر"),  # a doubled radical written once
        ("اتفاق متفق وفق", "وفق"),  # افتعل of an initial و
        ("جائزة", "جوز"),  # the hamza of فاعلة stands for a hollow root's و
        ("المسؤول سؤال مسؤوليات", "سءل"),
        ("وزارة الوزير", "وزر"),
        ("الوحدوية", "وحد"),  # nisba with و
        ("الند", "ندد"),  # ال + two letters: a geminate noun
        ("النعم", "نعم"),  # a content word whose stem the stop list holds ("yes")
        ("الشرع", "شرع"),  # ("began")
    ],
)
def test_known_words_get_their_root(words: str, root: str) -> None:
    assert {w: root_of(w) for w in words.split()} == dict.fromkeys(words.split(), root)


@pytest.mark.parametrize("word", ["من", "التي", "وكان", "وان", "ترامب", "واشنطن", "كريغ", "ISIS", "2017", "في"])
def test_function_words_foreign_names_and_non_words_get_none(word: str) -> None:
    assert root_of(word) is None
    assert root_word(word) == ""


def test_roots_are_cached_per_word_and_the_analyzer_pickles() -> None:
    assert root_word("مكتبة") is root_word("مكتبة")
    schema = pickle.loads(pickle.dumps(make_schema()))  # Whoosh stores the schema pickled
    analyzer = schema["root"].analyzer
    assert analyzer == RootAnalyzer()
    assert [t.text for t in analyzer("ذهب الكاتب إلى المكتبة")] == ["ذهب", "كتب", "كتب"]


def test_as_root_reads_a_typed_root_and_nothing_else() -> None:
    assert as_root("كتب") == "كتب"
    assert as_root("أكد") == as_root("اكد") == "ءكد"
    assert as_root("سأل") == "سءل"
    assert as_root("مكتبة") is None  # a derived word, not a root
    assert as_root("قال") is None  # ا is no radical: the word's root is extracted instead


def test_document_roots_cover_title_and_content() -> None:
    text = "الكتاب في المكتبات وقال الكاتب"
    article = Article(id="x", title="مكتبة", content=text, date=None, source=None, url=None, author=None, origin="")
    doc = index_document(article)
    assert doc.roots == ["كتب", "كتب", "كتب", "قول", "كتب"]
    assert root_terms(list(tokenize("من ترامب"))) == []


# --- queries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "root"),
    [("root:كتب", "كتب"), ("root:مكتبة", "كتب"), ("root:يكتبون", "كتب"), ("root:أكد", "ءكد"), ("ROOT:قال", "قول")],
)
def test_root_field_takes_a_root_or_a_derived_word(query: str, root: str) -> None:
    assert parse_query(query) == Root(root, query.split(":", 1)[1])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("root:", "root: needs a value, e.g. root:كتب"),
        ("root:abc", "root: takes an Arabic root or word"),
        ("root:123", "root: takes an Arabic root or word"),
        ('root:"كتب قرأ"', "root: takes one word"),
        ("root:من", "has no Arabic root to search"),
        ("root:ترامب", "has no Arabic root to search"),
        ("roots:كتب", "unknown field 'roots'; use title:, source:, date:, id: or root:"),
        ("title:root:كتب", r"title: takes words or a phrase, not another field \(root:\)"),
    ],
)
def test_bad_root_values_get_a_clear_message(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(query)


def _ids(engine: Engine, query: str) -> set[str]:
    return {hit.id for hit in engine.search(SearchRequest(q=query, per_page=50)).hits}


def test_root_query_finds_derived_forms_the_stem_query_misses(seed_engine: Engine) -> None:
    by_stem = _ids(seed_engine, "قتل")
    by_root = _ids(seed_engine, "root:قتل")
    assert by_stem < by_root  # مقاتلي، القتال، مقتل: other words, one root
    assert by_root == _ids(seed_engine, "root:مقاتل")  # a derived word stands for its root
    assert _ids(seed_engine, "root:قتل -مقتل") < by_root
    assert _ids(seed_engine, "root:وفق") > _ids(seed_engine, "اتفاق")  # اتفقت، متفقان، توافق


def test_root_query_marks_the_words_of_that_root(seed_engine: Engine) -> None:
    result = seed_engine.search(SearchRequest(q="root:قتل"))
    marked = {s.text[a:b] for hit in result.hits for s in hit.snippets for a, b in s.highlights}
    assert marked and all(root_word(word) == "قتل" for word in marked)
    assert {"مقتل", "مقاتلي"} <= marked


def test_snippets_mark_roots_only_when_asked() -> None:
    text = "افتتح الكاتب مكتبة جديدة."
    (plain,) = make_snippets(text, set(), set())
    assert plain.highlights == ()
    (rooted,) = make_snippets(text, set(), set(), roots=frozenset({"كتب"}))
    assert [text[a:b] for a, b in rooted.highlights] == ["الكاتب", "مكتبة"]


def test_an_index_without_the_root_field_says_so(seed_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from search import whoosh_query

    monkeypatch.setattr(whoosh_query, "ROOT_FIELD", "no_such_field")
    with pytest.raises(QueryError, match="built without word roots"):
        seed_engine.search(SearchRequest(q="root:قتل"))


# --- analyze, CLI, page --------------------------------------------------------------------


def test_analyze_shows_each_words_root() -> None:
    result = analyze_text("يكتبون في المكتبة ترامب")
    assert [t["root"] for t in result["tokens"]] == ["كتب", None, "كتب", None]
    assert result["fields"]["root"] == ["كتب", "كتب"]


def test_cli_analyze_has_a_root_column() -> None:
    out = CliRunner().invoke(main, ["analyze", "مكتبة", "في"])
    assert out.exit_code == 0
    header, first, second = out.output.splitlines()
    assert header.split()[-2:] == ["root", "(root)"]
    assert first.split()[-1] == "كتب" and second.split()[-1] == "-"
    as_json = json.loads(CliRunner().invoke(main, ["analyze", "مكتبة", "--json"]).output)
    assert as_json["tokens"][0]["root"] == "كتب"


def test_cli_bad_root_exits_2_with_one_line(seed_index: Path) -> None:
    out = CliRunner().invoke(main, ["search", "root:abc", "--index", str(seed_index)])
    assert out.exit_code == 2
    assert "root: takes an Arabic root or word" in out.output and "Traceback" not in out.output


def test_word_roots_skip_fields_operators_exclusions_and_names() -> None:
    assert word_roots("مكتبة الرقة -مقاتل root:قول OR كتاب") == [("مكتبة", "كتب")]
    assert word_roots("الاجتماع وزير") == [("الاجتماع", "جمع"), ("وزير", "وزر")]


def test_word_roots_skip_the_words_of_a_several_word_name() -> None:
    """الزور of دير الزور is part of a place, quoted or not; the other words keep their links."""
    assert word_roots('"دير الزور"') == []
    assert word_roots("عاصمة داعش في دير الزور") == [("عاصمة", "عصم")]


@pytest.fixture(scope="module")
def app(seed_index: Path) -> Iterator[Flask]:
    app = create_app({"INDEX": str(seed_index), "TESTING": True})
    yield app


def test_results_page_links_every_root(app: Flask) -> None:
    page = app.test_client().get("/?q=مكتبة مقاتلين").get_data(as_text=True)
    assert "كل مشتقات الجذر" in page
    assert 'href="/?q=root:%D9%83%D8%AA%D8%A8"' in page  # root:كتب
    followed = app.test_client().get("/?q=root:%D9%82%D8%AA%D9%84")  # root:قتل, as the link for مقاتلين
    assert followed.status_code == 200 and "<mark>مقتل</mark>" in followed.get_data(as_text=True)


def test_api_bad_root_is_a_400_with_a_message(app: Flask) -> None:
    response = app.test_client().get("/api/search?q=root:abc")
    assert response.status_code == 400
    assert "root: takes an Arabic root or word" in response.get_json()["error"]
    analyzed = app.test_client().get("/api/analyze?text=مكتبة").get_json()
    assert analyzed["tokens"][0]["root"] == "كتب"


def test_an_index_built_before_the_root_extractor_changed_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from index import layout

    copy = tmp_path / "index"
    shutil.copytree(Path(layout.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(layout, "_HERE", copy)
    before = layout.analysis_fingerprint()
    (copy / "roots.py").write_text((copy / "roots.py").read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert layout.analysis_fingerprint() != before
