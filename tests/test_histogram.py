"""The date histogram: an interval fitted to the span of the matching articles, and its links.

The numpy bucketing (``search/histogram.py``) is checked against a standard-library
reimplementation (``helpers.brute_histogram``) on hand-picked and random dates; the engine,
the API, the CLI and the page on a small index whose words each span a known stretch of time.
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import brute_histogram
from whoosh import index as whoosh_index

from index.build import build_index
from index.layout import CURRENT
from search.cli import main
from search.daterange import parse_bound
from search.engine import Engine, SearchRequest
from search.histogram import (
    MAX_BUCKETS,
    WEEK_START,
    Bucket,
    DateHistogram,
    choose_interval,
    date_histogram,
    day_number,
    every_bucket,
    facet_values,
)
from search.results import FacetValue, SearchResult
from search.whoosh_backend import _date_column, _numeric_column
from web import create_app
from web.timeline import histogram_svg

D = dt.date.fromisoformat


def histogram_of(*dates: str) -> DateHistogram | None:
    return date_histogram(np.array([day_number(D(d)) for d in dates], dtype=np.int64))


def as_pairs(histogram: DateHistogram | None) -> tuple[str | None, list[dict[str, Any]]]:
    if histogram is None:
        return None, []
    return histogram.interval, [{"value": b.value, "count": b.count} for b in histogram.buckets]


# --- choosing the interval ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "interval"),
    [
        ("2015-07-21", "2015-07-21", "day"),  # one date
        ("2015-07-21", "2015-08-11", "day"),  # SaudiNewsNet: three weeks
        ("2015-07-01", "2015-08-29", "day"),  # 60 days: the most days
        ("2015-07-01", "2015-08-30", "week"),  # 61 days
        ("2015-01-01", "2015-12-31", "week"),  # a year: 53 weeks
        ("2015-01-03", "2016-02-26", "week"),  # 60 weeks, Saturday to Friday
        ("2015-01-03", "2016-02-27", "month"),  # 61 weeks
        ("2012-01-01", "2016-12-31", "month"),  # 60 months
        ("2012-01-01", "2017-01-01", "year"),  # 61 months
        ("1990-06-01", "2017-05-22", "year"),
    ],
)
def test_the_finest_interval_with_at_most_max_buckets(first: str, last: str, interval: str) -> None:
    assert MAX_BUCKETS == 60
    assert choose_interval(day_number(D(first)), day_number(D(last))) == interval
    assert as_pairs(histogram_of(first, last)) == brute_histogram([D(first), D(last)])


def test_no_dates_no_histogram() -> None:
    assert date_histogram(np.array([], dtype=np.int64)) is None


def test_one_date_is_one_day() -> None:
    histogram = histogram_of("2017-05-22", "2017-05-22")
    assert histogram is not None and histogram.interval == "day" and histogram.total == 2
    assert histogram.buckets == (Bucket("2017-05-22", D("2017-05-22"), D("2017-05-22"), 2),)


def test_weeks_start_on_saturday_and_cross_the_year_end() -> None:
    histogram = histogram_of("2014-12-27", "2015-01-02", "2015-01-03", "2015-04-15")
    assert histogram is not None and histogram.interval == "week"
    assert [(b.value, b.first, b.last, b.count) for b in histogram.buckets] == [
        ("2014-12-27", D("2014-12-27"), D("2015-01-02"), 2),
        ("2015-01-03", D("2015-01-03"), D("2015-01-09"), 1),
        ("2015-04-11", D("2015-04-11"), D("2015-04-17"), 1),
    ]
    assert all(b.first.weekday() == WEEK_START == 5 for b in histogram.buckets)


def test_months_and_years_cross_year_ends_and_span_whole_units() -> None:
    months = histogram_of("2016-11-30", "2016-12-01", "2017-01-31", "2018-02-28")
    assert months is not None and months.interval == "month"
    assert [(b.value, b.first, b.last, b.count) for b in months.buckets] == [
        ("2016-11", D("2016-11-01"), D("2016-11-30"), 1),
        ("2016-12", D("2016-12-01"), D("2016-12-31"), 1),
        ("2017-01", D("2017-01-01"), D("2017-01-31"), 1),
        ("2018-02", D("2018-02-01"), D("2018-02-28"), 1),
    ]
    years = histogram_of("2009-12-31", "2010-01-01", "2012-02-29", "1999-01-01")
    assert years is not None and years.interval == "year"
    assert [(b.value, b.first, b.last) for b in years.buckets][:2] == [
        ("1999", D("1999-01-01"), D("1999-12-31")),
        ("2009", D("2009-01-01"), D("2009-12-31")),
    ]
    assert [b.count for b in years.buckets] == [1, 1, 1, 1]


@pytest.mark.parametrize("seed", range(40))
def test_numpy_buckets_equal_the_calendar_ones(seed: int) -> None:
    rng = random.Random(seed)
    start = D("1995-01-01") + dt.timedelta(days=rng.randrange(10_000))
    span = rng.choice([1, 7, 30, 59, 60, 61, 200, 420, 1500, 1900, 4000, 12_000])
    dates = [start + dt.timedelta(days=rng.randrange(span)) for _ in range(rng.randrange(1, 300))]
    got = histogram_of(*(d.isoformat() for d in dates))
    assert as_pairs(got) == brute_histogram(dates)
    assert got is not None and got.total == len(dates)


def test_every_bucket_fills_the_gaps() -> None:
    assert every_bucket("day", ["2015-12-30", "2016-01-02"]) == ["2015-12-30", "2015-12-31", "2016-01-01", "2016-01-02"]
    assert every_bucket("week", ["2014-12-27", "2015-01-10"]) == ["2014-12-27", "2015-01-03", "2015-01-10"]
    assert every_bucket("month", ["2016-11", "2017-02"]) == ["2016-11", "2016-12", "2017-01", "2017-02"]
    assert every_bucket("year", ["2009", "2011"]) == ["2009", "2010", "2011"]
    assert every_bucket("day", ["2015-07-21"]) == ["2015-07-21"] and every_bucket("year", []) == []


# --- facet values and their links -----------------------------------------------------------


def test_facet_values_narrow_to_the_bucket_within_the_request_range() -> None:
    weeks = histogram_of("2014-12-27", "2015-01-02", "2015-04-15")
    plain = facet_values(weeks, SearchRequest("نهر"))
    assert [(v.value, v.span) for v in plain] == [
        ("2014-12-27", ("2014-12-27", "2015-01-02")),
        ("2015-04-11", ("2015-04-11", "2015-04-17")),
    ]
    ranged = facet_values(weeks, SearchRequest("نهر", date_from="2015-01", date_to="2015-04-15"))
    assert [v.span for v in ranged] == [("2015-01-01", "2015-01-02"), ("2015-04-11", "2015-04-15")]
    toggle = ranged[0].toggle
    assert toggle is not None and (toggle.date_from, toggle.date_to, toggle.q) == ("2015-01-01", "2015-01-02", "نهر")
    months = facet_values(histogram_of("2016-11-30", "2018-02-28"), SearchRequest("جبل", page=3))
    assert [v.span for v in months] == [("2016-11", "2016-11"), ("2018-02", "2018-02")]  # a whole month: itself
    toggle = months[0].toggle
    assert toggle is not None and toggle.page == 1 and toggle.to_args()["from"] == ["2016-11"]
    assert facet_values(None, SearchRequest("x")) == ()


def test_a_selected_bucket_toggles_the_range_off() -> None:
    request = SearchRequest("جسر", date_from="2015-07-21", date_to="2015-07-21", person=("أحد",))
    (value,) = facet_values(histogram_of("2015-07-21"), request)
    assert value.selected
    toggle = value.toggle
    assert toggle is not None and toggle.date_from is None and toggle.date_to is None and toggle.person == ("أحد",)


# --- engine, API, CLI, page -------------------------------------------------------------------

#: Words and the dates of the articles that contain them (None: undated).
SPANS: dict[str, list[str | None]] = {
    "جسر": ["2015-07-21", "2015-07-21", "2015-07-25", "2015-08-11", None],
    "نهر": ["2014-12-27", "2015-01-02", "2015-01-03", "2015-04-15"],
    "جبل": ["2016-11-30", "2016-12-01", "2017-01-31", "2018-06-01"],
    "بحر": ["2001-05-05", "2009-12-31", "2010-01-01", "2012-03-03"],
    "وادي": ["2017-05-22", None],
    "صحراء": [None, None],
}
INTERVALS = {"جسر": "day", "نهر": "week", "جبل": "month", "بحر": "year", "وادي": "day"}


def _articles() -> list[dict[str, Any]]:
    out = []
    for word, dates in SPANS.items():
        for i, date in enumerate(dates):
            article = {"id": f"{word}-{i}", "title": f"خبر عن {word}", "content": f"كتب المراسل عن {word} اليوم."}
            if date:
                article["date"] = date
            out.append(article)
    return out


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("histogram")
    (root / "articles.json").write_text(json.dumps(_articles(), ensure_ascii=False), encoding="utf-8")
    build_index([root / "articles.json"], root / "index", rebuild=True)
    return root / "index"


@pytest.fixture(scope="module")
def engine(index_dir: Path) -> Iterator[Engine]:
    eng = Engine(index_dir)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def client(index_dir: Path) -> Any:
    return create_app({"INDEX": str(index_dir), "TESTING": True}).test_client()


@pytest.mark.parametrize("word", sorted(INTERVALS))
def test_the_search_result_has_the_fitted_histogram(engine: Engine, word: str) -> None:
    result = engine.search(SearchRequest(word)).to_json()
    dated = [D(d) for d in SPANS[word] if d]
    assert result["total"] == len(SPANS[word])
    assert (result["date_interval"], result["facets"]["date"]) == brute_histogram(dated)
    assert result["date_interval"] == INTERVALS[word]
    assert sum(v["count"] for v in result["facets"]["date"]) == len(dated)  # undated articles left out


def test_without_dated_matches_there_is_no_interval(engine: Engine) -> None:
    result = engine.search(SearchRequest("صحراء")).to_json()
    assert result["total"] == 2 and result["date_interval"] is None and result["facets"]["date"] == []
    nothing = engine.search(SearchRequest("كمبيوترات")).to_json()
    assert nothing["total"] == 0 and nothing["date_interval"] is None and nothing["facets"]["date"] == []


def test_filter_only_and_whole_span(engine: Engine) -> None:
    result = engine.search(SearchRequest("", date_from="2001")).to_json()
    assert result["date_interval"] == "year" and result["facets"]["date"][0] == {"value": "2001", "count": 1}


def _hit_dates(client: Any, url: str) -> tuple[int, list[dt.date]]:
    body = client.get(url).get_json()
    return body["total"], [D(hit["date"]) for hit in body["hits"] if hit["date"]]


@pytest.mark.parametrize("word", sorted(INTERVALS))
def test_each_bucket_link_narrows_to_exactly_that_bucket(client: Any, word: str) -> None:
    result = client.get(f"/api/search?q={word}").get_json()
    assert "date_interval" in result and list(result)[-4:] == ["date_interval", "aliases", "suggestion", "took_ms"]
    for value in result["facets"]["date"]:
        args = parse_qs(urlsplit(value["url"]).query)
        first, last = parse_bound(args["from"][0])[0].date(), parse_bound(args["to"][0])[1].date()
        total, dates = _hit_dates(client, value["url"])
        assert total == len(dates) == value["count"] and value["selected"] is False, value
        assert all(first <= date <= last for date in dates)
        if result["date_interval"] == "week":
            assert first.isoformat() == value["value"] and (last - first).days == 6
        else:
            assert args["from"] == args["to"] == [value["value"]]


def test_a_link_never_widens_the_range(client: Any) -> None:
    url = "/api/search?q=نهر&from=2015-01-01&to=2015-04-30"
    result = client.get(url).get_json()
    assert result["date_interval"] == "week" and result["total"] == 3
    first = result["facets"]["date"][0]
    assert first["value"] == "2014-12-27" and "from=2015-01-01&to=2015-01-02" in first["url"]
    assert _hit_dates(client, first["url"])[0] == first["count"] == 1


def test_drilling_down_then_back(client: Any) -> None:
    months = client.get("/api/search?q=جبل").get_json()
    december = next(v for v in months["facets"]["date"] if v["value"] == "2016-12")
    narrowed = client.get(december["url"]).get_json()
    assert narrowed["date_interval"] == "day" and narrowed["facets"]["date"][0]["value"] == "2016-12-01"
    day = narrowed["facets"]["date"][0]
    one = client.get(day["url"]).get_json()
    assert one["facets"]["date"][0]["selected"] is True
    back = client.get(one["facets"]["date"][0]["url"]).get_json()
    assert back["total"] == months["total"] and back["facets"]["date"] == months["facets"]["date"]


def test_cli_json_has_the_interval(index_dir: Path) -> None:
    out = CliRunner().invoke(main, ["search", "نهر", "--index", str(index_dir), "--json"])
    assert out.exit_code == 0
    body = json.loads(out.stdout)
    assert body["date_interval"] == "week" and body["facets"]["date"][0]["value"] == "2014-12-27"


def test_the_page_draws_linked_bars_with_gaps(client: Any) -> None:
    page = client.get("/?q=نهر").get_data(as_text=True)
    start = page.index('<svg class="histogram"')
    svg = page[start : page.index("</svg>", start) + 6]
    assert "النتائج حسب الأسبوع" in page and 'role="group"' in svg
    assert 'aria-label="النتائج المؤرخة حسب الأسبوع: 4، من 2014-12-27 إلى 2015-04-11؛' in svg
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)"', svg)
    assert [label for _, label in links] == ["2014-12-27: 2", "2015-01-03: 1", "2015-04-11: 1"]
    assert "from=2014-12-27&amp;to=2015-01-02" in links[0][0]
    assert svg.count('class="slot"') == 3 and svg.count("<rect") == 6  # 16 weeks, 13 of them gaps
    assert "<title>2015-01-03: 1</title>" in svg
    undated = client.get("/?q=صحراء").get_data(as_text=True)
    assert "histogram" not in undated


def test_histogram_svg_escapes_and_marks_the_selected_bar() -> None:
    request = SearchRequest("<b>", date_from="2015-07-22", date_to="2015-07-22")
    values = (
        FacetValue("2015-07-21", 3, "date", request),
        FacetValue("2015-07-22", 1, "date", request),
        FacetValue("2015-07-24", 2, "date", request),
    )
    result = SearchResult(request, 6, "relevance", (), {"date": values}, date_interval="day")
    svg = str(histogram_svg(result, lambda r: f"/?q={r.q}&x=\"'"))
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "&#34;&#39;" in svg
    assert svg.count("<a ") == 3 and svg.count('aria-current="true"') == 1 and 'class="bar selected"' in svg
    assert str(histogram_svg(SearchResult(request, 0, "relevance", (), {"date": ()}), str)) == ""


# --- the real corpus ------------------------------------------------------------------------

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "saudinewsnet.jsonl.gz"


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.exists(), reason=f"{CORPUS} not present")
def test_saudinewsnet_queries_get_days_not_two_months(tmp_path: Path) -> None:
    """Every 50th article (the corpus's whole span, 2015-07-21 to 2015-08-11): days, not two months."""
    sample = tmp_path / "sample.jsonl.gz"
    with gzip.open(CORPUS, "rt", encoding="utf-8") as src, gzip.open(sample, "wt", encoding="utf-8") as dst:
        dst.writelines(itertools.islice(src, 0, None, 50))
    build_index([sample], tmp_path / "index", rebuild=True)
    engine = Engine(tmp_path / "index")
    try:
        for query in ("المملكة", "الرياض", "وزير"):
            result = engine.search(SearchRequest(query)).to_json()
            assert result["date_interval"] == "day", query
            assert len(result["facets"]["date"]) > 10, query
    finally:
        engine.close()


def _column_reads(index_dir: Path) -> tuple[np.ndarray, list[np.ndarray | None]]:
    """The ``date`` column read per docnum through Whoosh, and each segment's read as bytes."""
    ix = whoosh_index.open_dir(str(index_dir / (index_dir / CURRENT).readlink()))
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            per_doc = np.array(
                [
                    int(fields["date"].timestamp()) if fields.get("date") else -1
                    for fields in map(searcher.stored_fields, range(reader.doc_count_all()))
                ]
            )
            leaves = [
                leaf.column_reader("date", translate=False)
                for leaf, _ in reader.leaf_readers()
                if leaf.has_column("date")
            ]
            return per_doc, _date_column(reader), [_numeric_column(c, len(list(c))) for c in leaves]
    finally:
        ix.close()


def test_the_date_column_lines_up_with_the_docnums(tmp_path: Path) -> None:
    """Several segments, undated documents in and at the end of them, and a segment without any
    date (Whoosh's own multi-segment column reader leaves it out); the histogram follows."""
    article = {"title": "خبر عن نهر", "content": "كتب المراسل عن نهر اليوم."}
    batches = [
        [{**article, "id": "a", "date": "2015-07-21"}, {**article, "id": "b"}],
        [{**article, "id": "f"}],
        [{**article, "id": "c"}, {**article, "id": "d", "date": "2015-08-01"}, {**article, "id": "e"}],
    ]
    for i, batch in enumerate(batches):
        (tmp_path / f"{i}.json").write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")
        build_index([tmp_path / f"{i}.json"], tmp_path / "index")
    stored, column, segments = _column_reads(tmp_path / "index")
    undated = column == np.iinfo(np.uint64).max
    assert len(column) == 6 and list(undated) == list(stored == -1) and undated.sum() == 4
    assert len(segments) == 2 and all(values is not None for values in segments)  # read as bytes
    engine = Engine(tmp_path / "index")
    try:
        result = engine.search(SearchRequest("نهر", sort="date")).to_json()
    finally:
        engine.close()
    assert result["total"] == 6 and result["date_interval"] == "day"
    assert [(v["value"], v["count"]) for v in result["facets"]["date"]] == [("2015-07-21", 1), ("2015-08-01", 1)]
    assert [h["id"] for h in result["hits"]][:2] == ["d", "a"]
