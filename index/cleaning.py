"""From a scraped news page to title, date, source and a readable body.

The ``.txt`` articles in the corpus are pages copied out of news sites: besides the article
they carry the site's furniture (font-size widgets, "read also" links, contributor and
comment boxes), photo captions with agency credits, a date line, the publisher's name, a
title printed twice, and sometimes whole paragraphs scraped twice.  Indexing that as-is
makes every Al-Araby article match "المساهمون" and doubles term frequencies of the
repeated half.  This module removes it, line by line, in linear time.

What is furniture is *data*, not code: the tables below (:data:`FURNITURE_LINES`,
:data:`READ_ALSO_MARKERS`, :data:`CAPTION_CREDITS`, :data:`SITE_SIGNATURES`, the publisher
line patterns) are meant to be extended when a new site shows up in the corpus.

The text users read is never normalised: matching happens on a folded *key* of each line
(:func:`line_key`), the kept lines are stored exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.dates import date_from_line, fold_arabic

__all__ = [
    "CAPTION_CREDITS",
    "FURNITURE_LINES",
    "PUBLISHER_BYLINE_PATTERNS",
    "PUBLISHER_FOOTER_PATTERNS",
    "READ_ALSO_MARKERS",
    "SITE_SIGNATURES",
    "CleanedPage",
    "clean_page",
    "dedupe_paragraphs",
    "line_key",
    "normalize_text",
    "paragraph_key",
    "split_paragraphs",
    "title_from_text",
]

# --- basic text normalisation (all formats) -----------------------------------------------

#: Control characters are deleted (NUL, SUB …) except tab and newline; a stray BOM inside the
#: text (from concatenated files) goes too.  Vertical tab, form feed, NEL and the Unicode
#: line/paragraph separators become newlines.  Regexes, not ``str.translate``: on 20 MB of
#: Arabic a translate table is ten times slower.
_NEWLINE_LIKE_RE = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff]+")
_TRAILING_SPACE_RE = re.compile(r"[^\S\n]+$", re.MULTILINE)
_BLANK_RUN_RE = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Make raw text safe to store and split: one newline convention, no control characters.

    Newlines become ``\\n``; NUL and other control characters (except tab/newline) are
    removed because they break terminals, JSON consumers and the highlighter; trailing
    whitespace is stripped and runs of blank lines collapse to one.  Letters, diacritics
    and punctuation are left exactly as published — analysis normalises later, the stored
    content is what users read.
    """
    text = _CONTROL_RE.sub("", _NEWLINE_LIKE_RE.sub("\n", text))
    text = _TRAILING_SPACE_RE.sub("", text)
    return _BLANK_RUN_RE.sub("\n\n", text).strip("\n")


def split_paragraphs(text: str) -> list[str]:
    """Non-empty lines of ``text``, stripped: the paragraph model of the whole index.

    Scraped pages use one line per paragraph, some with blank lines between them and some
    without (002), and put date, caption and widget on consecutive lines (003), so a line —
    not a blank-line-separated block — is the unit that can be kept or dropped.
    """
    return [stripped for line in normalize_text(text).split("\n") if (stripped := line.strip())]


# --- keys ---------------------------------------------------------------------------------

_NON_KEY_RE = re.compile(r"[\W_]+")
_MARKS_AND_SPACE_RE = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\\s]+")
_HAS_WORD_RE = re.compile(r"[^\W_]")
#: Lines longer than this are never furniture, captions or link titles; the (slower) full
#: folding key is only computed for shorter lines, which keeps a 20 MB page fast.
_SHORT_LINE_CHARS = 300
_FURNITURE_MAX_CHARS = 60
_MARKER_PREFIX_CHARS = 40


def line_key(text: str) -> str:
    """Comparison key of a short line: folded letters and digits only.

    Tatweel, tashkeel, hamza variants, spacing and punctuation all vanish, so ``اقــرأ أيضاً``,
    ``اقرأ أيضا:`` and ``إقرأ ايضا`` share one key — site furniture is matched however the
    template spelled it.
    """
    return _NON_KEY_RE.sub("", fold_arabic(text))


def paragraph_key(text: str) -> str:
    """Key under which two paragraphs count as the same: no tashkeel, tatweel or whitespace.

    Cheaper than :func:`line_key` (it runs on every paragraph of possibly huge pages) and
    deliberately literal otherwise: paragraphs that differ in wording are different.
    """
    return _MARKS_AND_SPACE_RE.sub("", text)


def _keys(lines: Iterable[str]) -> frozenset[str]:
    return frozenset(line_key(line) for line in lines)


# --- furniture tables ---------------------------------------------------------------------

