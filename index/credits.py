"""Credit material in a news article: the lines that say who wrote or sent it, not what it reports.

Around the news, a paper prints its own signature: the reporter, the paper or the agency and the
dateline city at the head (``عبير الرجباني- سبق- الرياض:``, ``حنان الحامدي – عين اليوم``,
``لندن: «الشرق الأوسط»``, ``«الاقتصادية» من الرياض``, ``الرياض - واس``), wire and photo
credits (``(أ ف ب)``, ``- رويترز``, ``(تصوير: …)``), link and share furniture (``رابط الخبر
بصحيفة الوئام: …``, ``اقرأ أيضا``, ``شارك من خلال تويتر فيسبوك …``), and at the foot the
columnist's signature, contact lines and a site's tag line (``سمات …``).  The annotation
guideline (``docs/entity-annotation.md``) never annotates any of it, and it is what floods the
facets: «صحيفة الوئام» in every alweeam article, «عين اليوم» in every 3alyoum one.

:func:`credit_spans` finds that material as character spans of the entity text (title, blank
line, content: ``index.entities.entity_text``); :func:`screen_credits` drops the entity
mentions that lie inside them.  The rules, each a small function below with its reason:

* **Always** (they mean a credit whatever the paper): a byline or dateline *chain* opening a
  line — short names joined by dashes, slashes or colons — signed by a wire agency or a desk
  word (``الرياض - واس``, ``سبق- وكالات:``, ``عين اليوم – متابعات``); a head line of city,
  date and agency (``الرياض 25 شوال 1436 هـ … واس``); an agency in brackets or quotes, or
  after a dash, closing a line (a caption's ``(رويترز)``, ``- أ ف ب``, ``«الفرنسية»``); photo
  credits (``(تصوير: …)``); syndication lines (``* خدمة «نيويورك تايمز»``); link, share and
  contact furniture in the head and foot lines (:data:`LINE_FURNITURE`).
* **When the article's source is known** (``index/data/sources.tsv``, by id or display name;
  ``source=None`` or an unknown source runs only the rules above): chains and datelines
  signed by the paper's own names (``تبوك-الوئام:``, ``لندن: «الشرق الأوسط»``, ``«الاقتصادية»
  من الرياض``), a short unsigned «name – city» line at the head or foot (``نواف الصيعري –
  جدة``), the signature, affiliation and e-mail lines closing a column (``فهيم الحامد``, ``*
  أستاذ العلوم السياسية في …``), and the source's tag line (3alyoum's ``سمات …``).  These are
  only safe where the paper's layout is known: «X – Y» at the head of an unknown page may be
  a headline, a two-word last line a caption.
* **The paper crediting itself in its own news** (``وقال لـ«عكاظ»``, ``ورصدت "الوطن"``): not a
  credit line, but the same signature by another route — kept, «صحيفة الشرق الأوسط» stood in
  694 of the 914 aawsat articles, the source facet again at the top of the organization facet.
  :func:`screen_credits` drops the paper's own name from its own articles
  (:func:`own_name_spans`: the name in quotes or after صحيفة/جريدة; and any mention of the
  paper's entity).  This departs from the gold guideline, which counts such a mention (rule R1
  in ``docs/entity-gold``); the cost is measured there.  Another paper or agency named in the
  news (``ذكرت صحيفة عكاظ`` in an alweeam article, ``نقلت وكالة رويترز``) stays whatever the
  extractor made of it.

Speed: the word forms are the indexer's own (``index.analysis.tokenize`` and
``normalize_word``, passed in when already computed); a regular expression decides which
lines can open with a chain at all, the line ends are searched in their last 40 characters,
photo cues are found with ``str.find``, and only the head and foot lines are read word by
word: about 0.07 ms an article of SaudiNewsNet (``tools/facet_top.py`` measures it).

Layer: text analysis.  Imports ``index.analysis``, ``index.normalize`` and ``index.sources``;
``index.entities`` imports it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import itemgetter
from typing import Protocol, TypeVar

from index.analysis import Span, tokenize
from index.normalize import INVISIBLES, TATWEEL, normalize_word
from index.sources import find_source

__all__ = [
    "AGENCIES",
    "CREDIT_WORDS",
    "LINE_FURNITURE",
    "Mentionlike",
    "credit_spans",
    "own_name_spans",
    "screen_credits",
]

CharSpan = tuple[int, int]


@lru_cache(maxsize=8192)
def _words(name: str) -> tuple[str, ...]:
    """A name as the tuple of its normalized words, the form every rule compares tokens in."""
    return tuple(normalize_word(word) for word, _, _ in tokenize(name))


def _names(text: str) -> frozenset[tuple[str, ...]]:
    """``|``-separated names (readable Arabic lists) as normalized word tuples."""
    return frozenset(_words(name) for name in text.split("|") if name.strip())


# --- data: who signs a credit ---------------------------------------------------------------

#: Wire agencies and outside services as they sign a dateline, a caption or a digest item:
#: ``الرياض - واس``, ``(أ ف ب)``, ``الوئام - CNN :``.  Spellings with and without hamza, dots
#: and spaces are one entry (``أ.ف.ب`` = ``ا ف ب``).
AGENCIES = _names(
    "واس|رويترز|وكالة رويترز|أ ف ب|فرانس برس|وكالة فرانس برس|د ب أ|يو بي آي|أ ش أ|الأناضول|وام|كونا|بنا|قنا|"
    "أسوشيتد برس|أ ب|سانا|وكالات|CNN|BBC|AFP|Reuters|AP|DPA|UPI"
)
#: Agencies called by an ordinary word (``الفرنسية`` = AFP in aleqtisadiya's captions): a
#: credit only inside brackets or quotes at the end of a line (``… «الفرنسية»``).
QUOTED_AGENCIES = _names("الفرنسية|الألمانية|الأوروبية|الفرنسية للأنباء")
#: Desk and genre words that sign a byline item on their own: ``سبق- وكالات:``,
#: ``عين اليوم – متابعات``, ``بريدة، تقرير - منصور الجفن``, ``حوار - حاتم البراهيم``.
CREDIT_WORDS = _names(
    "متابعات|متابعة|وكالات|المحليات|خاص|تقرير|حوار|إعداد|ترجمة|إعداد وترجمة|بقلم|شعر|عرض|تصوير|اللجنة الإعلامية"
)
#: Heads of a syndication or exclusivity line closing a chain: ``* خدمة «نيويورك تايمز»``,
#: ``خاص بـ«الشرق الأوسط»``, ``صنعاء - خاص ب"الرياض"``.
SYNDICATION_HEADS = frozenset(_words("خدمة خاص"))
#: Photo-credit cues, followed by a colon or slash: ``(تصوير: عبدالملك سرور)``, ``عدسة/ …``.
PHOTO_CUES = ("تصوير", "عدسة", "صورة", "صوره")
_PHOTO_CREDIT = re.compile(r"(?:تصوير|عدسة|صور[ةه])\s*[:/]\s*")
_PHOTO_IN_BRACKETS = re.compile(r"[^)\]\n]{1,40}(?=[)\]])")
_PHOTO_NAME = re.compile(r"[^\s:/)\]]+(?:[ \t][^\s:/)\].،,]+){0,2}")
#: Site furniture: (phrase, how far the credit runs from it: the phrase, its line or the rest of
#: the text).  Searched in the head and foot lines.  ``رابط الخبر بصحيفة الوئام: <title>``
#: repeats the title; ``للتواصل …`` is a column's SMS box (``… 88591 - Stc``, ``… زين``).
LINE_FURNITURE: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    (_words(phrase), extent)
    for phrase, extent in (
        ("Next Previous", "phrase"),
        ("شارك من خلال تويتر فيسبوك جوجل بلس اكتب رأيك", "phrase"),
        ("شارك من خلال تويتر فيسبوك جوجل بلس", "phrase"),
        ("رابط الخبر", "line"),
        ("اقرأ أيضا", "line"),
        ("اقرأ المزيد", "line"),
        ("شاهد أيضا", "line"),
        ("للمزيد من المعلومات", "line"),
        ("للمزيد من التفاصيل", "line"),
        ("لمراسلة الكاتب", "line"),
        ("مقالات أخرى للكاتب", "text"),
        ("للتواصل مع الكاتب", "text"),
        ("للتواصل أرسل", "text"),
        ("ارسل رسالة SMS", "text"),
    )
)
_FURNITURE_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _phrase, _extent in LINE_FURNITURE:
    _FURNITURE_BY_FIRST.setdefault(_phrase[0], []).append((_phrase, _extent))
_FURNITURE_FIRSTS = frozenset(_FURNITURE_BY_FIRST)
_NEXT_PREVIOUS = LINE_FURNITURE[0][0]
_PHOTO_CUE = _words("تصوير")
#: A source's tag line closing the last paragraph: 3alyoum's ``… سمات أوروبا استطلاع الهجرة``.
TAG_MARKERS = {"3alyoum": normalize_word("سمات")}
#: Offices that make a «X – Y» line a caption, not a byline.
_ROLES = frozenset(
    _words("رئيس الرئيس وزير الوزير أمير الأمير الملك ولي مدير المدير نائب سفير قائد المتحدث عضو مستشار")
)
#: Date suffixes before the signer of a dated dateline (``… 2015 م واس``).
_DATE_MARKS = frozenset(_words("م هـ"))
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
#: Words that never stand in a byline or signature line (a short line holding one is a
#: sentence).  Not «على»: normalized it is the name «علي».
_FUNCTION_WORDS = frozenset(_words("من في إلى الى عن مع لا ما هو هي كل هذا هذه قد لم لن أن إن"))

#: Words before a quoted name that make it another medium of the same name.
_OTHER_MEDIA = frozenset(_words("قناة فضائية شبكة إذاعة تلفزيون موقع"))

HEAD_LINES = 3  # the title and the first two content lines
TAIL_LINES = 3  # a signature, then an affiliation or e-mail line, then a contact box
MAX_ITEM = 4  # words in one item of a byline chain (الشرق الأوسط أونلاين، عبدالله بن محمد الغامدي)
MAX_ITEMS = 6  # items in one chain (name، name - paper - city (photo: name):)

# --- gaps between two words ------------------------------------------------------------------

_SPACE, _SEP, _BREAK, _END = range(4)
#: Characters that join the words of one item: spaces and quotes (aawsat quotes with braces).
_QUOTES = "\"'«»“”„‘’{}"
_TRANSPARENT = {ord(c): None for c in " \t\u00a0\u202f" + _QUOTES + INVISIBLES}
#: Characters that separate two items of a chain (a tatweel between spaces is a dash: ماجد هود ـ جدة).
_SEPARATORS = frozenset("-–—/|:()[]،," + TATWEEL)
_DASHES = frozenset("-–—" + TATWEEL)
#: Brackets separate items only next to another separator (``شار، (تصوير: …)- سبق-``): alone
#: they are the news' own brackets (``وأوضح لـ(عكاظ) الناطق``).
_BRACKETS = frozenset("()[]")
#: A line may open with a chain when a separator follows one of its first four words (or the
#: line ends there); the other lines (most paragraphs) are not read word by word.
_MAY_CHAIN = re.compile(
    r"[\s*•\-–—]*(?:Next Previous\s+)?"  # bullets, 3alyoum's slider buttons
    r"(?:[^\s\-–—/|:()\[\]،,]++[ \t\u00a0\"'«»“”„{}]*+){1,4}?"  # one to four words
    r"(?:[-–—/|:()\[\]،,]|(?<=\s)ـ|\n|\Z)"  # a separator or the line end
)
_LEADS = ("*", "-", "•", "–", "ـ")
#: An agency in brackets or quotes, or after a dash, closing a line (a caption's credit).
_LINE_END_CREDIT = re.compile(
    r"(?:(?<![\w\u0640])[(\[«\"“{]\s*([^()\[\]«»\"“”{}]{1,30}?)\s*[)\]»\"”}]"  # (رويترز)  «الفرنسية»
    r"|(?:[-–—]|(?<=\s)ـ)\s*([^\s\-–—ـ()][^\-–—ـ()]{0,24}?))"  # - أ ف ب (not the tatweel of لـ)
    r"\s*[-–—ـ.:]?\s*\Z"  # closing the line (searched within one line)
)
LINE_END = 40  # characters at the end of a line searched for a closing credit
_SENTENCE_PUNCTUATION = re.compile(r"[.،,؛!?؟]")
_NOT_A_CREDIT_LINE = re.compile(r"[.؛!?؟:]")
#: An e-mail address or a link (``y.aldayni@asharqalawsat.com``, ``تويتر: @firas_t``).
_EMAIL_OR_LINK = re.compile(r"\S*@\S*|(?:https?://|www\.)\S*", re.IGNORECASE)

_start = itemgetter(1)


class Mentionlike(Protocol):
    """What :func:`screen_credits` reads of a mention (``index.entities.Mention``)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


