"""The Arabic analysis: normalization, stemming, tokenizer offsets, and the evaluation sets."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from index.analysis import (
    analyze,
    clean,
    normalize_word,
    normalized_terms,
    stem_terms,
    stem_word,
    tokenize,
)
from index.whoosh_schema import ExactAnalyzer, StemAnalyzer

SETS = Path(__file__).parent / "data" / "analysis"


# --- normalization ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("مُحَاصَرَةٌ", "محاصره"),  # harakat, tanween
        ("قَدَّمَ", "قدم"),  # shadda
        ("هٰذا", "هذا"),  # dagger alef
        ("اقــرأ", "اقرا"),  # tatweel, hamza on alef
        ("إدلب", "ادلب"),
        ("آخر", "اخر"),
        ("ٱلله", "الله"),  # alef wasla
        ("مستشفى", "مستشفي"),  # alef maksura
        ("الرقة", "الرقه"),  # ta marbuta
        ("ﻻ", "لا"),  # lam-alef ligature (presentation form)
        ("ﺍﻟﺮﻗﺔ", "الرقه"),  # presentation forms
        ("کردی", "كردي"),  # Persian kaf and ya
        ("٢٠١٧", "2017"),  # Arabic-Indic digits
        ("۱۳۹۶", "1396"),  # Persian digits
        ("دير\u200cالزور", "ديرالزور"),  # ZWNJ inside a word
        ("\u200fداعش\u200e", "داعش"),  # bidi marks
        ("ISIS", "isis"),
    ],
)
def test_normalize_word(raw: str, expected: str) -> None:
    assert normalize_word(raw) == expected


def test_normalize_keeps_hamza_on_alef_as_alef_not_hamza() -> None:
    # pyarabic's normalize_hamza() would give ءيران; the user types ايران or إيران.
    assert normalize_word("إيران") == normalize_word("ايران") == "ايران"


def test_clean_keeps_ta_marbuta_for_the_stemmer() -> None:
    assert clean("مدينة") == "مدينة"


def test_tokenizer_offsets_point_at_the_original_text() -> None:
    text = "قالت «قوات سوريا الديمقراطية» إنّ اقــرأ، و2017."
    tokens = list(tokenize(text))
    assert [t for t, _, _ in tokens] == ["قالت", "قوات", "سوريا", "الديمقراطية", "إنّ", "اقــرأ", "و2017"]
    for surface, start, end in tokens:
        assert text[start:end] == surface


def test_tatweel_alone_is_not_a_token() -> None:
    assert list(tokenize("لـ ـ «داعش»")) == [("لـ", 0, 2), ("داعش", 6, 10)]


def test_whoosh_analyzers_set_offsets_and_pickle() -> None:
    text = "وتؤكد مصادر من داخل الرقة"
    for analyzer in (ExactAnalyzer(), StemAnalyzer()):
        tokens = [(t.text, t.startchar, t.endchar, t.pos) for t in analyzer(text, chars=True, positions=True)]
        assert [pos for *_, pos in tokens] == list(range(5))
        assert text[tokens[-1][1] : tokens[-1][2]] == "الرقة"
        # Whoosh pickles analyzers into the schema: they must survive it and stay equal.
        assert pickle.loads(pickle.dumps(analyzer)) == analyzer
    assert normalized_terms(text)[-1] == "الرقه"
    assert stem_terms(text)[-1] == stem_word("بالرقة")


# --- stemming: the cases named in the issue ------------------------------------------------


@pytest.mark.parametrize(
    "family",
    [
        "تنظيم التنظيم وتنظيم بالتنظيم للتنظيم",
        "مدينة المدينة بمدينة لمدينة مدينتها",
        "سورية السورية لسورية سوريا",
        "الرقة الرقه والرقة بالرقة للرقة بالرقه للرقه",
        "إدلب ادلب وإدلب بإدلب",
        "أمريكا أميركا",
        "ميليشيات مليشيات الميليشيات",
        "البنتاغون البنتاجون",
        "الديمقراطية الديموقراطية",
        "مسؤول مسئول",
        "إيران وإيران لإيران",
        "لبنان ولبنان بلبنان",
    ],
)
def test_families_share_one_stem(family: str) -> None:
    stems = {word: stem_word(word) for word in family.split()}
    assert len(set(stems.values())) == 1, stems


@pytest.mark.parametrize(
    "pair",
    [
        "الرقة ورقة",
        "لبنان لبن",
        "وزير زير",
        "وزارة زار",
        "نظام تنظيم",
        "تنظيم منظمة",
        "نظام منظمة",
        "سورية سور",
        "ألمانيا مانيا",
        "سليمان سليم",
        "مستقبل قبل",
        "سدير دير",  # a protected word behind a س that is not the future particle
        "سلام لام",
        "سانا أنا",  # a short name, not the future particle and a pronoun
    ],
)
def test_lookalikes_stay_apart(pair: str) -> None:
    a, b = pair.split()
    assert stem_word(a) != stem_word(b)


def test_stemmer_never_returns_empty_or_grows_a_word() -> None:
    for word in ["و", "ال", "لل", "بال", "ة", "ها", "ات", "x", "7", "وال", "فالم"]:
        stem = stem_word(word)
        assert stem
        assert len(stem) <= len(clean(word)) + 1  # +1: a ta marbuta may be restored


# --- the evaluation sets (families that must match, pairs that must stay apart) ------------


def _rows(name: str) -> list[list[str]]:
    path = SETS / name
    if not path.exists():
        pytest.skip(f"{path} missing")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def test_families_set_at_least_95_percent() -> None:
    rows = _rows("families.tsv")
    failures = []
    for category, *words in rows:
        words = [w for w in words if w.strip()]
        stems = {stem_word(w) for w in words}
        if len(stems) != 1:
            failures.append((category, {w: stem_word(w) for w in words}))
    rate = 1 - len(failures) / len(rows)
    assert len(rows) >= 150
    assert rate >= 0.95, f"{rate:.1%} families matched; failures: {failures[:20]}"


def test_apart_set_at_least_95_percent() -> None:
    rows = _rows("apart.tsv")
    failures = []
    for category, a, b, *_ in rows:
        if stem_word(a) == stem_word(b):
            failures.append((category, a, b, stem_word(a)))
    rate = 1 - len(failures) / len(rows)
    assert len(rows) >= 150
    assert rate >= 0.95, f"{rate:.1%} pairs kept apart; failures: {failures[:20]}"


def test_heldout_sets_stay_above_90_percent() -> None:
    """Regression floor on the held-out sets (built after the stemmer, never tuned on).

    Measured once at 93.5 % / 95.2 %.  Do not tune against these lines: they exist to say
    how the stemmer does on words nobody looked at while writing it.
    """
    families = _rows("heldout_families.tsv")
    matched = sum(len({stem_word(w) for w in words if w.strip()}) == 1 for _, *words in families)
    pairs = _rows("heldout_apart.tsv")
    apart = sum(stem_word(a) != stem_word(b) for _, a, b, *_ in pairs)
    assert matched / len(families) >= 0.90
    assert apart / len(pairs) >= 0.90


# --- one-pass analysis for the indexer ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "بالرقة وللرقة الرقه، أمريكا أميركا!",
        "اقــرأ مُحاصرة لا\u200cتفاصيل ﻻ ٢٠١٦ 2016 ABC",
        "سوريا سورية إلغاء ألمانيا والمسؤولين مسئول",
        *[p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent.parent / "data" / "corpus").glob("*"))],
    ],
)
def test_analyze_gives_what_the_analyzers_give(text: str) -> None:
    tokens, exact, stems = analyze(text)
    assert tokens == list(tokenize(text))
    assert exact == normalized_terms(text) == [t.text for t in ExactAnalyzer()(text)]
    assert stems == stem_terms(text) == [t.text for t in StemAnalyzer()(text)]
    # A second call (everything now cached) gives the same again.
    assert analyze(text) == (tokens, exact, stems)


def test_cached_normalization_is_the_uncached_one() -> None:
    from index import normalize

    for word in ("مدينةٌ", "أحمد", "ﻻ", "المستشفى", "ABC"):
        expected = clean(word).translate(normalize._TA_MARBUTA_TABLE)
        normalize._NORM_CACHE.pop(word, None)
        assert normalize_word(word) == expected
        assert normalize_word(word) == expected  # from the cache