#: Whole lines that are site chrome, not article text.  Compared by :func:`line_key`, so
#: punctuation, tatweel, diacritics and hamza spelling do not matter (``+ الخط -`` is stored
#: as the key ``الخط``).  Add new widgets here.
FURNITURE_LINES: frozenset[str] = _keys(
    [
        # Al-Araby Al-Jadeed template
        "+ الخط -",
        "المساهمون",
        # comment / related-content boxes (many WordPress news themes)
        "مقالات ذات صلة",
        "أخبار ذات صلة",
        "مواضيع ذات صلة",
        "مقالات متعلقة",
        "التعليقات مغلقة",
        "التعليقات مغلقة.",
        "التعليقات",
        "أضف تعليق",
        "أضف تعليقاً",
        "اترك تعليقاً",
        "اترك تعليقا",
        "الأكثر قراءة",
        "الأكثر مشاهدة",
        "اقرأ المزيد",
        "المزيد",
        "كلمات مفتاحية",
        "الوسوم",
        "وسوم",
        # share / print / font-size widgets
        "شارك",
        "شارك الخبر",
        "شارك المقال",
        "مشاركة",
        "شارك على فيسبوك",
        "شارك على تويتر",
        "طباعة",
        "طباعة الخبر",
        "أرسل لصديق",
        "إرسال لصديق",
        "حجم الخط",
        "تكبير الخط",
        "تصغير الخط",
        "A A",
        "A+ A-",
        "فيسبوك",
        "تويتر",
        "واتساب",
        "واتس اب",
        "تيليجرام",
        "Facebook",
        "Twitter",
        "WhatsApp",
        "Share",
        "Print",
        "Email",
    ]
)

#: "Read also" link boxes.  A line *starting* with one of these keys is dropped together
#: with the link title it carries (``اقرأ/ي أيضًا: حلب وتدمر..``); a bare marker line also
#: takes up to :data:`_MAX_LINK_TITLES` following headline-like lines (the link titles).
READ_ALSO_MARKERS: tuple[str, ...] = tuple(
    line_key(marker)
    for marker in (
        "اقرأ أيضاً",  # covers اقــرأ أيضاً, إقرأ ايضا …
        "اقرأ/ي أيضًا",  # Ultra Sawt's gender-inclusive form
        "اقرأ أيضا",
        "اقرأ كذلك",
        "اقرأ/ي كذلك",
        "طالع أيضا",
        "شاهد أيضا",
        "اقرأ المزيد",
        "إقرأ المزيد",
        "ذات صلة",
        "مواضيع ذات صلة",
    )
)
#: First words of the markers: only lines starting with one are examined further.
_READ_ALSO_FIRST_WORDS = frozenset(
    line_key(marker.split()[0])
    for marker in (
        "اقرأ أيضاً",
        "اقرأ/ي أيضًا",
        "اقرأ كذلك",
        "طالع أيضا",
        "شاهد أيضا",
        "إقرأ المزيد",
        "ذات صلة",
        "مواضيع",
    )
)
_MAX_LINK_TITLES = 3
_MAX_READ_ALSO_WORDS = 30

#: Photo credits: a short line ending in ``( … credit … )`` where the parenthesis names one
#: of these agencies/photo services is a caption.  Compared word-by-word on folded text, so
#: ``أ ف ب``, ``أ.ف.ب`` and ``ا ف ب`` are one entry and ``(ياسر الخضر/ رويترز)`` matches
#: on ``رويترز``.
CAPTION_CREDITS: tuple[tuple[str, ...], ...] = tuple(
    tuple(re.findall(r"[^\W\d_]+", fold_arabic(credit)))
    for credit in (
        "رويترز",
        "فرانس برس",
        "فرانس بريس",
        "أ ف ب",
        "الأناضول",
        "الاناضول",
        "أسوشيتد برس",
        "أسوشيتدبرس",
        "اسوشيتد برس",
        "أ ب",
        "إ ب أ",
        "د ب أ",
        "الأوروبية",
        "إيبا",
        "سانا",
        "واس",
        "شينخوا",
        "غيتي",
        "جيتي",
        "وكالات",
        "أرشيفية",
        "أرشيف",
        "مواقع التواصل",
        "فيسبوك",
        "تويتر",
        "AFP",
        "Reuters",
        "AP",
        "EPA",
        "Getty",
        "Getty Images",
        "Anadolu",
        "Shutterstock",
    )
)
_CAPTION_TAIL_RE = re.compile(r"\(([^()]{1,80})\)\s*[.،]?$")
#: ``صورة: رويترز``, ``الصورة (أرشيف)``, ``تصوير: فلان`` — a caption label at line start.
_CAPTION_LABEL_RE = re.compile(r"^(?:ال)?صور[ةه]\s*[:(]|^تصوير\s*:")
_MAX_CAPTION_WORDS = 25

