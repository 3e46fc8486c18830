"""Search-as-you-type: completions of a prefix from the index's own vocabulary and entity names.

Two per-generation structures keep a keystroke cheap (``/api/suggest``):

* **Words.**  Candidates are the :data:`PRESELECT` words with the prefix that are most
  frequent in the news lexicon shipped with the analysis (``index/data/lexicon.tsv.gz``, a
  prior from 8.8 M words of news, sorted once per process: a prefix is a binary search and
  a partial sort), plus the first :data:`COMPLETE_SCAN` terms with the prefix in the
  index's own sorted dictionary (its names and words no lexicon knows).  Each is ranked by
  its document frequency *in this index* — words the index lacks drop out — so a
  one-letter prefix costs a hundred lookups, not thousands, and is not biased towards the
  alphabet's first letters.
* **Entities.**  Every entity name and alias that the index's facets hold, normalized and
  sorted once per index generation: a prefix is a binary search.

Layer: the read side.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cache

import numpy as np

from index.analysis import normalize_word
from index.contract import EXACT_FIELDS
from index.stemmer import lexicon_forms
from search.backend import IndexView
from search.profiles import entity_list
from search.spelling import popularities

__all__ = ["COMPLETE_SCAN", "EntityNames", "complete", "complete_entities"]

#: Index terms read per field for one completion (its own words; bounded for short prefixes).
COMPLETE_SCAN = 200
#: Lexicon words with the prefix whose index document frequency is looked up.
PRESELECT = 60


@cache
def _lexicon_prefixes() -> tuple[list[str], np.ndarray]:
    """The lexicon's words normalized (as the exact fields hold them), sorted, and their counts."""
    counts: dict[str, int] = {}
    for form, count in lexicon_forms():
        key = normalize_word(form)
        counts[key] = counts.get(key, 0) + count
    words = sorted(counts)
    return words, np.array([counts[w] for w in words], dtype=np.int64)


def _lexicon_candidates(norm: str) -> list[str]:
    words, counts = _lexicon_prefixes()
    low = bisect.bisect_left(words, norm)
    high = bisect.bisect_left(words, norm + "\U0010ffff", low)
    if high - low <= PRESELECT:
        return words[low:high]
    top = np.argpartition(counts[low:high], (high - low) - PRESELECT)[(high - low) - PRESELECT :]
    return [words[low + i] for i in top.tolist()]


def complete(view: IndexView, prefix: str, limit: int = 8) -> list[str]:
    """Title and content words starting with ``prefix`` (normalized), most documents first.

    The exact fields hold normalized words, so the completions are normalized too (الرقه,
    not الرقة).
    """
    norm = normalize_word(prefix.strip())
    if not norm:
        return []
    terms = set(_lexicon_candidates(norm))
    for field in EXACT_FIELDS:
        terms.update(view.prefix_terms(field, norm, COMPLETE_SCAN))
    ordered = sorted(terms)
    scored = list(zip(popularities(view, EXACT_FIELDS, ordered), ordered, strict=True))
    ranked = sorted((item for item in scored if item[0]), key=lambda item: (-item[0], item[1]))
    return [term for _, term in ranked[:limit]]


def _key(text: str) -> str:
    """How a name compares with what was typed: each word normalized, lower case for Latin."""
    return " ".join(normalize_word(word) for word in text.split()).lower()


@dataclass(frozen=True)
class EntityNames:
    """Every entity name and alias of one index generation, by normalized spelling."""

    keys: tuple[str, ...]
    names: tuple[tuple[str, int, int], ...]  # (name as shown, documents, rank of its entity)

    @classmethod
    def build(cls, view: IndexView) -> EntityNames:
        rows: list[tuple[str, str, int, int]] = []
        for rank, row in enumerate(entity_list(view)):
            for name in dict.fromkeys((row.name, *row.aliases)):
                rows.append((_key(name), name, row.count, rank))
        rows.sort()
        return cls(tuple(r[0] for r in rows), tuple((r[1], r[2], r[3]) for r in rows))

    def starting(self, prefix: str, limit: int) -> list[str]:
        """Names starting with ``prefix``, their entities' most documents first."""
        key = _key(prefix)
        if not key:
            return []
        low = bisect.bisect_left(self.keys, key)
        high = bisect.bisect_left(self.keys, key + "\U0010ffff", low)
        found = sorted(self.names[low:high], key=lambda item: (item[2], item[0]))
        return list(dict.fromkeys(name for name, _, _ in found))[:limit]


def complete_entities(view: IndexView, prefix: str, limit: int = 4) -> list[str]:
    """Entity names and aliases in the index that start with ``prefix``, most documents first."""
    names = view.memo("entity-names", lambda: EntityNames.build(view))
    return names.starting(prefix, limit)
