"""Where a word becomes a token: Arabic normalization, light stemming and the Whoosh analyzers.

This is the one module that both the indexer (``index/``) and the searcher (``search/``)
import, so the terms written at index time and the terms looked up at query time can never
drift apart.

Three layers, each a plain function so it can be tested and reused outside Whoosh:

* :func:`clean` — orthographic clean-up that never loses information a reader would miss:
  NFKC (presentation forms, lam-alef ligatures), tashkeel, tatweel, zero-width and bidi
  controls, hamza-on-alef (أ إ آ ٱ → ا), alef maksura (ى → ي), Persian/Urdu letters,
  Arabic-Indic and Persian digits, Latin case.  Ta marbuta is *kept* here because the
  stemmer needs it: it marks a suffix boundary (مدينة → مدين), and folding it to ha first
  makes ة-words indistinguishable from pronoun-suffixed ones.
* :func:`normalize_word` — ``clean`` plus ة → ه: the form stored in the *exact* fields and
  used for phrases and "did you mean".
* :func:`stem_word` — light stemming on the cleaned form (see ``search/stemmer.py``) plus
  spelling-variant folding: the form stored in the *stem* fields.

The Whoosh side is a tokenizer that keeps the original characters' offsets (highlighting
needs ``startchar``/``endchar``) and two filters chained with ``|`` as Whoosh's own
``analysis`` package does.  The filters hold no state: Whoosh pickles analyzers into the
schema, so caches live at module level, never on the objects.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from pyarabic import araby
from whoosh.analysis import Composable, Filter, Token, Tokenizer

from search.stemmer import stem_cleaned

__all__ = [
    "ExactAnalyzer",
    "StemAnalyzer",
    "analyze",
    "clean",
    "is_arabic",
    "normalize_word",
    "normalized_terms",
    "stem_terms",
    "stem_word",
    "tokenize",
]

# --- character tables --------------------------------------------------------------------

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

_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
# A token: at least one letter or digit, with any marks, tatweel or invisibles inside (they
# are removed by ``clean`` but must not split a word: "اقــرأ", "مُحاصرة", "لا\u200cتفاصيل").
_INSIDE = "[" + ARABIC_MARKS + TATWEEL + INVISIBLES + "]"
_ALNUM = "[^\\W_" + TATWEEL + "]"
_TOKEN = re.compile(f"{_INSIDE}*{_ALNUM}(?:{_ALNUM}|{_INSIDE})*")
# Presentation forms need NFKC before anything else; skip the call for plain text (fast path).
_NEEDS_NFKC = re.compile("[\ufb50-\ufdff\ufe70-\ufeff\u0653-\u0655]")


def clean(text: str) -> str:
    """Return ``text`` with orthographic noise removed and letter variants folded (ة kept)."""
    if _NEEDS_NFKC.search(text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_CLEAN_TABLE).lower()


# Module-level caches (not attributes: Whoosh pickles analyzers with the schema).  Bounded
# so that indexing an open-ended vocabulary cannot grow memory without limit.
_NORM_CACHE: dict[str, str] = {}
_STEM_CACHE: dict[str, str] = {}
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


_MARKS_TABLE = {ord(c): None for c in ARABIC_MARKS + TATWEEL + INVISIBLES}
# أل / إل (behind at most two proclitics) is part of the word, never the article: ألمانيا, إلغاء.
_HAMZA_AL = re.compile("^[وفبكل]{0,2}[أإآ]ل")


def stem_word(word: str) -> str:
    """The stem-field form of a word (clean → light stem → spelling-variant fold).

    Cached per surface form: the stemmer costs tens of microseconds a word, the cache a
    dictionary lookup.
    """
    stem = _STEM_CACHE.get(word)
    if stem is None:
        hamza_article = _HAMZA_AL.match(word.translate(_MARKS_TABLE)) is not None
        stem = stem_cleaned(clean(word), hamza_article).translate(_TA_MARBUTA_TABLE)
        if len(_STEM_CACHE) >= _CACHE_MAX:
            _STEM_CACHE.clear()
        _STEM_CACHE[word] = stem
    return stem


def tokenize(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield ``(surface, start, end)`` for every word of ``text``; offsets index ``text``."""
    for match in _TOKEN.finditer(text):
        yield match.group(), match.start(), match.end()


def normalized_terms(text: str) -> list[str]:
    """Exact-field terms of ``text`` (one per word)."""
    return [normalize_word(surface) for surface, _, _ in tokenize(text)]


def stem_terms(text: str) -> list[str]:
    """Stem-field terms of ``text`` (one per word)."""
    return [stem_word(surface) for surface, _, _ in tokenize(text)]


def analyze(text: str) -> tuple[list[tuple[str, int, int]], list[str], list[str]]:
    """One pass over ``text`` for everything indexing needs: its tokens, exact and stem terms.

    ``(tokens, exact, stems)`` where ``tokens`` is :func:`tokenize`'s output and
    ``exact[i]`` / ``stems[i]`` are what :class:`ExactAnalyzer` / :class:`StemAnalyzer` make
    of token ``i``.  The indexer feeds both fields and the entity scanner from it instead of
    tokenizing each article three times; the per-token work is two cache lookups.
    """
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    norm_get, stem_get = _NORM_CACHE.get, _STEM_CACHE.get
    exact = [norm_get(surface) or normalize_word(surface) for surface, _, _ in tokens]
    stems = [stem_get(surface) or stem_word(surface) for surface, _, _ in tokens]
    return tokens, exact, stems


# --- Whoosh analyzers --------------------------------------------------------------------


class ArabicTokenizer(Tokenizer):
    """Split text into words, keeping each word's original characters and offsets.

    Highlighting re-runs the analyzer over the stored text and marks the span
    ``startchar:endchar`` of every token whose *analyzed* text matched, so a query for
    ``الرقة`` marks the original ``بالرقة`` in the snippet.
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        for pos, match in enumerate(_TOKEN.finditer(value)):
            token.text = match.group()
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class _WordFilter(Filter):
    """Replace every token's text by ``transform(text)``.

    Stateless (the transform is a module function held by the class), so Whoosh can pickle
    the analyzer into the schema and two analyzers compare equal.
    """

    transform: Callable[[str], str]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        transform = type(self).transform
        for token in tokens:
            token.text = transform(token.text)
            yield token


class NormalizeFilter(_WordFilter):
    """Token text → :func:`normalize_word` (the exact fields)."""

    transform = staticmethod(normalize_word)


class StemFilter(_WordFilter):
    """Token text → :func:`stem_word` (the stem fields)."""

    transform = staticmethod(stem_word)


def ExactAnalyzer() -> Composable:  # noqa: N802 - named like Whoosh's analyzer factories
    """Analyzer of the exact fields: words, normalized, unstemmed."""
    return ArabicTokenizer() | NormalizeFilter()


def StemAnalyzer() -> Composable:  # noqa: N802 - named like Whoosh's analyzer factories
    """Analyzer of the stem fields: words, normalized, light-stemmed, variant-folded."""
    return ArabicTokenizer() | StemFilter()