#: Sites recognisable by their template when the page does not name itself.  Each entry is
#: ``(publisher, patterns)``; a pattern is matched against the *raw* stripped line, because
#: exact spelling is part of a template's fingerprint (Al-Araby writes ``اقــرأ أيضاً`` with
#: tatweel, Ultra Sawt writes ``اقرأ/ي``).  The first publisher with a matching line wins.
SITE_SIGNATURES: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = (
    (
        "العربي الجديد",
        (re.compile(r"^\+ الخط -$"), re.compile(r"^المساهمون$"), re.compile(r"^اقــرأ أيضاً$")),
    ),
    ("ألترا صوت", (re.compile(r"^اقرأ/ي\s+أيض"),)),
)

#: Publisher lines near the top ("byline"): ``متابعة الصباح الجديد :`` → ``الصباح الجديد``.
#: Group ``name`` is the publisher.  Only the first lines of a page are examined.
PUBLISHER_BYLINE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?:متابعة|متابعات)\s*[-–:]?\s*(?P<name>[^\s:.،].{1,40}?)\s*[:\-–]?$"),
    re.compile(r"^(?:المصدر|نقلا عن|نقلاً عن)\s*[:\-–]\s*(?P<name>[^:.،]{2,60}?)\s*$"),
)
#: Publisher lines at the very end ("footer"): ``صحيفة العرب اللندنية``.  The whole line is
#: the publisher; two to five words, no sentence punctuation, only the last lines examined —
#: so a headline like "صحيفة بريطانية تكشف ..." at the top is never taken for one.
PUBLISHER_FOOTER_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?P<name>(?:صحيفة|جريدة|مجلة|موقع|وكالة|شبكة|قناة)(?:\s+[^\s.،:؟!\"«»“”]+){1,4})$"),
    re.compile(r"^(?:المصدر|نقلا عن|نقلاً عن)\s*[:\-–]\s*(?P<name>[^:.،]{2,60}?)\s*$"),
)
_BYLINE_WINDOW = 8
_FOOTER_WINDOW = 3
_DATE_WINDOW_HEAD = 8
_DATE_WINDOW_TAIL = 3

_MAX_TITLE_WORDS = 25
_MAX_TITLE_CHARS = 250


# --- result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanedPage:
    """What a scraped page yields once its furniture is gone.

    ``title`` comes from the page's headline line, or from the first sentence when the
    page has none; ``body`` never repeats the title.
    """

    title: str
    date: str | None
    source: str | None
    paragraphs: tuple[str, ...]

    @property
    def body(self) -> str:
        """Paragraphs separated by a blank line — the ``content`` stored in the index."""
        return "\n\n".join(self.paragraphs)


# --- line classifiers ---------------------------------------------------------------------


def _word_count(line: str) -> int:
    return len(line.split())


def _read_also(key: str) -> str | None:
    for marker in READ_ALSO_MARKERS:
        if key.startswith(marker):
            return marker
    return None


def _is_headline_like(line: str) -> bool:
    """Short line that does not end like a sentence: a link title, a headline."""
    return _word_count(line) <= 15 and len(line) <= 120 and not line.rstrip("\"'”»)").endswith((".", ":", "،"))