M = TypeVar("M", bound=Mentionlike)


@dataclass(frozen=True)
class _Paper:
    """What the rules know of an article's source: its self names and their first words."""

    id: str
    entity: str
    names: frozenset[tuple[str, ...]]
    firsts: frozenset[str]
    #: Self names that name the paper even unquoted (صحيفة عكاظ، وكالة الأنباء السعودية).
    explicit: frozenset[tuple[str, ...]]


@cache
def _paper(source: str) -> _Paper | None:
    found = find_source(source)
    if found is None:
        return None
    names = frozenset(_words(name) for name in found.self_names)
    heads = _words("صحيفة جريدة وكالة")
    explicit = frozenset(n for n in names if n[0] in heads)
    return _Paper(found.id, found.entity, names, frozenset(n[0] for n in names), explicit)


@dataclass
class _Doc:
    """One text with its tokens, their normalized forms and its non-empty lines."""

    text: str
    tokens: Sequence[Span]
    norms: Sequence[str]
    paper: _Paper | None
    lines: list[tuple[int, int, int, int]]  # (char start, char end, first token, token stop)

    def gap(self, k: int) -> tuple[int, bool]:
        """What lies between token ``k`` and the next: (space, separator, break or line end, colon?)."""
        tokens, text = self.tokens, self.text
        if k + 1 >= len(tokens):
            return _END, ":" in text[tokens[k][2] :]
        gap = text[tokens[k][2] : tokens[k + 1][1]]
        if "\n" in gap:
            return _END, ":" in gap
        rest = gap.translate(_TRANSPARENT)
        if tokens[k + 1][0].startswith(TATWEEL):  # «هود ـجدة»: the tatweel is the dash
            rest += TATWEEL
        if not rest:
            return _SPACE, False
        if rest == "." and len(tokens[k][0]) == 1 and len(tokens[k + 1][0]) == 1:
            return _SPACE, False  # initials: أ.ف.ب
        if set(rest) <= _SEPARATORS and not set(rest) <= _BRACKETS:
            return _SEP, ":" in rest
        return _BREAK, False

    def words(self, a: int, b: int) -> tuple[str, ...]:
        return tuple(self.norms[a:b])


