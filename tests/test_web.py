"""The web UI and JSON API through Flask's test client, on the seed corpus plus one hostile article."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from helpers import as_json

from search.cli import main
from search.engine import Engine, SearchRequest
from search.explain import analyze_text
from search.request import MAX_PER_PAGE
from search.results import Document, FacetValue, SearchResult, Snippet
from web import CONTENT_SECURITY_POLICY, create_app
from web.render import external_url, marked_text, paragraphs, safe_snippet
from web.state import close_engine, get_engine
from web.timeline import summary as timeline_summary
from web.timeline import timeline_svg

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "corpus"
DOC_ID = "000_4e3d15a02d7a4506"
XSS_ID = "xss-1"
XSS_DOC = {
    "id": XSS_ID,
    "title": "عنوان <script>alert(1)</script> <img src=x onerror=alert(1)> خبيث",
    "content": (
        "نص script أول <script>alert(1)</script> ثم صورة <img src=x onerror=alert(1)> "
        "ثم </mark><script>x</script> نهاية script.\n\n"
        "رابط javascript:alert(1) اضغط هنا script"
    ),
    "url": "javascript:alert(1)",
    "source": "<b>مصدر</b>",
    "author": "<i>كاتب</i>",
    "date": "2017-06-01",
}
MARK_OR_END = re.compile(r"</?mark>")
#: The page's one script tag: search suggestions, loaded from /static, never inline.
SUGGEST_SCRIPT = '<script src="/static/suggest.js" defer>'


@pytest.fixture(scope="module")
def index_dir(make_index) -> Path:
    """The seed corpus plus one hostile article."""
    return make_index(records=[XSS_DOC], name="web", seed=True)


@pytest.fixture(scope="module")
def app(index_dir: Path) -> Iterator[Flask]:
    application = create_app({"INDEX": str(index_dir), "TESTING": True})
    yield application
    close_engine(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def engine(index_dir: Path) -> Iterator[Engine]:
    eng = Engine(index_dir)
    yield eng
    eng.close()


def html(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def api(client: FlaskClient, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return response.get_json()


def without_time(result: dict) -> dict:
    """A result without its timing, and its facet values without the API's toggle links."""
    out = {k: v for k, v in result.items() if k != "took_ms"}
    out["facets"] = {
        key: [{k: v for k, v in item.items() if k not in ("url", "selected")} for item in values]
        for key, values in result.get("facets", {}).items()
    }
    return out


