"""The site in a real browser: Debian's Chromium driven by Playwright, checked by axe-core.

The search flow runs with JavaScript disabled, which is how we know the site needs none;
axe runs in a second, script-enabled context (it is JavaScript itself), which also runs
the optional suggestions script.  Screenshots of the results, document and entity pages go
to docs/screenshots/ (with UPDATE_SCREENSHOTS=1) so a person can look at them.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is missing: pip install -e '.[test]'")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is missing")

from werkzeug.serving import BaseWSGIServer, make_server  # noqa: E402 - after the skips above

from index.build import build_index  # noqa: E402
from web import create_app  # noqa: E402
from web.state import close_engine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "corpus"
#: The README's screenshots are refreshed only on request (UPDATE_SCREENSHOTS=1), so that a
#: test run does not modify tracked files; otherwise they go to a temporary directory.
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "arabic-news-search-screenshots"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

Page = Any  # playwright.sync_api.Page, imported only when the browser is there


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free loopback port, served from a thread for the whole module."""
    index_dir = tmp_path_factory.mktemp("browser") / "index"
    build_index([SEED], index_dir, rebuild=True)
    yield from _serve(index_dir)


def _serve(index_dir: Path) -> Iterator[str]:
    """Serve the app over ``index_dir`` on a free loopback port from a thread; yield its URL."""
    app = create_app({"INDEX": str(index_dir)})
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="web-test-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    close_engine(app)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    """A desktop page with JavaScript off: everything must work with links and forms alone."""
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False, locale="ar")
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_page(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="ar")
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_search_sort_page_and_open_a_document(page: Page, base_url: str) -> None:
    page.goto(base_url + "/?per_page=2")  # small pages, kept by the form, so there is a next page
    page.get_by_label("ابحث في الأخبار").fill("داعش")
    page.get_by_role("button", name="بحث").click()
    page.wait_for_url(re.compile(r"q=%D8%AF%D8%A7%D8%B9%D8%B4"))
    assert page.locator("#q").input_value() == "داعش"
    assert page.locator(".hit").count() == 2
    assert page.locator(".snippet mark").count() > 0

    page.get_by_role("link", name="الأحدث").click()
    page.wait_for_url(re.compile(r"sort=date"))
    assert page.locator(".sort [aria-current=true]").inner_text() == "الأحدث"
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True)

    page.locator("a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "sort=date" in page.url and "per_page=2" in page.url
    assert page.locator("a[rel=prev]").count() == 1

    title = page.locator(".hit-title a").first
    expected = title.inner_text()
    title.click()
    page.wait_for_url(re.compile(r"/doc/"))
    assert page.locator("h1").inner_text() == expected
    assert page.locator(".doc-text p").count() > 1
    page.get_by_role("link", name="العودة إلى النتائج").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator(".hit").count() > 0


def test_facet_filter_chip_document_and_entity_page(page: Page, base_url: str) -> None:
    """The research path: query, narrow by a sidebar value, undo it, page, read, go to a name's page."""
    page.goto(base_url + "/?per_page=2")
    page.get_by_label("ابحث في الأخبار").fill("الرقة")
    page.get_by_role("button", name="بحث").click()
    page.wait_for_url(re.compile(r"q=%D8%A7%D9%84%D8%B1%D9%82%D8%A9"))
    everything = _total(page)
    assert everything == 4 and page.locator(".hit").count() == 2

    page.locator(".facets a", has_text="جبهة النصرة").click()
    page.wait_for_url(re.compile(r"organization="))
    chip = page.locator(".active-filters li", has_text="جبهة النصرة")
    assert chip.count() == 1
    assert 0 < _total(page) < everything
    assert page.locator(".facets a.selected", has_text="جبهة النصرة").count() == 1

    chip.get_by_role("link").click()
    page.wait_for_url(lambda url: "organization=" not in url)
    assert page.locator(".active-filters").count() == 0 and _total(page) == everything

    page.locator("a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/doc/"))
    assert page.locator(".doc-text a.entity").count() > 0  # names marked in the text

    page.locator(".doc-entities a", has_text="داعش").first.click()
    page.wait_for_url(re.compile(r"/entity/organization/"))
    assert page.locator("h1").inner_text() == "داعش"
    timeline = page.locator("svg.timeline[role=img]")
    assert timeline.is_visible() and timeline.locator("rect.bar").count() > 0
    assert "داعش" in (timeline.get_attribute("aria-label") or "")
    assert page.locator(".hit").count() == 5
    page.locator(".related a", has_text="الرقة").first.click()
    page.wait_for_url(re.compile(r"/entity/place/"))
    assert page.locator("h1").inner_text() == "الرقة"