def _document(text: str, source: str | None, tokens: Sequence[Span] | None, norms: Sequence[str] | None) -> _Doc:
    if tokens is None:
        tokens = list(tokenize(text))
    if norms is None:
        norms = [normalize_word(surface) for surface, _, _ in tokens]
    lines = []
    for match in re.finditer(r"[^\n]+", text):
        first = bisect_left(tokens, match.start(), key=_start)
        stop = bisect_left(tokens, match.end(), key=_start)
        if first < stop:
            lines.append((match.start(), match.end(), first, stop))
    return _Doc(text, tokens, norms, _paper(source) if source else None, lines)


# --- the rules --------------------------------------------------------------------------------


_NONE, _OWN, _OUTSIDE = range(3)


def _signer(doc: _Doc, a: int, b: int) -> int:
    """Whether tokens ``a..b-1`` sign a credit: not (0), as the paper's own name (1: a place
    name such as «الرياض» or «المدينة» may be one), as an agency or a desk word (2).

    ``«الاقتصادية» من الرياض``: a signer followed by «من» and a city signs too.
    """
    words = doc.words(a, b)
    if "من" in words[1:]:
        words = words[: words.index("من", 1)]
    if words in AGENCIES or words in CREDIT_WORDS:
        return _OUTSIDE
    return _OWN if doc.paper is not None and words in doc.paper.names else _NONE