def assert_marks_balanced(page: str) -> None:
    tags = MARK_OR_END.findall(page)
    assert tags, "expected highlighted matches"
    assert tags == ["<mark>", "</mark>"] * (len(tags) // 2)


# --- pages ---------------------------------------------------------------------------------


def test_home_page_offers_examples_and_is_arabic_first(client: FlaskClient) -> None:
    page = html(client, "/")
    assert '<html lang="ar" dir="rtl">' in page
    assert 'href="#main"' in page and '<main id="main"' in page
    assert '<label class="visually-hidden" for="q">' in page
    for example in ("الرقة", "&#34;دير الزور&#34;", "داعش OR النصرة"):
        assert example in page
    assert "<aside" not in page
    assert re.findall(r"<script[^>]*>", page) == [SUGGEST_SCRIPT]  # the only script: optional, external


def test_results_page_shows_hits_with_marks_and_keeps_the_query(client: FlaskClient) -> None:
    page = html(client, "/?q=الرقة")
    assert 'value="الرقة"' in page
    assert page.count('class="hit"') == 4
    assert "<mark>الرقة</mark>" in page
    assert_marks_balanced(page)
    assert f'href="/doc/{DOC_ID}?q=' in page
    assert '<time datetime="2017-05-22"><bdi>2017-05-22</bdi></time>' in page
    assert 'class="snippet" dir="auto"' in page and 'class="hit-title" dir="auto"' in page


def test_sort_and_paging_links_keep_the_search(client: FlaskClient, engine: Engine) -> None:
    page = html(client, "/?q=الرقة&per_page=1&page=2&sort=date")
    expected = engine.search(SearchRequest("الرقة", page=2, per_page=1, sort="date")).to_json()["hits"][0]["id"]
    assert f"/doc/{expected}?" in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    prev_link = re.search(r'href="([^"]*)" rel="prev"', page)
    next_link = re.search(r'href="([^"]*)" rel="next"', page)
    assert prev_link and prev_link.group(1).endswith("sort=date&amp;per_page=1")  # page 1 is the default
    assert next_link and next_link.group(1).endswith("sort=date&amp;page=3&amp;per_page=1")
    assert re.search(r'href="[^"]*sort=date[^"]*" aria-current="true"', page)
    assert '<input type="hidden" name="sort" value="date">' in page


def test_first_and_last_pages_have_one_pager_link(client: FlaskClient) -> None:
    first = html(client, "/?q=الرقة&per_page=2")
    assert 'rel="next"' in first and 'rel="prev"' not in first
    last = html(client, "/?q=الرقة&per_page=2&page=2")
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_page_past_the_end_links_back_to_the_first(client: FlaskClient) -> None:
    page = html(client, "/?q=الرقة&page=9")
    assert 'class="hit"' not in page
    assert "لا نتائج في هذه الصفحة" in page


def test_no_results_page_gives_tips_and_examples(client: FlaskClient) -> None:
    page = html(client, "/?q=كمبيوترات")
    assert "تحقّق من الإملاء" in page and "استخدم كلمات أقل" in page
    assert "داعش OR النصرة" in page


def test_entity_filters_are_kept_in_every_link(client: FlaskClient) -> None:
    page = html(client, "/?q=الرقة&per_page=2&organization=داعش&from=2017-01")
    assert '<input type="hidden" name="organization" value="داعش">' in page
    assert '<input type="hidden" name="from" value="2017-01">' in page
    page = html(client, "/?q=الرقة&per_page=2&organization=داعش&place=الرقة")
    next_link = re.search(r'href="([^"]*)" rel="next"', page)
    assert next_link and "organization=" in next_link.group(1) and "place=" in next_link.group(1)
    assert "إزالة" in page  # the active filter can be removed


def test_facet_sidebar_renders_counts_selection_and_toggles(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        eng = get_engine()
    real = eng.search

    def with_facets(request: SearchRequest) -> SearchResult:
        facets = {
            "person": (FacetValue("أوباما", 3, "person", request),),
            "place": (FacetValue("الرقة", 4, "place", request),),
            "junk": (FacetValue("x", 7, "junk", request),),  # a facet the page does not know is left out
        }
        return dataclasses.replace(real(request), facets=facets)

    monkeypatch.setattr(eng, "search", with_facets)
    page = html(app.test_client(), "/?q=الرقة&person=أوباما")
    aside = page[page.index("<aside") : page.index("</aside>")]
    assert "أشخاص" in aside and "أماكن" in aside
    assert 'class="selected" aria-current="true"' in aside and "<bdi>3</bdi>" in aside and "<bdi>4</bdi>" in aside
    toggles = re.findall(r'<a href="([^"]*)"', aside)
    assert any("person=" not in url for url in toggles)  # unselecting drops the filter
    assert any("person=" in url and "place=" in url for url in toggles)  # selecting adds to it


def test_did_you_mean_links_to_the_corrected_query(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        eng = get_engine()
    real = eng.search
    monkeypatch.setattr(eng, "search", lambda request: dataclasses.replace(real(request), suggestion="الرقة"))
    page = html(app.test_client(), "/?q=الرقه")
    assert re.search(r'هل تقصد: <a href="/\?q=%D8%A7%D9%84%D8%B1%D9%82%D8%A9" dir="auto">الرقة</a>', page)


def test_document_page_shows_the_full_text_and_links_back(client: FlaskClient, engine: Engine) -> None:
    page = html(client, f"/doc/{DOC_ID}?q=الرقة")
    doc = as_json(engine.document(DOC_ID))
    assert doc is not None
    assert f'<h1 dir="auto">{doc["title"]}</h1>' in page
    assert page.count('<p dir="auto">') == len(paragraphs(doc["content"])) > 1
    assert 'href="/?q=%D8%A7%D9%84%D8%B1%D9%82%D8%A9"' in page
    assert f"<bdi>{DOC_ID}</bdi>" in page


def test_unknown_document_is_a_404_page(client: FlaskClient) -> None:
    page = html(client, "/doc/no-such-id", 404)
    assert "الصفحة غير موجودة" in page
    assert html(client, "/no/such/page", 404)


def test_document_page_marks_entities_linking_to_their_facet(client: FlaskClient, engine: Engine) -> None:
    page = html(client, f"/doc/{DOC_ID}")
    text = page[page.index('<div class="doc-text">') : page.index("</article>")]
    marked = re.findall(r'<a class="entity entity-(\w+)" href="/\?(\w+)=([^"]+)" title="([^"]+)">([^<]+)</a>', text)
    assert len(marked) > 10
    assert all(kind == key for kind, key, *_ in marked)
    doc = as_json(engine.document(DOC_ID))
    assert doc is not None
    names = {(kind, title) for kind, _, _, title, _ in marked}
    assert ("place", "الرقة") in names and ("organization", "داعش") in names
    assert names <= {(kind, name) for kind, values in doc["entities"].items() for name in values}


def test_document_page_lists_its_entities_and_similar_articles(client: FlaskClient, engine: Engine) -> None:
    page = html(client, f"/doc/{DOC_ID}?q=الرقة")
    chips = page[page.index('class="doc-entities"') : page.index('<div class="doc-text">')]
    assert 'href="/entity/place/%D8%A7%D9%84%D8%B1%D9%82%D8%A9"' in chips  # names in a list open the entity page
    similar = page[page.index('class="similar"') :]
    ids = re.findall(r'<a href="/doc/([^"?]+)\?q=', similar)
    assert ids == [row["id"] for row in as_json(engine.similar(DOC_ID))] and DOC_ID not in ids


def test_similar_articles_exclude_the_document_and_share_its_subject(engine: Engine) -> None:
    rows = as_json(engine.similar(DOC_ID, limit=3))
    assert 0 < len(rows) <= 3
    assert all(set(row) == {"id", "title", "date", "source", "source_name", "score"} for row in rows)
    assert DOC_ID not in {row["id"] for row in rows} and XSS_ID not in {row["id"] for row in rows}
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)
    assert as_json(engine.similar("no-such-id")) == []


def test_hostile_text_with_entities_is_escaped_on_the_document_page(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        eng = get_engine()
    hostile = "<script>alert('داعش')</script> سيطر <b onclick=x>تنظيم داعش</b> على مدينة الرقة\"><img src=x>"
    entities = {"person": (), "organization": ("داعش",), "place": ("الرقة",)}
    fields = {k: XSS_DOC[k] for k in ("title", "source", "url", "author")}
    doc = Document(id=XSS_ID, date=None, content=hostile, entities=entities, **fields)
    monkeypatch.setattr(eng, "document", lambda doc_id: dataclasses.replace(doc, id=doc_id))
    page = html(app.test_client(), f"/doc/{XSS_ID}")
    assert_no_injection(page)
    assert "&lt;script&gt;alert(&#39;" in page
    assert re.search(r'<a class="entity entity-organization" href="/\?organization=[^"]+" title="داعش">', page)
    assert re.search(r'<a class="entity entity-place" href="/\?place=[^"]+" title="الرقة">', page)


def test_marked_text_escapes_around_and_inside_mentions() -> None:
    out = str(marked_text('<i>داعش</i> & "الرقة"', lambda kind, name: f"/?{kind}={name}&x=<y>"))
    assert out.startswith('&lt;i&gt;<a class="entity entity-organization"')
    assert 'href="/?organization=داعش&amp;x=&lt;y&gt;"' in out
    assert "</a>&lt;/i&gt; &amp; &#34;<a" in out and "<i>" not in out


def test_entity_page_lists_articles_aliases_companions_and_timeline(client: FlaskClient, engine: Engine) -> None:
    page = html(client, "/entity/organization/داعش")
    assert '<h1 dir="auto">داعش</h1>' in page
    assert '<li dir="auto">ISIS</li>' in page  # aliases, the name itself left out
    assert page.count('class="hit"') == 5
    dates = re.findall(r'<li class="hit">.*?(?:<time datetime="([\d-]+)"|</li>)', page, re.S)
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True) and dates == dated + [""] * (len(dates) - len(dated))  # undated last
    aside = page[page.index("<aside") : page.index("</aside>")]
    assert "/entity/organization/%D8%AF%D8%A7%D8%B9%D8%B4" not in aside  # not its own companion
    assert 'href="/entity/place/%D8%A7%D9%84%D8%B1%D9%82%D8%A9"' in aside
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and "<title>" in svg and 'aria-label="' in svg and svg.count("<rect") == 7
    assert 'href="/?organization=%D8%AF%D8%A7%D8%B9%D8%B4"' in page  # "search these articles"


def test_entity_page_is_paged(client: FlaskClient) -> None:
    first = html(client, "/entity/organization/داعش?per_page=2")
    assert first.count('class="hit"') == 2 and 'rel="next"' in first and 'rel="prev"' not in first
    last = html(client, "/entity/organization/داعش?per_page=2&page=3")
    assert last.count('class="hit"') == 1 and 'rel="prev"' in last and 'rel="next"' not in last
    assert 'href="/entity/organization/%D8%AF%D8%A7%D8%B9%D8%B4?page=2&amp;per_page=2"' in last


@pytest.mark.parametrize("url", ["/entity/place/لا-يوجد", "/entity/planet/الرقة", "/entity/source/العربي الجديد"])
def test_unknown_entity_or_type_is_a_404_page(client: FlaskClient, url: str) -> None:
    assert "الصفحة غير موجودة" in html(client, url, 404)


def test_timeline_svg_is_accessible_and_escaped() -> None:
    months = [{"month": "2016-12", "count": 3}, {"month": "2017-01", "count": 0}, {"month": "2017-02", "count": 6}]
    svg = str(timeline_svg("<b>x</b>", months))
    assert svg.startswith('<svg class="timeline"') and 'role="img"' in svg
    assert "&lt;b&gt;x&lt;/b&gt;" in svg and "<b>" not in svg
    assert svg.count("<rect") == 3 and "<title>2017-02: 6</title>" in svg
    assert "2016-12" in svg and ": 9" in timeline_summary("x", months)
    assert str(timeline_svg("x", [])) == ""


# --- API -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "request_"),
    [
        ("q=الرقة", SearchRequest("الرقة")),
        ("q=الرقة&page=2&per_page=2&sort=date", SearchRequest("الرقة", page=2, per_page=2, sort="date")),
        ('q="دير الزور"', SearchRequest('"دير الزور"')),
        ("q=داعش OR النصرة&per_page=50", SearchRequest("داعش OR النصرة", per_page=50)),
        ("q=كمبيوترات", SearchRequest("كمبيوترات")),
    ],
)
def test_api_search_is_the_engine_result(
    client: FlaskClient, engine: Engine, query: str, request_: SearchRequest
) -> None:
    assert without_time(api(client, "/api/search?" + query)) == without_time(engine.search(request_).to_json())


def test_api_applies_entity_filters_like_the_engine(client: FlaskClient, engine: Engine) -> None:
    got = api(client, "/api/search?q=الرقة&person=أوباما&to=2018")
    assert without_time(got) == without_time(
        engine.search(SearchRequest("الرقة", person=("أوباما",), date_to="2018")).to_json()
    )


def test_api_json_is_utf8_not_escaped(client: FlaskClient) -> None:
    raw = client.get("/api/search?q=الرقة").data
    assert "الرقة".encode() in raw and b"\\u0627" not in raw


def test_api_document_stats_and_analyze(client: FlaskClient, engine: Engine) -> None:
    assert api(client, f"/api/doc/{DOC_ID}") == as_json(engine.document(DOC_ID))
    assert api(client, "/api/stats")["documents"] == 6
    assert api(client, "/api/analyze?text=المدارس") == analyze_text("المدارس")


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/doc/no-such-id", 404),
        ("/api/nothing-here", 404),
        ("/api/analyze", 400),
        ("/api/search", 400),
        ("/api/search?q=%22دير%20الزور", 400),
        ("/api/search?q=*", 400),
        ("/api/search?q=(الرقة", 400),
        ("/api/search?q=date:[2018%20to%202017]", 400),
        ("/api/entities?type=planet", 400),
        ("/api/entity/place/لا-يوجد", 404),
        ("/api/entity/planet/الرقة", 404),
        ("/api/entity/place/الرقة?page=0", 400),
        ("/api/suggest?q=" + "ا" * 201, 400),
    ],
)
def test_api_errors_have_one_shape(client: FlaskClient, url: str, status: int) -> None:
    body = api(client, url, status)
    assert body["ok"] is False and body["status"] == status and body["error"]


