"""Orthographic normalization of Arabic (and Latin) words: the bottom of the analysis layer.

Imports nothing of the project.  The stemmer (``index/stemmer.py``) works on :func:`clean`'s
output and the tokenizer (``index/analysis.py``) on :func:`normalize_word`'s, so both import
from here and never from each other's module.

* :func:`clean` — clean-up that never loses information a reader would miss: NFKC
  (presentation forms, lam-alef ligatures), tashkeel, tatweel, zero-width and bidi
  controls, hamza-on-alef (أ إ آ ٱ → ا), alef maksura (ى → ي), Persian/Urdu letters,
  Arabic-Indic and Persian digits, Latin case.  Ta marbuta is *kept* here because the
  stemmer needs it: it marks a suffix boundary (مدينة → مدين), and folding it to ha first
  makes ة-words indistinguishable from pronoun-suffixed ones.
* :func:`normalize_word` — ``clean`` plus ة → ه: the form stored in the *exact* fields and
  used for phrases and "did you mean".
"""

from __future__ import annotations

import re
import unicodedata

from pyarabic import araby

__all__ = [
    "ARABIC_MARKS",
    "INVISIBLES",
    "TATWEEL",
    "clean",
    "fold_ta_marbuta",
    "is_arabic",
    "normalize_word",
    "strip_marks",
]

_ARABIC_MARK_RANGES = [(0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06ED), (0x08D3, 0x08FF)]
#: Tashkeel (pyarabic's TASHKEEL: harakat, tanween, shadda, sukun; plus the dagger alef) and
#: every other combining mark of the Arabic blocks (Quranic annotation, extended harakat).
ARABIC_MARKS = "".join(
    dict.fromkeys(
        "".join(araby.TASHKEEL)
        + araby.SMALL_ALEF
        + "".join(
            chr(c) for lo, hi in _ARABIC_MARK_RANGES for c in range(lo, hi + 1) if unicodedata.category(chr(c)) == "Mn"
        )
    )
)
TATWEEL = araby.TATWEEL
#: Invisible characters that scraped text carries inside words: ZWSP/ZWNJ/ZWJ, LRM/RLM,
#: ALM, bidi embeddings/overrides/isolates, BOM, soft hyphen.
INVISIBLES = "\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad"

_FOLD = {
    # hamza on or under alef, madda, wasla → bare alef (pyarabic's normalize_hamza() would
    # give ء: إيران → ءيران, which nobody types)
    araby.ALEF_HAMZA_ABOVE: araby.ALEF,
    araby.ALEF_HAMZA_BELOW: araby.ALEF,
    araby.ALEF_MADDA: araby.ALEF,
    araby.ALEF_WASLA: araby.ALEF,
    "ٲ": araby.ALEF,
    "ٳ": araby.ALEF,
    # alef maksura → ya, the direction news spelling varies in (مستشفى/مستشفي); pyarabic's
    # normalize_alef() goes the other way (ى → ا)
    araby.ALEF_MAKSURA: araby.YEH,
    # Persian / Urdu letter forms met in scraped Arabic text
    "ی": araby.YEH,
    "ې": araby.YEH,
    "ک": araby.KAF,
    "ڪ": araby.KAF,
    "ۀ": araby.TEH_MARBUTA,
    "ە": araby.HEH,
    "ھ": araby.HEH,
    "ہ": araby.HEH,
}
_CLEAN_TABLE: dict[int, int | str | None] = {ord(c): None for c in ARABIC_MARKS + TATWEEL + INVISIBLES}
_CLEAN_TABLE.update({ord(k): v for k, v in _FOLD.items()})
_CLEAN_TABLE.update({0x0660 + i: str(i) for i in range(10)})  # Arabic-Indic digits
_CLEAN_TABLE.update({0x06F0 + i: str(i) for i in range(10)})  # Persian digits

_TA_MARBUTA_TABLE = {ord(araby.TEH_MARBUTA): araby.HEH}
_MARKS_TABLE = {ord(c): None for c in ARABIC_MARKS + TATWEEL + INVISIBLES}

_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
# Presentation forms need NFKC before anything else; skip the call for plain text (fast path).
_NEEDS_NFKC = re.compile("[\ufb50-\ufdff\ufe70-\ufeff\u0653-\u0655]")


def clean(text: str) -> str:
    """Return ``text`` with orthographic noise removed and letter variants folded (ة kept)."""
    if _NEEDS_NFKC.search(text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_CLEAN_TABLE).lower()


def fold_ta_marbuta(text: str) -> str:
    """ة → ه (the exact fields' spelling; the stemmer needs ة kept until it is done)."""
    return text.translate(_TA_MARBUTA_TABLE)


def strip_marks(text: str) -> str:
    """``text`` without tashkeel, tatweel and invisibles, letters untouched (hamza kept)."""
    return text.translate(_MARKS_TABLE)


# A module-level cache (not an attribute: Whoosh pickles analyzers with the schema).  Bounded
# so that indexing an open-ended vocabulary cannot grow memory without limit.
_NORM_CACHE: dict[str, str] = {}
_CACHE_MAX = 2_000_000


def normalize_word(word: str) -> str:
    """The exact-field form of a word: :func:`clean` plus ta marbuta → ha.

    Cached per surface form: news text is Zipfian, so nearly every token of a build is a
    dictionary lookup instead of a regex search and two ``translate`` calls.
    """
    norm = _NORM_CACHE.get(word)
    if norm is None:
        norm = clean(word).translate(_TA_MARBUTA_TABLE)
        if len(_NORM_CACHE) >= _CACHE_MAX:
            _NORM_CACHE.clear()
        _NORM_CACHE[word] = norm
    return norm


def is_arabic(word: str) -> bool:
    """True when the word contains at least one Arabic letter."""
    return _ARABIC_LETTER.search(word) is not None
