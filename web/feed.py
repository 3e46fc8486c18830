"""An Atom feed per search: follow a query in any feed reader.

``/feed`` takes every search parameter (``q``, the filters, the dates) and lists the
:data:`FEED_ENTRIES` newest articles that match every word, newest first by article date;
undated articles are left out (a feed orders by time).  Each entry links to the article's
page on this site and carries its date, its source (the paper's display name, as the
entry's author) and its first snippet as the summary, in Arabic (``xml:lang="ar"``).

The XML is written by feedgen, which takes care of escaping and of Atom's required
elements; ``xml:lang`` on each entry goes through feedgen's extension hook.

Layer: a front end (web).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedEntry, FeedGenerator
from flask import Blueprint, Response, request, url_for
from werkzeug.datastructures import iter_multi_items

from search.errors import QueryError
from search.request import SearchRequest
from search.results import Hit, SearchResult, display_source
from web.facets import FILTER_LABELS
from web.state import get_engine

bp = Blueprint("feed", __name__)

#: Entries of a feed: about a week of a busy query on SaudiNewsNet (its 14 papers publish
#: ~500 articles a day), and what feed readers fetch comfortably (a feed is re-read whole).
FEED_ENTRIES = 50
ATOM_TYPE = "application/atom+xml"
LANGUAGE = "ar"
SITE_NAME = "بحث الأخبار العربية"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed_request(params: SearchRequest) -> SearchRequest:
    """The search a feed stands for: its words, filters and collapsing of wire copies (sort, page and
    page size do not apply)."""
    return SearchRequest(q=params.q, collapse=params.collapse).with_filters(params.filters)


def feed_url(params: SearchRequest, external: bool = False) -> str:
    """The feed of a search (the results page links it; ``external``: an absolute URL)."""
    query = urlencode(list(iter_multi_items(feed_request(params).to_args())))
    base = url_for("feed.feed", _external=external)
    return f"{base}?{query}" if query else base


@bp.get("/feed")
def feed() -> Response:
    """The newest articles of a search as an Atom feed."""
    params = feed_request(SearchRequest.from_args(request.args))
    if params.blank:
        raise QueryError("a feed needs words or a filter, e.g. /feed?q=الرقة")
    newest = params.with_changes(sort="date", per_page=FEED_ENTRIES)
    result = get_engine().search(newest)
    return Response(atom_feed(params, result), content_type=f"{ATOM_TYPE}; charset=utf-8")


def feed_entries(result: SearchResult) -> list[tuple[Hit, dt.date]]:
    """The hits a feed lists, with their dates: dated, matching every word (a date sort lists
    those first, newest first)."""
    return [(hit, hit.date) for hit in result.hits if hit.date is not None and not hit.missing]


def atom_feed(params: SearchRequest, result: SearchResult) -> bytes:
    """The Atom document for ``result`` (the newest hits of ``params``), as UTF-8 bytes."""
    hits = feed_entries(result)
    generator = FeedGenerator()
    generator.register_extension("arabic", _FeedLanguage, _EntryLanguage, atom=True, rss=False)
    self_url = feed_url(params, external=True)
    generator.id(self_url)
    generator.title(f"{describe(params)} · {SITE_NAME}")
    generator.subtitle(f"أحدث {FEED_ENTRIES} خبرًا تطابق هذا البحث، الأحدث أولًا")
    generator.link(href=self_url, rel="self", type=ATOM_TYPE)
    generator.link(href=_page_url(params), rel="alternate", type="text/html")
    generator.author(name=SITE_NAME)  # entries without a known source still have an author
    generator.language(LANGUAGE)
    generator.updated(_instant(hits[0][1]) if hits else dt.datetime.now(dt.UTC).replace(microsecond=0))
    for hit, day in hits:
        _entry(generator.add_entry(order="append"), hit, day)
    return generator.atom_str(pretty=True)


def _entry(entry: FeedEntry, hit: Hit, day: dt.date) -> None:
    link = url_for("pages.document", doc_id=hit.id, _external=True)
    entry.id(link)
    entry.title(hit.title or hit.id)
    entry.link(href=link, rel="alternate", type="text/html")
    entry.updated(_instant(day))
    entry.published(_instant(day))
    if hit.source_name:
        entry.author(name=hit.source_name)
    if hit.snippets:
        entry.summary(hit.snippets[0].plain(), type="text")


def describe(params: SearchRequest) -> str:
    """A feed's title: the words in «», then each filter (a source by its name)."""
    parts = [f"«{params.q.strip()}»"] if params.q.strip() else []
    for key, value in params.filters:
        shown = (display_source(value) or value) if key == "source" else value
        parts.append(f"{FILTER_LABELS.get(key, key)}: {shown}")
    return " · ".join(parts)


def _page_url(params: SearchRequest) -> str:
    """The results page of the feed's search, newest first (an absolute URL)."""
    args = params.with_changes(sort="date").to_args()
    return f"{url_for('pages.search', _external=True)}?{urlencode(list(iter_multi_items(args)))}"


def _instant(day: dt.date) -> dt.datetime:
    """An article's date as Atom's timestamp: the start of that day, UTC (the index keeps days)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


class _FeedLanguage(BaseExtension):
    """Nothing to add at the feed level: ``FeedGenerator.language`` sets the root's ``xml:lang``."""


class _EntryLanguage(BaseEntryExtension):
    """Marks each entry ``xml:lang="ar"`` (feedgen writes the language on the root only)."""

    def extend_atom(self, entry: Any) -> Any:  # an lxml element
        entry.set(_XML_LANG, LANGUAGE)
        return entry
