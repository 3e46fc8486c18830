"""A feed per search (Atom) and the export of a whole result set (CSV, JSON Lines), with source names.

A small index with dates and SaudiNewsNet source ids: eight dated articles that match
«الرقة معارك عنيفة» fully, two undated ones, one newer article that lacks «عنيفة» (a partial
match of the forgiving query) and one that matches nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from whoosh.reading import SegmentReader

import search.engine
import search.whoosh_backend
import web.feed
from search.cli import main
from search.engine import Engine, SearchRequest
from search.errors import QueryError
from search.export import CSV_COLUMNS, LIST_SEPARATOR, export_chunks
from web import create_app
from web.state import close_engine

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
QUERY = "الرقة معارك عنيفة"
ASSAD = "بشار الأسد"


def _dated(i: int) -> dict[str, str]:
    assad = " وقال الرئيس السوري بشار الأسد إن الجيش يتقدم." if i % 3 == 0 else ""
    return {
        "id": f"d{i}",
        "title": f"تقرير ميداني رقم {i}",
        "content": f"شهدت الرقة معارك عنيفة في اليوم {i} من الشهر.{assad}",
        "date": f"2015-07-{10 + i:02d}",
        "source": "okaz" if i % 2 else "alriyadh",
    }


ARTICLES = [
    *(_dated(i) for i in range(1, 9)),
    {"id": "u1", "title": "بلا تاريخ أول", "content": "شهدت الرقة معارك عنيفة أمس.", "source": "okaz"},
    {"id": "u2", "title": "بلا تاريخ ثان", "content": "شهدت الرقة معارك عنيفة قبل أيام.", "source": "sabq"},
    {
        "id": "p1",
        "title": "خبر أحدث ينقصه وصف",
        "content": "شهدت الرقة معارك أمس.",
        "date": "2015-08-30",
        "source": "aawsat",
    },
    {
        "id": "x1",
        "title": "اقتصاد",
        "content": "اجتماع في دمشق لبحث الاقتصاد.",
        "date": "2015-08-01",
        "source": "صحيفة محلية",
    },
]
FULL_DATED = [f"d{i}" for i in range(8, 0, -1)]  # newest first


@pytest.fixture(scope="module")
def index_dir(make_index) -> Path:
    return make_index(records=ARTICLES, name="feed")


@pytest.fixture(scope="module")
def app(index_dir: Path) -> Iterator[Flask]:
    application = create_app({"INDEX": str(index_dir), "TESTING": True})
    yield application
    close_engine(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def engine(index_dir: Path) -> Iterator[Engine]:
    eng = Engine(index_dir)
    yield eng
    eng.close()


def _feed(client: FlaskClient, query: str) -> tuple[etree._Element, feedparser.FeedParserDict]:
    response = client.get(query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/atom+xml"
    body = response.get_data()
    return etree.fromstring(body), feedparser.parse(body)


def _ids(root: etree._Element) -> list[str]:
    return [e.findtext(f"{ATOM}id").rsplit("/doc/", 1)[1] for e in root.iter(f"{ATOM}entry")]


# --- the feed ------------------------------------------------------------------------------------


def _one(element: etree._Element, name: str) -> str:
    """The text of ``element``'s only child ``name`` (RFC 4287: exactly one, non-empty)."""
    found = element.findall(f"{ATOM}{name}")
    assert len(found) == 1 and found[0].text, f"{element.tag}: {len(found)} × {name}"
    return found[0].text