def test_api_entities_and_facets_are_the_engine_results(client: FlaskClient, engine: Engine) -> None:
    assert api(client, "/api/entities") == as_json(engine.entities())
    places = api(client, "/api/entities?type=place")
    assert places == as_json(engine.entities("place")) and {row["type"] for row in places} == {"place"}
    assert api(client, "/api/facets") == engine.facets()


def test_api_entity_is_the_entity_page_data(client: FlaskClient, engine: Engine) -> None:
    body = api(client, "/api/entity/place/الرقة?per_page=2")
    assert set(body) == {"type", "name", "total", "aliases", "related", "timeline", "articles"}
    assert (body["type"], body["name"], body["total"]) == ("place", "الرقة", 4)
    assert "Raqqa" in body["aliases"]
    assert set(body["related"]) == {"person", "organization", "place"}
    assert all(len(values) <= 10 for values in body["related"].values())
    assert "الرقة" not in {item["value"] for item in body["related"]["place"]}
    assert all(set(item) == {"month", "count"} for item in body["timeline"])
    articles = body["articles"]
    assert (articles["total"], articles["page"], articles["per_page"], articles["pages"]) == (4, 1, 2, 2)
    listing = engine.search(SearchRequest("", per_page=2, place=("الرقة",))).to_json()
    assert articles["hits"] == listing["hits"]


