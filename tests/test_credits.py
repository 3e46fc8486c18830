"""Credit material (index.credits): a paper's own bylines, mastheads and credit lines are not entities.

The examples are written for these tests (reporters and stories are made up); each names the
rule it exercises.  ``extract_entities`` is the behaviour that matters (the facets), so most
tests go through it; a few check :func:`credit_spans` directly.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from index.analysis import analyze
from index.credits import credit_spans, own_name_spans, screen_credits
from index.document import index_document
from index.entities import Mention, entity_text, extract_entities, extract_entities_analyzed, resolve_alias
from index.ingest import Article
from index.sources import find_source, source_name, sources

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "saudinewsnet.jsonl.gz"
SNN_IDS = {
    "aawsat", "aleqtisadiya", "aljazirah", "almadina", "alriyadh", "alwatan", "alweeam",
    "alyaum", "arreyadi", "arriyadiyah", "okaz", "sabq", "was", "3alyoum",
}  # fmt: skip


def spans_of(text: str, source: str | None) -> list[str]:
    return [text[a:b] for a, b in credit_spans(text, source)]


# --- the sources table ------------------------------------------------------------------------


def test_every_saudinewsnet_source_has_a_row() -> None:
    assert set(sources()) == SNN_IDS
    assert source_name("aawsat") == "الشرق الأوسط"
    assert source_name("3alyoum") == "عين اليوم"
    assert source_name("alriyadh") == "الرياض"
    assert source_name("nosuchpaper") is None and source_name(None) is None
    assert find_source("عكاظ") == find_source("okaz"), "a display name finds its row too"


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.exists(), reason="SaudiNewsNet is not in ../shared")
def test_the_table_covers_the_ids_of_the_corpus() -> None:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        seen = {json.loads(line)["source"] for line in lines}
    assert seen == set(sources())


@pytest.mark.parametrize("source", sorted(SNN_IDS))
def test_a_papers_entity_name_is_not_another_entity(source: str) -> None:
    """The first self name is the paper as the gazetteer names it, or a name it does not know."""
    entity = sources()[source].entity
    assert resolve_alias(entity) in (None, ("organization", entity))


# --- bylines and datelines at the head ------------------------------------------------------------


def test_reporter_paper_and_dateline_of_a_byline_go_the_news_stays() -> None:
    got = extract_entities(
        "أمطار على عسير", "فهد العتيبي- سبق- أبها: أعلنت وزارة الصحة خطة طوارئ في منطقة عسير.", "sabq"
    )
    assert got == {"person": [], "organization": ["وزارة الصحة"], "place": ["عسير"]}


def test_a_reporter_called_ali_is_no_preposition() -> None:
    """«علي» and the preposition «على» normalize alike; the byline is still a byline."""
    text = entity_text("هاتف جديد", "أحمد علي- سبق- القاهرة: أعلنت شركة سوني هاتفا جديدا.")
    assert spans_of(text, "sabq") == ["أحمد علي- سبق- القاهرة"]


def test_byline_line_of_reporter_and_paper() -> None:
    got = extract_entities(
        "مهرجان الصيف", "سلمى الحربي – عين اليوم\n\nافتتح أمير منطقة مكة المكرمة المهرجان في جدة.", "3alyoum"
    )
    assert got == {"person": [], "organization": [], "place": ["مكة المكرمة", "جدة"]}


def test_paper_and_city_running_into_the_news() -> None:
    text = entity_text("زيارة", "عين اليوم - الطائف زار أمير منطقة مكة المكرمة المحافظة.")
    assert spans_of(text, "3alyoum") == ["عين اليوم - الطائف"]


def test_unsigned_name_and_city_line_at_the_head_needs_the_source() -> None:
    content = "ماجد القرني – الطائف\n\nافتتح أمير منطقة مكة المكرمة المهرجان في جدة."
    assert extract_entities("مهرجان", content, "3alyoum")["place"] == ["مكة المكرمة", "جدة"]
    without = extract_entities("مهرجان", content)
    assert "الطائف" in without["place"], "without a source an «X – Y» line may be a headline: kept"


def test_a_caption_naming_an_office_is_not_a_byline() -> None:
    text = entity_text("تصريح", "«نريد السلام»\n\nبنيامين نتنياهو - رئيس الوزراء\n\nقال في القدس إن …")
    assert not any("نتنياهو" in span for span in spans_of(text, "aljazirah"))


def test_dateline_with_the_paper_in_quotes_and_the_paper_in_its_own_news() -> None:
    content = (
        "لندن: «الشرق الأوسط»\n\nقال دبلوماسي لـ«الشرق الأوسط» إن الأمم المتحدة تعد لاجتماع حول أمن منطقة الشرق الأوسط."
    )
    got = extract_entities("اجتماع", content, "aawsat")
    assert got["organization"] == ["الأمم المتحدة"], "the paper crediting itself is no entity of its own article"
    assert got["place"] == ["الشرق الأوسط"], "the region stays a place; لندن was the dateline"


def test_paper_and_city_joined_by_min() -> None:
    text = entity_text("أسعار النفط", "«الاقتصادية» من الرياض\n\nارتفعت أسعار النفط في لندن.")
    assert spans_of(text, "aleqtisadiya") == ["«الاقتصادية» من الرياض"]


@pytest.mark.parametrize(
    "dateline",
    ["الرياض 12 شوال 1436 هـ الموافق 28 يوليو 2015 م واس", "الرياض 12 شوال 1436هـ الموافق 28 يوليو 2015م واس"],
)
def test_dated_dateline_of_the_agency(dateline: str) -> None:
    content = f"{dateline}\n\nاستقبل أمير منطقة القصيم في بريدة وفدا من الكويت."
    assert extract_entities("استقبال", content, "was") == {
        "person": [],
        "organization": [],
        "place": ["القصيم", "بريدة", "الكويت"],
    }


def test_a_headline_with_a_number_ending_on_the_papers_name_is_no_dateline() -> None:
    assert spans_of(entity_text("تكليف 56 معلما في «تعليم الرياض» لعام 2015", "نص الخبر."), "alriyadh") == []


# --- wire agencies -----------------------------------------------------------------------------------


def test_agency_credits_go_an_agency_in_the_news_stays_even_without_a_source() -> None:
    content = (
        "الرياض - واس\n\nوقعت السعودية والكويت اتفاقا.\n\nالوزيران في مؤتمر صحفي (رويترز)\n\n"
        "ونقلت وكالة رويترز عن مصادر أن الاتفاق شامل."
    )
    for source in (None, "alriyadh"):
        got = extract_entities("اتفاق", content, source)
        assert got["organization"] == ["رويترز"], source
        assert got["place"] == ["السعودية", "الكويت"], "الرياض was only the dateline"


@pytest.mark.parametrize(
    "line",
    [
        "جنيف - أ ف ب",
        "قمة في الدوحة. (أ. ف. ب)",
        "أطفال في مخيم للنازحين «الفرنسية»",
        "سان فرانسيسكو 20 يوليو (رويترز) -",
    ],
)
def test_agency_credit_closing_a_line(line: str) -> None:
    text = entity_text("عنوان", f"{line}\n\nنص الخبر.")
    line_end = text.index("\n\nنص")
    assert any(end == line_end for _, end in credit_spans(text, None))


@pytest.mark.parametrize(
    "content",
    ["ونقلت وكالة (رويترز) للأنباء عن مصدر أن الاتفاق شامل.", "وقال المسؤول لـ «رويترز»", "وقال المسؤول لـ رويترز"],
)
def test_an_agency_in_the_sentence_is_news(content: str) -> None:
    assert spans_of(entity_text("عنوان", content), None) == []


# --- photo, link, share, syndication and contact furniture ---------------------------------------------


def test_photo_credit() -> None:
    got = extract_entities(
        "وصول الطائرة", "خالد الزهراني، (تصوير: سامي العمري)- سبق- عدن: وصلت طائرة إغاثة إلى مطار عدن.", "sabq"
    )
    assert got == {"person": [], "organization": [], "place": ["مطار عدن"]}


def test_read_also_and_the_papers_link_line() -> None:
    content = (
        "تبوك-الوئام:\n\nبدأت أمانة تبوك مشروعا في حي المروج.\n\n"
        "اقرأ أيضا: السعودية ترفع إنتاجها\n\nرابط الخبر بصحيفة الوئام: أمانة تبوك تبدأ مشروعا في جدة"
    )
    got = extract_entities("مشروع", content, "alweeam")
    assert "صحيفة الوئام" not in got["organization"]
    assert "جدة" not in got["place"] and "السعودية" not in got["place"]


def test_share_widget() -> None:
    content = "شارك من خلال تويتر فيسبوك جوجل بلس اكتب رأيك افتتحت وزارة الصحة مستشفى في جازان."
    assert extract_entities("مستشفى", content, "okaz") == {
        "person": [],
        "organization": ["وزارة الصحة"],
        "place": ["جازان"],
    }


def test_syndication_line() -> None:
    text = entity_text("تحليل", "رأى محللون أن الاقتصاد يتعافى.\n\n* خدمة «نيويورك تايمز»")
    assert spans_of(text, None) == ["* خدمة «نيويورك تايمز»"]


def test_signature_and_contact_lines_closing_a_column() -> None:
    content = (
        "تحتاج الطرق في أبها إلى صيانة عاجلة قبل موسم الأمطار.\n\nعبدالله الشهري\n\nabdullah@example.com\n\n"
        "للتواصل أرسل sms إلى 88548 الاتصالات، 738303 زين تبدأ بالرمز 159 مسافة ثم الرسالة"
    )
    assert extract_entities("رأي", content, "okaz") == {"person": [], "organization": [], "place": ["أبها"]}


def test_tag_line() -> None:
    content = "عين اليوم – متابعات\n\nفاز نادي الهلال على نادي النصر في الرياض. سمات الهلال النصر لندن"
    assert extract_entities("مباراة", content, "3alyoum") == {
        "person": [],
        "organization": ["نادي الهلال", "نادي النصر"],
        "place": ["الرياض"],
    }


# --- whose name: the own paper, another paper, no source ----------------------------------------------


def test_another_paper_named_in_the_news_stays() -> None:
    content = "تبوك-الوئام:\n\nذكرت صحيفة عكاظ أن أمانة تبوك بدأت مشروعا."
    assert "صحيفة عكاظ" in extract_entities("خبر", content, "alweeam")["organization"]


def test_own_paper_goes_from_its_own_articles_and_stays_in_others() -> None:
    assert extract_entities("خبر", "جدة - عكاظ\n\nقال المدير إن المدارس في الطائف جاهزة.", "okaz")["organization"] == []
    got = extract_entities("خبر", "جدة - عكاظ\n\nوقال مدير التعليم لـ«عكاظ» إن المدارس في الطائف جاهزة.", "okaz")
    assert got["organization"] == []
    elsewhere = extract_entities("خبر", "وقال مدير التعليم لـ«عكاظ» إن المدارس في الطائف جاهزة.", "alriyadh")
    assert elsewhere["organization"] == ["صحيفة عكاظ"]
    elsewhere = extract_entities("خبر", "وقال مدير التعليم لـ«عكاظ» إن المدارس في الطائف جاهزة.", "alriyadh")
    assert elsewhere["organization"] == ["صحيفة عكاظ"]


def test_own_name_spans_are_quoted_or_after_sahifa() -> None:
    text = "ورصدت «الرياض» الزحام في الرياض، وكتبت جريدة الرياض عنه، وعرضته قناة «الرياض»."
    found = [text[a:b] for a, b in own_name_spans(text, "alriyadh")]
    assert found == ["الرياض", "جريدة الرياض"], "the city unquoted and a channel of that name are not the paper"
    assert own_name_spans(text, None) == [] and own_name_spans(text, "nosuchpaper") == []


def test_without_a_source_the_own_paper_rules_do_not_run() -> None:
    content = "فهد العتيبي- سبق- أبها: أعلنت وزارة الصحة خطة طوارئ."
    got = extract_entities("خبر", content)
    assert "فهد العتيبي" in got["person"] and "صحيفة سبق" in got["organization"], "documented: kept"
    assert extract_entities("خبر", content, "nosuchpaper") == got, "an unknown source is no source"


def test_a_display_name_works_as_the_source() -> None:
    content = "فهد العتيبي- سبق- أبها: أعلنت وزارة الصحة خطة طوارئ."
    assert extract_entities("خبر", content, "سبق") == extract_entities("خبر", content, "sabq")


# --- the hook: indexer, analysed path, odd input ----------------------------------------------------


def test_the_indexer_passes_the_source() -> None:
    article = Article(
        id="x1",
        title="أمطار على عسير",
        content="فهد العتيبي- سبق- أبها: أعلنت وزارة الصحة خطة طوارئ في منطقة عسير.",
        date=None,
        source="sabq",
        url=None,
        author=None,
        origin="test",
    )
    entities = index_document(article).entities
    assert entities["person"] == () and entities["organization"] == ("وزارة الصحة",)


def test_the_analysed_path_gives_the_same_result() -> None:
    text = entity_text(
        "مهرجان", "سلمى الحربي – عين اليوم\n\nافتتح أمير منطقة مكة المكرمة المهرجان في جدة. سمات جدة لندن"
    )
    tokens, exact, _ = analyze(text)
    expected = extract_entities("مهرجان", text.split("\n\n", 1)[1], "3alyoum")
    assert extract_entities_analyzed(text, tokens, exact, source="3alyoum") == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\n\n",
        "فهد العتيبي- سبق- أبها:",
        "سبق",
        "- - -",
        "(",
        "عين اليوم –",
        "«»",
        "٣ - ٤",
        "Next Previous",
    ],
)
@pytest.mark.parametrize("source", [None, "sabq", "3alyoum", "nosuchpaper"])
def test_odd_input_does_not_crash(text: str, source: str | None) -> None:
    spans = credit_spans(text, source)
    assert all(0 <= a < b <= len(text) for a, b in spans)
    extract_entities("", text, source)
    extract_entities(text, "", source)


def test_a_text_that_is_only_a_byline_has_no_entities() -> None:
    assert extract_entities("", "فهد العتيبي- سبق- أبها:", "sabq") == {"person": [], "organization": [], "place": []}


def test_screen_keeps_mentions_that_only_overlap_a_credit() -> None:
    text = "جدة - واس\n\nنص"
    inside = Mention("organization", "وكالة الأنباء السعودية", "واس", 6, 9)
    across = Mention("place", "X", text[6:12], 6, 12)
    assert screen_credits([inside, across], text, None) == [across]
    assert screen_credits([], text, "sabq") == []