def test_a_histogram_bar_narrows_the_dates(page: Page, base_url: str) -> None:
    """A click on a bar of the date histogram narrows ``from``/``to`` to its week; Tab reaches the bars."""
    page.goto(base_url + "/?q=داعش")
    everything = _total(page)
    bars = page.locator("svg.histogram[role=group] a")
    assert bars.count() == 2 and "2017-05-20" in (page.locator("svg.histogram").get_attribute("aria-label") or "")
    week, count = (bars.first.get_attribute("aria-label") or "").split(": ")
    assert week == "2017-05-20"
    bars.first.click()
    page.wait_for_url(re.compile(r"from=2017-05-20&to=2017-05-26"))
    assert _total(page) == int(count) < everything
    assert page.locator(".active-filters li").filter(has_text="2017-05-26").count() == 1
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates and all("2017-05-20" <= date <= "2017-05-26" for date in dates)
    assert page.locator("svg.histogram a").count() == 1  # now by the day: 2017-05-22

    page.go_back()
    page.get_by_role("link", name="الأحدث").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert focused == bars.first.get_attribute("aria-label")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"from=2017-10-28&to=2017-11-03"))
    assert _total(page) == 1


def _total(page: Page) -> int:
    """The result count the summary line states."""
    return int(page.locator(".summary bdi").first.inner_text())


def test_suggestions_appear_while_typing(axe_page: Page, base_url: str) -> None:
    """With JavaScript, the box offers completions from /api/suggest in its datalist."""
    axe_page.goto(base_url + "/")
    axe_page.locator("#q").press_sequentially("داع")
    options = axe_page.locator("datalist#q-suggestions option")
    options.first.wait_for(state="attached", timeout=5000)
    assert "داعش" in options.evaluate_all("els => els.map(e => e.value)")
    assert axe_page.locator("#q").get_attribute("list") == "q-suggestions"


