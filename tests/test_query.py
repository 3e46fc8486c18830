"""The query language: what each construct means, and which inputs are refused (and how)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from index.analysis import normalize_word, stem_word
from index.whoosh_schema import make_schema
from search.query import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    QueryError,
    analyze_query,
    parse_query,
)
from search.querytree import Forgiving, Word
from search.whoosh_query import SourceQuery, WildcardQuery, to_whoosh

SCHEMA = make_schema()


def parse(text: str) -> wq.Query:
    """The query as the Whoosh backend runs it (parser, then the tree compiled for Whoosh)."""
    return to_whoosh(parse_query(text), SCHEMA)


def terms(q: wq.Query) -> set[tuple[str, str]]:
    return {(f, t) for f, t in q.iter_all_terms() if isinstance(t, str)}


def leaves(q: wq.Query, kind: type) -> list:
    found = [q] if isinstance(q, kind) else []
    for child in q.children():
        found += leaves(child, kind)
    return found


# --- words ------------------------------------------------------------------------------------


def test_a_word_searches_all_four_text_fields_with_both_analyses() -> None:
    exact, stem = normalize_word("بالرقة"), stem_word("بالرقة")
    assert exact == "بالرقه" and stem != exact
    expected = {("title", exact), ("content", exact), ("title_stem", stem), ("content_stem", stem)}
    # ... plus the place facet, because بالرقة names a known place (alias-aware queries).
    assert terms(parse("بالرقة")) == expected | {("place", "الرقة")}
    assert terms(parse("بالسيارة")) == {
        ("title", "بالسياره"),
        ("content", "بالسياره"),
        ("title_stem", stem_word("بالسيارة")),
        ("content_stem", stem_word("بالسيارة")),
    }


def test_words_are_anded_by_default() -> None:
    q = parse("داعش الرقة")
    assert isinstance(q, wq.And) and len(q.subqueries) == 2


def test_hamza_and_ta_marbuta_are_normalized_in_the_query() -> None:
    assert ("content", "ادلب") in terms(parse("إدلب"))
    assert ("content", "الرقه") in terms(parse("الرقة"))


def test_arabic_or_is_a_word_not_an_operator() -> None:
    tree = parse_query("داعش او النصرة")
    assert isinstance(tree, Forgiving) and [w.text for w in tree.words] == ["داعش", "او", "النصرة"]
    assert ("content", "او") in terms(parse("أو"))


def test_lowercase_latin_or_is_a_word() -> None:
    tree = parse_query("isis or raqqa")
    assert isinstance(tree, Forgiving) and [w.text for w in tree.words] == ["isis", "or", "raqqa"]


def test_colon_after_arabic_text_is_not_a_field() -> None:
    q = parse("تنبيه: عاجل")
    assert ("content", "تنبيه") in terms(q) and ("content", "عاجل") in terms(q)


def test_punctuation_inside_a_chunk_makes_a_phrase() -> None:
    q = parse("al-Qaeda")
    assert leaves(q, wq.Phrase) and leaves(q, wq.Phrase)[0].words == ["al", "qaeda"]


def test_control_characters_and_bidi_marks_are_ignored() -> None:
    assert terms(parse("\u200fداعش\u200e\x00\x07")) == terms(parse("داعش"))
    assert terms(parse("دا\u200cعش")) == terms(parse("داعش"))


def test_trailing_question_mark_is_punctuation() -> None:
    assert terms(parse("داعش?")) == terms(parse("داعش"))


# --- operators -------------------------------------------------------------------------------


def test_or_and_precedence() -> None:
    q = parse("داعش OR النصرة الرقة")  # = داعش OR (النصرة AND الرقة)
    assert isinstance(q, wq.Or) and isinstance(q.subqueries[1], wq.And)


def test_parentheses_group() -> None:
    q = parse("(داعش OR النصرة) الرقة")
    assert isinstance(q, wq.And) and isinstance(q.subqueries[0], wq.Or)


@pytest.mark.parametrize("text", ["داعش NOT الرقة", "داعش -الرقة", "داعش AND NOT الرقة"])
def test_negation(text: str) -> None:
    q = parse(text)
    assert isinstance(q, wq.And)
    assert isinstance(q.subqueries[1], wq.Not)
    assert ("content", "الرقه") in terms(q.subqueries[1])


def test_plus_means_required_which_is_the_default() -> None:
    assert parse("+داعش +الرقة") == parse("داعش الرقة")


def test_explicit_and_equals_juxtaposition() -> None:
    assert parse("داعش AND الرقة") == parse("داعش الرقة")


def test_hyphen_inside_a_word_is_not_negation() -> None:
    assert not leaves(parse("al-Qaeda"), wq.Not)


def test_negated_group_and_phrase() -> None:
    assert isinstance(parse("-(داعش OR النصرة)"), wq.Not)
    assert isinstance(parse('-"دير الزور"'), wq.Not)


# --- phrases ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ['"دير الزور"', "«دير الزور»", "“دير الزور”", "»دير الزور«"])
def test_phrase_quotes(text: str) -> None:
    phrases = leaves(parse(text), wq.Phrase)
    stems = (stem_word("دير"), stem_word("الزور"))
    assert {(p.fieldname, tuple(p.words)) for p in phrases} == {
        ("title", ("دير", "الزور")),
        ("content", ("دير", "الزور")),
        ("title_stem", stems),
        ("content_stem", stems),
    }


def test_one_word_phrase_is_a_word() -> None:
    assert parse('"داعش"') == parse("داعش")


# --- fields ----------------------------------------------------------------------------------


def test_title_field_searches_title_and_title_stem_only() -> None:
    assert {f for f, _ in terms(parse("title:بالرقة"))} == {"title", "title_stem"}
    assert {p.fieldname for p in leaves(parse('title:"دير الزور"'), wq.Phrase)} == {"title", "title_stem"}
    assert {f for f, _ in terms(parse("title:(داعش OR النصرة)"))} == {"title", "title_stem"}


def test_field_name_is_case_insensitive_and_value_may_follow_a_space() -> None:
    assert parse("Title: داعش") == parse("title:داعش")


def test_source_and_id_fields() -> None:
    q = parse('source:"العربي الجديد"')
    assert isinstance(q, SourceQuery) and q.text == "العربي الجديد"
    assert parse("id:000_4e3d15a02d7a4506") == wq.Term("id", "000_4e3d15a02d7a4506")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("date:2017", "2017-01-01", "2017-12-31"),
        ("date:2017-05", "2017-05-01", "2017-05-31"),
        ("date:2017-05-22", "2017-05-22", "2017-05-22"),
        ("date:[2017-05 to 2017-11]", "2017-05-01", "2017-11-30"),
        ("date:[2017-05 TO]", "2017-05-01", None),
        ("date:[to 2017]", None, "2017-12-31"),
        ("date:٢٠١٧", "2017-01-01", "2017-12-31"),
    ],
)
def test_dates(text: str, start: str | None, end: str | None) -> None:
    from whoosh.util.times import long_to_datetime

    q = parse(text)
    assert isinstance(q, wq.NumericRange) and q.fieldname == "date"
    day = lambda v: None if v is None else long_to_datetime(v).strftime("%Y-%m-%d")  # noqa: E731
    assert (day(q.start), day(q.end)) == (start, end)


def test_unknown_field_message() -> None:
    with pytest.raises(QueryError, match=r"unknown field 'foo'; use title:, source:, date:, id: or root:"):
        parse("foo:bar")


# --- wildcards -------------------------------------------------------------------------------


def test_wildcard_is_normalized_and_on_exact_fields_only() -> None:
    patterns = leaves(parse("إدل*"), WildcardQuery)
    assert {(p.fieldname, p.text) for p in patterns} == {("title", "ادل*"), ("content", "ادل*")}
    assert leaves(parse("title:إدل*"), WildcardQuery)[0].fieldname == "title"


def test_wildcard_stays_capped_after_normalize() -> None:
    q = parse("إدل*")
    assert leaves(q.normalize(), WildcardQuery)  # Whoosh's Wildcard would become an uncapped Prefix


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("*", "too short"),
        ("a*", "too short"),
        ("?*", "too short"),
        ("*داعش", "cannot start with a wildcard"),
        ("?اعش", "cannot start with a wildcard"),
        ("دا*.ش", "single word"),
    ],
)
def test_bad_wildcards(text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse(text)


# --- malformed input -------------------------------------------------------------------------

MALFORMED = [
    "",
    "   ",
    "!!!",
    "😀",
    "()",
    '"دير الزور',
    "«دير الزور",
    "“دير الزور",
    '"',
    "(داعش",
    "داعش)",
    "((داعش)",
    ")",
    "داعش OR",
    "OR داعش",
    "داعش AND",
    "AND داعش",
    "NOT",
    "داعش NOT",
    "foo:bar",
    "content:داعش",
    "title:",
    "source:",
    "source:!!",
    "id:",
    "date:",
    "date:yesterday",
    "date:2017-13",
    "date:2017-02-30",
    "date:[2017 2018]",
    "date:[2017-05 to 2017",
    "date:[2018 to 2017]",
    "date:[to]",
    "title:(داعش",
    "source:(a b)",
    "*",
    "x" * (MAX_QUERY_CHARS + 1),
    " ".join(["كلمة"] * (MAX_TERMS + 1)),
    "(" * 40 + "داعش" + ")" * 40,
    "NOT " * 40 + "داعش",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_queries_give_a_one_line_message(text: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(text)
    message = str(info.value)
    assert message and "\n" not in message and len(message) < 200
    assert "Traceback" not in message


def test_empty_query_message() -> None:
    for text in ("", "  ", "!!!", "😀", "()"):
        with pytest.raises(QueryError, match=r"^empty query$"):
            parse(text)


def test_unbalanced_messages() -> None:
    with pytest.raises(QueryError, match="unbalanced quotes"):
        parse('"دير الزور')
    with pytest.raises(QueryError, match="unbalanced parentheses"):
        parse("(داعش")
    with pytest.raises(QueryError, match="unbalanced parentheses"):
        parse("داعش)")


def test_query_error_is_a_value_error() -> None:
    assert issubclass(QueryError, ValueError)


def test_huge_input_is_rejected_by_its_length_before_parsing() -> None:
    for text in ("داعش " * 2000, "(" * 10_000, '"' * 10_000, "*" * 10_000):
        with pytest.raises(QueryError, match="too long"):
            parse(text)


def test_longest_allowed_input_of_empty_groups_is_an_empty_query() -> None:
    text = ("(" * 30 + ")" * 30 + " ") * (MAX_QUERY_CHARS // 61)
    with pytest.raises(QueryError, match="empty query"):
        parse(text)


def test_sixty_four_words_are_allowed() -> None:
    parse(" ".join(["كلمة"] * MAX_TERMS))


# --- "did you mean" bookkeeping ----------------------------------------------------------------


def test_plain_words_are_recorded_with_their_spans() -> None:
    parsed = analyze_query('داعس "دير الزور" -النصرة title:ادلب الرقة')
    assert [(w.text, parsed.text[w.start : w.end]) for w in parsed.words] == [("داعس", "داعس"), ("الرقة", "الرقة")]


# --- fuzz ------------------------------------------------------------------------------------

SYNTAX = [*'داعشالرقة دير"«»“”()*?-+:[]', "OR", "AND", "NOT", "title:", "date:", "source:", "id:", " to "]


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(SYNTAX), max_size=40).map("".join)))
def test_fuzz_parse_query_returns_a_query_or_raises_query_error(text: str) -> None:
    try:
        result = parse(text)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(result, wq.Query)


# --- forgiving plain queries -------------------------------------------------------------------


@pytest.mark.parametrize(("words", "minimum"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (7, 6), (8, 6), (12, 9)])
def test_minimum_should_match(words: int, minimum: int) -> None:
    from search.query import minimum_should_match

    assert minimum_should_match(words) == minimum


def test_three_plain_words_are_forgiving_and_two_are_not() -> None:
    tree = parse_query("أمير منطقة الرياض")
    assert isinstance(tree, Forgiving) and tree.minimum == 2 and tree.required is None
    assert [w.text for w in tree.words] == ["أمير", "منطقة", "الرياض"]
    assert not isinstance(parse_query("منطقة الرياض"), Forgiving)


@pytest.mark.parametrize(
    "text",
    ["+أمير +منطقة +الرياض", "أمير AND منطقة AND الرياض", "(أمير منطقة الرياض)", "title:أمير title:منطقة title:الرياض"],
)
def test_explicit_syntax_keeps_its_strict_meaning(text: str) -> None:
    assert not isinstance(parse_query(text), Forgiving)


def test_explicit_parts_beside_plain_words_stay_required() -> None:
    tree = parse_query('"دير الزور" معارك داعش قسد -النظام')
    assert isinstance(tree, Forgiving) and tree.minimum == 2
    assert [w.text for w in tree.words] == ["معارك", "داعش", "قسد"]
    assert tree.required is not None and not isinstance(tree.required, Word)


def test_a_plain_query_naming_an_entity_keeps_the_alias() -> None:
    tree = parse_query("تنظيم الدولة الإسلامية")
    assert isinstance(tree, Forgiving) and tree.alias is not None and tree.alias.canonical == "داعش"
