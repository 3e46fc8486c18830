"""Does a word look native Arabic (a root put into a classical pattern) or foreign (ترامب، واشنطن)?

Two users: the loanword miner (``tools/mine_variants.py``), which must not fold native words
that merely look alike (وزير/وزارة), and the entity extractor, for which two or three
foreign-looking words side by side are most likely a person's name (جاكسون مارتينيز).

A stem is native when a known root (tashaphyne's root list) put into one of the classical
patterns below spells it, perhaps with a clitic the stemmer left on and an ending, or when
tashaphyne's own root analysis covers it tightly.  Proper names of Arabic origin (سلمان،
الزهراني) are native by this test too; that is intended: they are found by other rules.

Layer: analysis (no Whoosh, no search).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import cache, lru_cache

from index import stemmer

__all__ = ["is_function_word", "native_reason", "pattern_root", "stem_body", "tashaphyne_root"]


def stem_body(stem: str) -> str:
    """The stem without a leading article: the stemmer keeps ال on words never seen without it
    (الاورغوياني beside اوروغوياني), and the article is not part of the spelling."""
    return stem[2:] if stem.startswith("ال") and len(stem) >= 6 else stem


def _words(text: str) -> list[str]:
    return text.split()


#: Classical patterns; F A L (Q) are root letters, w a root و absorbed by the ت of افتعل
#: (اتجاه ← وجه).  Nouns, verbal nouns, participles, broken plurals, verb stems.
TRILITERAL = _words("""
FAL FاAL FAاL FAيL FAوL FAAL FALي FALاء FAاAL FAوAL FAيAL FAALي
مFAL مFAاL مFAوL مFAيL مFاAL مFاAيL مFAAL مFتAL مFتAاL مFطAL مFدAL
تFAيL تFAL تFاAL تFAاL تFAAL تFAوL تFاAيL
اFAL اFAاL اFتAاL اFتAL اFتAيL اFطAاL اFطAL اFدAاL اFدAL انFAاL انFAL
استFAاL استFAL استFAيL مستFAL مستFAاL
متFاAL متFAL منFAL مFتAL
FALان FALاني FALاو FAاLي FاAوL FواAL FواAيL FAاءL FAاAيL FAائL اFاAL اFاAيL FAاLة FAيLة FAالي
يFAL تFAL نFAL يFتAL تFتAL نFتAL يستFAL تستFAL نستFAL ينFAL تنFAL يتFAL تتFAL نتFAL
يتFاAL تتFاAL نتFاAL يFAيL يFاAL نFاAL اFاAL
اwتAاL اwتAL مwتAL يwتAL تwتAL
""")
QUADRILITERAL = _words("FALQ FAاLQ FAاLيQ FALوQ FALيQ مFALQ تFALQ متFALQ FALاQ FAوLQ يFALQ يتFALQ تتFALQ")
#: Clitics the stemmer may have left on (بتسليم, وتجميل, ستحدث), ما/لا written joined to a verb
#: (مايحدث, لايوجد), and verb/pronoun endings.
CLITICS = ("", "و", "ف", "ب", "ل", "ك", "س", "وب", "ول", "وس", "فس", "لل", "ما", "لا")
ENDINGS = (
    "",
    "ة",
    "ت",
    "وا",
    "ن",
    "نا",
    "تم",
    "تن",
    "ي",
    "ه",
    "ها",
    "هم",
    "ك",
    "ا",
    "ان",
    "ون",
    "ين",
    "ات",
    "ية",
    "يا",
    "تا",
    "تها",
    "وه",
    "ني",
    "كم",
    "و",
)


def _pattern(template: str) -> tuple[re.Pattern[str], str]:
    regex = "".join("(.)" if c in "FALQ" else "" if c == "w" else re.escape(c) for c in template)
    order = "".join(c for c in template if c in "FALQw")
    return re.compile(f"^{regex}$"), order


PATTERNS = [_pattern(t) for t in TRILITERAL + QUADRILITERAL]


def _root_spellings(letters: str) -> Iterator[str]:
    """How a root extracted from a cleaned stem may be written in tashaphyne's root list: a
    radical ا or hamza may be a hamza or a weak و/ي (قال ← قول, عاءلة ← عول, بناء ← بني), and
    و and ي stand for each other."""
    options = []
    for c in letters:
        if c in "اءئؤ":
            options.append("ءوي")  # عاءلة ← عول, بناء ← بني
        elif c in "وي":
            options.append("وي")
        else:
            options.append(c)
    stack = [""]
    for choice in options:
        stack = [prefix + c for prefix in stack for c in choice]
    yield from stack


def _known_root(letters: str) -> bool:
    return any(spelling in _roots() for spelling in _root_spellings(letters))


def pattern_root(stem: str) -> str | None:
    """A known root that, put into a classical pattern, spells ``stem``; None if there is none.

    A native word normally is root + pattern; a name like واشنطن or ترامب is not.
    """
    word = stem_body(stem)
    for clitic in CLITICS:
        # A clitic the stemmer left on is only credible when the rest is a word of its own
        # (بتسليم: تسليم); otherwise ب+ارزاني would make بارزاني a native nisba.
        if not word.startswith(clitic) or (clitic and stemmer.lexicon_count(word[len(clitic) :]) < 3):
            continue
        for ending in ENDINGS:
            if not word.endswith(ending):
                continue
            core = word[len(clitic) : len(word) - len(ending)]
            if len(core) < 2:
                continue
            # The doubled radical of a geminate root is written once (مستمر ← مرر).
            for candidate in (core, core + core[-1]):
                for regex, order in PATTERNS:
                    match = regex.match(candidate)
                    if match is None:
                        continue
                    groups = iter(match.groups())
                    root = "".join("و" if c == "w" else next(groups) for c in order)
                    if _known_root(root):
                        return root
    return None


@cache
def _roots() -> frozenset[str]:
    """tashaphyne's root list, imported on first use: a search that never asks pays nothing
    (importing tashaphyne costs some 40 ms of every cold ``search-cli``)."""
    from tashaphyne.roots_const import ROOTS

    return frozenset(ROOTS)


@cache
def _light_stemmer():  # type: ignore[no-untyped-def]
    from tashaphyne.stemming import ArabicLightStemmer

    return ArabicLightStemmer()


#: Tashaphyne's stemmer keeps the last word's analysis in the instance: one caller at a time.
_TASHAPHYNE_LOCK = threading.Lock()


def tashaphyne_root(stem: str) -> str | None:
    """Tashaphyne's root when it is in its root dictionary and covers the stem tightly.

    Tashaphyne finds dictionary roots inside many names too (نتنياهو → نوه), so its root counts
    as evidence only when its light stem is the root plus at most one letter (زار ← وزر).
    """
    with _TASHAPHYNE_LOCK:
        light_stemmer = _light_stemmer()
        light = light_stemmer.light_stem(stem_body(stem))
        root = light_stemmer.get_root()
    if light_stemmer.is_root(root) and len(light) <= len(root) + 1 and len(light) >= len(stem_body(stem)) - 1:
        return root
    return None


@lru_cache(maxsize=200_000)
def native_reason(stem: str) -> str | None:
    """Why ``stem`` looks like a native Arabic word, or None when it looks foreign."""
    from tashaphyne.arabicstopwords import is_stop

    if is_stop(stem):
        return "stop word"
    if stem.startswith(("عبد", "ابو")) or "الله" in stem:
        return "Arabic compound name"  # عبدالله/عبدالاله, عطالله: pattern-free but native
    root = pattern_root(stem)
    if root is not None:
        return f"pattern of root {root}"
    root = tashaphyne_root(stem)
    if root is not None:
        return f"tashaphyne root {root}"
    return None


def is_function_word(word: str) -> bool:
    """A preposition, pronoun, particle or auxiliary (من، هو، في، التي، كان): tashaphyne's stop
    list, tried as typed and with hamza restored on a bare alef (الى → إلى، ان → أن).

    Why: a query's function words match nearly every article, so they must not count towards
    how many of its words an article has (``search.query.minimum_should_match``).
    """
    from tashaphyne.arabicstopwords import is_stop  # on first use: a cold CLI need not load it

    if is_stop(word):
        return True
    return word[:1] == "ا" and any(is_stop(seat + word[1:]) for seat in "أإ")