def _signer_prefix(doc: _Doc, a: int, b: int) -> int:
    """Number of words of a signer opening tokens ``a..b-1`` (``واس أعلن …`` → 1), else 0."""
    return next((n for n in range(min(b - a, MAX_ITEM), 0, -1) if _signer(doc, a, a + n)), 0)


def _items(doc: _Doc, i: int, stop: int) -> list[tuple[int, int, int, bool]]:
    """The items of a chain opening at token ``i``: (first, stop, gap kind after, colon after).

    An item is at most :data:`MAX_ITEM` words joined by spaces or quotes; items are joined by
    separators.  The chain ends at a line end, a sentence mark, an item too long to be a name
    (the news has begun: the gap after it is a space), an item with a number (``1 - …`` is a
    list, not a byline) or with a function word (``نقلت وكالة (رويترز) للأنباء عن مصدر`` is a
    sentence; «من» is allowed: ``«الاقتصادية» من الرياض``).
    """
    items: list[tuple[int, int, int, bool]] = []
    k = i
    while k < stop and len(items) < MAX_ITEMS:
        first = k
        kind, colon = doc.gap(k)
        while kind == _SPACE and k + 1 < stop and k + 1 - first < MAX_ITEM:
            k += 1
            kind, colon = doc.gap(k)
        words = doc.norms[first : k + 1]
        if not all(word.isalpha() and (word == "من" or word not in _FUNCTION_WORDS) for word in words):
            break
        items.append((first, k + 1, kind, colon))
        if kind != _SEP:
            break
        k += 1
    return items


