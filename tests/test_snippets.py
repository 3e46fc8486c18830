"""Snippets: which sentences, which words marked, where they are cut, and that they are safe HTML."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.analysis import normalize_word, stem_word, tokenize
from search.cli import _render_snippet
from search.engine import Engine
from search.query import parse_query
from search.results import Snippet
from search.snippets import ELLIPSIS, make_snippets, query_terms, split_sentences
from web.render import safe_snippet


def terms_for(text: str) -> tuple[set[str], set[str]]:
    return query_terms(parse_query(text))


def snippets(text: str, query: str, **kwargs) -> list[str]:
    """The snippets as the JSON edge renders them (escaped, ``<mark>``, ellipses)."""
    exact, stem = terms_for(query)
    return [snippet.to_html() for snippet in make_snippets(text, exact, stem, **kwargs)]


def plain(snippet: str) -> str:
    """The visible text of a snippet."""
    return html.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))


def marked(snippet: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", snippet)]


# --- sentences --------------------------------------------------------------------------------


def test_sentences_split_at_arabic_and_latin_punctuation_and_newlines() -> None:
    text = "أولى. ثانية، ثالثة؟ رابعة! fifth? سادسة؛ سابعة\nثامنة"
    assert split_sentences(text) == ["أولى.", "ثانية،", "ثالثة؟", "رابعة!", "fifth?", "سادسة؛", "سابعة", "ثامنة"]


def test_decimal_point_does_not_end_a_sentence() -> None:
    assert split_sentences("ارتفع المؤشر 3.5 في المئة. ثم هبط") == ["ارتفع المؤشر 3.5 في المئة.", "ثم هبط"]


# --- marks ------------------------------------------------------------------------------------


def test_original_forms_are_marked() -> None:
    text = "وصلت القوات إلى بالرقة أمس. وفي الرقه اشتباكات. لا شيء هنا."
    result = snippets(text, "الرقة")
    assert result == ["وصلت القوات إلى <mark>بالرقة</mark> أمس.", "وفي <mark>الرقه</mark> اشتباكات."]


def test_hamza_variants_are_marked() -> None:
    assert marked(snippets("سيطرت الفصائل على إدلب بالكامل.", "ادلب")[0]) == ["إدلب"]


def test_spelling_variant_marked_through_the_stem() -> None:
    # الميليشيات/المليشيات share a stem (variant folding), so each query marks the other.
    assert marked(snippets("انسحبت المليشيات من الحي.", "الميليشيات")[0]) == ["المليشيات"]


def test_negated_words_are_not_marked() -> None:
    assert marked(snippets("داعش في الرقة.", "داعش -الرقة")[0]) == ["داعش"]


def test_text_is_html_escaped() -> None:
    text = 'نص <script>alert("x")</script> عن الرقة & غيرها.'
    (snippet,) = snippets(text, "الرقة")
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet and "&amp;" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert plain(snippet) == text


def test_marked_word_that_looks_like_markup_is_escaped() -> None:
    (snippet,) = snippets("a <b>raqqa</b> c", "b")
    assert "<mark>b</mark>" in snippet and "<b>" not in snippet


# --- choice and order -------------------------------------------------------------------------


def test_best_sentences_in_document_order() -> None:
    text = "داعش وحده. لا شيء. داعش في الرقة. لا شيء آخر. الرقة وحدها. داعش والرقة معا."
    result = snippets(text, "داعش الرقة", max_snippets=2)
    assert [plain(s) for s in result] == ["داعش في الرقة.", "داعش والرقة معا."]


def test_no_match_gives_the_first_sentence_unmarked() -> None:
    assert snippets("الجملة الأولى <هنا>. الثانية.", "غائب") == ["الجملة الأولى &lt;هنا&gt;."]


def test_empty_text_gives_no_snippets() -> None:
    assert snippets("", "داعش") == []
    assert snippets(" ... ، ", "داعش") == []


# --- cutting ----------------------------------------------------------------------------------

LONG = " ".join(f"كلمة{i}" for i in range(60)) + " الرقة " + " ".join(f"نص{i}" for i in range(80)) + "."


def test_long_sentence_is_trimmed_around_the_match_with_ellipses() -> None:
    (snippet,) = snippets(LONG, "الرقة", max_chars=120)
    text = plain(snippet)
    assert text.startswith(ELLIPSIS) and text.endswith(ELLIPSIS)
    assert len(text) <= 120
    assert "<mark>الرقة</mark>" in snippet


def test_trimmed_snippet_starts_and_ends_on_word_boundaries() -> None:
    (snippet,) = snippets(LONG, "الرقة", max_chars=120)
    inner = plain(snippet).strip(ELLIPSIS)
    words = {w for w, _, _ in tokenize(LONG)}
    assert all(w in words for w, _, _ in tokenize(inner))
    assert inner in LONG


def test_match_near_the_end_of_a_long_sentence_is_kept() -> None:
    text = " ".join(f"كلمة{i}" for i in range(100)) + " الرقة."
    (snippet,) = snippets(text, "الرقة", max_chars=100)
    assert plain(snippet).startswith(ELLIPSIS) and snippet.endswith("<mark>الرقة</mark>.")
    assert 85 <= len(plain(snippet)) <= 100  # the room after the match is used before it


def test_fallback_sentence_is_trimmed_too() -> None:
    (snippet,) = snippets(LONG, "غائب", max_chars=80)
    assert len(plain(snippet)) <= 80 and plain(snippet).endswith(ELLIPSIS)
    assert not plain(snippet).startswith(ELLIPSIS)


PIECES = ["الرقة", "بالرقة", "داعش", "في", "<b>", "&", "،", ".", "\n", "؟", "x" * 30]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=120),
    st.integers(min_value=20, max_value=300),
)
def test_snippets_never_cut_words_and_stay_within_bounds(parts: list[str], max_chars: int) -> None:
    text = " ".join(parts)
    words = {w for w, _, _ in tokenize(text)}
    for snippet in snippets(text, "الرقة داعش", max_chars=max_chars):
        visible = plain(snippet)
        assert visible.strip(ELLIPSIS) in text
        assert all(w in words for w, _, _ in tokenize(visible))
        assert "<" not in snippet.replace("<mark>", "").replace("</mark>", "")
        longest = max((len(w) for w, _, _ in tokenize(visible)), default=0)
        assert len(visible) <= max(max_chars, longest + 2 * len(ELLIPSIS))


# --- query terms ------------------------------------------------------------------------------


def test_query_terms_split_exact_and_stem() -> None:
    exact, stem = terms_for('بالرقة "دير الزور" title:ادلب -النصرة source:x date:2017')
    assert exact == {"بالرقه", "دير", "الزور", "ادلب"}
    assert stem == {stem_word(w) for w in ("بالرقة", "دير", "الزور", "ادلب")}
    assert normalize_word("النصرة") not in exact


@pytest.fixture(scope="module")
def tiny_engine(make_index):
    records = [{"id": str(i), "title": "عنوان", "content": c} for i, c in enumerate(["مدينة إدلب", "مدينتين", "مدرسة"])]
    engine = Engine(make_index(records=records, name="tiny"))
    yield engine
    engine.close()


def test_wildcards_are_expanded_through_the_index(tiny_engine: Engine) -> None:
    tree = parse_query("مدين*")
    assert query_terms(tree) == (set(), set())
    with tiny_engine.backend.view() as view:
        exact, stem = query_terms(tree, view.expand)
    assert exact == {"مدينه", "مدينتين"} and stem == set()


def test_a_shared_key_cache_changes_nothing() -> None:
    """The engine passes one word → match-key dict to all hits of a search; results must not depend on it."""
    exact, stem = terms_for("الرقة")
    texts = [
        "وصلت القوات إلى بالرقة أمس. وفي الرقه اشتباكات. لا شيء هنا.",
        "لا شيء هنا. ثم الرقة مرة أخرى، والرقة.",
        "نص بلا تطابق. جملة ثانية.",
        "",
    ]
    shared: dict[str, str | None] = {}
    for text in texts:
        alone = make_snippets(text, exact, stem)
        assert make_snippets(text, exact, stem, keys=shared) == alone
        assert make_snippets(text, exact, stem, keys=shared, max_chars=20) == make_snippets(
            text, exact, stem, max_chars=20
        )
    assert shared["بالرقة"] is not None and shared["هنا"] is None


# --- ellipses next to dots already in the text ------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "shown"),
    [
        (Snippet("قال المتحدث", cut_before=True, cut_after=True), "…قال المتحدث…"),
        (Snippet("قال المتحدث...", cut_before=True, cut_after=True), "…قال المتحدث..."),
        (Snippet("قال المتحدث…", cut_after=True), "قال المتحدث…"),
        (Snippet("قال المتحدث. ", cut_after=True), "قال المتحدث. "),
        (Snippet("...قال المتحدث", cut_before=True), "...قال المتحدث"),
        (Snippet(" … قال المتحدث", cut_before=True, cut_after=True), " … قال المتحدث…"),
    ],
)
def test_no_ellipsis_is_added_next_to_dots(snippet: Snippet, shown: str) -> None:
    assert snippet.to_html() == shown == snippet.plain()
    assert str(safe_snippet(snippet)) == shown  # the page
    cli = _render_snippet(snippet, color=False)  # the terminal: «… » in front unless dots are there
    assert cli == (shown if snippet.opens_with_dots else "… " + shown.removeprefix(ELLIPSIS))
    assert "……" not in cli and "… …" not in cli and "……" not in shown


def test_sentence_opening_with_an_ellipsis_gets_no_second_one() -> None:
    """«… …» on the terminal: a sentence that opens with «…» (after a line break) was shown
    behind the CLI's own «… »."""
    exact, stem = terms_for("الرقة")
    (snippet,) = make_snippets("مقدمة.\n…وأضاف المتحدث أن الرقة محاصرة", exact, stem)
    assert snippet.text.startswith(ELLIPSIS) and not snippet.cut_before
    assert _render_snippet(snippet, color=False) == "…وأضاف المتحدث أن الرقة محاصرة"


def test_cut_passages_still_get_their_ellipses() -> None:
    exact, stem = terms_for("الرقة")
    (snippet,) = make_snippets(LONG, exact, stem, max_chars=120)
    assert snippet.cut_before and snippet.cut_after
    assert snippet.to_html().startswith(ELLIPSIS) and snippet.to_html().endswith(ELLIPSIS)
