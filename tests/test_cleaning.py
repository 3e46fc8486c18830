"""Scraped-page cleaning and Arabic date parsing.

The five seed pages in ``data/corpus`` are real scrapes; the expectations below were read
off those files by hand (titles, dates, publishers, furniture, repeated halves).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.cleaning import (
    clean_page,
    dedupe_paragraphs,
    line_key,
    normalize_text,
    split_paragraphs,
    title_from_text,
)
from index.dates import date_from_line, find_date_line, fold_arabic, parse_arabic_date, parse_date_value
from index.ingest import Article, read_sources

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
SEEDS = {
    "000": "000_4e3d15a02d7a4506.txt",
    "001": "001_bb53fb8a13ccd0c8.txt",
    "002": "002_c7ee3c5289edab1b.txt",
    "003": "003_180c9277222e8e9c.txt",
    "004": "004_fdd5bb4d0a256df4.txt",
}
FURNITURE = ["+ الخط -", "اقــرأ أيضاً", "المساهمون", "مقالات ذات صلة", "التعليقات مغلقة", "اقرأ/ي أيضًا"]


def _raw(seed: str) -> str:
    return (CORPUS / SEEDS[seed]).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    items = list(read_sources([CORPUS]))
    articles = {item.id[:3]: item for item in items if isinstance(item, Article)}
    assert len(items) == len(articles) == 5, items
    return articles


# --- the five seed pages ------------------------------------------------------------------


def test_seed_titles(seeds: dict[str, Article]) -> None:
    assert seeds["000"].title == "دير الزور ملاذ داعش كما كانت إدلب ملاذا للنصرة"
    # 001 has no headline line: it opens with a 455-character paragraph, so the title is
    # that paragraph's first sentence (the first comma would leave only three words).
    assert seeds["001"].title == 'تأتي المعركة الجديدة، التي بدأها تنظيم "الدولة الإسلامية" (داعش)'
    assert seeds["002"].title == (
        "التحالف الدولي يبدأ مرحلة جديدة لتطويق وقطع الطريق لـ»معاقل» الإرهابين في محافظة دير الزور"
    )
    assert seeds["003"].title == '"داعش" يتهاوى في دير الزور والأنظار تتجه نحو البوكمال'
    # 004 starts with a date line and a photo caption, then the body: no headline either.
    assert seeds["004"].title == "عادت للواجهة مرًة أخرى الأحاديث عن إبرام اتفاق بين عناصر تنظيم الدولة…"


def test_seed_dates(seeds: dict[str, Article]) -> None:
    assert seeds["003"].date == "2017-11-01"
    assert seeds["004"].date == "2017-05-22"
    for seed in ("000", "001", "002"):
        assert seeds[seed].date is None, "no date line on that page: nothing to invent"


def test_seed_sources(seeds: dict[str, Article]) -> None:
    assert seeds["000"].source == "صحيفة العرب اللندنية"  # footer line
    assert seeds["002"].source == "الصباح الجديد"  # "متابعة الصباح الجديد :" byline
    assert seeds["003"].source == "العربي الجديد"  # template: "+ الخط -", "المساهمون"
    assert seeds["001"].source == "العربي الجديد"  # template: "اقــرأ أيضاً" with tatweel
    assert seeds["004"].source == "ألترا صوت"  # template: "اقرأ/ي أيضًا"


def test_publisher_lines_leave_the_body(seeds: dict[str, Article]) -> None:
    assert "صحيفة العرب اللندنية" not in seeds["000"].content
    assert "متابعة الصباح الجديد" not in seeds["002"].content
    assert seeds["000"].content.endswith("وهو جزء من خط إمداد الحكومة إلى حلب.")


@pytest.mark.parametrize("marker", FURNITURE)
def test_seed_furniture_is_gone(seeds: dict[str, Article], marker: str) -> None:
    assert any(marker in _raw(seed) for seed in SEEDS), "the marker really occurs in the seeds"
    for article in seeds.values():
        assert marker not in article.content
        assert marker not in article.title


def test_seed_read_also_link_titles_are_gone(seeds: dict[str, Article]) -> None:
    content = seeds["004"].content
    for link_title in ("حلب وتدمر.. حسابات داعش ومعسكر الأسد", "لأجل من قُتلت سوريا؟", 'سوريا.. هدنة "الحوادث الفردية"'):
        assert link_title in _raw("004")
        assert link_title not in content
    assert content.rsplit("\n\n", 1)[-1].startswith("ويشكل تأمين دمشق ومحيطها للنظام السوري")


def test_seed_captions_are_gone(seeds: dict[str, Article]) -> None:
    assert "(فرانس برس)" not in seeds["003"].content
    assert "(ياسر الخضر/ رويترز)" not in seeds["004"].content
    assert "مواكبه الاستعراضية" not in seeds["004"].content


def test_seed_date_lines_are_gone(seeds: dict[str, Article]) -> None:
    assert "01 نوفمبر 2017" not in seeds["003"].content
    assert "22-مايو-2017" not in seeds["004"].content


def test_seed_title_not_repeated_in_body(seeds: dict[str, Article]) -> None:
    for article in seeds.values():
        first = article.content.split("\n\n", 1)[0]
        if article.id.startswith(("001", "004")):
            assert " ".join(first.split()).startswith(article.title.rstrip("…")), "derived title = start of the body"
        else:
            assert article.title not in article.content


def test_seed_001_repeated_half_is_dropped(seeds: dict[str, Article]) -> None:
    raw_paragraphs = [p for p in split_paragraphs(_raw("001")) if len(p) > 100]
    assert len(raw_paragraphs) == 21 and len(set(raw_paragraphs)) == 12
    paragraphs = seeds["001"].content.split("\n\n")
    assert len(paragraphs) == 12
    assert len(set(paragraphs)) == len(paragraphs)
    for paragraph in set(raw_paragraphs):
        assert paragraphs.count(paragraph) == 1
    raw_body = sum(map(len, raw_paragraphs))
    assert 0.45 < len(seeds["001"].content) / raw_body < 0.65, "the body roughly halves"


def test_seed_paragraphs_are_unique_everywhere(seeds: dict[str, Article]) -> None:
    for article in seeds.values():
        paragraphs = article.content.split("\n\n")
        assert len(paragraphs) == len(set(paragraphs)), article.id
        assert all(p.strip() == p and p for p in paragraphs)


def test_seed_002_keeps_its_subtitle(seeds: dict[str, Article]) -> None:
    paragraphs = seeds["002"].content.split("\n\n")
    assert paragraphs[0] == "العاصمة البديلة لتنظيم «داعش «ما بعد الموصل والرقة"
    assert len(paragraphs) == 17


def test_seed_text_is_not_normalised(seeds: dict[str, Article]) -> None:
    # Tashkeel and the original letters stay: analysis normalises later, readers see this.
    assert "تقلّص" in seeds["003"].content
    assert "مرًة" in seeds["004"].content


# --- furniture rules ----------------------------------------------------------------------


def _page(*lines: str) -> str:
    return "\n\n".join(lines)


BODY_1 = "قالت مصادر محلية إن القوات الحكومية تقدمت في ريف المدينة الشرقي خلال الأيام الماضية وسط اشتباكات عنيفة."
BODY_2 = "وأضافت المصادر أن المعارك أسفرت عن سقوط عدد من القتلى والجرحى في صفوف الطرفين بحسب ما نقلته وسائل إعلام."


@pytest.mark.parametrize(
    "furniture",
    [
        "اقــرأ أيضاً",
        "اقرأ أيضا",
        "إقرأ أيضاً:",
        "اقرأ أيضًا",
        "+ الخط -",
        "- الخط +",
        "المساهمون",
        "المُساهمون",
        "مقالات ذات صـــلة",
        "التعليقات مغلقة.",
        "شارك",
        "طباعة",
        "***",
        "\u00a0",
    ],
)
def test_furniture_variants_are_dropped(furniture: str) -> None:
    page = clean_page(_page("عنوان الخبر الرئيسي اليوم", BODY_1, furniture, BODY_2))
    assert page.paragraphs == (BODY_1, BODY_2)


def test_read_also_takes_its_link_title_on_the_same_line() -> None:
    page = clean_page(_page("عنوان الخبر", BODY_1, "اقرأ/ي أيضًا: حلب وتدمر.. حسابات داعش", BODY_2))
    assert page.paragraphs == (BODY_1, BODY_2)


def test_bare_read_also_takes_following_short_link_titles_but_not_paragraphs() -> None:
    page = clean_page(_page("عنوان الخبر", BODY_1, "اقرأ أيضاً:", "عنوان مقال آخر مرتبط", BODY_2))
    assert page.paragraphs == (BODY_1, BODY_2)
    page = clean_page(_page("عنوان الخبر", BODY_1, "اقــرأ أيضاً", BODY_2))
    assert page.paragraphs == (BODY_1, BODY_2), "a long paragraph after the marker is article text"


@pytest.mark.parametrize(
    "caption",
    [
        'بات "داعش" في آخر أيامه بدير الزور (فرانس برس)',
        "عناصر من تنظيم داعش خلال إحدى مواكبه الاستعراضية (ياسر الخضر/ رويترز)",
        "الرئيس خلال المؤتمر الصحافي (أ.ف.ب)",
        "جانب من الدمار في المدينة (Getty)",
        "متظاهرون في الساحة (الأناضول).",
        "صورة: أرشيفية",
    ],
)
def test_captions_are_dropped(caption: str) -> None:
    page = clean_page(_page("عنوان الخبر الرئيسي", caption, BODY_1, BODY_2))
    assert page.paragraphs == (BODY_1, BODY_2)
    assert page.title == "عنوان الخبر الرئيسي"


def test_parenthesis_that_is_not_a_credit_stays() -> None:
    line = "وتسعى هذه القوات لبسط سيطرتها على حي الصناعة (شرق)"
    assert clean_page(_page("عنوان", BODY_1, line)).paragraphs == (BODY_1, line)


def test_title_repeated_with_different_marks_is_removed() -> None:
    page = clean_page(_page("داعش يتهاوى في دير الزور", "داعـش يتهاوى فى دير الزور", BODY_1))
    assert page.title == "داعش يتهاوى في دير الزور"
    assert page.paragraphs == (BODY_1,)


def test_first_line_date_then_title() -> None:
    page = clean_page(_page("الثلاثاء ٢٢ أيار ٢٠١٧", "عنوان الخبر بعد التاريخ", BODY_1))
    assert page.date == "2017-05-22"
    assert page.title == "عنوان الخبر بعد التاريخ"
    assert page.paragraphs == (BODY_1,)


def test_date_inside_a_paragraph_is_not_the_publication_date() -> None:
    body = "وكانت القمة قد عقدت في 22 مايو 2017 بحضور عدد كبير من القادة العرب والأجانب في العاصمة."
    page = clean_page(_page("عنوان", body, BODY_1))
    assert page.date is None
    assert page.paragraphs == (body, BODY_1)


def test_footer_publisher_only_at_the_end() -> None:
    headline = "صحيفة بريطانية تكشف تفاصيل جديدة"
    page = clean_page(_page(headline, BODY_1, BODY_2))
    assert page.title == headline and page.source is None
    page = clean_page(_page("عنوان", BODY_1, BODY_2, "جريدة الحياة"))
    assert page.source == "جريدة الحياة" and page.paragraphs == (BODY_1, BODY_2)


def test_repeated_paragraphs_compare_without_tashkeel_and_spacing() -> None:
    variant = BODY_1.replace("قالت", "قالَت").replace(" ", "  ", 3).replace("الحكومية", "الحكـومية")
    assert dedupe_paragraphs([BODY_1, BODY_2, variant, BODY_1]) == [BODY_1, BODY_2]


def test_dedupe_is_linear_on_a_large_page() -> None:
    paragraphs = [f"الفقرة رقم {i} من نص طويل جدا يتكرر نصفه مرة أخرى في الصفحة" for i in range(200_000)]
    kept = dedupe_paragraphs(paragraphs + paragraphs[:100_000])
    assert kept == paragraphs


def test_no_headline_and_no_body_gives_empty_page() -> None:
    page = clean_page(_page("+ الخط -", "المساهمون", "التعليقات مغلقة"))
    assert page.paragraphs == () and page.title == ""


def test_line_key_folds_variants() -> None:
    assert line_key("اقــرأ أيضاً:") == line_key("إقرأ ايضا") == line_key("اقرأ أيضًا")
    assert line_key("+ الخط -") == "الخط"


# --- text normalisation and titles --------------------------------------------------------


def test_normalize_text() -> None:
    raw = "سطر أول  \r\nسطر\x00 ثان\x1a\r\r\n\n\n\nسطر\u2028ثالث\t\ufeff"
    assert normalize_text(raw) == "سطر أول\nسطر ثان\n\nسطر\nثالث"


def test_normalize_text_keeps_diacritics_and_letters() -> None:
    text = "قُتلت سوريا؟ مرًة أخرى ـ إلى"
    assert normalize_text(text) == text


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("انتهت المعركة في المدينة القديمة. وبدأت مرحلة جديدة", "انتهت المعركة في المدينة القديمة"),
        ("هل تنتهي الحرب في سوريا قريبا؟ سؤال يطرحه الجميع", "هل تنتهي الحرب في سوريا قريبا؟"),
        (
            "بدورهم، كشف ناشطون في دير الزور عن اتصالات جديدة، وقالوا",
            "بدورهم، كشف ناشطون في دير الزور عن اتصالات جديدة",
        ),
        ("بلغت النسبة 3.5 في المئة هذا العام حسب الأرقام. ثم", "بلغت النسبة 3.5 في المئة هذا العام حسب الأرقام"),
        ("نص قصير", "نص قصير"),
        (" ".join(f"كلمة{i}" for i in range(20)), " ".join(f"كلمة{i}" for i in range(12)) + "…"),
    ],
)
def test_title_from_text(text: str, title: str) -> None:
    assert title_from_text(text) == title


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month_names", "month"),
    [
        (["يناير", "كانون الثاني", "جانفي"], 1),
        (["فبراير", "شباط", "فيفري"], 2),
        (["مارس", "آذار", "اذار"], 3),
        (["أبريل", "ابريل", "نيسان", "أفريل"], 4),
        (["مايو", "أيار", "ماي"], 5),
        (["يونيو", "يونيه", "حزيران", "جوان"], 6),
        (["يوليو", "يوليه", "تموز", "جويلية"], 7),
        (["أغسطس", "اغسطس", "آب", "أوت"], 8),
        (["سبتمبر", "أيلول"], 9),
        (["أكتوبر", "تشرين الأول"], 10),
        (["نوفمبر", "تشرين الثاني"], 11),
        (["ديسمبر", "كانون الأول"], 12),
    ],
)
def test_every_month_name_family(month_names: list[str], month: int) -> None:
    for name in month_names:
        expected = f"2017-{month:02d}-09"
        assert parse_arabic_date(f"09 {name} 2017") == expected, name
        assert parse_arabic_date(f"9-{name}-2017") == expected, name
        assert parse_arabic_date(f"٩ {name} ٢٠١٧") == expected, name


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("01 نوفمبر 2017", "2017-11-01"),
        ("22-مايو-2017", "2017-05-22"),
        ("٢٢ مايو ٢٠١٧", "2017-05-22"),  # Arabic-Indic digits
        ("۲۲/۵/۲۰۱۷", "2017-05-22"),  # Extended (Persian/Urdu) digits
        ("2017/05/22", "2017-05-22"),
        ("22/5/2017", "2017-05-22"),
        ("22.05.2017", "2017-05-22"),
        ("5/22/2017", "2017-05-22"),  # unambiguous month-first
        ("2017-05-22", "2017-05-22"),
        ("2015-07-21 02:51:32", "2015-07-21"),
        ("2017-05-22T08:00:00Z", "2017-05-22"),
        ("6 نوفمبر (تشرين الثاني) 2017", "2017-11-06"),
        ("الثلاثاء 22 أيَّار 2017", "2017-05-22"),
        ("مايو 22، 2017", "2017-05-22"),
        ("نشر في 3 كانون ثاني 2018", "2018-01-03"),
        ("مايو 2017", None),  # no day
        ("31 فبراير 2017", None),  # no such day
        ("22 رمضان 1438", None),  # Hijri
        ("1438/09/22", None),
        ("لا تاريخ هنا", None),
        ("", None),
    ],
)
def test_parse_arabic_date(text: str, iso: str | None) -> None:
    assert parse_arabic_date(text) == iso


def test_parse_date_value() -> None:
    assert parse_date_value("2015-07-21 02:51:32") == "2015-07-21"
    assert parse_date_value("22 أيار 2017") == "2017-05-22"
    assert parse_date_value(1500000000) is None
    assert parse_date_value(None) is None
    assert parse_date_value("  ") is None


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("01 نوفمبر 2017", "2017-11-01"),
        ("الأربعاء، 01 نوفمبر 2017 - 10:30 ص", "2017-11-01"),
        ("نشر في: 22/05/2017", "2017-05-22"),
        ("آخر تحديث: الاثنين 22 مايو 2017 - 26 شعبان 1438 هـ", "2017-05-22"),
        ("قمة 22 مايو 2017", None),  # a headline mentioning a date is not a date line
        ("وكانت القمة قد عقدت في 22 مايو 2017", None),
    ],
)
def test_date_from_line(line: str, iso: str | None) -> None:
    assert date_from_line(line) == iso


def test_find_date_line() -> None:
    lines = ["عنوان الخبر", "عنوان الخبر", "01 نوفمبر 2017", "نص الخبر في 2 نوفمبر 2017"]
    assert find_date_line(lines) == (2, "2017-11-01")
    assert find_date_line(lines, limit=2) is None
    assert find_date_line(["نص فقط"]) is None


def test_fold_arabic() -> None:
    assert fold_arabic("أَيـّار ٢٠١٧ إلى") == "ايار 2017 الي"