def _chain(doc: _Doc, line: tuple[int, int, int, int], edge: bool) -> CharSpan | None:
    """A byline or dateline opening a line: ``عبدالله البرقاوي- سبق- الرياض:``, ``لندن: «الشرق الأوسط»``.

    It must be *signed*: by an agency or a desk word, by a syndication head ending the line,
    or, when the source is known, by the paper's own name in a chain of two items or more or
    followed by «من» and a city (alone, «الرياض:» may open a paragraph about the city).  It
    ends at the first colon after the signer (not a photo cue's: ``(تصوير: …)- سبق- عدن:``),
    at the end of the line or at a sentence mark, or — when the news follows on the same line
    (``عين اليوم - جدة يطلع …``: an item runs on into the news or, after the signer, is as
    long as a sentence) — after the first word (and an «ال» word after it: مكة المكرمة) of
    that item if a dash leads to it (the city), else before it.  ``edge`` lines (head and
    foot, source known) also take an unsigned «name – city» line (:func:`_name_and_city`).
    """
    start, _, i, stop = line
    if doc.words(i, i + 2) == _NEXT_PREVIOUS:
        i += 2
    items = _items(doc, i, stop)
    signed = _NONE
    for n, (a, b, kind, colon) in enumerate(items):
        if kind == _SPACE or (signed and b - a == MAX_ITEM):  # the news begins inside this item
            prefix = _signer_prefix(doc, a, b) if n else 0
            if prefix:
                return start, doc.tokens[a + prefix - 1][2]
            if n == 0 or signed == _NONE:
                return None
            if not set(doc.text[doc.tokens[a - 1][2] : doc.tokens[a][1]]) & _DASHES:
                return start, doc.tokens[a - 1][2]  # «لندن: «الشرق الأوسط», ألقى …»: no city follows
            more = doc.norms[a + 1].startswith("ال") and doc.gap(a)[0] == _SPACE
            return start, doc.tokens[a + more][2]
        signed = max(signed, _signer(doc, a, b), _OUTSIDE if _syndication(doc, a, kind) else _NONE)
        strong = signed == _OUTSIDE or (signed == _OWN and (n > 0 or "من" in doc.words(a + 1, b)))
        if strong and (kind != _SEP or (colon and doc.words(a, b) != _PHOTO_CUE)):
            return start, line[1] if kind == _END else doc.tokens[b - 1][2]
        if kind != _SEP:
            break
    if signed == _NONE and edge and _name_and_city(doc, items, line):
        return start, line[1]
    return None


def _syndication(doc: _Doc, a: int, kind: int) -> bool:
    """An item ending the line with a syndication head: ``خدمة «نيويورك تايمز»``, ``خاص بـ«الشرق الأوسط»``."""
    return kind == _END and doc.norms[a] in SYNDICATION_HEADS


