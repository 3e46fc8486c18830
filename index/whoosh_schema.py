"""The Whoosh form of the index contract: schema, analyzers and an article's field values.

The fields and boosts are the contract's (``index/contract.py``); this module says how Whoosh
stores them.  The title and content are analyzed once by the project's analysis and handed to
Whoosh as term lists (:class:`AnalyzedText`); the analyzers below are what Whoosh runs on
text given as a string (a query-time re-analysis, "more like this"), and they call the same
functions, so both paths give the same terms.

The analyzers follow Whoosh's own ``analysis`` package: a tokenizer that keeps the original
characters' offsets (highlighting needs ``startchar``/``endchar``) and two filters chained
with ``|``.  They hold no state: Whoosh pickles analyzers into the schema, so caches live at
module level in the analysis layer, never on these objects.

Layer: the index contract (Whoosh).  Imports the analysis layer and ``index.contract``.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

from whoosh.analysis import Composable, Filter, Token, Tokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from index.analysis import TOKEN_RE, normalize_word, root_word, stem_word
from index.contract import ENTITY_TYPES, FIELD_BOOSTS, ROOT_FIELD, IndexDocument

__all__ = ["ExactAnalyzer", "RootAnalyzer", "StemAnalyzer", "make_schema", "whoosh_fields"]


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
        for pos, match in enumerate(TOKEN_RE.finditer(value)):
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
    """Token text → :func:`~index.analysis.normalize_word` (the exact fields)."""

    transform = staticmethod(normalize_word)


class StemFilter(_WordFilter):
    """Token text → :func:`~index.analysis.stem_word` (the stem fields)."""

    transform = staticmethod(stem_word)


class RootFilter(_WordFilter):
    """Token text → :func:`~index.analysis.root_word`; words without a root are dropped."""

    transform = staticmethod(root_word)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            root = root_word(token.text)
            if root:
                token.text = root
                yield token


def ExactAnalyzer() -> Composable:  # noqa: N802 - named like Whoosh's analyzer factories
    """Analyzer of the exact fields: words, normalized, unstemmed."""
    return ArabicTokenizer() | NormalizeFilter()


def StemAnalyzer() -> Composable:  # noqa: N802 - named like Whoosh's analyzer factories
    """Analyzer of the stem fields: words, normalized, light-stemmed, variant-folded."""
    return ArabicTokenizer() | StemFilter()


def RootAnalyzer() -> Composable:  # noqa: N802 - named like Whoosh's analyzer factories
    """Analyzer of the root field: words → their Arabic roots (كتاب، مكتبة → كتب)."""
    return ArabicTokenizer() | RootFilter()


class AnalyzedText(TEXT):
    """A ``TEXT`` field that also accepts its terms already analyzed, as a list.

    :func:`whoosh_fields` hands the exact field and the stem field their term lists
    (``IndexDocument``); Whoosh's own path would run the analyzer again for each field and
    build a ``Token`` object per word.  The postings are the same as the analyzer's
    (``tests/test_index.py`` compares them): one per distinct term, its positions,
    frequency and weight.  A string value still goes through the analyzer.
    """

    def index(self, value: Any, **kwargs: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
        """``(term bytes, frequency, weight, encoded positions)`` per distinct term of ``value``."""
        if not isinstance(value, list):
            return super().index(value, **kwargs)
        fmt = self.format
        if type(fmt) is Frequency:  # the root field: how often, not where (Frequency.word_values)
            boost = fmt.field_boost
            return [(term.encode("utf-8"), n, n * boost, pack_uint(n)) for term, n in Counter(value).items()]
        positions: dict[str, list[int]] = {}
        get = positions.get
        for pos, term in enumerate(value):
            slot = get(term)
            if slot is None:
                positions[term] = [pos]
            else:
                slot.append(pos)
        boost, encode = fmt.field_boost, fmt.encode
        if type(fmt) is not Positions:  # a field without positions: Whoosh's encoding as it is
            return [(term.encode("utf-8"), len(p), len(p) * boost, encode(p)) for term, p in positions.items()]
        single = _SINGLE_POSITION.get
        return [
            (
                term.encode("utf-8"),
                len(p),
                len(p) * boost,
                (single(p[0]) or _encode_single(p[0])) if len(p) == 1 else _encode_positions(p),
            )
            for term, p in positions.items()
        ]


def _encode_positions(positions: list[int]) -> bytes:
    """``Positions().encode(positions)`` (count, then the pickled deltas) without its Python loop."""
    deltas = [b - a for a, b in zip(chain((0,), positions), positions, strict=False)]  # stops with positions
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


#: ``Positions().encode([pos])`` by position: most terms occur once in a document, and the
#: encoding of a one-position list depends only on the position (bounded by text length).
_SINGLE_POSITION: dict[int, bytes] = {}


def _encode_single(pos: int) -> bytes:
    value = _SINGLE_POSITION[pos] = Positions().encode([pos])
    return value


def make_schema() -> Schema:
    """The Whoosh schema of an article index."""
    exact = ExactAnalyzer()
    stem = StemAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=AnalyzedText(analyzer=exact, stored=True, phrase=True, field_boost=FIELD_BOOSTS["title"]),
        title_stem=AnalyzedText(analyzer=stem, phrase=True, field_boost=FIELD_BOOSTS["title_stem"]),
        content=AnalyzedText(analyzer=exact, stored=True, phrase=True, field_boost=FIELD_BOOSTS["content"]),
        content_stem=AnalyzedText(analyzer=stem, phrase=True, field_boost=FIELD_BOOSTS["content_stem"]),
        **{ROOT_FIELD: AnalyzedText(analyzer=RootAnalyzer(), phrase=False)},
        date=DATETIME(stored=True, sortable=True),
        source=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        month=ID(stored=True, sortable=True),
        # A column, so the read side loads every document's story at once to collapse copies.
        story=ID(stored=True, sortable=True),
        **{kind: _names_field() for kind in ENTITY_TYPES},
        url=STORED(),
        author=STORED(),
        origin=STORED(),
    )


def _names_field() -> KEYWORD:
    """A multi-valued facet: canonical names joined by commas, each one exact term."""
    return KEYWORD(stored=True, commas=True, lowercase=False, scorable=False)


def whoosh_fields(doc: IndexDocument) -> dict[str, Any]:
    """The field values of one document, ready for ``writer.update_document(**fields)``.

    The exact and stem fields get their term lists; the original text is stored through
    Whoosh's ``_stored_<field>`` values.
    """
    fields: dict[str, Any] = {
        "id": doc.id,
        "title": doc.title_terms,
        "_stored_title": doc.title,
        "title_stem": doc.title_stems,
        "content": doc.content_terms,
        "_stored_content": doc.content,
        "content_stem": doc.content_stems,
        ROOT_FIELD: doc.roots,
        "url": doc.url or "",
        "author": doc.author or "",
        "origin": doc.origin,
        "story": doc.story or doc.id,
    }
    if doc.source:
        fields["source"] = doc.source.replace(",", " ")
    if doc.date:
        fields["date"] = doc.date
        fields["month"] = doc.month
    for kind in ENTITY_TYPES:
        names = dict.fromkeys(n.replace(",", " ").strip() for n in doc.entities.get(kind, ()))
        names.pop("", None)
        if names:
            fields[kind] = ",".join(names)
    return fields
