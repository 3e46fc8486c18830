"""Turning engine output into HTML that is safe whatever the indexed documents contain.

The engine returns snippets already escaped, with matches in ``<mark>``.  The page does
not trust that: it splits on the exact tags ``<mark>``/``</mark>``, decodes and re-escapes
every piece of text in between, and re-inserts only balanced mark tags.  Nothing from a
document can therefore reach the page as markup, even if the snippet code had a bug.
The document page's entity links (:func:`marked_text`) are built the same way: every
piece of text is escaped, and the only tags are the ones written here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from index.entities import find_mentions

_MARK_TAG = re.compile(r"(</?mark>)")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def safe_snippet(snippet: str) -> Markup:
    """``snippet`` as Markup in which the only tags are balanced ``<mark>`` pairs."""
    out: list[str] = []
    open_mark = False
    for piece in _MARK_TAG.split(snippet):
        if piece == "<mark>":
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif piece == "</mark>":
            if open_mark:
                out.append("</mark>")
                open_mark = False
        elif piece:
            out.append(str(escape(html.unescape(piece))))
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))  # every text piece was escaped above


def paragraphs(content: str) -> list[str]:
    """The cleaned text split into paragraphs (the indexer joins them with blank lines)."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(content) if p.strip()]


def external_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) link, else None: ``javascript:`` and friends never become links."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def marked_text(text: str, href: Callable[[str, str], str]) -> Markup:
    """``text`` escaped, each entity mention wrapped in a link to ``href(type, canonical)``.

    Mentions are found on the raw text and every piece — between mentions and inside them —
    is escaped on its own, so a document's markup stays text.  The link's ``title`` gives the
    canonical name, which may be spelled differently from the text (سورية → سوريا).
    """
    out: list[str] = []
    pos = 0
    for mention in find_mentions(text):
        if mention.start < pos:  # find_mentions promises no overlap; never emit broken markup
            continue
        out.append(str(escape(text[pos : mention.start])))
        out.append(
            f'<a class="entity entity-{escape(mention.type)}" href="{escape(href(mention.type, mention.canonical))}"'
            f' title="{escape(mention.canonical)}">{escape(text[mention.start : mention.end])}</a>'
        )
        pos = mention.end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))  # every text piece and attribute was escaped above