def _name_and_city(doc: _Doc, items: list[tuple[int, int, int, bool]], line: tuple[int, int, int, int]) -> bool:
    """An unsigned head or foot line of two short items joined by a dash: «name – city».

    Not a caption naming someone by his office (``ميلوس زيمان - رئيس جمهورية التشيك``,
    ``رئيس الوزراء الإسرائيلي - بنيامين نتنياهو``): no item holds a role word.
    """
    if doc.paper is None or len(items) != 2 or items[1][2] != _END or items[1][1] != line[3]:
        return False
    (a, b, _, _), (c, d, _, _) = items
    between = doc.text[doc.tokens[b - 1][2] : doc.tokens[c][1]]
    dash = bool(set(between) & _DASHES) or doc.tokens[c][0].startswith(TATWEEL)
    words = doc.words(a, d)
    return dash and b - a <= 3 and d - c <= 3 and _FUNCTION_WORDS.isdisjoint(words) and _ROLES.isdisjoint(words)


def _dated_dateline(doc: _Doc, line: tuple[int, int, int, int]) -> CharSpan | None:
    """A head line of city, date and signer: ``الرياض 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس``.

    It opens with a word, holds a year and ends with the signer right after the date (or a
    separator): a headline with a number that ends on the paper's name (``… في «تعليم الرياض»``)
    is not one.
    """
    start, end, i, stop = line
    if stop - i > 16 or _SENTENCE_PUNCTUATION.search(doc.text, start, end):
        return None
    norms = doc.norms
    if not norms[i].isalpha() or not _YEAR.search(doc.text, start, end):
        return None
    for n in (1, 2, 3):
        k = stop - n
        date = norms[k - 1]
        dated = k > i and (date[:1].isdigit() or date in _DATE_MARKS or doc.gap(k - 1)[0] == _SEP)
        if dated and _signer(doc, k, stop):
            return start, end
    return None


def _line_end_credits(doc: _Doc) -> list[CharSpan]:
    """An agency in brackets or quotes, or after a dash, closing a line: a caption's ``(رويترز)``,
    ``- أ ف ب``, aleqtisadiya's ``«الفرنسية»``, the paper's own ``(اليوم)`` alone on a line.

    The whole line is the credit when what precedes is a dateline (``سان فرانسيسكو 20 يوليو
    تموز (رويترز) -``: at most eight words, no sentence mark).  Not a credit: ``لـ(رويترز)``,
    ``لـ «رويترز»``, ``لـ رويترز`` (after a preposition) or an agency named inside the sentence
    (``نقلت وكالة (رويترز) للأنباء``), which does not close the line.
    """
    found = []
    text = doc.text
    for line_start, line_end, _, _ in doc.lines:
        match = _LINE_END_CREDIT.search(text, max(line_start, line_end - LINE_END), line_end)
        if match is None:
            continue
        words = _words(match.group(1) or match.group(2))
        before = text[line_start : match.start()]
        if before.split()[-1:] in (["ل"], ["لـ"]):
            continue  # «وقال لـ «رويترز»»: the agency is spoken to, in the news
        own = doc.paper is not None and words in doc.paper.names and not before.strip(" \t-–—ـ*•")
        if words in AGENCIES or (match.group(1) and words in QUOTED_AGENCIES) or own:
            dateline = not _SENTENCE_PUNCTUATION.search(before) and len(before.split()) <= 8
            found.append((line_start if dateline else match.start(), match.end()))
    return found


def _photo_credits(text: str) -> list[CharSpan]:
    """Photo credits: a cue, a colon or slash and the photographer, in brackets (``(تصوير: عبدالملك
    سرور)``, to the closing bracket) or after a space or dash (``تصوير/ فلان``, three words at most).

    The cues are found with ``str.find``: a regular expression that looks around every
    character of the text costs ten times more.
    """
    found = []
    for cue in PHOTO_CUES:
        k = text.find(cue)
        while k >= 0:
            cue_match = _PHOTO_CREDIT.match(text, k)
            start = k - 2 if text[max(0, k - 2) : k] == "ال" else k  # الصورة:
            before = text[max(0, start - 3) : start].rstrip()
            if cue_match:
                bracketed = before.endswith(("(", "["))
                name = (_PHOTO_IN_BRACKETS if bracketed else _PHOTO_NAME).match(text, cue_match.end())
                if name and (bracketed or not before or before[-1] in _DASHES or text[start - 1].isspace()):
                    found.append((start, name.end()))
            k = text.find(cue, k + 1)
    return found


