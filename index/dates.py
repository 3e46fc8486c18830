"""Arabic date parsing for scraped news pages and loosely formatted JSON fields.

Arabic news sites write the publication date in whatever convention their region uses:
Egyptian/Gulf transliterated month names (``22 مايو 2017``), Levantine/Iraqi Syriac names
(``22 أيار 2017``), Maghreb French-derived names (``22 ماي 2017``), often with both side by side
(``6 نوفمبر (تشرين الثاني) 2017``), in Western or Arabic-Indic digits, and next to the
numeric forms ``2017/05/22``, ``22/5/2017`` and ISO.  The index only stores ISO
``YYYY-MM-DD`` so that dates sort and filter as plain strings; everything here turns those
spellings into that one form, or into ``None`` when it is not sure.

Matching works on a *folded* copy of the text (no tashkeel/tatweel/bidi marks, one alef,
ASCII digits) so the tables below hold one spelling per name instead of every variant.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence

__all__ = [
    "MONTHS",
    "date_from_line",
    "find_date_line",
    "fold_arabic",
    "parse_arabic_date",
    "parse_date_value",
]

# --- folding ------------------------------------------------------------------------------

#: Tashkeel and Quranic marks, tatweel, and the invisible bidi/zero-width controls scrapers
#: leave inside words.  Removing them never changes which word was written.
_MARKS_RE = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]"
)

#: Letter variants that writers use interchangeably in month names and site furniture
#: (أيار/ايار, أبريل/ابريل, إقرأ/اقرأ) fold to one form.  Ta marbuta is left alone: it never
#: varies there.  Regex substitutions rather than ``str.translate``, which is several times
#: slower on non-ASCII text and runs on every short line of every page.
_ALEF_RE = re.compile("[أإآٱ]")
_DIGITS_RE = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
#: Arabic-Indic and Extended (Persian/Urdu) digits → ASCII, so one regex reads both.
_DIGIT_TABLE = str.maketrans(
    {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
)


def fold_arabic(text: str) -> str:
    """Fold spelling variants so that table lookups need one entry per word.

    Strips tashkeel, tatweel and invisible marks, unifies alef/hamza forms and alef maksura,
    turns Arabic-Indic digits into ASCII and lower-cases Latin.  The result is only for
    *comparison*; stored text keeps what the publisher wrote.
    """
    text = _ALEF_RE.sub("ا", _MARKS_RE.sub("", text)).replace("ى", "ي").lower()
    if _DIGITS_RE.search(text):
        text = text.translate(_DIGIT_TABLE)
    return text


# --- month tables -------------------------------------------------------------------------

#: Month names by number, in their usual spelling.  Each family is a regional convention;
#: add a spelling here and both the parser and the date-line detector pick it up.
#: Hamza/alef variants (ابريل/أبريل, ايار/أيار) need no separate entry: matching is folded.
MONTHS: dict[int, tuple[str, ...]] = {
    # Egypt/Gulf (transliterated)  | Levant/Iraq (Syriac)        | Maghreb (French-derived)
    1: ("يناير", "كانون الثاني", "كانون ثاني", "جانفي", "جانفييه", "ينير"),
    2: ("فبراير", "شباط", "فيفري", "فبرير"),
    3: ("مارس", "آذار"),
    4: ("أبريل", "إبريل", "نيسان", "أفريل", "ابريل"),
    5: ("مايو", "أيار", "ماي"),
    6: ("يونيو", "يونيه", "حزيران", "جوان", "يونيو"),
    7: ("يوليو", "يوليه", "تموز", "جويلية", "يوليوز"),
    8: ("أغسطس", "آب", "أوت", "غشت"),
    9: ("سبتمبر", "أيلول", "شتنبر"),
    10: ("أكتوبر", "تشرين الأول", "تشرين أول"),
    11: ("نوفمبر", "تشرين الثاني", "تشرين ثاني", "نونبر"),
    12: ("ديسمبر", "كانون الأول", "كانون أول", "دجنبر"),
}

_MONTH_BY_NAME: dict[str, int] = {}
for _num, _names in MONTHS.items():
    for _name in _names:
        _MONTH_BY_NAME[" ".join(fold_arabic(_name).split())] = _num


def _month_alternation() -> str:
    # Longest first so that "مايو" wins over "ماي" and "كانون الثاني" over nothing shorter;
    # spaces inside two-word names match any run of whitespace.
    names = sorted(_MONTH_BY_NAME, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, n.split())) for n in names)


_MONTH = _month_alternation()
#: A letter boundary: Arabic words have no \b that Python's re understands the way a reader
#: does around attached punctuation, so we say "not preceded/followed by a letter" instead.
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
_SEP = r"[\s\-/.,،]*"

#: ``22 مايو 2017``, ``22-مايو-2017``, ``6 نوفمبر (تشرين الثاني) 2017``, ``22 من مايو 2017``.
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}}){_SEP}(?:من\s+)?{_NOT_LETTER_BEFORE}(?P<m>{_MONTH}){_NOT_LETTER_AFTER}"
    rf"(?:\s*[(/]\s*(?:{_MONTH})\s*\)?)?{_SEP}(?P<y>\d{{4}})(?!\d)"
)
#: ``مايو 22، 2017`` (English word order, used by some Gulf sites).
_MONTH_DAY_YEAR = re.compile(
    rf"{_NOT_LETTER_BEFORE}(?P<m>{_MONTH}){_NOT_LETTER_AFTER}\s+(?P<d>\d{{1,2}})\s*[,،]?\s*(?P<y>\d{{4}})(?!\d)"
)
#: ISO and its slash/dot cousins, optionally followed by a time: ``2017-05-22``, ``2017/05/22``.
_YEAR_FIRST = re.compile(r"(?<!\d)(?P<y>\d{4})([-/.])(?P<m>\d{1,2})\2(?P<d>\d{1,2})(?!\d)")
#: Day-first numeric dates, the Arab convention: ``22/5/2017``, ``22-05-2017``, ``22.05.2017``.
_DAY_FIRST = re.compile(r"(?<!\d)(?P<d>\d{1,2})([-/.])(?P<m>\d{1,2})\2(?P<y>\d{4})(?!\d)")

_MIN_YEAR, _MAX_YEAR = 1900, 2100


def _make_date(year: str, month: int | str, day: str) -> str | None:
    y, m, d = int(year), int(month), int(day)
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        # Hijri years (1438 …) and typos: better no date than a wrong one.
        return None
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _first_date(folded: str) -> tuple[str, tuple[int, int]] | None:
    """Earliest date in already-folded text, with the span it occupies."""
    best: tuple[str, tuple[int, int]] | None = None
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _YEAR_FIRST, _DAY_FIRST):
        for match in pattern.finditer(folded):
            if best is not None and match.start() >= best[1][0]:
                break
            groups = match.groupdict()
            month: int | str = groups["m"]
            if pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
                month = _MONTH_BY_NAME[" ".join(str(month).split())]
            iso = _make_date(groups["y"], month, groups["d"])
            if iso is None and pattern is _DAY_FIRST:
                # 5/22/2017: month-first is unambiguous when the "month" cannot be one.
                iso = _make_date(groups["y"], groups["d"], groups["m"])
            if iso is not None:
                best = (iso, match.span())
                break
    return best


def parse_arabic_date(text: str) -> str | None:
    """Return the first calendar date written in ``text`` as ``YYYY-MM-DD``, else ``None``.

    Accepts every month-name family in :data:`MONTHS`, Arabic-Indic digits, and numeric
    forms (ISO, ``Y/M/D``, day-first ``D/M/Y``).  Incomplete dates (month and year only),
    Hijri years and impossible days give ``None`` rather than a guess, because a wrong
    date silently mis-sorts an article while a missing one is merely unknown.
    """
    found = _first_date(fold_arabic(text))
    return found[0] if found else None


def parse_date_value(value: object) -> str | None:
    """Normalise a structured ``date`` field (JSON) to ``YYYY-MM-DD`` or ``None``.

    JSON producers write ``"2015-07-21 02:51:32"``, ISO timestamps or human Arabic dates;
    all go through :func:`parse_arabic_date`.  Non-strings (numbers, nulls) give ``None``:
    an epoch number is ambiguous (seconds or milliseconds) and not worth guessing.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    return parse_arabic_date(value)


