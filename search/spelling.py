"""Did you mean: a query with its suspected typos replaced, when that finds more articles.

A word is suspect when almost no article contains it in any form; its replacement is a far
more frequent vocabulary word one edit away (or two, for long words), looked up through the
backend's term statistics, so it works on any backend.

Layer: the read side.
"""

from __future__ import annotations

from index.analysis import is_arabic, normalize_word, stem_word
from index.contract import EXACT_FIELDS, STEM_FIELDS
from search.backend import Filters, IndexView
from search.errors import QueryError
from search.query import ParsedQuery, analyze_query

__all__ = ["SUGGEST_BELOW", "better_word", "suggest"]

#: "Did you mean" is computed only when the query found fewer documents than this.
SUGGEST_BELOW = 5
#: A query word is a suspected typo when fewer documents than this contain it (in any form).
SUSPECT_DF = 3
#: A replacement must be in at least ``RATIO × df(word) + 1`` documents.
REPLACEMENT_RATIO = 10
#: Distance-2 corrections are tried only for words at least this long (shorter ones have
#: too many neighbours at distance 2 to guess from).
MIN_LEN_DISTANCE_2 = 5
#: Normalized letters (no hamza-on-alef, ة or ى: normalize_word folds them away).
ARABIC_LETTERS = "ءؤئابتثجحخدذرزسشصضطظعغفقكلمنهوي"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def suggest(view: IndexView, parsed: ParsedQuery, total: int, filters: Filters) -> str | None:
    """The query with suspected typos replaced, if that finds more documents (same filters)."""
    text = parsed.text
    changed = False
    for word in sorted(parsed.words, key=lambda w: w.start, reverse=True):
        better = better_word(view, word.text)
        if better is not None:
            text = text[: word.start] + better + text[word.end :]
            changed = True
    if not changed:
        return None
    try:
        corrected = analyze_query(text)
    except QueryError:
        return None
    found = view.count(corrected.tree, filters)
    return text.strip() if found > total else None


def popularity(view: IndexView, fields: tuple[str, ...], text: str) -> int:
    """Documents containing ``text`` in the most-used of ``fields``."""
    return max((view.doc_frequency(f, text) for f in fields), default=0)


def popularities(view: IndexView, fields: tuple[str, ...], texts: list[str]) -> list[int]:
    """:func:`popularity` of each of ``texts``, asked of the backend in one batch per field
    (a remote backend answers hundreds of candidates in one request, not hundreds)."""
    per_field = [view.doc_frequencies(f, texts) for f in fields]
    return [max((found.get(t, 0) for found in per_field), default=0) for t in texts]


def _edits1(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion from ``word``."""
    letters = ARABIC_LETTERS if is_arabic(word) else LATIN_LETTERS
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return out


def better_word(view: IndexView, word: str) -> str | None:
    """A far more frequent normalized vocabulary word close to ``word``, or None.

    Distance 1 is generated (a few hundred candidates, each one term lookup); distance 2 goes
    through the backend's own edit-distance search with a shared prefix, which is what keeps
    it fast on a large vocabulary.
    """
    norm = normalize_word(word)
    if len(norm) < 3 or norm.isdigit():
        return None
    own = max(popularity(view, EXACT_FIELDS, norm), popularity(view, STEM_FIELDS, stem_word(word)))
    if own >= SUSPECT_DF:
        return None
    need = REPLACEMENT_RATIO * own + 1
    found = _most_popular(view, _edits1(norm), need)
    if found is None and len(norm) >= MIN_LEN_DISTANCE_2:
        prefix = 3 if norm.startswith("ال") else 1
        candidates = set(view.terms_within("content", norm, 2, prefix)) - {norm}
        found = _most_popular(view, candidates, need)
    return found


def _most_popular(view: IndexView, candidates: set[str], need: int) -> str | None:
    """The candidate in most documents (at least ``need``); ties alphabetically, for stable output."""
    ordered = sorted(candidates)
    scored = list(zip(popularities(view, EXACT_FIELDS, ordered), ordered, strict=True))
    scored = [(df, c) for df, c in scored if df >= need]
    if not scored:
        return None
    return min(scored, key=lambda item: (-item[0], item[1]))[1]