def _furniture(doc: _Doc, line: tuple[int, int, int, int]) -> CharSpan | None:
    """Site furniture in a head or foot line (:data:`LINE_FURNITURE`)."""
    _, end, i, stop = line
    norms = doc.norms
    if _FURNITURE_FIRSTS.isdisjoint(norms[i:stop]):
        return None
    for k in range(i, stop):
        for phrase, extent in _FURNITURE_BY_FIRST.get(norms[k], ()):
            if doc.words(k, k + len(phrase)) == phrase:
                last = doc.tokens[k + len(phrase) - 1][2]
                return doc.tokens[k][1], {"phrase": last, "line": end, "text": len(doc.text)}[extent]
    return None


_LINK, _LED, _SIGNATURE = range(3)


def _foot_line(doc: _Doc, line: tuple[int, int, int, int]) -> int | None:
    """What closes a column here (source known): an e-mail or link with at most four words around
    it (``تويتر: @firas_t``), an affiliation or desk line led by ``*`` or ``-`` (``* وحدة التقارير
    الاقتصادية``, ``- أستاذ العلوم السياسية في جامعة …``: no colon, question or full stop, which
    a closing bullet of the news or a fact sheet has), a bare signature (``فهيم الحامد``: at
    most four words, none a number or a function word), or nothing (None)."""
    start, end, i, stop = line
    text = doc.text[start:end].strip()
    if _EMAIL_OR_LINK.search(text) and len(_EMAIL_OR_LINK.sub(" ", text).split()) <= 4:
        return _LINK
    if text[:1] in _LEADS and stop - i <= 12 and not _NOT_A_CREDIT_LINE.search(text):
        return _LED
    if stop - i > 4 or _SENTENCE_PUNCTUATION.search(text) or not _FUNCTION_WORDS.isdisjoint(doc.words(i, stop)):
        return None
    return _SIGNATURE if all(word.isalpha() for word in doc.norms[i:stop]) else None


def _tag_line(doc: _Doc, marker: str) -> CharSpan | None:
    """The source's tag line: its marker word in the last line with only words after it."""
    _, end, i, stop = doc.lines[-1]
    for k in range(stop - 1, i - 1, -1):
        if doc.norms[k] == marker:
            after = doc.text[doc.tokens[k][2] : end]
            return None if _SENTENCE_PUNCTUATION.search(after) else (doc.tokens[k][1], len(doc.text))
    return None


def _source_spans(doc: _Doc, spans: list[CharSpan]) -> list[CharSpan]:
    """The rules that need the article's source: the foot lines and the tag line.

    The foot is read from the last line up, over lines already found to be credits (a contact
    box), links and led lines, to the first signature: never past it, never into the title.
    """
    found: list[CharSpan] = []
    merged = _merged(spans)
    for line in doc.lines[: -TAIL_LINES - 1 : -1] if len(doc.lines) > TAIL_LINES else doc.lines[:0:-1]:
        if _inside(merged, line[0], line[1]):
            continue
        kind = _foot_line(doc, line) if len(doc.lines) > 2 else None
        if kind is None:
            break
        found.append((line[0], line[1]))
        if kind == _SIGNATURE:
            break
    marker = TAG_MARKERS.get(doc.paper.id) if doc.paper else None
    tags = _tag_line(doc, marker) if marker and len(doc.lines) > 1 else None
    return [*found, tags] if tags else found


def credit_spans(
    text: str, source: str | None = None, tokens: Sequence[Span] | None = None, norms: Sequence[str] | None = None
) -> list[CharSpan]:
    """Character spans of ``text`` that are credit material, sorted and merged.

    ``text`` is an article's entity text (title, blank line, content); ``source`` its corpus
    source id (``okaz``) or display name, or None — then only the source-independent rules run
    (see the module docstring).  ``tokens`` / ``norms`` may pass ``tokenize(text)`` and their
    ``normalize_word`` forms when they are at hand (the indexer has them).
    """
    if not text.strip():
        return []
    return _credit_spans(_document(text, source, tokens, norms))