def test_example_query_and_did_you_mean_links_work(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("link", name='"دير الزور"').click()
    assert page.locator(".hit").count() > 0
    assert page.locator(".snippet mark").first.inner_text().startswith("دير")


def test_feed_link_is_announced_visible_and_works(page: Page, base_url: str) -> None:
    """A reader finds the search's feed in <head> (feed readers, browser extensions) and as a link."""
    page.goto(base_url + "/?q=داعش&sort=date")
    announced = page.locator('head link[rel=alternate][type="application/atom+xml"]')
    assert announced.count() == 1
    link = page.get_by_role("link", name=re.compile("تابع هذا البحث"))
    assert link.is_visible()
    href = link.get_attribute("href")
    assert href == announced.get_attribute("href") and href.startswith("/feed?")
    response = page.request.get(base_url + href)
    assert response.status == 200 and response.headers["content-type"].startswith("application/atom+xml")
    feed = response.text()
    assert feed.count("<entry") == 2  # the two dated seed articles that name داعش
    assert feed.index("003_180c9277222e8e9c") < feed.index("004_fdd5bb4d0a256df4")  # newest first
    assert "العربي الجديد" in feed


def test_root_link_lists_every_derivative(page: Page, base_url: str) -> None:
    """«كل مشتقات الجذر»: from مقاتلين to root:قتل, whose hits mark مقتل، القتال، مقاتلي …"""
    page.goto(base_url + "/?q=مقاتلين")
    links = page.locator(".root-links a")
    assert links.all_inner_texts() == ["قتل"]
    links.first.click()
    assert page.locator("#q").input_value() == "root:قتل"
    assert page.locator(".hit").count() == 3
    marked = set(page.locator(".snippet mark").all_inner_texts())
    assert {"مقتل", "مقاتلي"} <= marked


def test_malformed_query_shows_the_box_and_a_message(page: Page, base_url: str) -> None:
    response = page.goto(base_url + "/?q=" + '"دير الزور')
    assert response is not None and response.status == 400
    assert page.locator("#q").input_value() == '"دير الزور'
    assert "quotes" in page.locator(".error-detail").inner_text()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?q=الرقة",
        "/?q=الرقة&per_page=2&page=2&sort=date",
        "/?q=كمبيوترات",
        "/?q=الرقة&place=الرقة&organization=داعش",
        "/?q=داعش&from=2017-05-22&to=2017-05-22",
        "/?q=مقاتلين الرقة",
        "/?place=الرقة",
        "/?q=" + '"دير الزور',
        "/doc/000_4e3d15a02d7a4506?q=الرقة",
        "/doc/no-such-id",
        "/doc/003_180c9277222e8e9c",
        "/entity/organization/داعش",
        "/entity/place/الرقة?per_page=2&page=2",
        "/entity/place/لا-يوجد",
    ],
)
def test_no_accessibility_violations(axe_page: Page, base_url: str, path: str) -> None:
    response = axe_page.goto(base_url + path)
    assert response is not None
    results = axe_module.Axe().run(axe_page)
    assert results.violations_count == 0, results.generate_report()


def test_axe_does_report_violations(axe_page: Page) -> None:
    """Guards the zero above: axe really runs here and finds a missing alt text and an empty link."""
    axe_page.set_content('<html><body><img src="x.png"><a href="#"></a></body></html>')
    results = axe_module.Axe().run(axe_page)
    assert {"image-alt", "link-name"} <= {v["id"] for v in results.response["violations"]}


def test_csp_blocks_nothing_the_page_uses(axe_page: Page, base_url: str) -> None:
    """The stylesheet loads under the Content-Security-Policy: no inline style or script is needed."""
    problems: list[str] = []
    axe_page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    axe_page.goto(base_url + "/?q=الرقة")
    color = axe_page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert color != "rgba(0, 0, 0, 0)"  # style.css applied
    assert problems == []


def test_layout_fits_a_phone(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="ar", device_scale_factor=1)
    phone = context.new_page()
    phone.goto(base_url + "/?q=الرقة")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"horizontal scrolling on a phone: {width}px"
    screenshot(phone, "results-phone.png")
    narrow = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    tiny = narrow.new_page()
    tiny.goto(base_url + "/doc/000_4e3d15a02d7a4506")
    assert tiny.evaluate("() => document.documentElement.scrollWidth") <= 360
    narrow.close()
    context.close()


def test_screenshots_for_people(page: Page, base_url: str) -> None:
    page.goto(base_url + '/?q="دير الزور"')
    assert page.locator(".hit").count() > 0
    screenshot(page, "results.png")
    page.goto(base_url + "/doc/000_4e3d15a02d7a4506?q=الرقة")
    screenshot(page, "document.png")
    page.goto(base_url + "/")
    screenshot(page, "home.png")
    page.goto(base_url + "/entity/organization/داعش")
    assert page.locator("svg.timeline").count() == 1
    screenshot(page, "entity.png")
    for name in ("results.png", "document.png", "results-phone.png", "home.png", "entity.png"):
        assert (SCREENSHOTS / name).read_bytes().startswith(b"\x89PNG")