def _rfc3339(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value  # Atom dates carry their offset
    return parsed


def test_feed_is_valid_atom_with_every_required_element(client: FlaskClient) -> None:
    root, parsed = _feed(client, f"/feed?q={QUERY}")
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert root.tag == f"{ATOM}feed" and root.get(XML_LANG) == "ar"
    assert _one(root, "id").startswith("http://") and _one(root, "title")
    _rfc3339(_one(root, "updated"))
    assert root.find(f"{ATOM}author/{ATOM}name") is not None  # entries without a source still have one
    links = {link.get("rel"): link.get("href") for link in root.iter(f"{ATOM}link") if link.getparent() is root}
    assert links["self"] == root.findtext(f"{ATOM}id") and links["self"].startswith("http://localhost/feed?")
    assert "sort=date" in links["alternate"]
    entries = list(root.iter(f"{ATOM}entry"))
    assert entries
    for entry in entries:
        assert entry.get(XML_LANG) == "ar"
        assert _one(entry, "id").startswith("http://localhost/doc/") and _one(entry, "title")
        assert _rfc3339(_one(entry, "updated")) == _rfc3339(_one(entry, "published"))
        assert _one(entry, "summary") and entry.find(f"{ATOM}summary").get("type") == "text"
        assert entry.find(f"{ATOM}content") is None  # so the alternate link is required:
        (link,) = entry.findall(f"{ATOM}link")
        assert link.get("rel", "alternate") == "alternate" and link.get("href") == _one(entry, "id")
        assert entry.find(f"{ATOM}author/{ATOM}name").text
    assert root.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")


def test_feed_lists_full_dated_matches_newest_first(client: FlaskClient) -> None:
    root, parsed = _feed(client, f"/feed?q={QUERY}")
    assert _ids(root) == FULL_DATED  # no undated u1/u2, no partial p1 (newer than all of them)
    updated = [entry.updated for entry in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    assert updated[0] == "2015-07-18T00:00:00+00:00"


def test_feed_entries_link_to_the_article_page_with_source_name_and_snippet(client: FlaskClient) -> None:
    _, parsed = _feed(client, f"/feed?q={QUERY}")
    first = parsed.entries[0]
    assert first.link == "http://localhost/doc/d8"
    assert client.get("/doc/d8").status_code == 200
    assert first.title == "تقرير ميداني رقم 8"
    assert first.author == "الرياض"  # alriyadh's display name, not the site id
    assert {e.author for e in parsed.entries} == {"الرياض", "عكاظ"}
    assert "الرقة معارك عنيفة" in first.summary and "<" not in first.summary


def test_feed_honours_every_filter(client: FlaskClient) -> None:
    root, parsed = _feed(client, f"/feed?q={QUERY}&source=okaz")
    assert _ids(root) == ["d7", "d5", "d3", "d1"]
    assert "المصدر: عكاظ" in parsed.feed.title
    root, _ = _feed(client, f"/feed?q={QUERY}&person={ASSAD}")
    assert _ids(root) == ["d6", "d3"]
    root, _ = _feed(client, f"/feed?q={QUERY}&from=2015-07-13&to=2015-07-15")
    assert _ids(root) == ["d5", "d4", "d3"]
    root, _ = _feed(client, "/feed?source=alriyadh")  # filters alone: that paper's newest
    assert _ids(root) == ["d8", "d6", "d4", "d2"]


def test_feed_keeps_its_newest_entries_only(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web.feed, "FEED_ENTRIES", 3)
    root, _ = _feed(client, f"/feed?q={QUERY}")
    assert _ids(root) == FULL_DATED[:3]


def test_feed_of_nothing_is_still_valid(client: FlaskClient) -> None:
    root, parsed = _feed(client, "/feed?q=كلمةلاتوجد")
    assert not parsed.bozo and parsed.entries == []
    assert root.findtext(f"{ATOM}updated")


@pytest.mark.parametrize(("query", "message"), [('?q="الرقة', "quotes"), ("", "needs words or a filter")])
def test_bad_feed_request_is_a_clear_400(client: FlaskClient, query: str, message: str) -> None:
    response = client.get(f"/feed{query}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text and "Traceback" not in text


def test_results_page_links_its_feed(client: FlaskClient) -> None:
    page = client.get(f"/?q={QUERY}&source=okaz&sort=date&page=1").get_data(as_text=True)
    head = page.split("</head>", 1)[0]
    assert '<link rel="alternate" type="application/atom+xml"' in head
    href = head.split('type="application/atom+xml" href="', 1)[1].split('"', 1)[0]
    assert href.startswith("/feed?") and "sort=" not in href
    assert f'class="feed-link" href="{href}"' in page
    root, _ = _feed(client, href.replace("&amp;", "&"))
    assert _ids(root) == ["d7", "d5", "d3", "d1"]


# --- the export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["relevance", "date"])
@pytest.mark.parametrize(
    "query",
    # the last one holds a date: range, which goes through Whoosh's collectors instead of MatchScorer
    [QUERY, "الرقة", "الرقة OR دمشق", "معارك date:[2015-07-12 to 2015-07-16]"],
)
def test_export_lists_every_match_in_result_order(engine: Engine, query: str, sort: str) -> None:
    request = SearchRequest(q=query, sort=sort, per_page=100)
    result = engine.search(request)
    with engine.export(request) as exported:
        assert exported.total == result.total
        articles = list(exported)
    assert [a.id for a in articles] == [h.id for h in result.hits] and articles
    assert [a.missing for a in articles] == [h.missing for h in result.hits]


def test_export_reads_documents_in_batches(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The total comes first; stored fields are read a batch at a time as the export is consumed."""
    reads: list[int] = []
    original = SegmentReader.stored_fields  # what the engine's searchers read documents with
    monkeypatch.setattr(search.whoosh_backend, "LISTING_BATCH", 2)
    monkeypatch.setattr(
        SegmentReader, "stored_fields", lambda self, docnum: reads.append(docnum) or original(self, docnum)
    )
    with engine.export(SearchRequest(q="الرقة")) as exported:
        assert exported.total == 11 and reads == []
        articles = iter(exported)
        next(articles)
        assert len(reads) == 2
        assert len(list(articles)) == 10 and len(reads) == 11


def test_export_releases_its_view_even_unread(engine: Engine) -> None:
    exported = engine.export(SearchRequest(q="الرقة"))
    generation = engine.backend._generation
    assert generation is not None and generation._busy == 1
    exported.close()
    assert generation._busy == 0
    list(engine.export(SearchRequest(q="الرقة")))  # read to the end: released too
    assert generation._busy == 0


def test_export_over_the_cap_is_refused_before_reading(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(QueryError, match="at most 10"):
        engine.export(SearchRequest(q="الرقة"), cap=10)
    monkeypatch.setattr(search.engine, "MAX_EXPORT", 10)
    with pytest.raises(QueryError, match="11 articles"):
        engine.export(SearchRequest(q="الرقة"))
    assert engine.backend._generation._busy == 0


def test_csv_has_a_bom_a_header_and_every_field(engine: Engine) -> None:
    text = "".join(export_chunks(engine.export(SearchRequest(q="الرقة", sort="date")), "csv"))
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["id"] for r in rows[:3]] == ["p1", "d8", "d7"]  # date sort; nothing missing in a 1-word query
    d6 = next(r for r in rows if r["id"] == "d6")
    assert d6["source"] == "alriyadh" and d6["source_name"] == "الرياض" and d6["date"] == "2015-07-16"
    assert d6["person"] == ASSAD and "الرقة" in d6["place"].split(LIST_SEPARATOR)
    assert d6["text"].startswith("شهدت الرقة معارك عنيفة في اليوم 6")
    assert next(r for r in rows if r["id"] == "u2")["date"] == ""


def test_jsonl_is_one_object_a_line(engine: Engine) -> None:
    text = "".join(export_chunks(engine.export(SearchRequest(q=QUERY)), "jsonl"))
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == 11 and all(tuple(r) == CSV_COLUMNS for r in records)
    p1 = next(r for r in records if r["id"] == "p1")
    assert p1["missing"] == ["عنيفة"] and p1["source_name"] == "الشرق الأوسط"
    assert records[-1]["id"] == "p1"  # the partial match comes after the full ones, as on the page


def test_api_export_streams_with_total_and_filename(client: FlaskClient) -> None:
    response = client.get(f"/api/export?q={QUERY}&source=okaz&format=csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["X-Total-Count"] == "5"
    assert 'filename="export.csv"' in response.headers["Content-Disposition"]
    body = response.get_data()
    response.close()
    assert body.startswith(b"\xef\xbb\xbf")
    assert {r["id"] for r in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))} == {"d1", "d3", "d5", "d7", "u1"}


@pytest.mark.parametrize(
    ("query", "message"),
    [("q=الرقة&format=xml", "format must be"), ('q="الرقة', "quotes"), ("format=csv", "empty query")],
)
def test_api_export_errors_are_json(client: FlaskClient, query: str, message: str) -> None:
    response = client.get(f"/api/export?{query}")
    assert response.status_code == 400
    assert response.get_json()["ok"] is False and message in response.get_json()["error"]


def test_api_export_over_the_cap_is_a_400(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search.engine, "MAX_EXPORT", 5)
    response = client.get("/api/export?q=الرقة")
    assert response.status_code == 400 and "at most 5" in response.get_json()["error"]


def test_results_page_links_the_export(client: FlaskClient) -> None:
    page = client.get("/?q=الرقة&sort=date").get_data(as_text=True)
    href = page.split("download>CSV", 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert href.startswith("/api/export?") and "format=csv" in href and "sort=date" in href
    response = client.get(href)
    assert response.headers["X-Total-Count"] == "11"
    response.close()


def test_cli_all_writes_what_the_api_sends(client: FlaskClient, index_dir: Path) -> None:
    for fmt in ("csv", "jsonl"):
        result = CliRunner().invoke(
            main, ["search", *QUERY.split(), "--index", str(index_dir), "--all", "--format", fmt, "--sort", "date"]
        )
        assert result.exit_code == 0, result.output
        response = client.get(f"/api/export?q={QUERY}&sort=date&format={fmt}")
        assert result.stdout_bytes == response.get_data()
        response.close()
        assert "exported 11 articles" in result.stderr


def test_cli_offers_the_export_formats() -> None:
    import search.cli
    import search.export

    assert search.cli.EXPORT_FORMATS == search.export.EXPORT_FORMATS


def test_cli_all_errors_and_exit_codes(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["search", *args, "--index", str(index_dir)])
        return result.exit_code, result.stderr

    assert run("كلمةلاتوجد", "--all")[0] == 1
    assert run("الرقة", "--format", "csv") == (2, "search-cli: error: --format goes with --all\n")
    assert run("الرقة", "--all", "--json")[0] == 2
    code, err = run('"الرقة', "--all")
    assert code == 2 and "quotes" in err
    monkeypatch.setattr(search.engine, "MAX_EXPORT", 5)
    code, err = run("الرقة", "--all")
    assert code == 2 and "at most 5" in err and "Traceback" not in err


# --- source names --------------------------------------------------------------------------------


def test_hits_documents_and_facets_carry_source_names(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="الرقة", per_page=20))
    names = {hit.id: hit.to_json()["source_name"] for hit in result.hits}
    assert names["d1"] == "عكاظ" and names["d2"] == "الرياض" and names["p1"] == "الشرق الأوسط"
    assert names["u2"] == "سبق"
    assert {h.id: h.to_json()["source"] for h in result.hits}["d1"] == "okaz"  # the id stays the value
    labels = {v["value"]: v["label"] for v in result.to_json()["facets"]["source"]}
    assert labels == {"okaz": "عكاظ", "alriyadh": "الرياض", "aawsat": "الشرق الأوسط", "sabq": "سبق"}
    assert all("label" not in v for v in result.to_json()["facets"]["place"])
    doc = engine.document("x1")
    assert doc is not None and doc.to_json()["source_name"] == "صحيفة محلية"  # unknown: shown as stored


def test_page_shows_source_names(client: FlaskClient) -> None:
    page = client.get("/?q=الرقة&source=okaz").get_data(as_text=True)
    assert '<span class="source" dir="auto">عكاظ</span>' in page
    assert '<span dir="auto">عكاظ</span>' in page  # the facet sidebar
    assert 'المصدر: <span dir="auto">عكاظ</span>' in page  # the filter chip
    assert ">okaz<" not in page
    assert '<dd dir="auto">الرياض</dd>' in client.get("/doc/d2").get_data(as_text=True)


def test_cli_shows_source_names(index_dir: Path) -> None:
    result = CliRunner().invoke(main, ["search", "الرقة", "--index", str(index_dir), "--source", "okaz"])
    assert " · عكاظ · " in result.stdout and "okaz" not in result.stdout
    shown = CliRunner().invoke(main, ["show", "d2", "--index", str(index_dir)])
    assert "source: الرياض (alriyadh)" in shown.stdout
    facets = CliRunner().invoke(main, ["facets", "--index", str(index_dir)])
    assert "عكاظ (okaz)" in facets.stdout


def test_entity_page_shows_source_names(client: FlaskClient) -> None:
    page = client.get(f"/entity/person/{ASSAD}").get_data(as_text=True)
    assert '<span class="source" dir="auto">الرياض</span>' in page and ">alriyadh<" not in page


SEED_SOURCES = {
    "000_4e3d15a02d7a4506": "صحيفة العرب اللندنية",  # its footer line
    "001_bb53fb8a13ccd0c8": "العربي الجديد",
    "002_c7ee3c5289edab1b": "الصباح الجديد",  # «متابعة الصباح الجديد :»
    "003_180c9277222e8e9c": "العربي الجديد",
    "004_fdd5bb4d0a256df4": "ألترا صوت",
}


def test_seed_pages_show_the_paper_their_text_names(seed_index: Path) -> None:
    """Ingest takes each seed's paper from its text (tests/test_cleaning.py); the page shows it."""
    application = create_app({"INDEX": str(seed_index), "TESTING": True})
    try:
        client = application.test_client()
        for doc_id, source in SEED_SOURCES.items():
            page = client.get(f"/doc/{doc_id}").get_data(as_text=True)
            assert f'<dt>المصدر</dt><dd dir="auto">{source}</dd>' in page, doc_id
    finally:
        close_engine(application)