# --- date lines ---------------------------------------------------------------------------

#: Words that may surround a date on a page's "date line" without making it prose: weekday
#: names, "published/updated" labels, time-of-day words, Hijri month names (many sites print
#: both calendars), era markers.  Stored folded (see :func:`fold_arabic`).
_DATE_LINE_FILLER = frozenset(
    fold_arabic(word)
    for group in (
        "الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد يوم",
        "نشر نشرت منشور في بتاريخ تاريخ النشر آخر اخر تحديث التحديث محدث الموافق",
        "الساعة بتوقيت مكة المكرمة غرينتش غرينيتش جرينتش صباحا صباحاً مساء مساءً ص م هـ ه",
        "gmt utc am pm published updated",
        "محرم صفر ربيع الأول الثاني الآخر جمادى الأولى الآخرة رجب شعبان رمضان شوال ذو ذي القعدة الحجة",
    )
    for word in group.split()
)
_MONTH_WORDS = frozenset(word for name in _MONTH_BY_NAME for word in name.split())
_WORD_RE = re.compile(r"[^\W\d_]+")
_MAX_DATE_LINE_CHARS = 100


def date_from_line(line: str) -> str | None:
    """ISO date if ``line`` is a *date line* — a date and nothing else of substance.

    Only lines whose every remaining word is a weekday, label, time word or month name
    qualify, so a headline that mentions a date ("قمة 22 مايو 2017") is never mistaken for
    page furniture and removed from the article.
    """
    if len(line) > _MAX_DATE_LINE_CHARS:
        return None
    folded = fold_arabic(line)
    found = _first_date(folded)
    if found is None:
        return None
    iso, (start, end) = found
    rest = folded[:start] + " " + folded[end:]
    for word in _WORD_RE.findall(rest):
        if word not in _DATE_LINE_FILLER and word not in _MONTH_WORDS:
            return None
    return iso


def find_date_line(lines: Sequence[str], limit: int = 8) -> tuple[int, str] | None:
    """Index and ISO date of the first date line among the first ``limit`` lines.

    Scraped pages put the publication date near the top (after the title, before or after
    the lead photo); looking only there keeps dates quoted inside the article body from
    being taken for the publication date.
    """
    for index, line in enumerate(lines[:limit]):
        iso = date_from_line(line)
        if iso is not None:
            return index, iso
    return None