def _contains_words(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    n = len(needle)
    return any(tuple(haystack[i : i + n]) == tuple(needle) for i in range(len(haystack) - n + 1))


def _is_caption(line: str) -> bool:
    """A short line ending with an agency/photographer credit in parentheses."""
    if len(line) > _SHORT_LINE_CHARS or _word_count(line) > _MAX_CAPTION_WORDS:
        return False
    if line.startswith(("صور", "الصور", "تصوير")) and _CAPTION_LABEL_RE.match(fold_arabic(line)):
        return True
    match = _CAPTION_TAIL_RE.search(line)
    if match is None:
        return False
    words = re.findall(r"[^\W\d_]+", fold_arabic(match.group(1)))
    return any(_contains_words(words, credit) for credit in CAPTION_CREDITS)


def _is_title_like(line: str) -> bool:
    return (
        _word_count(line) <= _MAX_TITLE_WORDS
        and len(line) <= _MAX_TITLE_CHARS
        and not line.endswith((".", ":"))
        and date_from_line(line) is None
    )


def _match_publisher(line: str, patterns: Sequence[re.Pattern[str]]) -> str | None:
    for pattern in patterns:
        match = pattern.match(line)
        if match:
            name = " ".join(match.group("name").split()).strip(" :-–")
            if 1 <= _word_count(name) <= 6:
                return name
    return None


def _site_from_signature(lines: Sequence[str]) -> str | None:
    for publisher, patterns in SITE_SIGNATURES:
        if any(p.match(line) for line in lines if len(line) <= _SHORT_LINE_CHARS for p in patterns):
            return publisher
    return None


# --- steps --------------------------------------------------------------------------------


def _drop_furniture(lines: Sequence[str]) -> list[str]:
    kept: list[str] = []
    skip_link_titles = 0
    for line in lines:
        if not _HAS_WORD_RE.search(line):
            # Lines with no letters or digits at all ("***", "|", a lone NBSP) carry nothing.
            continue
        if skip_link_titles:
            skip_link_titles -= 1
            if _is_headline_like(line):
                continue
            skip_link_titles = 0
        if len(line) <= _FURNITURE_MAX_CHARS and line_key(line) in FURNITURE_LINES:
            continue
        if len(line) <= _SHORT_LINE_CHARS and line_key(line.split(None, 1)[0]) in _READ_ALSO_FIRST_WORDS:
            marker = _read_also(line_key(line))
            if marker is not None and _word_count(line) <= _MAX_READ_ALSO_WORDS:
                if line_key(line) == marker:
                    skip_link_titles = _MAX_LINK_TITLES
                continue
        kept.append(line)
    return kept


def _take_date(lines: list[str]) -> str | None:
    head = range(min(_DATE_WINDOW_HEAD, len(lines)))
    tail = range(max(len(lines) - _DATE_WINDOW_TAIL, len(head)), len(lines))
    for index in (*head, *tail):
        iso = date_from_line(lines[index])
        if iso is not None:
            del lines[index]
            return iso
    return None


def _take_publisher(lines: list[str]) -> str | None:
    for index in range(min(_BYLINE_WINDOW, len(lines))):
        # The first line is the headline slot; a byline never comes first.
        if index == 0 and len(lines) > 1:
            continue
        name = _match_publisher(lines[index], PUBLISHER_BYLINE_PATTERNS)
        if name:
            del lines[index]
            return name
    for index in range(len(lines) - 1, max(len(lines) - 1 - _FOOTER_WINDOW, 0), -1):
        name = _match_publisher(lines[index], PUBLISHER_FOOTER_PATTERNS)
        if name:
            del lines[index]
            return name
    return None


def dedupe_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """Keep the first occurrence of every paragraph, compared by :func:`paragraph_key`.

    Scrapers often capture a page twice over (001 repeats half its body after a "read also"
    box).  One pass with a set of keys: linear in the text size, so a 20 MB page is fine.
    """
    seen: set[str] = set()
    kept: list[str] = []
    for paragraph in paragraphs:
        key = paragraph_key(paragraph)
        if key in seen:
            continue
        seen.add(key)
        kept.append(paragraph)
    return kept


#: Where a first sentence ends: full stop/question/exclamation (followed by space or end, so
#: "3.5" and "أ.ف.ب" do not cut), Arabic or Latin comma, semicolon.
_SENTENCE_END_RE = re.compile(r"\.(?=\s|$)|[!?؟،,؛;]")
_TITLE_MIN_WORDS = 4
_TITLE_MAX_WORDS = 12
_TITLE_SCAN_CHARS = 2000


def title_from_text(text: str, max_words: int = _TITLE_MAX_WORDS) -> str:
    """A title for a text that has none: its first sentence, or its first ``max_words`` words.

    Cuts at the first ``. ، ؟ !`` that leaves at least four words (so "بدورهم،" alone is
    never a title); a question or exclamation mark is kept, a full stop or comma is not.
    A cut made by word count ends in "…" so readers see the title is truncated.
    """
    head = " ".join(text[:_TITLE_SCAN_CHARS].split())
    for match in _SENTENCE_END_RE.finditer(head):
        candidate = head[: match.start()].strip()
        n_words = _word_count(candidate)
        if n_words > max_words:
            break
        if n_words >= _TITLE_MIN_WORDS:
            return candidate + (match.group() if match.group() in "!?؟" else "")
    words = head.split()
    if len(words) <= max_words:
        return head
    return " ".join(words[:max_words]) + "…"


def clean_page(text: str) -> CleanedPage:
    """Split a scraped page into title, date, source and de-duplicated body paragraphs.

    Order matters: furniture and captions go first so that the headline slot, date line and
    publisher line are found among real lines; the title is then removed everywhere it is
    repeated, and finally repeated paragraphs collapse to their first occurrence.
    """
    raw_lines = split_paragraphs(text)
    signature_source = _site_from_signature(raw_lines)

    lines = [line for line in _drop_furniture(raw_lines) if not _is_caption(line)]
    date = _take_date(lines)
    source = _take_publisher(lines) or signature_source

    title = ""
    if lines and _is_title_like(lines[0]) and len(lines) > 1:
        title = " ".join(lines[0].split())
        title_key = line_key(title)
        slack = len(title) // 2 + 10  # a repeat differs only in marks and spacing
        lines = [line for line in lines if abs(len(line) - len(title)) > slack or line_key(line) != title_key]
    paragraphs = dedupe_paragraphs(lines)
    if not title and paragraphs:
        title = title_from_text(paragraphs[0])
    return CleanedPage(title=title, date=date, source=source, paragraphs=tuple(paragraphs))
