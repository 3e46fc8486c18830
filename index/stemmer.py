"""Arabic light stemmer for news search: strip clitics and inflection, never a word's own letters.

Works on the output of :func:`index.normalize.clean` (alef forms folded, ى → ي, ta marbuta
kept).  It is *light*: it removes proclitics (و ف ب ك ل س, the article and their combinations),
pronoun suffixes, duals, sound plurals, construct forms and the accusative alef; it keeps ة
except on adjectives and participles (مسلحة ~ مسلح, but جامعة ≠ جامع); it never extracts roots,
so نظام / تنظيم / منظمة stay three different stems.

Why not tashaphyne or Lucene as they are: tashaphyne strips any letter that *can* be an affix
(تنظيم → نظيم, لبنان → بنا, إيران → إير) and Lucene's ArabicStemmer strips one prefix only
(بمدينة and لسوريا keep their ب/ل).  Both decide from spelling alone.  The ambiguity is real —
و in وزير is part of the word, in وتنظيم it is "and" — and spelling cannot resolve it.  So
each optional strip is checked against evidence:

* a *lexicon* of word-form frequencies from 8.8 M words of news (``data/lexicon.tsv.gz``,
  built by ``tools/build_lexicon.py``): a clitic is removed only when what remains is itself
  a common word and the whole form is not a word in its own right (``الورقة`` exists, so
  ورقة is not و + رقة); a plural ending only when the word shows its partner form (مسؤولون
  and مسؤولين, but no زيتين beside زيتون);
* *protected words* (``data/protected.txt``): names and closed-class words whose endings or
  beginnings only look like affixes (لبنان, سليمان, فلسطين, عشرين …);
* minimum stem lengths, so that nothing is stripped down to one or two letters by chance.

Spelling variants are folded by two tables: hand-written rules for common loanword stems
(``data/variants.tsv``: أميركا/أمريكا, ميليشيا/مليشيا, البنتاغون/البنتاجون) and variants of
foreign names mined from the corpus (``data/loanwords.tsv``, by ``tools/mine_variants.py``,
which uses tashaphyne's root list to tell foreign names from native words: ترامب/ترمب,
واشنطون/واشنطن).  The lexicon and the tables are fixed data shipped with the code, never
taken from the live index, so adding documents cannot change how old ones were stemmed.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from importlib import resources
from itertools import repeat

from index.normalize import clean, strip_marks

__all__ = ["lexicon_count", "lexicon_forms", "stem_cleaned", "tanween_count"]

ARTICLE_PROCLITICS = ("وبال", "وكال", "فبال", "فكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال")
PLAIN_PROCLITICS = ("وب", "ول", "وك", "وس", "فب", "فل", "فك", "فس", "و", "ف", "ب", "ك", "ل", "س")
#: The future particle س attaches to an imperfect verb only (سيدفع، ستبدأ، سنعمل، سأكتب).
FUTURE = "س"
IMPERFECT_PREFIXES = frozenset("يتنا")
#: Clitics that attach only to nouns: a remainder that looks like an imperfect verb
#: (يري in كيري) is not split off after them.
NOUN_ONLY = frozenset("بك")

PRONOUN_SUFFIXES = ("هما", "كما", "ها", "هم", "هن", "كم", "كن", "نا", "ه")

#: A clitic-stripped form must be at least this common in the lexicon ...
MIN_EVIDENCE = 3
#: ... and not much rarer than the whole form (وزير is 1000× commoner than زير).
MAX_RATIO = 5


@cache
def _lexicon() -> dict[str, str]:
    """form → "count" or "count<TAB>tanween count", parsed lazily per lookup.

    Splitting each line once and leaving the numbers as text halves the load time, which
    every cold ``search-cli search`` pays.
    """
    lexicon = resources.files("index").joinpath("data/lexicon.tsv.gz")
    with lexicon.open("rb") as raw:
        lines = gzip.decompress(raw.read()).decode("utf-8").splitlines()
    lines = [line for line in lines if line and line[0] != "#"]
    # map() keeps the 119k splits in C: a third faster than a generator expression.
    return dict(map(str.split, lines, repeat("\t"), repeat(1)))


def lexicon_count(form: str) -> int:
    """How often ``form`` (a cleaned word) occurs in the lexicon corpus; 0 when unseen."""
    entry = _lexicon().get(form)
    return int(entry.partition("\t")[0]) if entry else 0


def lexicon_forms() -> list[tuple[str, int]]:
    """Every form of the lexicon with its count (for lookups by other keys, e.g. transliteration)."""
    return [(form, int(entry.partition("\t")[0])) for form, entry in _lexicon().items()]


def tanween_count(form: str) -> int:
    """How often ``form`` was written with tanween fath (an accusative ending) in that corpus."""
    entry = _lexicon().get(form)
    return int(entry.partition("\t")[2] or 0) if entry else 0


@cache
def _loanwords() -> dict[str, str]:
    """Spelling variants of foreign names mined from the corpus (tools/mine_variants.py)."""
    table = {}
    for line in _data_lines("loanwords.tsv"):
        variant, canonical = line.split("\t")[:2]
        table[variant] = canonical
    return table


def _data_lines(name: str) -> list[str]:
    text = resources.files("index").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@cache
def _protected() -> frozenset[str]:
    return frozenset(clean(line.split("\t")[0].strip()) for line in _data_lines("protected.txt"))


@cache
def _variant_rules() -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str], ...]]:
    """The rules of ``data/variants.tsv``, plus one alternation that says whether any applies.

    Most stems match no rule; one search of the alternation instead of one per rule keeps
    the cost of a cache miss low.
    """
    rules = []
    for line in _data_lines("variants.tsv"):
        pattern, replacement = line.split("\t")[:2]
        rules.append((re.compile(clean(pattern)), clean(replacement)))
    any_rule = re.compile("|".join(f"(?:{rule.pattern})" for rule, _ in rules))
    return any_rule, tuple(rules)


# --- evidence --------------------------------------------------------------------------------


def _count(form: str) -> int:
    """Lexicon count of ``form``, also under its ta-marbuta spelling (الرقه counts as الرقة)."""
    n = lexicon_count(form)
    if form.endswith("ه"):
        n += lexicon_count(form[:-1] + "ة")
    return n


def _is_word(form: str, whole: str) -> bool:
    """``form`` is a common word in its own right, not much rarer than ``whole``."""
    n = _count(form) + _count("ال" + form)
    return n >= MIN_EVIDENCE and n * MAX_RATIO >= _count(whole)


def _takes_article(word: str, stripped: str) -> bool:
    """``word`` is itself a noun (it occurs with the article), so its first letter is radical.

    الورقة exists, so ورقة is a word, not و + رقة.  Stray counts of ال+word (a surname, a typo:
    الواكد beside 3,490 واكد) are ignored when they are a tiny share of the word's own count
    or of the stripped reading's count with the article.
    """
    n = lexicon_count("ال" + word)
    return n >= MIN_EVIDENCE and n * 50 >= lexicon_count(word) and n * 20 >= lexicon_count("ال" + stripped)


# --- proclitics ------------------------------------------------------------------------------


def _future_verb(rest: str) -> bool:
    """What follows a س can be an imperfect verb: a verb prefix and the verb (سيتم، سيدفع،
    سأعمل), not the pronoun أنا (سانا is not س + أنا)."""
    if rest[:1] == "ا":
        return len(rest) >= 4
    return rest[:1] in IMPERFECT_PREFIXES


def _protected_split(word: str) -> str | None:
    """If ``word`` is a protected word behind optional proclitics, return that word."""
    protected = _protected()
    if word in protected:
        return word
    for clitic in ARTICLE_PROCLITICS:
        if word.startswith(clitic):
            rest = word[len(clitic) :]
            if "ال" + rest in protected:
                return "ال" + rest
            if rest in protected:
                return rest
    for clitic in PLAIN_PROCLITICS:
        rest = word[len(clitic) :]
        if clitic.endswith(FUTURE) and not _future_verb(rest):
            continue  # سدير is not س + دير: the future س goes before a verb only
        if word.startswith(clitic) and rest in protected:
            return rest
    return None


def _seen_without_article(stem: str) -> bool:
    """``stem`` occurs bare or behind a non-article clitic, so ال before it was the article.

    Names like العراق or العين (the city) hardly ever drop their article; keeping it in
    their stem keeps them apart from عين (eye), while بالعراق and للعراق still meet العراق.
    Decided on the stem (after suffixes and variant folding), so that every inflection and
    spelling of a word makes the same decision.
    """
    if lexicon_count(stem) >= MIN_EVIDENCE:
        return True
    return sum(lexicon_count(c + stem) for c in "وبلفك") >= MIN_EVIDENCE


def _strip_article(word: str) -> str | None:
    """Remove an article-bearing proclitic (ال, وال, بال, لل …); None when there is none."""
    for clitic in ARTICLE_PROCLITICS:
        if not word.startswith(clitic):
            continue
        rest = word[len(clitic) :]
        if len(rest) < 2:
            continue
        if clitic == "ال":
            if _article_is_radical(word):
                return None  # التماس, التزام: form-VIII nouns whose ال is their own
            return rest
        if clitic.endswith("لل") and _lam_word(rest):
            return "ل" + rest  # للجنة is ل + اللجنة: a word's own first ل merges with the article's
        if _is_word(rest, word) or _count(word) < MIN_EVIDENCE <= _count("ال" + rest):
            return rest
        # والد, بالغ: the letters after و/ب are not an article; the plain clitics decide.
    return None


def _lam_word(rest: str) -> bool:
    """After لل, ``rest`` is a word that began with ل: اللجنة is far commoner than الجنة.

    The article after ل loses its alef (ل + الرياض = للرياض), and before a word beginning
    with ل one of the three lams goes too (ل + اللجنة = للجنة): the two readings of لل+rest
    are decided by which article form the corpus has.
    """
    with_lam, without = _count("الل" + rest), _count("ال" + rest)
    return with_lam >= MIN_EVIDENCE and with_lam > MAX_RATIO * without


def _article_is_radical(word: str) -> bool:
    """``word`` itself takes the article (الالتزام exists), so its own ال is not one."""
    n = lexicon_count("ال" + word)
    return n >= MIN_EVIDENCE and n * 50 >= lexicon_count(word)


def _strip_plain_clitic(word: str, hamza_article: bool) -> str:
    """Remove و ف ب ك ل س (and pairs) when the remainder is the better-attested word.

    Of all the splits that pass, the one whose remainder is most common wins: وباريس is
    و + باريس, not وب + اريس.
    """
    best, best_count = word, -1
    for clitic in PLAIN_PROCLITICS:
        if not word.startswith(clitic):
            continue
        rest = word[len(clitic) :]
        if len(rest) < 3 or (rest.startswith("ال") and not hamza_article):
            continue
        if clitic[-1] in NOUN_ONLY and rest[0] == "ي" and lexicon_count("ال" + rest) < MIN_EVIDENCE:
            continue  # كيري is not ك + يري ("like he sees"): ب and ك do not attach to verbs
        if clitic.endswith(FUTURE) and not _future_verb(rest):
            continue  # وسط, سلام, سانا: a س not followed by a verb is the word's own
        if _takes_article(word, rest):
            continue
        count = _known(rest)
        if _is_word(rest, word) and count > best_count:
            best, best_count = rest, count
        elif best_count < 0 and clitic == "و" and len(rest) >= 4 and not lexicon_count(word) and not count:
            # Neither form is known (a new name): only the conjunction و is common enough
            # to strip on spelling alone, and only from a long word.
            best = rest
    return best


def _strip_proclitics(word: str, hamza_article: bool = False) -> tuple[str, bool]:
    """Return the word without proclitics, and whether an article was among them."""
    if not hamza_article:
        stripped = _strip_article(word)
        if stripped is not None:
            return stripped, True
    return _strip_plain_clitic(word, hamza_article), False


# --- suffixes --------------------------------------------------------------------------------


def _known(form: str) -> int:
    return lexicon_count(form) + lexicon_count("ال" + form)


def _attested(form: str) -> bool:
    return _known(form) >= MIN_EVIDENCE


def _restore_ta_marbuta(stem: str) -> str:
    """الرقه → الرقة when ه stands for ta marbuta rather than the pronoun "his".

    Both are common (دوله for دولة in hasty typing, منزله "his house" in any text): the
    reading whose base is the commoner word wins.
    """
    if stem.endswith("ه") and len(stem) >= 3:
        base = stem[:-1]
        if _known(base + "ة") >= MIN_EVIDENCE and 2 * _known(base + "ة") > _known(base):
            return base + "ة"
    return stem


def _strip_pronoun(stem: str) -> str:
    """Remove a possessive/object pronoun; ت before it is a ta marbuta (مدينتها → مدينة)."""
    if (stem.endswith("تك") or stem.endswith("تي")) and _attested(stem[:-2] + "ة"):
        return stem[:-2] + "ة"  # سيارتك, سيارتي
    for suffix in PRONOUN_SUFFIXES:
        if not stem.endswith(suffix) or len(stem) - len(suffix) < 2:
            continue
        base = stem[: -len(suffix)]
        if base.endswith("ت") and _attested(base[:-1] + "ة"):
            return base[:-1] + "ة"
        if len(base) < 3:
            continue
        if base.endswith(("ات", "ين", "ون")) or (base.endswith("ي") and _attested(base)):
            return base  # قياداتها, مسؤوليها: the number step goes on from here
        if _attested(base) and _known(base) * MAX_RATIO >= _known(stem):
            return base
    return stem


def _strip_number(stem: str) -> str:
    """Duals, sound plurals and construct forms back to the singular."""
    for suffix in ("تين", "تان", "تا"):
        base = stem[: -len(suffix)]
        if stem.endswith(suffix) and len(base) >= 2 and _attested(base + "ة"):
            return base + "ة"  # سيارتين, وزارتا
    if stem.endswith("ات") and len(stem) >= 4:
        base = stem[:-2]
        if _attested(base + "ة") and _known(base + "ة") >= _known(base):
            return base + "ة"  # سيارات → سيارة (not مشروعات → مشروعة "legitimate")
        if len(base) >= 3 and _attested(base):
            return base  # انتخابات → انتخاب
        return stem
    if stem.endswith(("ون", "ين")) and len(stem) >= 5 and _is_sound_plural_or_dual(stem[:-2]):
        return stem[:-2]
    if stem.endswith("ين") and len(stem) >= 6 and _is_rare_dual(stem, stem[:-2]):
        return stem[:-2]
    if stem.endswith("ان") and len(stem) >= 5:
        # Dual: only when the oblique dual (ين) is attested too; -ان ends many names and
        # nouns (إيران, إعلان, برلمان) that have no ين form.
        base = stem[:-2]
        if _attested(base + "ين") and _attested(base):
            return base
    if stem.endswith("و") and len(stem) >= 4 and _attested(stem[:-1] + "ون"):
        return stem[:-1]  # مديرو (construct plural)
    if stem.endswith("ي") and len(stem) >= 4:
        # Construct plural (لاعبي الفريق, مسؤولي الوزارة) — but not a nisba adjective
        # (سوري, دولي), whose own plural is -يين.
        base = stem[:-1]
        if _attested(base + "ين") and _attested(base) and not _attested(base + "يين"):
            return base
    if stem.endswith("ا") and len(stem) >= 4:
        base = stem[:-1]
        if base.endswith("ي"):
            # The -يا of country names (سوريا ~ سورية) and adverbs (رسميا ~ رسمي).
            if _attested(base) and _known(base) * MAX_RATIO >= _known(stem):
                return base
        elif _attested(base) and (_known(base) >= 2 * _known(stem) or _often_with_tanween(stem)):
            # Accusative alef (تقدما, قتيلا): much rarer than the bare noun, or often written
            # with tanween (قتيلاً).  A name in -ا (درعا, كوبا) is neither.
            return base
    return stem


def _often_with_tanween(form: str) -> bool:
    n = tanween_count(form)
    return n >= MIN_EVIDENCE and n * 20 >= lexicon_count(form)


#: A long noun in -ين is its own dual when the singular is this many times commoner (and common).
DUAL_RATIO = 20
DUAL_BASE_MIN = 100


def _is_rare_dual(stem: str, base: str) -> bool:
    """مشروعين، تقريرين، مستشفيين: the oblique dual of a common long noun whose -ان form is rare.

    A word merely ending in ين (شاهين، ياسمين) is nowhere near as rare beside its base.
    """
    count = _known(base)
    return len(base) >= 4 and count >= DUAL_BASE_MIN and count >= DUAL_RATIO * _known(stem)


def _is_sound_plural_or_dual(base: str) -> bool:
    """``base`` + ون/ين is an inflection: the word shows both case forms of the plural
    (مسؤولون, مسؤولين) or of the dual (طرفان, طرفين).  A word that merely ends in those
    letters (زيتون, فرعون, نسرين, شاهين) has no partner form.
    """
    if not (_attested(base) or _attested(base + "ة")):
        return False
    has_oblique = _attested(base + "ين")
    return has_oblique and (_attested(base + "ون") or _attested(base + "ان"))


#: A masculine form needs this many sound plurals (-ون) before its feminine in ة is taken
#: for an inflection of it (مسلحة ~ مسلح) rather than a word of its own (جامعة ≠ جامع).
FEMININE_EVIDENCE = 5


def _strip_feminine(stem: str) -> str:
    """Drop ة only from adjectives and participles, the words that inflect for gender."""
    if stem.endswith("ة") and len(stem) >= 4 and _known(stem[:-1] + "ون") >= FEMININE_EVIDENCE:
        return stem[:-1]
    return stem


def _strip_suffixes(stem: str) -> str:
    stem = _restore_ta_marbuta(stem)
    stem = _strip_pronoun(stem)
    stem = _strip_number(stem)
    return _strip_feminine(stem)


def _fold_variants(stem: str) -> str:
    any_rule, rules = _variant_rules()
    if any_rule.search(stem) is None:
        return stem
    for pattern, replacement in rules:
        stem = pattern.sub(replacement, stem)
    return stem


_HAMZA_SEATS = str.maketrans({"ؤ": "ء", "ئ": "ء"})

#: An ``ال`` written with a hamza behind at most two proclitics (ألمانيا، وإلغاء): part of the word.
_HAMZA_ARTICLE = re.compile("^[وفبكل]{0,2}[أإآ]ل")
#: :func:`stem_surface` per surface form; module level (Whoosh pickles analyzers), bounded.
_SURFACE_STEMS: dict[str, str] = {}
_SURFACE_MAX = 2_000_000


def stem_surface(word: str) -> str:
    """:func:`stem_cleaned` of a word as written in a text, cached per surface form.

    The stem field (``index/analysis.py``) and the roots (``index/roots.py``) both start
    from this stem, so each written form is stemmed once, not once for each of them.
    """
    stem = _SURFACE_STEMS.get(word)
    if stem is None:
        stem = stem_cleaned(clean(word), _HAMZA_ARTICLE.match(strip_marks(word)) is not None)
        if len(_SURFACE_STEMS) >= _SURFACE_MAX:
            _SURFACE_STEMS.clear()
        _SURFACE_STEMS[word] = stem
    return stem


def stem_cleaned(word: str, hamza_article: bool = False) -> str:
    """Stem a word already passed through :func:`index.normalize.clean`.

    ``hamza_article`` says that the ``ال`` after the word's proclitics was written with a
    hamza (ألمانيا, إلغاء, ألغام): then it belongs to the word and is not the article.
    """
    if len(word) < 3 or not ("\u0621" <= word[0] <= "\u064a"):
        return word
    protected = _protected_split(word)
    if protected is not None:
        return _fold_variants(protected).translate(_HAMZA_SEATS)
    rest, had_article = _strip_proclitics(word, hamza_article)
    # Variants are folded before the suffixes so that both spellings meet the same evidence
    # (البنتاغون and البنتاجون must both keep or both lose -ون).
    stem = _strip_suffixes(_fold_variants(rest))
    if had_article and not _seen_without_article(stem):
        stem = "ال" + stem
    # Hamza seats last: the lexicon keeps مسؤول and مسئول apart, the index must not.
    stem = stem.translate(_HAMZA_SEATS)
    # Foreign names spelled with or without long vowels (ترامب/ترمب, واشنطون/واشنطن).
    return _loanwords().get(stem, stem)
