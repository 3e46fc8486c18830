"""Alias-aware queries and the entity listing: داعش, ISIS and تنظيم الدولة name one organization."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import main
from search.engine import Engine, SearchRequest

ROOT = Path(__file__).resolve().parents[1]
ONLY_LONG_NAME = {
    "id": "long-name-only",
    "title": "بيان عسكري",
    "content": "أعلن تنظيم الدولة الإسلامية مسؤوليته عن الهجوم على الحاجز قرب تدمر.",
    "date": "2017-06-01",
}


@pytest.fixture(scope="module")
def index_dir(make_index) -> Path:
    return make_index(records=[ONLY_LONG_NAME], name="aliases", seed=True)


@pytest.fixture(scope="module")
def engine(index_dir: Path) -> Engine:
    engine = Engine(index_dir)
    yield engine
    engine.close()


def ids(result: dict) -> set[str]:
    return {hit["id"] for hit in result["hits"]}


def test_short_name_finds_article_that_uses_only_the_long_name(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="داعش", per_page=20)).to_json()
    assert "long-name-only" in ids(result)
    assert result["aliases"] == [{"query": "داعش", "type": "organization", "entity": "داعش"}]
    # Articles that say داعش rank above the one that only names it another way.
    assert result["hits"][-1]["id"] == "long-name-only"


def test_latin_name_finds_arabic_articles_and_says_why(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="ISIS", per_page=20)).to_json()
    assert result["total"] == 6
    assert result["aliases"][0]["entity"] == "داعش"
    marked = [s for hit in result["hits"] for s in hit["snippets"] if "<mark>داعش</mark>" in s]
    assert marked, "the Arabic alias is marked in the snippets"
    raqqa = engine.search(SearchRequest(q="Raqqa", per_page=20)).to_json()
    assert raqqa["total"] == 4 and raqqa["aliases"][0]["entity"] == "الرقة"


def test_unquoted_multiword_alias(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="تنظيم الدولة", per_page=20)).to_json()
    assert result["aliases"][0]["entity"] == "داعش"
    assert result["total"] == 6


def test_plain_words_are_not_taken_for_entities(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="الحاجز", per_page=20)).to_json()
    assert result["aliases"] == []
    assert ids(result) == {"long-name-only"}


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("ورقة", None),  # "paper": و is part of the word, not "and" + Raqqa
        ("والرقة", ("place", "الرقة")),
        ("بالرقة", ("place", "الرقة")),
        ("للرقة", ("place", "الرقة")),
        ("ولبنان", ("place", "لبنان")),
        ("لبن", None),
        ("سورية", ("place", "سوريا")),
    ],
)
def test_alias_resolution_keeps_lookalikes_apart(word: str, expected: tuple[str, str] | None) -> None:
    from index.entities import resolve_alias

    assert resolve_alias(word) == expected


def test_lookalike_query_gets_no_alias(engine: Engine) -> None:
    assert engine.search(SearchRequest(q="ورقة")).to_json()["aliases"] == []


def test_entities_command_lists_canonical_names_with_aliases(index_dir: Path) -> None:
    out = CliRunner().invoke(main, ["entities", "--type", "organization", "--json", "--index", str(index_dir)])
    assert out.exit_code == 0, out.output
    rows = {row["name"]: row for row in json.loads(out.stdout)["entities"]}
    assert rows["داعش"]["count"] == 6 and "ISIS" in rows["داعش"]["aliases"]
    assert rows["قوات سوريا الديمقراطية"]["count"] == 5 and "قسد" in rows["قوات سوريا الديمقراطية"]["aliases"]
    assert all(row["type"] == "organization" for row in rows.values())
    text = CliRunner().invoke(main, ["search", "ISIS", "--index", str(index_dir)])
    assert "also matches the organization «داعش»" in text.stdout


# --- Latin-script names (issue: whole-query retrieval) ------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Deir ez-Zor", ("place", "دير الزور")),
        ("Deir al-Zour", ("place", "دير الزور")),
        ("Dayr az-Zawr", ("place", "دير الزور")),
        ("Deir Ezzor", ("place", "دير الزور")),
        ("DEIR EZ-ZOR", ("place", "دير الزور")),
        ("al-Assad", ("person", "بشار الأسد")),
        ("Assad", ("person", "بشار الأسد")),
        ("Mohammed bin Salman", ("person", "محمد بن سلمان")),
        ("Muhammad bin Salman", ("person", "محمد بن سلمان")),
        ("Mohamed bin Salman", ("person", "محمد بن سلمان")),
        ("Abu Kamal", ("place", "البوكمال")),  # أبو كمال, transliterated, is an alias of البوكمال
        ("Daesh", ("organization", "داعش")),  # no Latin alias: transliterated to داعش
        ("HTS", ("organization", "هيئة تحرير الشام")),
    ],
)
def test_latin_spellings_of_one_name(name: str, expected: tuple[str, str]) -> None:
    from index.entities import resolve_alias

    assert resolve_alias(name) == expected


@pytest.mark.parametrize("name", ["Deir", "Salman"])
def test_a_short_latin_word_is_not_matched_on_its_consonants_alone(name: str) -> None:
    """«Deir» shares d-r with درعا, «Salman» s-l-m-n with Sulaimani: too little to name a place."""
    from index.entities import resolve_alias

    assert resolve_alias(name) is None


def test_an_acronym_is_matched_as_written_only() -> None:
    """HTS must not become the skeleton h-t-s, which Houthis shares."""
    from index.entities import resolve_alias

    assert resolve_alias("Houthis") != ("organization", "هيئة تحرير الشام")


def test_a_run_of_query_words_naming_one_place_is_one_alias(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="عاصمة داعش في دير الزور")).to_json()
    named = {(a["query"], a["entity"]) for a in result["aliases"]}
    assert ("دير الزور", "دير الزور") in named
    assert all(a["query"] != "دير" for a in result["aliases"]), "دير alone is not looked up"


def test_a_whole_latin_query_is_one_alias(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="Deir ez-Zor", per_page=20)).to_json()
    assert result["aliases"][0] == {"query": "Deir ez-Zor", "type": "place", "entity": "دير الزور"}
    assert result["total"] >= 3