HOSTILE = {
    "id": "hostile",
    "title": "<script>window.__xss = 1</script> عنوان",
    "content": (
        "خبر عن script في الرقة <script>window.__xss = 2</script> ثم صورة "
        '<img src=x onerror="window.__xss = 3"> ورابط <a href="javascript:window.__xss=4">اضغط</a> '
        "و</mark><script>window.__xss = 5</script> نهاية."
    ),
}


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server whose index holds a scraped page full of markup that must never run."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "hostile.json").write_text(json.dumps(HOSTILE, ensure_ascii=False), encoding="utf-8")
    build_index([root / "hostile.json"], root / "index", rebuild=True)
    yield from _serve(root / "index")


@pytest.mark.parametrize("path", ["/?q=script", "/?q=%3Cscript%3Ewindow.__xss%3D9%3C%2Fscript%3E", "/doc/hostile"])
def test_stored_and_reflected_markup_never_runs(axe_page: Page, hostile_url: str, path: str) -> None:
    """With JavaScript on, nothing from a document or a query executes (stored and reflected XSS)."""
    dialogs: list[str] = []
    axe_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    axe_page.goto(hostile_url + path)
    axe_page.wait_for_load_state("load")
    assert axe_page.evaluate("window.__xss === undefined")
    assert dialogs == []
    assert axe_page.locator("img[src=x]").count() == 0
    assert axe_page.locator("a[href^='javascript:']").count() == 0
    if path == "/?q=script":
        assert axe_page.locator(".hit").count() == 1
        # The markup is shown as text, and the match is still marked.
        assert "<script>" in axe_page.locator(".hit").inner_text()
        assert axe_page.locator(".snippet mark").count() > 0


#: One wire text printed by four papers, and one article of its own (stories, index/stories.py).
WIRE_TEXT = " ".join(f"أعلنت الهيئة في الرياض اليوم البند {n} من خطة النقل الجديدة" for n in range(12))
WIRE_COPIES = [
    {"id": f"wire-{paper}", "title": f"خبر الهيئة في {paper}", "content": WIRE_TEXT, "source": paper, "date": date}
    for paper, date in (
        ("spa", "2015-07-01"),
        ("okaz", "2015-07-02"),
        ("sabq", "2015-07-03"),
        ("alriyadh", "2015-07-04"),
    )
] + [{"id": "own", "title": "الرياض تستضيف معرضا", "content": "افتتح في الرياض معرض الكتاب " * 5, "source": "okaz"}]


@pytest.fixture(scope="module")
def wire_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("wire")
    (root / "wire.json").write_text(json.dumps(WIRE_COPIES, ensure_ascii=False), encoding="utf-8")
    build_index([root / "wire.json"], root / "index", rebuild=True)
    yield from _serve(root / "index")


def test_copies_of_a_wire_story_are_listed_once_and_linked(page: Page, wire_url: str) -> None:
    page.goto(wire_url + "/?q=الرياض")
    assert page.locator(".hit").count() == 2
    summary = page.locator(".summary").inner_text()
    assert "5 مقالاً في 2 قصة" in summary
    page.get_by_role("link", name="3 نسخ أخرى").click()
    page.wait_for_url(re.compile(r"collapse=false"))
    assert "story=" in page.url
    titles = sorted(page.locator(".hit-title").all_inner_texts())
    assert titles == sorted(f"خبر الهيئة في {paper}" for paper in ("spa", "okaz", "sabq", "alriyadh"))
    assert page.locator(".copies").count() == 0
    page.get_by_role("link", name="إزالة كل عوامل التصفية").click()  # back to the whole list, still uncollapsed
    assert page.locator(".hit").count() == 5
    page.get_by_role("link", name="دمج نسخ الخبر الواحد").click()
    assert page.locator(".hit").count() == 2


def test_collapsed_results_have_no_accessibility_violations(axe_page: Page, wire_url: str) -> None:
    axe_page.goto(wire_url + "/?q=الرياض")
    results = axe_module.Axe().run(axe_page)
    assert results.violations_count == 0, results.generate_report()
