"""Which articles tell one story: wire copies found while indexing, one story id per article.

One agency story (SPA/واس) printed by five papers is five articles with (nearly) the same
body.  The read side collapses each story to its best-ranked article, so the write side must
say which articles belong together, once, at index time.

**The rule.**  Articles are taken in index order.  An article joins the story of its most
similar earlier article when, over their bodies' word 5-shingles (MinHash, :data:`NUM_PERM`
permutations),

* the estimated Jaccard similarity is at least :data:`THRESHOLD`, or
* the estimated containment of the smaller body in the other is at least
  :data:`CONTAINMENT` and the other is at most :data:`MAX_SIZE_RATIO` times its size (a paper
  that printed only the first part of the wire text — not a digest that quotes many items);

otherwise it starts a new story, whose id is its own id.  Candidates come from LSH bands and
from an exact key, the first :data:`OPENING_WORDS` words.  An identical opening alone does
not merge: on SaudiNewsNet it also joined daily weather reports of different days, two
audiences of one official on one day and a weekly page's fixed introduction (measured with
``benchmarks/collapse.py``); it must come with containment.  Words are the project's one
analysis (``index.analysis``: its tokenizer, and :func:`~index.analysis.normalize_word` —
hamza, ة/ه, diacritics and tatweel folded), so a copy retyped with other hamza seats is
still a copy.  A body of fewer than
:data:`MIN_WORDS` words says too little and always starts its own story.

Because the rule is greedy in index order, a full build and a build followed by incremental
updates give the same stories: an update joins new articles to the stories already there.
What that needs — every article's signature, opening key and story — is saved with each
commit as ``stories.npz`` (plain arrays, no pickle) in the generation directory.  A missing
or stale file (a crash between the index's commit and the file's) is rebuilt from the
articles' stored text and story ids.  A deleted article leaves the table; its story id stays
valid for the articles still in that story.

**Why not datasketch.**  Its MinHash hashes each shingle with SHA-1 in Python and its LSH
keeps buckets as Python dicts persisted by pickle, and it pulls in SciPy (a 35 MB wheel)
only to choose LSH band sizes.  The same MinHash is a few lines of numpy here: a 64-bit
hash per word, shingle hashes as a weighted sum of word hashes, and multiply-add-shift
permutations, all vectorized; candidates come from LSH bands kept in sorted numpy arrays.

Layer: the write side.  Imports the analysis layer only.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.analysis import TOKEN_RE, normalize_word

__all__ = [
    "CONTAINMENT",
    "MIN_WORDS",
    "NUM_PERM",
    "OPENING_WORDS",
    "SHINGLE",
    "STORY_FILE",
    "THRESHOLD",
    "StoryTable",
    "StoryText",
    "story_text",
]

#: Words per shingle.
SHINGLE = 5
#: MinHash permutations (a signature is this many uint32).
NUM_PERM = 64
#: LSH: the signature is cut into bands of this many values; two articles sharing one whole
#: band are compared.  32 bands of 2: an article pair at Jaccard 0.5 is compared with
#: probability 1 − (1 − 0.5²)³² > 0.9999, at 0.3 with 0.95.
BAND_ROWS = 2
#: Estimated Jaccard of 5-shingles from which two bodies are one story.
THRESHOLD = 0.5
#: Estimated share of the smaller body's 5-shingles found in the other, from which two bodies
#: are one story (a truncated copy).  Containment is J·(|A|+|B|) / ((1+J)·min(|A|, |B|)).
CONTAINMENT = 0.8
#: A body many times longer than another that contains it is a digest or a round-up of several
#: items, not a copy: containment counts only up to this ratio of shingle counts.
MAX_SIZE_RATIO = 3
#: Identical first words that make two bodies one story whatever follows.
OPENING_WORDS = 25
#: Bodies shorter than this never join a story (and no story joins them).
MIN_WORDS = 8
#: The saved table inside a generation directory.
STORY_FILE = "stories.npz"
#: Bumped when the file layout or the rule changes: older files are then rebuilt.
STORY_FILE_FORMAT = 2

_SEPARATOR = "\x00"
_rng = np.random.default_rng(20261201)  # fixed: signatures must be the same in every process
_MULTIPLY = _rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd
_ADD = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_POSITION = _rng.integers(1, 2**63, SHINGLE, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_BANDS = NUM_PERM // BAND_ROWS
_BAND_SALT = _rng.integers(0, 2**63, _BANDS, dtype=np.uint64)
_WORD_HASHES: dict[str, int] = {}
_CACHE_MAX = 1_000_000


@dataclass(frozen=True)
class StoryText:
    """What the rule compares of one article: its MinHash signature and opening key."""

    #: ``NUM_PERM`` uint32, or None for a body under :data:`MIN_WORDS` words.
    signature: np.ndarray | None
    #: A 63-bit hash of the first :data:`OPENING_WORDS` words; 0 for a shorter body.
    opening: int
    #: Distinct shingles of the body (for containment).
    size: int = 0


def story_text(title: str, content: str) -> StoryText:
    """The signature and opening key of an article's body (its title when the body is empty).

    Titles are left out otherwise: each paper writes its own headline over the same wire text.
    """
    words = TOKEN_RE.findall(content) or TOKEN_RE.findall(title)
    if len(words) < MIN_WORDS:
        return StoryText(None, 0)
    get = _WORD_HASHES.get
    hashes = np.array([get(word) or _word_hash(word) for word in words], dtype=np.uint64)
    signature, size = _signature(hashes)
    return StoryText(signature, _opening_key([normalize_word(w) for w in words[:OPENING_WORDS]]), size)


def _word_hash(word: str) -> int:
    """A stable 64-bit hash of a word's normalized form (never 0), cached per written form.

    The build's parent process computes one per word of every article, so the cache is
    keyed by the word as written: one dictionary lookup per word once it is warm.
    """
    digest = hashlib.blake2b(normalize_word(word).encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little") or 1
    if len(_WORD_HASHES) >= _CACHE_MAX:
        _WORD_HASHES.clear()
    _WORD_HASHES[word] = value
    return value


def _signature(hashes: np.ndarray) -> tuple[np.ndarray, int]:
    """MinHash of the word :data:`SHINGLE`-shingles (per permutation, the smallest hash), and how many there are."""
    count = len(hashes) - SHINGLE + 1
    shingles = hashes[:count] * _POSITION[0]  # uint64 arithmetic wraps: a hash, not a number
    for i in range(1, SHINGLE):
        shingles += hashes[i : i + count] * _POSITION[i]
    distinct = np.unique(shingles)
    permuted = np.multiply.outer(distinct, _MULTIPLY)
    permuted += _ADD
    # The top 32 bits of each permuted value (multiply-add-shift hashing); the shift is monotone,
    # so it can follow the minimum.
    return (permuted.min(axis=0) >> np.uint64(32)).astype(np.uint32), len(distinct)


def _opening_key(terms: list[str]) -> int:
    if len(terms) < OPENING_WORDS:
        return 0
    digest = hashlib.blake2b(" ".join(terms[:OPENING_WORDS]).encode("utf-8"), digest_size=8).digest()
    return (int.from_bytes(digest, "little") >> 1) or 1  # 0 means "no key"


def _band_keys(signature: np.ndarray) -> np.ndarray:
    """One uint64 per LSH band: its two values side by side, salted by the band's number."""
    pairs = signature.astype(np.uint64).reshape(_BANDS, BAND_ROWS)
    return (pairs[:, 0] << np.uint64(32) | pairs[:, 1]) ^ _BAND_SALT


