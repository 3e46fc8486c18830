"""Entity facets: one canonical value per entity whatever the spelling, and honest P/R on hand annotations."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from index.entities import (
    Mention,
    entity_aliases,
    entity_text,
    extract_entities,
    extract_entities_analyzed,
    find_mentions,
    name_key,
    resolve_alias,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import eval_entities  # noqa: E402

CORPUS = sorted((ROOT / "data" / "corpus").glob("*.txt"))


def values(text: str, kind: str) -> list[str]:
    return extract_entities("", text)[kind]


# --- canonicalization ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'تقدم قوات "سورية الديمقراطية" نحو المدينة',
        "تقدم «قوات سوريا الديمقراطية» نحو المدينة",
        "تقدم قسد نحو المدينة",
        "هجوم لـ«قوات سوريا الديمقراطية» على المدينة",
    ],
)
def test_sdf_spellings_are_one_value(text: str) -> None:
    assert values(text, "organization") == ["قوات سوريا الديمقراطية"]


@pytest.mark.parametrize("text", ["المعارك بالرقة", "المعارك في الرقة", "مدينة الرقة", "وللرقة أهمية", "Raqqa"])
def test_raqqa_with_clitics_is_one_value(text: str) -> None:
    assert values(text, "place") == ["الرقة"]


@pytest.mark.parametrize("text", ["أمريكا", "أميركا", "الولايات المتحدة", "الولايات المتحدة الأميركية", "وأمريكا"])
def test_usa_spellings_are_one_value(text: str) -> None:
    assert values(text, "place") == ["الولايات المتحدة"]


@pytest.mark.parametrize(
    "text", ["داعش", "تنظيم الدولة الإسلامية", "الدولة الإسلامية", "تنظيم الدولة", "ISIS", "لداعش"]
)
def test_isis_aliases(text: str) -> None:
    assert values(f"هجوم {text} الأخير", "organization") == ["داعش"]


def test_each_entity_once_in_order_of_appearance() -> None:
    got = extract_entities("داعش في الرقة", "قسد تحاصر الرقة وتنظيم الدولة يتراجع أمام قوات سورية الديمقراطية")
    assert got == {"person": [], "organization": ["داعش", "قوات سوريا الديمقراطية"], "place": ["الرقة"]}


def test_nisba_adjective_is_not_the_country() -> None:
    assert values("قال الجيش الروسي إن النظام السوري والطيران التركي", "place") == []
    assert values("جهادية بريطانية", "place") == []


def test_mention_offsets_point_into_the_text() -> None:
    text = "وقال النقيب جيف ديفيس إن داعش بدأ يغادر الرقة"
    mentions = find_mentions(text)
    assert all(isinstance(m, Mention) and text[m.start : m.end] == m.surface for m in mentions)
    assert [(m.type, m.canonical) for m in mentions] == [
        ("person", "جيف ديفيس"),
        ("organization", "داعش"),
        ("place", "الرقة"),
    ]


# --- rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("يذكر أن وزير الخارجية الروسي، سيرغي لافروف، أعلن", "سيرغي لافروف"),
        ("وقال النقيب جيف ديفيس متحدثا باسم الوزارة", "جيف ديفيس"),
        ("لكن الناشط عامر هويدي قال", "عامر هويدي"),
        ("التابعة للعميد، عصام زهر الدين، بالقبض", "عصام زهر الدين"),
        ("قائد الحملة، اللواء محمد خضور، وقّع أمس", "محمد خضور"),
        ("نفى المتحدث باسم الجيش، محمد مصطفى جراح، تلقيهم", "محمد مصطفى جراح"),
        ("احتفل فهد بن عبدالله المطيويع بزواج نجله", "فهد بن عبدالله المطيويع"),
    ],
)
def test_role_and_name_rules(text: str, person: str) -> None:
    assert values(text, "person") == [person]


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("بزواج نجله بكريمة عبدالعزيز بن عبدالله السريع، بقاعة الفريدة", "عبدالعزيز بن عبدالله السريع"),
        ("وأفتى عبدالعزيز بن عبدالله آل الشيخ بأن", "عبدالعزيز بن عبدالله آل الشيخ"),
        ("استقبل محمد بن سلمان آل سعود الوفد", "محمد بن سلمان"),
        ("استقبل الأمير محمد بن سلمان الوفد", "محمد بن سلمان"),
        ("استقبل سمو الأمير، عبدالعزيز بن عبدالله الحضور", "عبدالعزيز بن عبدالله"),
    ],
)
def test_a_known_name_with_a_family_name_after_it_is_a_namesake(text: str, person: str) -> None:
    assert values(text, "person") == [person]


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("وسجل الهدف أحمد الزهراني في الدقيقة العاشرة", "أحمد الزهراني"),
        ("وغنى في الحفل طلال مداح أشهر أغانيه", "طلال مداح"),
        ("وأكد مهاجم الفريق جاكسون مارتينيز الوافد حديثا", "جاكسون مارتينيز"),
        ("وشارك في اللقاء كيفن برانس بواتينغ بعد غياب", "كيفن برانس بواتينغ"),
    ],
)
def test_names_without_a_cue(text: str, person: str) -> None:
    assert values(text, "person") == [person]


@pytest.mark.parametrize(
    "text",
    [
        "وقال إن صالح العام يقتضي ذلك",  # صالح is a given name, العام an ordinary word
        "وأرسل خبيران أوروبيان تقريرا",  # a dual, not a foreign name
        "فَجَعَلْنَاهُ هَبَاءً مَنْثُورًا",  # vowelled text
        "لصالح الإنسان والمجتمع",  # a preposition's object
    ],
)
def test_no_person_in_ordinary_words(text: str) -> None:
    assert values(text, "person") == []


def test_a_foreign_name_with_a_company_word_is_an_organization() -> None:
    assert values("أعلنت فاينانشال كورب عن أرباحها", "organization") == ["فاينانشال كورب"]
    assert values("أعلنت فاينانشال كورب عن أرباحها", "person") == []


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("وأعلنت اللجنة العامة للانتخابات البلدية أمس", "اللجنة العامة للانتخابات البلدية"),
        ("وقرر المجلس الأعلى للقضاء تعيين", "المجلس الأعلى للقضاء"),
        ("وقال متحدث الإدارة العامة للتعليم بالخرج إن", "الإدارة العامة للتعليم"),
    ],
)
def test_definite_heads_named_by_their_purpose(text: str, org: str) -> None:
    assert org in values(text, "organization")


@pytest.mark.parametrize("text", ["وقالت اللجنة العليا إن", "وطالبت الهيئة للكشف عن", "وأكد المجلس البلدي أن"])
def test_a_definite_head_without_a_named_purpose_is_no_organization(text: str) -> None:
    assert values(text, "organization") == []


def test_a_title_alone_names_no_one_in_text_but_resolves_in_queries() -> None:
    from index.entities import resolve_alias

    assert values("وصل خادم الحرمين الشريفين إلى طنجة", "person") == []
    assert resolve_alias("خادم الحرمين الشريفين") == ("person", "سلمان بن عبدالعزيز")
    assert values("وصل الملك سلمان إلى طنجة", "person") == ["سلمان بن عبدالعزيز"]


def test_a_long_royal_name_resolves_to_the_short_facet_value() -> None:
    from index.entities import resolve_alias

    assert values("استقبل الأمير فيصل بن نواف بن عبدالعزيز الوفد", "person") == ["فيصل بن نواف"]
    assert resolve_alias("فيصل بن نواف بن عبدالعزيز") == ("person", "فيصل بن نواف")


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("أظهرت معظم الشركات السعودية المدرجة نموا", []),  # the adjective: Saudi companies
        ("وصل الوفد إلى السعودية أمس", ["السعودية"]),
        ("سفير باكستان لدى المملكة", ["باكستان"]),  # المملكة is not a name (guideline)
    ],
)
def test_saudi_the_adjective_and_the_kingdom_are_not_the_country(text: str, places: list[str]) -> None:
    assert values(text, "place") == places


def test_a_club_named_by_an_ordinary_word_counts_in_a_sports_article() -> None:
    sports = "فاز النصر على الهلال في مباراة الدوري وسجل اللاعب هدفين في الشوط الثاني"
    assert "نادي النصر" in values(sports, "organization")
    assert values("احتفل الجيش بالنصر في المعركة", "organization") == []


def test_a_platform_counts_after_its_cue_only() -> None:
    assert values("نشر صورة على تويتر", "organization") == []
    assert values("نشرت الصفحة على موقع فيسبوك صورة", "organization") == ["فيسبوك"]


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("وقالت السفارة الأميركية في بيان", "السفارة الأميركية"),
        ("وقرر الاتحاد البرتغالي إيقاف اللاعب", "الاتحاد البرتغالي"),
        ("وأعلنت شرطة الخرج القبض على", "شرطة الخرج"),
    ],
)
def test_national_and_local_bodies(text: str, org: str) -> None:
    assert values(text, "organization") == [org]


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("استقبل محمد بن سلمان الوفد", "محمد بن سلمان"),  # after a verb: الوفد is the object
        ("ودشن فيصل بن بندر المشروع", "فيصل بن بندر"),
        ("وقال تركي بن طلال بن عبدالعزيز آل سعود إن", "تركي بن طلال"),  # one facet value per prince
        ("وقال تركي بن طلال إن", "تركي بن طلال"),
        ("وقال محمد عبده إن الحفل", "محمد عبده"),  # two given names: the second is the surname
    ],
)
def test_name_boundaries_after_review(text: str, person: str) -> None:
    assert values(text, "person") == [person]


def test_the_country_after_a_masculine_noun_or_a_nationality_stays() -> None:
    assert values("زار الرئيس الفرنسي السعودية أمس", "place") == ["السعودية"]
    assert values("غادر الوفد السعودية أمس", "place") == ["السعودية"]


def test_generic_words_do_not_make_a_sports_article() -> None:
    text = "أكد الفريق أول ركن أن هدف العمليات في هذا الموسم تحقيق النصر وأن الشباب هم الهدف"
    assert values(text, "organization") == []


def test_a_national_body_beats_the_club_in_a_sports_article() -> None:
    text = "قرر الاتحاد البرتغالي إيقاف اللاعب بعد المباراة في الدوري وغرم المدرب"
    assert "الاتحاد البرتغالي" in values(text, "organization")


def test_no_person_without_a_name() -> None:
    assert values("وقال الرئيس إن الوزير سيزور المدينة يوم الثلاثاء", "person") == []


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("فصائل مثل حركة أحرار الشام في المحافظة", "حركة أحرار الشام"),
        ("وعرضت وكالة تسنيم صورا", "وكالة تسنيم"),
        ("هجوم شنه جيش الإسلام على المواقع", "جيش الإسلام"),
        ("وقالت جمعية البر الخيرية في", "جمعية البر الخيرية"),
    ],
)
def test_organization_head_rule(text: str, org: str) -> None:
    assert values(text, "organization") == [org]


def test_generic_heads_are_not_organizations() -> None:
    assert values("تقدمت قوات النظام وقوات الأمن واجتمع مجلس الإدارة", "organization") == []


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("بعد سيطرتها على قرية جويس", ["جويس"]),
        ("بين بلدتي خشام والبصيرة شمال", ["خشام", "البصيرة"]),
        ("في حي المشلب شرقا", ["المشلب"]),
        ("داخل مخيم اليرموك جنوبا", ["مخيم اليرموك"]),
        ("قرب بلدة كفرزيتا الاستراتيجية", ["كفرزيتا"]),
    ],
)
def test_place_cue_rule(text: str, places: list[str]) -> None:
    assert values(text, "place") == places


def test_ordinary_words_need_a_place_cue() -> None:
    assert values("وصلت الخبر إلى الباب", "place") == []
    assert values("في حي الصناعة", "place") == ["الصناعة"]


# --- aliases ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ISIS", ("organization", "داعش")),
        ("تنظيم الدولة", ("organization", "داعش")),
        ("قسد", ("organization", "قوات سوريا الديمقراطية")),
        ("بالرقة", ("place", "الرقة")),
        ("Deir ez-Zor", ("place", "دير الزور")),
        ("أمريكا", ("place", "الولايات المتحدة")),
        ("البنتاغون", ("organization", "البنتاغون")),
        ("وزارة الدفاع الأميركية", ("organization", "البنتاغون")),
        ("لافروف", ("person", "سيرغي لافروف")),
        ("كلمة عادية", None),
    ],
)
def test_resolve_alias(query: str, expected: tuple[str, str] | None) -> None:
    assert resolve_alias(query) == expected


def test_entity_aliases_lists_the_canonical_first() -> None:
    aliases = entity_aliases()
    assert aliases[("organization", "جبهة النصرة")][0] == "جبهة النصرة"
    assert "جبهة فتح الشام" in aliases[("organization", "جبهة النصرة")]
    assert "دمشق" in [a for a in aliases[("place", "دمشق")]]


# --- the seed corpus --------------------------------------------------------------------------


def test_no_split_entities_in_the_seed_corpus() -> None:
    """No entity under two canonical names: across all articles, one key ↔ one value."""
    by_key: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for path in CORPUS:
        for mention in find_mentions(path.read_text(encoding="utf-8")):
            by_key.setdefault((mention.type, name_key(mention.canonical)), set()).add(mention.canonical)
            known = resolve_alias(mention.surface)
            if known and known[0] == mention.type:
                assert mention.canonical == known[1], mention
    assert {k: v for k, v in by_key.items() if len(v) > 1} == {}
    seen: dict[tuple[str, ...], str] = {}
    for (kind, key), names in by_key.items():
        assert seen.setdefault(key, kind) == kind or kind == "person", (key, names)


# --- precision / recall on the hand annotations ------------------------------------------------


@pytest.mark.parametrize(("name", "threshold"), [("seed", 0.9), ("snn", 0.8)])
def test_precision_recall(name: str, threshold: float) -> None:
    scores = eval_entities.score(eval_entities.load(name))
    for kind, (precision, recall, *_) in scores.items():
        assert precision >= threshold, (kind, precision)
        assert recall >= threshold, (kind, recall)


def test_entities_from_the_indexers_analysis_are_the_same() -> None:
    """The indexer passes its tokens and normalized forms in; the result must not change."""
    from index.analysis import analyze

    texts = [path.read_text(encoding="utf-8") for path in CORPUS]
    cases = [("", texts[0]), ("داعش في الرقة", texts[1]), (texts[2][:80], texts[2][80:]), ("عنوان فقط", "")]
    for title, content in cases:
        text = entity_text(title, content)
        tokens, exact, _ = analyze(text)
        assert extract_entities_analyzed(text, tokens, exact) == extract_entities(title, content)
    assert any(extract_entities(t, c)["place"] for t, c in cases), "the cases do contain entities"


def test_an_unwritable_gazetteer_cache_is_reported_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from index import entities

    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache directory should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    with caplog.at_level(logging.WARNING, logger="index.entities"):
        places = entities._cached_geonames_places()
    assert places == list(entities._geonames_places())
    assert any("cannot write the gazetteer cache" in r.message for r in caplog.records)


# --- more gazetteer data: CLDR places, frequent names, clubs, companies (issue 14) --------------


def test_cldr_gives_territories_regions_and_cities_with_english_names() -> None:
    from index.world_places import cldr_cities, cldr_territories

    territories = dict(cldr_territories())
    assert territories["مالطا"] == ["Malta"]
    assert "جنوب شرق آسيا" in territories
    assert not {"العالم", "الاتحاد الأوروبي", "الأمم المتحدة"} & territories.keys(), "not places"
    assert ("طوكيو", ["Tokyo"]) in list(cldr_cities())


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("وصل الوزير إلى طوكيو قادما من مالطا", ["طوكيو", "مالطا"]),
        ("جولة في روما وبرلين ثم بازل", ["روما", "برلين", "بازل"]),
        ("نمو اقتصادات جنوب شرقي آسيا", ["جنوب شرق آسيا"]),
        ("سافر إلى جمهورية كوريا", ["كوريا الجنوبية"]),  # pycountry's name, CLDR's canonical
        ("عبر المهاجرون البحر الأبيض المتوسط إلى دول الخليج", ["البحر المتوسط", "الخليج العربي"]),
    ],
)
def test_world_places_are_found(text: str, places: list[str]) -> None:
    assert values(text, "place") == places


@pytest.mark.parametrize(
    "text",
    [
        "ماهي الأسباب التي أدت إلى ذلك",  # ما هي, not Mahé in the Seychelles
        "أدى دوراً كبيراً في المفاوضات",  # دوراً takes tanween: not the town دورا
        "ارتفع المتوسط الحسابي للأسعار",  # المتوسط counts only after a cue
        "أصدر المبعوث بيانا ينقل فيه موقف ليون",  # a verb, a noun and a person's name
    ],
)
def test_ordinary_words_are_not_places(text: str) -> None:
    assert values(text, "place") == []


def test_frequent_foreign_names_are_names_and_frequent_words_are_not() -> None:
    from index.entities import _ordinary_word

    assert not any(_ordinary_word(w) for w in ("برلين", "طوكيو", "روما", "القاهرة"))
    assert all(_ordinary_word(w) for w in ("ينقل", "بيان", "وجدة", "الخميس", "الجزيره"))


def test_a_country_is_one_value_whatever_the_source_calls_it() -> None:
    assert resolve_alias("مالطة") == resolve_alias("مالطا") == resolve_alias("Malta") == ("place", "مالطا")
    assert resolve_alias("المالديف") == ("place", "جزر المالديف")  # pycountry translates Moldova so


@pytest.mark.parametrize(
    ("text", "organizations"),
    [
        ("فاز الفيصلي على ضيفه في الدوري", ["نادي الفيصلي"]),  # not an ordinary word: always counts
        ("قال رئيس الاتفاق خالد الدبل إن الفريق جاهز", ["نادي الاتفاق"]),  # ordinary word, in a role phrase
        ("رحب الوزير بالاتفاق النووي", []),  # ... and nowhere else
        ("تعاقد كوينز بارك رينجرز مع المهاجم", ["نادي كوينز بارك رينجرز"]),
    ],
)
def test_club_short_forms_follow_the_cue_convention(text: str, organizations: list[str]) -> None:
    assert values(text, "organization") == organizations


@pytest.mark.parametrize(
    ("text", "organization"),
    [
        ("توقعت الأهلي كابيتال نمو الأرباح", "الأهلي كابيتال"),
        ("وقعت غرفة أبها اتفاقية تعاون", "الغرفة التجارية الصناعية بأبها"),
        ("نظم نادي جدة الأدبي أمسية شعرية", "نادي جدة الأدبي"),
        ("أعلن بنك إنجلترا إبقاء الفائدة", "بنك إنجلترا"),
        ("زار الوفد جامعة الباحة", "جامعة الباحة"),
    ],
)
def test_companies_and_institutions_are_found(text: str, organization: str) -> None:
    assert values(text, "organization") == [organization]
