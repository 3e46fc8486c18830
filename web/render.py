"""Turning engine output into HTML that is safe whatever the indexed documents contain.

Snippets come from the engine as data — text and the spans of the matched words — and are
rendered here: every piece of text escaped, the only tags the ``<mark>`` pairs written
here, so nothing from a document can reach the page as markup.  The document page's entity
links (:func:`marked_text`) are built the same way.

Layer: a front end (web).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from index.entities import find_mentions
from search.results import Snippet

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def safe_snippet(snippet: Snippet) -> Markup:
    """``snippet`` as Markup: its text escaped, matched words in ``<mark>``, ellipses where it was cut."""
    out = [snippet.ellipsis_before]
    for text, marked in snippet.pieces():
        out.append(f"<mark>{escape(text)}</mark>" if marked else str(escape(text)))
    out.append(snippet.ellipsis_after)
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