class _Buckets:
    """LSH buckets: band key → rows, in sorted numpy arrays plus a small dict of recent rows.

    A Python dict of every band key would cost ~75 MB on 31k articles; sorted arrays cost
    12 bytes a key.  New keys wait in a dict and are merged in every :data:`MERGE_EVERY` rows.
    """

    MERGE_EVERY = 2000

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.uint64)
        self.rows = np.empty(0, dtype=np.int64)
        self.recent: dict[int, list[int]] = {}
        self.recent_rows = 0

    def add(self, keys: np.ndarray, row: int) -> None:
        for key in keys.tolist():
            self.recent.setdefault(key, []).append(row)
        self.recent_rows += 1
        if self.recent_rows >= self.MERGE_EVERY:
            self._merge()

    def add_many(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Rows ``rows[i]`` with band keys ``keys[i]`` (a loaded table), merged at once."""
        self._merge(keys.reshape(-1), np.repeat(rows, _BANDS))

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Rows sharing at least one band key with ``keys``."""
        found: list[np.ndarray] = []
        if len(self.keys):
            lo = np.searchsorted(self.keys, keys, "left")
            hi = np.searchsorted(self.keys, keys, "right")
            found += [self.rows[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
        get = self.recent.get
        found += [np.array(rows, dtype=np.int64) for rows in map(get, keys.tolist()) if rows]
        return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)

    def _merge(self, keys: np.ndarray | None = None, rows: np.ndarray | None = None) -> None:
        new_keys = [self.keys, np.fromiter(_repeat_keys(self.recent), dtype=np.uint64)]
        new_rows = [self.rows, np.fromiter((r for rs in self.recent.values() for r in rs), dtype=np.int64)]
        if keys is not None and rows is not None:
            new_keys.append(keys)
            new_rows.append(rows)
        all_keys, all_rows = np.concatenate(new_keys), np.concatenate(new_rows)
        order = np.argsort(all_keys, kind="stable")
        self.keys, self.rows = all_keys[order], all_rows[order]
        self.recent, self.recent_rows = {}, 0


def _repeat_keys(recent: dict[int, list[int]]) -> Iterator[int]:
    for key, rows in recent.items():
        for _ in rows:
            yield key


class StoryTable:
    """Every indexed article's story, signature and opening key, in index order.

    :meth:`assign` applies the rule to the next article; :meth:`remove` drops deleted or
    replaced articles (their rows stay, marked dead, so row numbers never move until saved).
    """

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.stories: list[str] = []
        self.openings: list[int] = []
        self.row_of: dict[str, int] = {}
        self._signatures = np.zeros((1024, NUM_PERM), dtype=np.uint32)
        self._alive = np.zeros(1024, dtype=bool)
        self._sizes = np.zeros(1024, dtype=np.int64)
        self._has_signature: list[bool] = []
        self._by_opening: dict[int, int] = {}
        self._buckets = _Buckets()

    def __len__(self) -> int:
        return len(self.row_of)

    def assign(self, doc_id: str, text: StoryText) -> str:
        """The story of the next article (added to the table): the best earlier match's, else its own id."""
        self.remove([doc_id])  # re-indexing an id replaces it
        best = self._best_match(text)
        story = doc_id if best is None else self.stories[best]
        self._append(doc_id, story, text)
        return story

    def remove(self, ids: Iterable[str]) -> None:
        """Drop these articles (unknown ids are ignored); their story ids stay with the others."""
        for doc_id in ids:
            row = self.row_of.pop(doc_id, None)
            if row is not None:
                self._alive[row] = False
                if self._by_opening.get(self.openings[row]) == row:
                    del self._by_opening[self.openings[row]]

    def _best_match(self, text: StoryText) -> int | None:
        """The earlier row the rule joins, or None."""
        if text.signature is None:
            return None
        candidates = self._buckets.find(_band_keys(text.signature))
        opening = self._by_opening.get(text.opening) if text.opening else None
        if opening is not None:
            candidates = np.union1d(candidates, [opening])
        if not len(candidates):
            return None
        candidates = candidates[self._alive[candidates]]
        similarity = (self._signatures[candidates] == text.signature).mean(axis=1)
        sizes = self._sizes[candidates]
        smaller = np.maximum(1, np.minimum(sizes, text.size))
        containment = similarity * (sizes + text.size) / ((1 + similarity) * smaller)
        comparable = np.maximum(sizes, text.size) <= MAX_SIZE_RATIO * smaller
        joins = (similarity >= THRESHOLD) | ((containment >= CONTAINMENT) & comparable)
        if not joins.any():
            return None
        candidates, similarity = candidates[joins], similarity[joins]
        return int(candidates[np.lexsort((candidates, -similarity))[0]])  # most similar, then earliest

    def _append(self, doc_id: str, story: str, text: StoryText) -> None:
        row = len(self.ids)
        if row >= len(self._signatures):
            self._grow()
        self.ids.append(doc_id)
        self.stories.append(story)
        self.openings.append(text.opening)
        self._alive[row] = True
        self._sizes[row] = text.size
        self._has_signature.append(text.signature is not None)
        self.row_of[doc_id] = row
        if text.signature is not None:
            self._signatures[row] = text.signature
            self._buckets.add(_band_keys(text.signature), row)
            if text.opening:
                self._by_opening.setdefault(text.opening, row)

    def _grow(self) -> None:
        size = len(self._signatures)
        signatures = np.zeros((2 * size, NUM_PERM), dtype=np.uint32)
        signatures[:size] = self._signatures
        alive = np.zeros(2 * size, dtype=bool)
        alive[:size] = self._alive
        sizes = np.zeros(2 * size, dtype=np.int64)
        sizes[:size] = self._sizes
        self._signatures, self._alive, self._sizes = signatures, alive, sizes

    # -- saving and loading

    def arrays(self) -> dict[str, np.ndarray]:
        """The live rows as plain arrays, in index order (what :meth:`save` writes)."""
        rows = np.flatnonzero(self._alive[: len(self.ids)]).tolist()
        return {
            "ids": _joined([self.ids[r] for r in rows]),
            "stories": _joined([self.stories[r] for r in rows]),
            "signatures": self._signatures[rows],
            "has_signature": np.array([self._has_signature[r] for r in rows], dtype=bool),
            "openings": np.array([self.openings[r] for r in rows], dtype=np.uint64),
            "sizes": self._sizes[rows],
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray] | np.lib.npyio.NpzFile) -> StoryTable:
        """The table of :meth:`arrays`; ValueError when the arrays do not fit together."""
        ids, stories = _split(arrays["ids"]), _split(arrays["stories"])
        signatures = np.asarray(arrays["signatures"], dtype=np.uint32)
        has_signature = np.asarray(arrays["has_signature"], dtype=bool)
        openings = np.asarray(arrays["openings"], dtype=np.uint64)
        sizes = np.asarray(arrays["sizes"], dtype=np.int64)
        if not len(ids) == len(stories) == len(signatures) == len(has_signature) == len(openings) == len(sizes):
            raise ValueError("the story table's arrays differ in length")
        if signatures.ndim != 2 or signatures.shape[1] != NUM_PERM:
            raise ValueError("the story table's signatures have the wrong shape")
        table = cls()
        table.ids, table.stories = ids, stories
        table.openings = openings.tolist()
        table.row_of = {doc_id: row for row, doc_id in enumerate(ids)}
        table._signatures = np.concatenate([signatures, np.zeros((1024, NUM_PERM), dtype=np.uint32)])
        table._alive = np.zeros(len(table._signatures), dtype=bool)
        table._alive[: len(ids)] = True
        table._sizes = np.zeros(len(table._signatures), dtype=np.int64)
        table._sizes[: len(ids)] = sizes
        table._has_signature = has_signature.tolist()
        rows = np.flatnonzero(has_signature)
        if len(rows):
            pairs = signatures[rows].astype(np.uint64).reshape(len(rows), _BANDS, BAND_ROWS)
            keys = (pairs[:, :, 0] << np.uint64(32) | pairs[:, :, 1]) ^ _BAND_SALT[None, :]
            table._buckets.add_many(keys, rows)
        for row in reversed(rows.tolist()):  # the earliest row of an opening wins
            if table.openings[row]:
                table._by_opening[table.openings[row]] = row
        return table

    def save(self, generation_dir: str | Path, key: dict) -> Path:
        """Write the table into ``generation_dir`` atomically, tagged with ``key`` (the commit it is for)."""
        target = Path(generation_dir) / STORY_FILE
        temp = target.with_name(f".{STORY_FILE}.{os.getpid()}.tmp")
        tag = json.dumps({"format": STORY_FILE_FORMAT, **key}).encode("utf-8")
        try:
            with open(temp, "wb") as out:
                np.savez(out, key=np.frombuffer(tag, dtype=np.uint8), **self.arrays())
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return target

    @classmethod
    def load(cls, generation_dir: str | Path, key: dict) -> StoryTable | None:
        """The saved table if it was written for exactly ``key``; None when missing, stale or damaged."""
        path = Path(generation_dir) / STORY_FILE
        try:
            with open(path, "rb") as f, np.load(f, allow_pickle=False) as arrays:
                if json.loads(bytes(arrays["key"]).decode("utf-8")) != {"format": STORY_FILE_FORMAT, **key}:
                    return None
                return cls.from_arrays(arrays)
        except (OSError, ValueError, KeyError, EOFError):
            return None

    @classmethod
    def from_articles(cls, articles: Iterable[tuple[str, str, str, str]]) -> StoryTable:
        """The table of indexed articles ``(id, title, content, story)`` in index order, stories kept as they are.

        How a lost or stale file is recovered: the signatures come from the stored text, the
        stories from the index, so nothing already indexed changes story.
        """
        table = cls()
        for doc_id, title, content, story in articles:
            table.remove([doc_id])
            table._append(doc_id, story or doc_id, story_text(title, content))
        return table


def _joined(values: list[str]) -> np.ndarray:
    return np.frombuffer(_SEPARATOR.join(values).encode("utf-8"), dtype=np.uint8)


def _split(raw: np.ndarray) -> list[str]:
    text = bytes(np.asarray(raw, dtype=np.uint8)).decode("utf-8")
    return text.split(_SEPARATOR) if text else []
