"""The query language: one parser for the CLI, the web page and the API.

Whoosh's own ``QueryParser`` "repairs" what it cannot read — an unclosed quote or
parenthesis silently changes the meaning, ``*`` alone expands to every term — and it knows
nothing of Arabic quotes or of the two analyses every word needs.  This module is a small
recursive-descent parser instead; it builds the backend-neutral tree of ``search/querytree.py``
and rejects malformed input with a :class:`QueryError` whose message can be shown as is.

Syntax (see the README for examples)::

    داعش الرقة              both words (one or two plain words: all must match)
    أمير منطقة الرياض       three or more plain words: articles with every word first, then
                            those missing a quarter of the content words (Forgiving)
    داعش AND الرقة, +الرقة  strict: required whatever the number of words
    داعش OR النصرة          either; AND binds tighter than OR
    داعش NOT الرقة, -الرقة  exclude
    "دير الزور" «دير الزور» “دير الزور”   phrases
    ( … )                   grouping
    title:… source:… date:… id:…         fields; date:2017, date:[2017-05 to 2017-11]
    root:كتب  root:مكتبة    every word of that Arabic root (a derived word stands for its root)
    إدل*  م?ليشيات           wildcards on the normalized word (at least 2 letters, not first)

Only upper-case Latin ``AND``/``OR``/``NOT`` are operators: Arabic ``او`` is an ordinary
word in news text and must stay searchable.

Each word carries both of its analyses (:func:`~index.analysis.normalize_word`,
:func:`~index.analysis.stem_word`); a word or phrase that names a known entity (``ISIS``,
``تنظيم الدولة``) also matches the articles whose facet holds that entity, below the
articles that use the typed words (``Ranking.alias_boost``).

Layer: the read side.  Imports the analysis layer and the entity aliases of the write side.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from index.analysis import is_function_word, normalize_word, stem_word, tokenize
from index.entities import resolve_alias
from index.normalize import INVISIBLES
from index.roots import as_root, root_of
from search.daterange import parse_range_syntax
from search.errors import QueryError
from search.querytree import (
    And,
    DateSpan,
    DocId,
    EntityRef,
    Forgiving,
    Node,
    Not,
    Or,
    Pattern,
    Phrase,
    Root,
    SourceName,
    Word,
)
from search.request import MAX_QUERY_CHARS

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "ParsedQuery",
    "QueryError",
    "QueryWord",
    "analyze_query",
    "minimum_should_match",
    "parse_query",
    "query_root",
    "source_key",
    "word_roots",
]

#: Words (including phrase words and field values) in one query.
MAX_TERMS = 64
#: Nested parentheses / NOTs; deeper is never a real query and risks deep recursion.
MAX_DEPTH = 32
#: Non-wildcard characters a pattern needs, so ``a*`` cannot expand to a tenth of the lexicon.
MIN_WILDCARD_LITERALS = 2
#: Plain queries of this many bare words or more are forgiving (:func:`minimum_should_match`).
FORGIVE_FROM = 3


def minimum_should_match(words: int) -> int:
    """How many of a plain query's ``words`` an article needs to be listed at all.

    Every word for one or two words; all but one for three to seven; one more word may be
    missing per four words beyond that (8 → 6, 12 → 9).  In Elasticsearch's terms,
    ``minimum_should_match: "2<-1 7<-25%"`` (a quarter missing, rounded down).  Counted over
    a query's content words; its function words must all match (:func:`_forgiving`).
    Why: a known-item query of 3–4 words fails as a whole when one word is analyzed
    differently from the article's form; one missing word of three or four still leaves a
    specific query, while two missing of four would not.  Longer queries are pasted
    sentences, where more words are incidental.
    """
    if words < FORGIVE_FROM:
        return words
    return words - max(1, words // 4)


USER_FIELDS = ("title", "source", "date", "id", "root")
#: Opening quote → the characters that close it.  Guillemets and curly quotes are accepted
#: in either direction because right-to-left typing often produces »…« and ”…“.
QUOTES = {'"': '"', "«": "«»", "»": "«»", "“": "“”", "”": "“”"}
_FIELD_RE = re.compile(r"([A-Za-z_]+):(.*)", re.DOTALL)
_SEPARATOR_RE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_STRIP_TABLE = {ord(c): None for c in INVISIBLES}
_WILDCARDS = "*?"
_PATTERN_EDGE_RE = re.compile(r"^[^\w*?]+|[^\w*?]+$")
_PATTERN_BODY_RE = re.compile(r"[^\W_]|[*?]")
#: A query of plain words only (no quotes, brackets, operators, fields or wildcards).
#: Words only: no operator, quote, bracket, wildcard, field or +/- in front of a word (a hyphen
#: inside a word is part of it: Deir ez-Zor).
_PLAIN_QUERY_RE = re.compile(r"(?:(?!\b(?:AND|OR|NOT)\b)(?!(?<!\S)-)[^\"«»“”()*?:+])+")
_EXAMPLES = {"title": "داعش", "source": '"العربي الجديد"', "date": "2017-05", "id": "<document id>", "root": "كتب"}
_ARABIC_LETTERS_RE = re.compile("^[\u0621-\u064a\u0671]+$")


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
    """The query tree plus what the engine needs to suggest a correction and to report
    which words were understood as a known entity (``{"query", "type", "entity"}``)."""

    text: str  # the query text after removing control and invisible characters
    tree: Node
    words: tuple[QueryWord, ...] = field(default=())
    aliases: tuple[dict[str, str], ...] = field(default=())


def parse_query(text: str) -> Node:
    """Parse ``text`` into a query tree; malformed input → :class:`QueryError`."""
    return analyze_query(text).tree


def analyze_query(text: str) -> ParsedQuery:
    """Like :func:`parse_query`, also returning the plain words (for "did you mean") and the aliases."""
    if not isinstance(text, str):
        raise QueryError("the query must be text")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    text = _SEPARATOR_RE.sub(" ", text.translate(_STRIP_TABLE))
    if not text.strip():
        raise QueryError("empty query")
    # تنظيم الدولة الإسلامية or Deir ez-Zor typed without quotes still names one entity; then
    # its words are not looked up one by one (Deir alone is not دير الزور).
    plain = len(text.split()) > 1 and _PLAIN_QUERY_RE.fullmatch(text) is not None
    whole = resolve_alias(text) if plain else None
    parser = _Parser(text, word_aliases=whole is None)
    if plain and whole is None:
        parser.spans = entity_spans(text)
    result = parser.parse()
    if result is None:
        raise QueryError("empty query")
    entity = None
    if whole is not None:
        entity = parser.entity_ref(text)
    forgiving = None if parser.explicit_and else _forgiving(result, entity)
    if forgiving is not None:
        result = forgiving
    elif entity is not None:
        result = Or((result, entity))
    return ParsedQuery(text, result, tuple(parser.words), tuple(parser.aliases))


#: Longest run of query words looked up as one name.
MAX_SPAN_WORDS = 4


def entity_spans(text: str) -> dict[int, tuple[str, str, str]]:
    """Runs of 2–4 words of a plain query that name one entity, longest first, left to right:
    ``{offset of each word: (the run's text, type, canonical)}``.

    «عاصمة داعش في دير الزور»: دير الزور is the place, and its words are not looked up alone
    (دير alone would be الديرة).
    """
    chunks = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
    spans: dict[int, tuple[str, str, str]] = {}
    i = 0
    while i < len(chunks):
        for n in range(min(MAX_SPAN_WORDS, len(chunks) - i), 1, -1):
            run = text[chunks[i][0] : chunks[i + n - 1][0] + len(chunks[i + n - 1][1])]
            resolved = resolve_alias(run)
            if resolved is not None:
                spans.update((start, (run, *resolved)) for start, _ in chunks[i : i + n])
                i += n
                break
        else:
            i += 1
    return spans


def _forgiving(tree: Node, alias: EntityRef | None) -> Forgiving | None:
    """The plain words of a top-level AND as a forgiving query, when there are enough of them.

    Explicit syntax beside them (a phrase, ``+word``, a field, a negation) stays required.
    """
    children = tree.children if isinstance(tree, And) else (tree,)
    soft = tuple(c for c in children if isinstance(c, Word) and c.optional)
    if len(soft) < FORGIVE_FROM:
        return None
    hard = [c for c in children if not (isinstance(c, Word) and c.optional)]
    required = None if not hard else hard[0] if len(hard) == 1 else And(tuple(hard))
    # Function words (من، هو) are in nearly every article: they must all match, and the
    # share that may be missing is taken from the content words only.
    function = sum(1 for w in soft if is_function_word(w.text))
    return Forgiving(soft, function + minimum_should_match(len(soft) - function), required, alias)


def query_root(value: str) -> Root:
    """The :class:`Root` node of ``root:value``.

    The value is taken as a root when it is one as written (كتب، أكد، سأل: three or four
    letters of tashaphyne's root list, hamza forms read as ء); otherwise it is read as a word
    and its root is searched (مكتبة، كاتب، يكتبون → كتب; قال → قول).  Bad values get a message.
    """
    words = [word for word, _, _ in tokenize(value)]
    if not words:
        raise QueryError("root: needs an Arabic root or word, e.g. root:" + _EXAMPLES["root"])
    if len(words) > 1:
        raise QueryError(f"root: takes one word, not «{value.strip()}»; e.g. root:" + _EXAMPLES["root"])
    word = words[0]
    if not _ARABIC_LETTERS_RE.match(normalize_word(word)):
        raise QueryError(f"root: takes an Arabic root or word (got «{word}»), e.g. root:" + _EXAMPLES["root"])
    root = as_root(word) or root_of(word)
    if root is None:
        raise QueryError(
            f"«{word}» has no Arabic root to search (a function word or a foreign name?); "
            "type the root's letters, e.g. root:" + _EXAMPLES["root"]
        )
    return Root(root, word)


#: Root links offered for one query (the results page's «كل مشتقات الجذر»).
MAX_ROOT_LINKS = 4


def word_roots(text: str) -> list[tuple[str, str]]:
    """``(word, root)`` for the words of a query that have a root, one per root, in query order.

    What the results page offers as «كل مشتقات الجذر» (a ``root:`` search per word).  Field
    values (``root:…``, ``source:…``), operators and excluded words are left out, and so are
    names of known entities, also of several words: الرقة is a city, not a derivative of رقق,
    and الزور in «"دير الزور"» is part of a place.
    """
    found: dict[str, str] = {}
    unquoted = re.sub(r"[\"«»“”()]", " ", text)  # same length: offsets stay those of ``text``
    in_names = entity_spans(unquoted)
    for match in re.finditer(r"\S+", unquoted):
        chunk = match.group()
        if chunk in ("AND", "OR", "NOT") or chunk.startswith("-") or _FIELD_RE.fullmatch(chunk):
            continue
        if match.start() in in_names:
            continue
        for word, _, _ in tokenize(chunk):
            root = None if resolve_alias(word) else root_of(word)
            if root and root not in found.values() and len(found) < MAX_ROOT_LINKS:
                found[word] = root
    return list(found.items())


def source_key(name: str) -> tuple[str, ...]:
    """A source name as a sequence of normalized words (case, hamza and ة folded)."""
    return tuple(normalize_word(word) for word, _, _ in tokenize(name))


# --- the parser ----------------------------------------------------------------------------

Parsed = Node | None  # None: the input had nothing searchable (punctuation, emoji, "()")


class _Parser:
    """Recursive descent over the query text; one instance per query.

    Grammar (``AND`` binds tighter than ``OR``; juxtaposition means ``AND``)::

        or    := and ("OR" and)*
        and   := unary (["AND"] unary)*
        unary := "NOT" unary | "-" atom | "+" atom | atom
        atom  := "(" or ")" | phrase | field ":" value | word

    ``title_only`` says whether the words being read are inside ``title:``.
    """

    def __init__(self, text: str, word_aliases: bool = True) -> None:
        self.text = text
        self.word_aliases = word_aliases  # False: the whole query names one entity
        #: Words that belong to a run naming one entity (:func:`entity_spans`), by offset.
        self.spans: dict[int, tuple[str, str, str]] = {}
        self.span: tuple[str, str, str] | None = None  # the run of the chunk being read
        self.pos = 0
        self.depth = 0
        self.negated = 0
        self.terms = 0
        self.words: list[QueryWord] = []
        self.aliases: list[dict[str, str]] = []
        self.plus = False  # inside a +atom: explicitly required
        self.explicit_and = False  # AND written between top-level words: the query is strict

    def entity_ref(self, text: str) -> EntityRef | None:
        """The entity facet match when ``text`` names a known entity (ISIS → داعش)."""
        if not self.word_aliases and text != self.text:
            return None
        if self.span is not None:  # a word of دير الزور: the run's entity, reported once
            run, kind, canonical = self.span
            if not any(a["query"] == run for a in self.aliases):
                self.aliases.append({"query": run, "type": kind, "entity": canonical})
            return EntityRef(kind, canonical)
        resolved = resolve_alias(text)
        if resolved is None:
            return None
        kind, canonical = resolved
        self.aliases.append({"query": text.strip(), "type": kind, "entity": canonical})
        return EntityRef(kind, canonical)

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

    def parse(self) -> Parsed:
        node = self._parse_or(False)
        if self._peek() == ")":
            raise QueryError("unbalanced parentheses: a ')' has no matching '('")
        return node

    def _parse_or(self, title_only: bool) -> Parsed:
        parts = [self._parse_and(title_only, after="")]
        while self._at_operator("OR"):
            self.pos += 2
            parts.append(self._parse_and(title_only, after="OR"))
        return _combine(Or, parts)

    def _parse_and(self, title_only: bool, after: str) -> Parsed:
        items: list[Parsed] = []
        seen_any = False
        while self._peek() not in ("", ")") and not self._at_operator("OR"):
            if self._at_operator("AND"):
                if not seen_any:
                    raise QueryError("AND needs something to search before it")
                self.explicit_and = self.explicit_and or self.depth == 0
                self.pos += 3
                if self._peek() in ("", ")") or self._at_operator("OR", "AND"):
                    raise QueryError("AND needs something to search after it")
                continue
            items.append(self._parse_unary(title_only))
            seen_any = True
        if not seen_any and (after or self._at_operator("OR")):
            raise QueryError("OR needs something to search on both sides")
        return _combine(And, items)

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"the query is nested too deeply (more than {MAX_DEPTH} levels)")

    def _parse_unary(self, title_only: bool) -> Parsed:
        if self._at_operator("NOT"):
            self.pos += 3
            if self._peek() in ("", ")") or self._at_operator("OR", "AND"):
                raise QueryError("NOT needs something to search after it")
            return self._negate(lambda: self._parse_unary(title_only))
        char = self._peek()
        following = self.text[self.pos + 1 : self.pos + 2]
        if char and char in "-+" and following not in ("", " ", ")"):
            self.pos += 1
            if char == "+":
                self.plus = True
                try:
                    return self._parse_atom(title_only)
                finally:
                    self.plus = False
            return self._negate(lambda: self._parse_atom(title_only))
        return self._parse_atom(title_only)

    def _negate(self, parse: Callable[[], Parsed]) -> Parsed:
        self._enter()
        self.negated += 1
        try:
            node = parse()
        finally:
            self.negated -= 1
            self.depth -= 1
        return None if node is None else Not(node)

    def _parse_atom(self, title_only: bool) -> Parsed:
        char = self._peek()
        if char == "(":
            return self._parse_group(title_only)
        if char == ")":
            raise QueryError("unbalanced parentheses: a ')' has no matching '('")
        if char in QUOTES:
            return self._phrase(self._read_phrase(), title_only)
        start = self.pos
        end = self._chunk_end(start)
        chunk = self.text[start:end]
        self.pos = end
        match = _FIELD_RE.fullmatch(chunk)
        if match:
            return self._parse_field(match.group(1), match.group(2), start + len(match.group(1)) + 1)
        return self._word_chunk(chunk, start, title_only)

    def _parse_group(self, title_only: bool) -> Parsed:
        self._enter()
        self.pos += 1
        node = self._parse_or(title_only)
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

    def _parse_field(self, name: str, rest: str, value_start: int) -> Parsed:
        key = name.lower()
        if key not in USER_FIELDS:
            raise QueryError(f"unknown field '{name}'; use title:, source:, date:, id: or root:")
        self.pos = value_start
        if not rest:  # the value follows after spaces, or is a phrase / group / range
            self._skip_space()
            if self._peek() in ("", ")"):
                raise QueryError(f"{key}: needs a value, e.g. {key}:{_EXAMPLES[key]}")
        if key == "title":
            return self._parse_title_value()
        return self._parse_metadata(key)

    def _parse_title_value(self) -> Parsed:
        char = self._peek()
        if char == "(":
            return self._parse_group(True)
        if char in QUOTES:
            return self._phrase(self._read_phrase(), True)
        start = self.pos
        self.pos = self._chunk_end(start)
        chunk = self.text[start : self.pos]
        nested = chunk.split(":", 1)[0].lower() if ":" in chunk else ""
        if nested in USER_FIELDS:
            raise QueryError(f"title: takes words or a phrase, not another field ({nested}:); e.g. title:داعش")
        return self._word_chunk(chunk, start, True)

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

    def _parse_metadata(self, key: str) -> Parsed:
        value = self._read_value(key)
        self._count(1)
        if key == "date":
            return DateSpan(*parse_range_syntax(value))
        if key == "root":
            return query_root(value)
        if key == "id":
            if not value:
                raise QueryError("id: needs a value, e.g. id:" + _EXAMPLES["id"])
            return DocId(value)
        if not source_key(value):
            raise QueryError("source: needs a name, e.g. source:" + _EXAMPLES["source"])
        return SourceName(value)

    # -- words, phrases, patterns

    def _count(self, n: int) -> None:
        self.terms += n
        if self.terms > MAX_TERMS:
            raise QueryError(f"the query has too many words (more than {MAX_TERMS})")

    def _word_chunk(self, chunk: str, start: int, title_only: bool) -> Parsed:
        # A trailing "?" is a question mark ("متى تحررت الرقة?"), not "any one more letter".
        chunk = chunk.rstrip("?")
        if any(c in chunk for c in _WILDCARDS):
            return self._pattern(chunk, title_only)
        tokens = list(tokenize(chunk))
        self.span = self.spans.get(start)
        try:
            if len(tokens) == 1:
                word, a, b = tokens[0]
                if not self.negated and not title_only:
                    self.words.append(QueryWord(word, start + a, start + b))
                self._count(1)
                return self._word(word, title_only, bare=True)
            return self._phrase_tokens([t[0] for t in tokens], title_only)
        finally:
            self.span = None

    def _word(self, word: str, title_only: bool, bare: bool = False) -> Parsed:
        exact, stem = normalize_word(word), stem_word(word)
        alias = None if title_only else self.entity_ref(word)
        if not exact and not stem and alias is None:
            return None
        optional = bare and not title_only and not self.plus and not self.negated and self.depth == 0
        return Word(word, exact, stem, title_only, alias, optional)

    def _phrase(self, inner: str, title_only: bool) -> Parsed:
        return self._phrase_tokens([t[0] for t in tokenize(inner)], title_only)

    def _phrase_tokens(self, words: list[str], title_only: bool) -> Parsed:
        if len(words) <= 1:
            if words:
                self._count(1)
            return self._word(words[0], title_only) if words else None
        self._count(len(words))
        exact = tuple(normalize_word(w) for w in words)
        stems = tuple(stem_word(w) for w in words)
        alias = None if title_only else self.entity_ref(" ".join(words))
        return Phrase(tuple(words), exact, stems, title_only, alias)

    def _pattern(self, chunk: str, title_only: bool) -> Parsed:
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
        return Pattern(pattern, display, title_only)


def _combine(kind: type[And] | type[Or], parts: list[Parsed]) -> Parsed:
    """``kind`` of the searchable parts; a single part stands alone; none → None."""
    kept = [p for p in parts if p is not None]
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    return kind(tuple(kept))