def test_api_suggest_completes_the_last_word(client: FlaskClient) -> None:
    body = api(client, "/api/suggest?q=الرقة داع")
    assert body["q"] == "الرقة داع"
    assert body["suggestions"][0] == "الرقة داعش"
    assert all(s.startswith("الرقة داع") for s in body["suggestions"])
    dair = api(client, "/api/suggest?q=دي")["suggestions"]
    assert '"دير الزور"' in dair and "دير" in dair and len(dair) <= 12
    assert "Raqqa" in api(client, "/api/suggest?q=raq")["suggestions"]
    for q in ("", "   ", "الرقة "):
        assert client.get("/api/suggest", query_string={"q": q}).get_json()["suggestions"] == []


def test_api_post_is_405_json(client: FlaskClient) -> None:
    response = client.post("/api/search?q=x")
    assert response.status_code == 405 and response.get_json()["status"] == 405


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        "per_page=0",
        f"per_page={MAX_PER_PAGE + 1}",
        "per_page=abc",
        "page=0",
        "page=-1",
        "page=1.5",
        "page=٢",
        "page=99999999999999999999",
        "sort=random",
        "q=" + "ا" * 1001,
    ],
)
def test_bad_parameters_are_400_for_page_and_api(client: FlaskClient, params: str) -> None:
    url = "?q=الرقة&" + params if not params.startswith("q=") else "?" + params
    assert api(client, "/api/search" + url, 400)["status"] == 400
    html(client, "/" + url, 400)