def _credit_spans(doc: _Doc) -> list[CharSpan]:
    spans = _line_end_credits(doc)
    spans.extend(_photo_credits(doc.text))
    spans.extend(span for line in doc.lines[:HEAD_LINES] if (span := _dated_dateline(doc, line)))
    last = len(doc.lines) - 1
    for n, line in enumerate(doc.lines):
        if n < HEAD_LINES or n > last - TAIL_LINES:
            furniture = _furniture(doc, line)
            if furniture:
                spans.append(furniture)
        if _MAY_CHAIN.match(doc.text, line[0]):
            edge = doc.paper is not None and (0 < n < HEAD_LINES or n == last > 1)
            chain = _chain(doc, line, edge)
            if chain:
                spans.append(chain)
    if doc.paper is not None:
        spans.extend(_source_spans(doc, spans))
    return _merged(spans)


def _merged(spans: list[CharSpan]) -> list[CharSpan]:
    out: list[CharSpan] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def own_name_spans(
    text: str, source: str | None, tokens: Sequence[Span] | None = None, norms: Sequence[str] | None = None
) -> list[CharSpan]:
    """Where the article names its own paper in quotes or after صحيفة/جريدة (``وقال لـ«عكاظ»``).

    Credit lines included; :func:`screen_credits` keeps those inside no credit span.
    """
    if not source or not text.strip():
        return []
    return _own_names(_document(text, source, tokens, norms))


def _own_names(doc: _Doc) -> list[CharSpan]:
    paper = doc.paper
    if paper is None or paper.firsts.isdisjoint(doc.norms):
        return []
    found = []
    tokens, text = doc.tokens, doc.text
    for k, norm in enumerate(doc.norms):
        if norm not in paper.firsts:
            continue
        for name in sorted((n for n in paper.names if n[0] == norm), key=len, reverse=True):
            stop = k + len(name)
            if doc.words(k, stop) != name:
                continue
            before = text[tokens[k - 1][2] if k else 0 : tokens[k][1]]
            after = text[tokens[stop - 1][2] : tokens[stop][1] if stop < len(tokens) else len(text)]
            quoted = any(c in before for c in '"«“„{(') and any(c in after for c in '"»”}){')
            if k and doc.norms[k - 1] in _OTHER_MEDIA:
                break  # على فضائية (الجزيرة): the channel, not the paper
            if quoted or name in paper.explicit:
                found.append((tokens[k][1], tokens[stop - 1][2]))
                break
    return found


def screen_credits(
    mentions: list[M],
    text: str,
    source: str | None,
    tokens: Sequence[Span] | None = None,
    norms: Sequence[str] | None = None,
) -> list[M]:
    """``mentions`` (sorted by start) without those inside credit spans, nor, when the paper
    is known, its own name where the article names it (:func:`own_name_spans`) or as an
    entity (``sources.tsv``'s entity column).

    Why the own name goes even inside the news (``وقال لـ«عكاظ»``): it is the paper crediting
    itself, another masthead.  Kept, «صحيفة الشرق الأوسط» stood in 694 of the 914 aawsat
    articles and «صحيفة عكاظ» in 481 okaz ones — the source facet again, at the top of the
    organization facet.  Another paper named in the text stays an entity.
    """
    if not mentions or not text.strip():
        return mentions
    doc = _document(text, source, tokens, norms)
    spans = _credit_spans(doc)
    kept = [m for m in mentions if not _inside(spans, m.start, m.end)]
    if doc.paper is None:
        return kept
    own = _merged(_own_names(doc))
    entity = doc.paper.entity
    return [m for m in kept if not _inside(own, m.start, m.end) and getattr(m, "canonical", None) != entity]


def _inside(spans: list[CharSpan], start: int, end: int) -> bool:
    """``start..end`` lies within one of the sorted, disjoint ``spans``."""
    k = bisect_right(spans, start, key=itemgetter(0)) - 1
    return k >= 0 and end <= spans[k][1]
