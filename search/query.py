"""The query language: one parser for the CLI, the web page and the API.

Whoosh's own ``QueryParser`` "repairs" what it cannot read — an unclosed quote or
parenthesis silently changes the meaning, ``*`` alone expands to every term — and it knows
nothing of Arabic quotes or of the two analyses every word needs.  This module is a small
recursive-descent parser instead; it builds Whoosh query objects directly and rejects
malformed input with a :class:`QueryError` whose message can be shown to the user as is.

Syntax (see the README for examples)::

    داعش الرقة              all words must match (AND)
    داعش OR النصرة          either; AND binds tighter than OR
    داعش NOT الرقة, -الرقة  exclude; +word is accepted and means "required" (the default)
    "دير الزور" «دير الزور» “دير الزور”   phrases
    ( … )                   grouping
    title:… source:… date:… id:…         fields; date:2017, date:[2017-05 to 2017-11]
    إدل*  م?ليشيات           wildcards on the normalized word (at least 2 letters, not first)

Only upper-case Latin ``AND``/``OR``/``NOT`` are operators: Arabic ``او`` is an ordinary
word in news text and must stay searchable.

Each word matches if it matches any of the four text fields: the *exact* fields under
:func:`~search.analysis.normalize_word`, the *stem* fields under
:func:`~search.analysis.stem_word`.  The field boosts of ``index.schema.FIELD_BOOSTS`` are
*not* repeated here: the schema already multiplies each posting's weight by them at index
time, which is what makes Whoosh's BM25 a BM25F (boost applied before tf saturation).
Multiplying again at query time would square them (title 16× a stem-only body match).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.reading import IndexReader
from whoosh.util.times import TimeError as WhooshTimeError
from whoosh.util.times import adatetime, datetime_to_long

from index.entities import resolve_alias
from index.schema import EXACT_FIELDS, STEM_FIELDS
from search.analysis import INVISIBLES, clean, normalize_word, stem_word, tokenize

__all__ = [
    "MAX_EXPANSIONS",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "ParsedQuery",
    "QueryError",
    "QueryWord",
    "SourceQuery",
    "WildcardQuery",
    "analyze_query",
    "check_expansions",
    "parse_query",
]

MAX_QUERY_CHARS = 1000
#: Words (including phrase words and field values) in one query.
MAX_TERMS = 64
#: Nested parentheses / NOTs; deeper is never a real query and risks deep recursion.
MAX_DEPTH = 32
#: Distinct index terms one wildcard may expand to, per field.
MAX_EXPANSIONS = 512
#: Distinct index terms all the wildcards of one query may expand to, over all fields: each
#: expanded term is one more posting list to merge, and Whoosh builds those matchers before
#: the time limit can interrupt anything.
MAX_TOTAL_EXPANSIONS = 2048
#: Non-wildcard characters a pattern needs, so ``a*`` cannot expand to a tenth of the lexicon.
MIN_WILDCARD_LITERALS = 2

OPERATORS = frozenset({"AND", "OR", "NOT"})
USER_FIELDS = ("title", "source", "date", "id")
#: Opening quote → the characters that close it.  Guillemets and curly quotes are accepted
#: in either direction because right-to-left typing often produces »…« and ”…“.
QUOTES = {'"': '"', "«": "«»", "»": "«»", "“": "“”", "”": "“”"}
_FIELD_RE = re.compile(r"([A-Za-z_]+):(.*)", re.DOTALL)
_SEPARATOR_RE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_STRIP_TABLE = {ord(c): None for c in INVISIBLES}
_WILDCARDS = "*?"
_PATTERN_EDGE_RE = re.compile(r"^[^\w*?]+|[^\w*?]+$")
_PATTERN_BODY_RE = re.compile(r"[^\W_]|[*?]")
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?|(\d{4})(\d{2})(\d{2})?")
_RANGE_RE = re.compile(r"\s*(\S*?)\s*\bto\b\s*(\S*)\s*", re.IGNORECASE)


class QueryError(ValueError):
    """A query the user has to change; ``str(error)`` is a one-line English message."""


@dataclass(frozen=True)
class QueryWord:
    """A plain, positive, single word of the query and where it is in the query text.

    Kept so that "did you mean" can replace one misspelled word and leave the rest of
    what the user typed exactly as it was.
    """

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class ParsedQuery:
    """The Whoosh query plus what the engine needs to suggest a correction and to report
    which words were understood as a known entity (``{"query", "type", "entity"}``)."""

    text: str  # the query text after removing control and invisible characters
    query: wq.Query
    words: tuple[QueryWord, ...] = field(default=())
    aliases: tuple[dict[str, str], ...] = field(default=())


def parse_query(text: str, schema: Schema) -> wq.Query:
    """Parse ``text`` into a Whoosh query over ``schema``; malformed input → :class:`QueryError`."""
    return analyze_query(text, schema).query


def analyze_query(text: str, schema: Schema) -> ParsedQuery:
    """Like :func:`parse_query`, also returning the plain words (for "did you mean")."""
    if not isinstance(text, str):
        raise QueryError("the query must be text")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    text = _SEPARATOR_RE.sub(" ", text.translate(_STRIP_TABLE))
    if not text.strip():
        raise QueryError("empty query")
    parser = _Parser(text, schema)
    result = parser.parse()
    if result is None:
        raise QueryError("empty query")
    if len(parser.words) > 1 and _PLAIN_QUERY_RE.fullmatch(text) and not parser.aliases:
        # تنظيم الدولة الإسلامية typed without quotes still names one organization.
        entity = parser.entity_term(text)
        if entity is not None:
            result = wq.Or([result, entity])
    return ParsedQuery(text, result, tuple(parser.words), tuple(parser.aliases))


# --- queries that expand against the index -----------------------------------------------


class WildcardQuery(wq.PatternQuery):
    """A ``*``/``?`` pattern on one exact field, refusing to expand to too many terms.

    Whoosh's ``Wildcard`` has no cap (``م*`` would OR together tens of thousands of terms)
    and its ``normalize()`` turns a trailing-``*`` pattern into a ``Prefix``, which would
    lose the cap; this class keeps both under control.  Only ``*`` and ``?`` are special
    (Whoosh's ``fnmatch`` would also read ``[``).
    """

    SPECIAL_CHARS = frozenset(_WILDCARDS)

    def __init__(self, fieldname: str, text: str, boost: float = 1.0, display: str | None = None) -> None:
        super().__init__(fieldname, text, boost=boost, constantscore=True)
        self.display = display or text

    def __unicode__(self) -> str:
        return f"{self.fieldname}:{self.text}"

    __str__ = __unicode__

    def _get_pattern(self) -> str:
        body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in self.text)
        return body + r"\Z"

    def normalize(self) -> WildcardQuery:
        return self

    def _btexts(self, ixreader: IndexReader) -> list[bytes]:
        found = list(itertools.islice(super()._btexts(ixreader), MAX_EXPANSIONS + 1))
        if len(found) > MAX_EXPANSIONS:
            raise QueryError(
                f"too many words match '{self.display}' (more than {MAX_EXPANSIONS}); make the pattern longer"
            )
        return found

    def expand(self, ixreader: IndexReader) -> list[str]:
        """The index terms this pattern matches (decoded), for highlighting."""
        return [b.decode("utf-8") for b in self._btexts(ixreader)]


def check_expansions(query: wq.Query, ixreader: IndexReader) -> None:
    """Refuse a query whose wildcards together expand to more than ``MAX_TOTAL_EXPANSIONS`` terms.

    Each pattern is capped on its own when it expands; this bounds the whole query (many
    capped patterns OR-ed together) *before* the search builds its matchers.
    """
    total = sum(len(q.expand(ixreader)) for q in _wildcards(query))
    if total > MAX_TOTAL_EXPANSIONS:
        raise QueryError(
            f"the wildcards of this query match too many words ({total}, the limit is {MAX_TOTAL_EXPANSIONS}); "
            "use fewer or longer patterns"
        )


def _wildcards(query: wq.Query) -> Iterator[WildcardQuery]:
    if isinstance(query, WildcardQuery):
        yield query
    for child in query.children():
        yield from _wildcards(child)


def _source_key(name: str) -> tuple[str, ...]:
    """A source name as a sequence of normalized words (case, hamza and ة folded)."""
    return tuple(normalize_word(word) for word, _, _ in tokenize(name))


class SourceQuery(wq.PatternQuery):
    """``source:`` — the sources whose name contains the given words, in order.

    Source names are whole keywords ("العربي الجديد", "aawsat"); an exact keyword match
    would make users type the stored spelling and case.  The list of sources is short, so
    scanning it at search time costs nothing.
    """

    def __unicode__(self) -> str:
        return f"source:{self.text}"

    __str__ = __unicode__

    def normalize(self) -> SourceQuery:
        return self

    def _btexts(self, ixreader: IndexReader) -> Iterator[bytes]:
        wanted = _source_key(self.text)
        size = len(wanted)
        for btext in ixreader.lexicon(self.fieldname):
            key = _source_key(btext.decode("utf-8"))
            if any(key[i : i + size] == wanted for i in range(len(key) - size + 1)):
                yield btext


# --- the parser ----------------------------------------------------------------------------

Node = wq.Query | None  # None: the input had nothing searchable (punctuation, emoji, "()")


#: A query of plain words only (no quotes, brackets, operators, fields or wildcards).
_PLAIN_QUERY_RE = re.compile(r"(?:(?!\b(?:AND|OR|NOT)\b)[^\"«»“”()*?:+\-])+")
#: Weight of a match through the entity facet relative to a text match: a document that only
#: names ISIS as تنظيم الدولة is found by داعش, below those that say داعش.
ALIAS_BOOST = 0.5


@dataclass(frozen=True)
class _Fields:
    """Which exact and stem fields a word searches (all text, or only the title)."""

    exact: tuple[str, ...]
    stem: tuple[str, ...]


class _Parser:
    """Recursive descent over the query text; one instance per query.

    Grammar (``AND`` binds tighter than ``OR``; juxtaposition means ``AND``)::

        or    := and ("OR" and)*
        and   := unary (["AND"] unary)*
        unary := "NOT" unary | "-" atom | "+" atom | atom
        atom  := "(" or ")" | phrase | field ":" value | word
    """

    def __init__(self, text: str, schema: Schema) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0
        self.negated = 0
        self.terms = 0
        self.words: list[QueryWord] = []
        self.schema = schema
        self.all_fields = self._fields(EXACT_FIELDS, STEM_FIELDS)
        self.title_fields = self._fields(("title",), ("title_stem",))
        self.aliases: list[dict[str, str]] = []

    def entity_term(self, text: str) -> wq.Query | None:
        """A match on the entity facet when ``text`` names a known entity (ISIS → داعش)."""
        resolved = resolve_alias(text)
        if resolved is None or resolved[0] not in self.schema.names():
            return None
        kind, canonical = resolved
        self.aliases.append({"query": text.strip(), "type": kind, "entity": canonical})
        return wq.Term(kind, canonical, boost=ALIAS_BOOST)

    def _fields(self, exact: tuple[str, ...], stem: tuple[str, ...]) -> _Fields:
        names = self.schema.names()
        return _Fields(tuple(f for f in exact if f in names), tuple(f for f in stem if f in names))

    # -- lexing helpers

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def _peek(self) -> str:
        self._skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _chunk_end(self, start: int) -> int:
        end = start
        while end < len(self.text) and self.text[end] not in " ()" and self.text[end] not in QUOTES:
            end += 1
        return end

    def _peek_chunk(self) -> str:
        self._skip_space()
        return self.text[self.pos : self._chunk_end(self.pos)]

    def _at_operator(self, *names: str) -> bool:
        return self._peek_chunk() in names

    # -- grammar

    def parse(self) -> Node:
        node = self._parse_or(self.all_fields)
        if self._peek() == ")":
            raise QueryError("unbalanced parentheses: a ')' has no matching '('")
        return node

    def _parse_or(self, fields: _Fields) -> Node:
        parts = [self._parse_and(fields, after="")]
        while self._at_operator("OR"):
            self.pos += 2
            parts.append(self._parse_and(fields, after="OR"))
        return _combine(wq.Or, parts)

    def _parse_and(self, fields: _Fields, after: str) -> Node:
        items: list[Node] = []
        seen_any = False
        while self._peek() not in ("", ")") and not self._at_operator("OR"):
            if self._at_operator("AND"):
                if not seen_any:
                    raise QueryError("AND needs something to search before it")
                self.pos += 3
                if self._peek() in ("", ")") or self._at_operator("OR", "AND"):
                    raise QueryError("AND needs something to search after it")
                continue
            items.append(self._parse_unary(fields))
            seen_any = True
        if not seen_any and (after or self._at_operator("OR")):
            raise QueryError("OR needs something to search on both sides")
        return _combine(wq.And, items)

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"the query is nested too deeply (more than {MAX_DEPTH} levels)")

    def _parse_unary(self, fields: _Fields) -> Node:
        if self._at_operator("NOT"):
            self.pos += 3
            if self._peek() in ("", ")") or self._at_operator("OR", "AND"):
                raise QueryError("NOT needs something to search after it")
            return self._negate(lambda: self._parse_unary(fields))
        char = self._peek()
        following = self.text[self.pos + 1 : self.pos + 2]
        if char and char in "-+" and following not in ("", " ", ")"):
            self.pos += 1
            if char == "+":
                return self._parse_atom(fields)
            return self._negate(lambda: self._parse_atom(fields))
        return self._parse_atom(fields)

    def _negate(self, parse) -> Node:
        self._enter()
        self.negated += 1
        try:
            node = parse()
        finally:
            self.negated -= 1
            self.depth -= 1
        return None if node is None else wq.Not(node)

    def _parse_atom(self, fields: _Fields) -> Node:
        char = self._peek()
        if char == "(":
            return self._parse_group(fields)
        if char == ")":
            raise QueryError("unbalanced parentheses: a ')' has no matching '('")
        if char in QUOTES:
            return self._phrase(self._read_phrase(), fields)
        start = self.pos
        end = self._chunk_end(start)
        chunk = self.text[start:end]
        self.pos = end
        match = _FIELD_RE.fullmatch(chunk)
        if match:
            return self._parse_field(match.group(1), match.group(2), start + len(match.group(1)) + 1, fields)
        return self._word_chunk(chunk, start, fields)

    def _parse_group(self, fields: _Fields) -> Node:
        self._enter()
        self.pos += 1
        node = self._parse_or(fields)
        if self._peek() != ")":
            raise QueryError("unbalanced parentheses: a '(' is never closed")
        self.pos += 1
        self.depth -= 1
        return node

    def _read_phrase(self) -> str:
        """Consume a quoted phrase; return the text inside the quotes."""
        opener = self.text[self.pos]
        closers = QUOTES[opener]
        end = self.pos + 1
        while end < len(self.text) and self.text[end] not in closers:
            end += 1
        if end >= len(self.text):
            raise QueryError(f"unbalanced quotes: the phrase opened by {opener} is never closed")
        start = self.pos + 1
        self.pos = end + 1
        return self.text[start:end]

    # -- fields

    def _parse_field(self, name: str, rest: str, value_start: int, fields: _Fields) -> Node:
        key = name.lower()
        if key not in USER_FIELDS:
            raise QueryError(f"unknown field '{name}'; use title:, source:, date: or id:")
        if not rest:  # the value follows after spaces, or is a phrase / group / range
            self.pos = value_start
            self._skip_space()
            if self._peek() in ("", ")"):
                raise QueryError(f"{key}: needs a value, e.g. {key}:{_EXAMPLES[key]}")
        else:
            self.pos = value_start
        if key == "title":
            return self._parse_unary_in(self.title_fields)
        return self._parse_metadata(key)

    def _parse_unary_in(self, fields: _Fields) -> Node:
        char = self._peek()
        if char == "(":
            return self._parse_group(fields)
        if char in QUOTES:
            return self._phrase(self._read_phrase(), fields)
        start = self.pos
        self.pos = self._chunk_end(start)
        return self._word_chunk(self.text[start : self.pos], start, fields)

    def _read_value(self, key: str) -> str:
        """The raw value of a metadata field: a quoted string, a ``[…]`` range or one chunk."""
        char = self._peek()
        if char in QUOTES:
            return self._read_phrase().strip()
        if char == "(":
            raise QueryError(f"{key}: takes one value, not a group; e.g. {key}:{_EXAMPLES[key]}")
        if key == "date" and char == "[":
            close = self.text.find("]", self.pos)
            if close < 0:
                raise QueryError("unbalanced brackets: write a date range as date:[2017-05 to 2017-11]")
            value = self.text[self.pos : close + 1]
            self.pos = close + 1
            return value
        start = self.pos
        self.pos = self._chunk_end(start)
        return self.text[start : self.pos]

    def _parse_metadata(self, key: str) -> Node:
        value = self._read_value(key)
        self._count(1)
        if key == "date":
            return _date_query(value)
        if key == "id":
            if not value:
                raise QueryError("id: needs a value, e.g. id:" + _EXAMPLES["id"])
            return wq.Term("id", value)
        if not _source_key(value):
            raise QueryError("source: needs a name, e.g. source:" + _EXAMPLES["source"])
        return SourceQuery("source", value)

    # -- words, phrases, patterns

    def _count(self, n: int) -> None:
        self.terms += n
        if self.terms > MAX_TERMS:
            raise QueryError(f"the query has too many words (more than {MAX_TERMS})")

    def _word_chunk(self, chunk: str, start: int, fields: _Fields) -> Node:
        # A trailing "?" is a question mark ("متى تحررت الرقة?"), not "any one more letter".
        chunk = chunk.rstrip("?")
        if any(c in chunk for c in _WILDCARDS):
            return self._pattern(chunk, fields)
        tokens = list(tokenize(chunk))
        if len(tokens) == 1:
            word, a, b = tokens[0]
            if not self.negated and fields == self.all_fields:
                self.words.append(QueryWord(word, start + a, start + b))
            self._count(1)
            return self._word(word, fields)
        return self._phrase_tokens([t[0] for t in tokens], fields)

    def _word(self, word: str, fields: _Fields) -> Node:
        exact, stem = normalize_word(word), stem_word(word)
        terms = [wq.Term(f, exact) for f in fields.exact if exact]
        terms += [wq.Term(f, stem) for f in fields.stem if stem]
        if fields == self.all_fields:
            terms.append(self.entity_term(word))
        return _combine(wq.Or, [t for t in terms if t is not None])

    def _phrase(self, inner: str, fields: _Fields) -> Node:
        return self._phrase_tokens([t[0] for t in tokenize(inner)], fields)

    def _phrase_tokens(self, words: list[str], fields: _Fields) -> Node:
        if len(words) <= 1:
            if words:
                self._count(1)
            return self._word(words[0], fields) if words else None
        self._count(len(words))
        exact = [normalize_word(w) for w in words]
        stems = [stem_word(w) for w in words]
        phrases = [wq.Phrase(f, exact) for f in fields.exact]
        phrases += [wq.Phrase(f, stems) for f in fields.stem if all(stems)]
        if fields == self.all_fields:
            phrases.append(self.entity_term(" ".join(words)))
        return _combine(wq.Or, [p for p in phrases if p is not None])

    def _pattern(self, chunk: str, fields: _Fields) -> Node:
        display = _PATTERN_EDGE_RE.sub("", chunk)
        pattern = normalize_word(display)
        literals = sum(1 for c in pattern if c not in _WILDCARDS)
        if literals < MIN_WILDCARD_LITERALS:
            raise QueryError(
                f"the pattern '{chunk}' is too short: a wildcard needs at least {MIN_WILDCARD_LITERALS} letters"
            )
        if pattern[0] in _WILDCARDS:
            raise QueryError(
                f"a pattern cannot start with a wildcard ('{display}'); "
                "words with attached prefixes (و، ب، ال…) are found without one"
            )
        if len(_PATTERN_BODY_RE.findall(pattern)) != len(pattern):
            raise QueryError(f"wildcards work inside a single word; '{display}' contains punctuation")
        self._count(1)
        return _combine(wq.Or, [WildcardQuery(f, pattern, display=display) for f in fields.exact])


_EXAMPLES = {"title": "داعش", "source": '"العربي الجديد"', "date": "2017-05", "id": "<document id>"}


def _combine(kind: type[wq.CompoundQuery], parts: list[Node]) -> Node:
    """``kind`` of the searchable parts; a single part stands alone; none → None."""
    kept = [p for p in parts if p is not None]
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    return kind(kept)


# --- dates ----------------------------------------------------------------------------------


def _parse_date(value: str) -> adatetime:
    """``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (or ``YYYYMM[DD]``) → a partial datetime."""
    match = _DATE_RE.fullmatch(clean(value.strip()))
    if match is None:
        raise QueryError(f"cannot read the date '{value}'; write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in _date_groups(match))
    try:
        at = adatetime(year, month, day)
        at.floor()
    except (WhooshTimeError, ValueError, OverflowError):
        raise QueryError(f"'{value}' is not a valid date") from None
    return at


def _date_groups(match: re.Match[str]) -> tuple[str | None, str | None, str | None]:
    """(year, month, day) from either alternative of :data:`_DATE_RE`."""
    if match.group(1):
        return match.group(1), match.group(2), match.group(3)
    return match.group(4), match.group(5), match.group(6)


def _date_query(value: str) -> wq.Query:
    """``date:`` values: one date (matching its whole year/month/day) or a ``[a to b]`` range."""
    if not value:
        raise QueryError("date: needs a value, e.g. date:2017 or date:[2017-05 to 2017-11]")
    if not (value.startswith("[") and value.endswith("]")):
        at = _parse_date(value)
        return wq.NumericRange("date", datetime_to_long(at.floor()), datetime_to_long(at.ceil()))
    match = _RANGE_RE.fullmatch(value[1:-1])
    if match is None or not (match.group(1) or match.group(2)):
        raise QueryError("write a date range as date:[2017-05 to 2017-11] (either end may be left out)")
    start = datetime_to_long(_parse_date(match.group(1)).floor()) if match.group(1) else None
    end = datetime_to_long(_parse_date(match.group(2)).ceil()) if match.group(2) else None
    if start is not None and end is not None and start > end:
        raise QueryError(f"the date range {value} ends before it starts")
    return wq.NumericRange("date", start, end)