def test_largest_page_size_is_accepted(client: FlaskClient) -> None:
    assert api(client, f"/api/search?q=الرقة&per_page={MAX_PER_PAGE}")["per_page"] == MAX_PER_PAGE


@pytest.mark.parametrize("query", ['"دير الزور', "*"])
def test_malformed_query_page_keeps_the_box_and_explains(client: FlaskClient, query: str) -> None:
    response = client.get("/", query_string={"q": query})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    escaped = query.replace('"', "&#34;")
    assert f'value="{escaped}"' in page
    assert "تعذّر فهم الطلب" in page and 'class="error-detail"' in page


def test_missing_index_is_503_with_the_fix(tmp_path: Path) -> None:
    app = create_app({"INDEX": str(tmp_path / "none"), "TESTING": True})
    client = app.test_client()
    body = api(client, "/api/search?q=الرقة", 503)
    assert "search-cli index" in body["error"]
    assert "search-cli index" in html(client, "/?q=الرقة", 503)
    assert html(client, "/")  # the home page needs no index
    assert api(client, "/api/analyze?text=مدرسة")["tokens"]


# --- security ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/?q=الرقة", "/?q=*", "/doc/x", "/api/search?q=الرقة", "/api/doc/x"])
def test_security_headers_on_every_response(client: FlaskClient, url: str) -> None:
    headers = client.get(url).headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"]


class TagCollector(HTMLParser):
    """Every tag and attribute a browser would see in the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_no_injection(page: str) -> None:
    """No script (but ours) or img element, no event-handler attribute, no javascript: link, no stray markup."""
    assert page.count(SUGGEST_SCRIPT) == 1
    page = page.replace(SUGGEST_SCRIPT + "</script>", "")
    parser = TagCollector()
    parser.feed(page)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"script", "img", "b", "i", "iframe", "object"}, names
    for tag, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name, value)
    assert "<script" not in page.lower() and "<img" not in page.lower()


def test_hostile_document_is_escaped_in_results(client: FlaskClient) -> None:
    page = html(client, "/?q=script")
    assert XSS_ID in page
    assert_no_injection(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the title, as text
    assert "&lt;<mark>script</mark>&gt;" in page
    assert "&lt;/mark&gt;&lt;<mark>script</mark>&gt;x" in page  # a literal </mark> stays text
    assert_marks_balanced(page)
    assert_no_injection(html(client, "/?q=alert"))


def test_hostile_document_page_is_escaped_and_its_url_is_no_link(client: FlaskClient) -> None:
    page = html(client, f"/doc/{XSS_ID}")
    assert_no_injection(page)
    assert "<bdi>javascript:alert(1)</bdi>" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize(
    "query", ["<script>alert(1)</script>", '"<script>alert(1)</script>', "<img src=x onerror=alert(1)>"]
)
def test_reflected_query_is_escaped(client: FlaskClient, query: str) -> None:
    response = client.get("/", query_string={"q": query})
    assert response.status_code in (200, 400)
    assert_no_injection(response.get_data(as_text=True))
    assert "&lt;script&gt;" in response.get_data(as_text=True) or "&lt;img" in response.get_data(as_text=True)


def test_json_errors_do_not_reflect_markup_as_html(client: FlaskClient) -> None:
    response = client.get("/api/search", query_string={"q": "<script>*"})
    assert response.mimetype == "application/json"


# --- helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (Snippet("a b c", ((2, 3),)), "a <mark>b</mark> c"),
        (Snippet("<script> x", ((9, 10),)), "&lt;script&gt; <mark>x</mark>"),
        (Snippet("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;"),
        (Snippet("</mark>a<mark>b", ((7, 8),)), "&lt;/mark&gt;<mark>a</mark>&lt;mark&gt;b"),
        (
            Snippet('<mark onclick="x">a', ((18, 19),), cut_before=True),
            "…&lt;mark onclick=&#34;x&#34;&gt;<mark>a</mark>",
        ),
        (Snippet("&lt;b&gt;", cut_after=True), "&amp;lt;b&amp;gt;…"),
    ],
)
def test_safe_snippet_escapes_every_piece_and_writes_only_its_own_marks(snippet: Snippet, expected: str) -> None:
    assert str(safe_snippet(snippet)) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        ("http://example.com", "http://example.com"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,x", None),
        ("//example.com", None),
        ("http://[::1", None),
        (None, None),
    ],
)
def test_only_http_urls_become_links(url: str | None, expected: str | None) -> None:
    assert external_url(url) == expected


# --- app wiring ----------------------------------------------------------------------------


def test_one_engine_per_app_reused_across_requests(index_dir: Path) -> None:
    app = create_app({"INDEX": str(index_dir), "TESTING": True})
    client = app.test_client()
    client.get("/?q=الرقة")
    with app.app_context():
        first = get_engine()
    client.get("/api/search?q=داعش")
    with app.app_context():
        assert get_engine() is first
    close_engine(app)
    with app.app_context():
        assert get_engine() is not first
    close_engine(app)


def test_index_dir_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWS_SEARCH_INDEX", str(tmp_path / "from-env"))
    assert create_app().config["INDEX"] == str(tmp_path / "from-env")
    assert create_app().config["DEBUG"] is False


def test_wsgi_module_builds_the_app() -> None:
    import wsgi

    assert isinstance(wsgi.app, Flask)


def test_serve_command_runs_the_threaded_dev_server(monkeypatch: pytest.MonkeyPatch, index_dir: Path) -> None:
    calls: list[dict] = []

    def fake_run(self: Flask, **kwargs: Any) -> None:
        calls.append({"index": self.config["INDEX"], **kwargs})

    monkeypatch.setattr(Flask, "run", fake_run)
    result = CliRunner().invoke(main, ["serve", "--index", str(index_dir), "--port", "5123"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5123/" in result.output
    assert calls == [
        {
            "index": str(index_dir),
            "host": "127.0.0.1",
            "port": 5123,
            "threaded": True,
            "debug": False,
            "load_dotenv": False,
        }
    ]


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"q": "الرقة"},
        {"q": '"دير الزور" -النظام', "sort": "date", "page": "3"},
        {"q": "a&b=c/d?e#f+g %", "place": ["الرقة", "دير الزور"], "person": ["عامر هويدي"]},
        {"organization": ["قوات سوريا الديمقراطية"], "from": "2017-05", "to": "2017-06", "per_page": "20"},
        {"q": "!$'()*,/:;?@~", "source": ["صحيفة «الوطن»"]},
    ],
)
def test_search_url_is_what_url_for_builds(app: Flask, args: dict) -> None:
    from flask import url_for

    from web.pages import search_url

    params = SearchRequest.from_args(_multidict(args))
    with app.test_request_context("/"):
        assert search_url(params) == url_for("pages.search", **params.to_args())
    with app.test_request_context("/", base_url="http://example.org/news/"):  # mounted under a prefix
        assert search_url(params) == url_for("pages.search", **params.to_args())
        assert search_url(params).startswith("/news/")


def _multidict(args: dict) -> Any:
    from werkzeug.datastructures import MultiDict

    return MultiDict([(k, x) for k, v in args.items() for x in (v if isinstance(v, list) else [v])])


def test_api_facet_values_carry_the_url_that_toggles_them(client: FlaskClient) -> None:
    first = api(client, "/api/search?q=الرقة")
    value = first["facets"]["place"][0]
    assert value["selected"] is False and value["url"].startswith("/api/search?")
    narrowed = api(client, value["url"])
    assert narrowed["total"] <= first["total"] and narrowed["query"] == "الرقة"
    again = next(v for v in narrowed["facets"]["place"] if v["value"] == value["value"])
    assert again["selected"] is True
    back = api(client, again["url"])
    assert without_time(back) == without_time(first), "the selected value's link removes the filter again"
    month = first["facets"]["date"][0]
    assert f"from={month['value']}" in month["url"] and f"to={month['value']}" in month["url"]
