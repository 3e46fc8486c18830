"""The one-walk scorer gives Whoosh's own matches and scores, and the engine's ranking is exhaustive.

Whoosh is the reference: for every query, :class:`~search.matches.MatchScorer` must find
exactly the documents Whoosh's unlimited scored collector finds, with the same BM25F
scores (up to the order of floating-point additions).  The index is built to exercise what
could make the two differ: posting lists of many blocks (block skipping), several segments
(docnum offsets, per-segment phrase checks) and deleted documents.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.searching import Searcher

from index.analysis import tokenize
from index.build import build_index
from index.layout import CURRENT
from search import querytree as qt
from search.engine import Engine, SearchRequest
from search.matches import MatchScorer, SearchTimeout, Unsupported
from search.query import parse_query as parse_tree
from search.ranking import Ranking
from search.whoosh_query import to_whoosh

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "corpus"
DOCS = 700  # a common word then has several 128-posting blocks
SOURCES = ("وكالة أ", "وكالة ب", "sabq")


def _vocabulary() -> list[str]:
    words = [w for path in sorted(SEED.glob("*.txt")) for w, _, _ in tokenize(path.read_text(encoding="utf-8"))]
    common = list(dict.fromkeys(words))
    return [*common[:400], "الرياض", "بالرياض", "الرياض", "أمير", "امير", "منطقة", "الملك", "سلمان", "بن"]


def _records(rnd: random.Random, vocab: list[str], start: int, count: int) -> list[dict]:
    records = []
    for i in range(start, start + count):
        body = [rnd.choice(vocab[:60] if rnd.random() < 0.5 else vocab) for _ in range(rnd.randint(3, 80))]
        if i % 5 == 0:
            body[len(body) // 2 : len(body) // 2] = ["الملك", "سلمان", "بن", "عبدالعزيز"]
        if i % 3 == 0:
            body += ["أمير", "منطقة", "الرياض", "و", "امير", "منطقه", "بالرياض"]
        if i % 11 == 0:
            body += ["بن", "بن", "سلمان"]
        records.append(
            {
                "id": f"d{i}",
                "title": " ".join(rnd.sample(vocab[:80], 4)),
                "content": " ".join(body) + ".",
                "date": f"2017-{1 + i % 12:02d}-{1 + i % 28:02d}" if i % 9 else None,
                "source": SOURCES[i % 3],
            }
        )
    return records


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three segments (a rebuild and two updates) with deletions in the first two."""
    root = tmp_path_factory.mktemp("matches")
    rnd = random.Random(5)
    vocab = _vocabulary()
    target = root / "index"
    build_index([_write(root / "a.jsonl", _records(rnd, vocab, 0, DOCS))], target, rebuild=True)
    build_index([_write(root / "b.jsonl", _records(rnd, vocab, DOCS, 150))], target)
    ix = whoosh_index.open_dir(str(target / os.readlink(target / CURRENT)))
    with ix.writer() as writer:
        for i in (*range(0, DOCS, 13), *range(DOCS, DOCS + 150, 17)):
            writer.delete_by_term("id", f"d{i}")
        writer.mergetype = _no_merge
    ix.close()
    build_index([_write(root / "c.jsonl", _records(rnd, vocab, DOCS + 150, 60))], target)
    return target


@pytest.fixture(scope="module")
def single_segment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Searcher]:
    """One optimized segment without deletions (the shape of a fresh rebuild)."""
    root = tmp_path_factory.mktemp("single")
    target = root / "index"
    build_index([_write(root / "a.jsonl", _records(random.Random(7), _vocabulary(), 0, DOCS))], target, rebuild=True)
    ix = whoosh_index.open_dir(str(target / os.readlink(target / CURRENT)))
    with ix.searcher() as s:
        yield s
    ix.close()


def _no_merge(writer: object, segments: list) -> list:
    """Keep every segment as it is (Whoosh's default policy may merge small ones)."""
    return segments


@pytest.fixture(scope="module")
def searcher(index_dir: Path) -> Iterator[Searcher]:
    ix = whoosh_index.open_dir(str(index_dir / os.readlink(index_dir / CURRENT)))
    with ix.searcher() as s:
        yield s
    ix.close()


def parse_query(text: str, schema) -> wq.Query:
    """The strict Whoosh query of ``text``: a forgiving plain query as the AND of its words.

    (The backend evaluates a forgiving query word by word; each word is such a query.)
    """
    return to_whoosh(strict_tree(parse_tree(text)), schema)


def strict_tree(tree: qt.Node) -> qt.Node:
    if not isinstance(tree, qt.Forgiving):
        return tree
    parts: tuple[qt.Node, ...] = (*((tree.required,) if tree.required else ()), *tree.words)
    strict: qt.Node = qt.And(parts)
    return qt.Or((strict, tree.alias)) if tree.alias else strict


def strict_text(text: str) -> str:
    """``a b c`` as ``a AND b AND c``: what the engine runs strictly, as before forgiving queries."""
    words = text.split()
    return " AND ".join(words) if len(words) >= 3 and all(w.isalpha() for w in words) else text


QUERIES = [
    "الرياض",
    "بالرياض",
    "امير منطقة الرياض",
    "الملك سلمان",
    '"الملك سلمان بن عبدالعزيز"',
    '"بن بن سلمان"',
    '"سلمان بن"',
    '"امير منطقه"',
    '"سلمان عبدالعزيز"',  # one word apart: not a phrase match
    '"منطقة امير"',  # reversed
    '"بن سلمان بن"',
    "الرياض OR سلمان",
    "الرياض -سلمان",
    "NOT الرياض",
    "-الرياض -سلمان",
    "الرياض OR NOT سلمان",
    "(الملك OR امير) الرياض",
    "title:الملك",
    "ال*",
    "امي?",
    "source:sabq الرياض",
    "source:وكالة",
    "تنظيم الدولة",
    "داعش",
    "كلمةغيرموجودة",
    "الرياض كلمةغيرموجودة",
    '"الرياض كلمةغيرموجودة"',
]


def _whoosh_scores(searcher: Searcher, query: wq.Query) -> dict[int, float]:
    """Whoosh's reference: every match with its score (an unlimited scored collector)."""
    results = searcher.search(query, limit=None)
    return {hit.docnum: hit.score for hit in results}


def _assert_same(expected: dict[int, float], got: dict[int, float]) -> None:
    assert set(got) == set(expected)
    for docnum, score in expected.items():
        assert got[docnum] == pytest.approx(score, rel=1e-12, abs=1e-12), docnum


def test_the_index_has_segments_deletions_and_long_posting_lists(searcher: Searcher) -> None:
    reader = searcher.reader()
    assert len(list(reader.leaf_readers())) >= 3
    assert reader.doc_count() < reader.doc_count_all()
    assert reader.doc_frequency("content", "الرياض") > 2 * 128


@pytest.mark.parametrize("text", QUERIES)
def test_matches_and_scores_equal_whooshs(searcher: Searcher, text: str) -> None:
    query = parse_query(text, searcher.schema)
    _assert_same(_whoosh_scores(searcher, query), MatchScorer(searcher).scores(query))


@pytest.mark.parametrize("text", QUERIES)
def test_one_segment_matches_and_scores_equal_whooshs(single_segment: Searcher, text: str) -> None:
    searcher = single_segment
    assert len(list(searcher.reader().leaf_readers())) == 1
    query = parse_query(text, searcher.schema)
    _assert_same(_whoosh_scores(searcher, query), MatchScorer(searcher).scores(query))
    allowed = {d for d in searcher.reader().all_doc_ids() if d % 4 == 1}
    expected = {d: s for d, s in _whoosh_scores(searcher, query).items() if d in allowed}
    _assert_same(expected, MatchScorer(searcher).scores(query, allowed))


@pytest.mark.parametrize("text", QUERIES)
def test_within_keeps_exactly_the_allowed_matches(searcher: Searcher, text: str) -> None:
    query = parse_query(text, searcher.schema)
    reader = searcher.reader()
    allowed = {d for d in reader.all_doc_ids() if d % 3 == 0}
    expected = {d: s for d, s in _whoosh_scores(searcher, query).items() if d in allowed}
    _assert_same(expected, MatchScorer(searcher).scores(query, allowed))
    assert MatchScorer(searcher).scores(query, set()) == {}


def test_boosts_multiply_like_whooshs(searcher: Searcher) -> None:
    query = wq.Or(
        [
            wq.Term("content", "الرياض", boost=2.5),
            wq.And([wq.Term("title_stem", "ملك"), wq.Term("content", "سلمان")], boost=0.5),
            wq.Phrase("content", ["الملك", "سلمان"], boost=3.0),
            wq.Or([wq.Term("title", "الملك")], boost=4.0),
            wq.And([wq.Not(wq.Term("content", "سلمان"))], boost=4.0),
            wq.And([]),
            wq.Or([]),
        ],
        boost=1.5,
    )
    _assert_same(_whoosh_scores(searcher, query), MatchScorer(searcher).scores(query))


def test_random_word_combinations_equal_whooshs(searcher: Searcher) -> None:
    rnd = random.Random(11)
    vocab = _vocabulary()
    scorer = MatchScorer(searcher)  # one scorer for many queries, as the engine keeps it
    for _ in range(40):
        words = rnd.sample(vocab[:120], rnd.randint(1, 3))
        shape = rnd.choice(["and", "or", "phrase", "not"])
        if shape == "or":
            text = " OR ".join(words)
        elif shape == "phrase":
            text = '"' + " ".join(words) + '"'
        elif shape == "not" and len(words) > 1:
            text = f"{words[0]} -{words[1]}"
        else:
            text = " ".join(words)
        query = parse_query(text, searcher.schema)
        _assert_same(_whoosh_scores(searcher, query), scorer.scores(query))


@pytest.mark.parametrize(
    "query",
    [
        wq.Every(),
        wq.NumericRange("date", 0, 10**20),
        wq.FuzzyTerm("content", "الرياض"),
        wq.Phrase("content", ["a", "b"], slop=2),
    ],
    ids=["every", "range", "fuzzy", "slop"],
)
def test_unknown_query_types_are_refused_before_any_work(searcher: Searcher, query: wq.Query) -> None:
    with pytest.raises(Unsupported):
        MatchScorer(searcher).scores(wq.And([wq.Term("content", "الرياض"), query]))


def test_an_expired_deadline_stops_the_walk(searcher: Searcher) -> None:
    with pytest.raises(SearchTimeout):
        MatchScorer(searcher).scores(parse_query('"الملك سلمان"', searcher.schema), deadline=0.0)


# --- the engine on top of it ---------------------------------------------------------------


@pytest.fixture(scope="module")
def engine(index_dir: Path) -> Iterator[Engine]:
    """The engine without proximity rescoring: its order must be BM25F's, exactly."""
    eng = Engine(index_dir, ranking=Ranking(proximity=0))
    yield eng
    eng.close()


def _ids(searcher: Searcher, docnums: list[int]) -> list[str]:
    return [searcher.stored_fields(d)["id"] for d in docnums]


@pytest.mark.parametrize("text", ["الرياض", "امير منطقة الرياض", '"الملك سلمان بن عبدالعزيز"', "الرياض -سلمان"])
def test_relevance_order_is_the_exhaustive_bm25f_order(engine: Engine, searcher: Searcher, text: str) -> None:
    """Every page, in order, is Whoosh's full ranking (score desc, then docnum): nothing skipped.

    (Uncollapsed: the corpus holds wire copies, and a collapsed list would skip them by design.)
    """
    scores = _whoosh_scores(searcher, parse_query(text, searcher.schema))
    expected = _ids(searcher, sorted(scores, key=lambda d: (-scores[d], d)))
    got: list[str] = []
    text = strict_text(text)
    first = engine.search(SearchRequest(text, per_page=50, collapse=False)).to_json()
    assert first["total"] == len(scores)
    for page in range(1, first["pages"] + 1):
        result = engine.search(SearchRequest(text, per_page=50, page=page, collapse=False)).to_json()
        got += [hit["id"] for hit in result["hits"]]
        assert [hit["score"] for hit in result["hits"]] == [
            round(scores[searcher.document_number(id=hit["id"])], 4) for hit in result["hits"]
        ]
    assert got == expected


@pytest.mark.parametrize("text", ["الرياض", '"امير منطقه"'])
def test_date_order_equals_whooshs_sorting_collector(engine: Engine, searcher: Searcher, text: str) -> None:
    """Newest first, undated last, ties by score: the same order as Whoosh's sorted search."""
    from whoosh.sorting import FieldFacet, ScoreFacet, TranslateFacet

    from search.whoosh_backend import newest_first as _newest_first

    facets = [TranslateFacet(_newest_first, FieldFacet("date")), ScoreFacet()]
    results = searcher.search(parse_query(text, searcher.schema), limit=None, sortedby=facets)
    expected = _ids(searcher, [hit.docnum for hit in results])
    result = engine.search(SearchRequest(text, per_page=100, sort="date", collapse=False)).to_json()
    assert [hit["id"] for hit in result["hits"]] == expected[:100]
    assert result["total"] == len(expected)


def test_totals_and_facets_count_every_match(engine: Engine, searcher: Searcher) -> None:
    query = parse_query("امير منطقة الرياض", searcher.schema)
    matches = set(_whoosh_scores(searcher, query))
    result = engine.search(SearchRequest(strict_text("امير منطقة الرياض"), source=("sabq",))).to_json()
    sabq = {d for d in matches if searcher.stored_fields(d).get("source") == "sabq"}
    assert result["total"] == len(sabq)
    assert result["facets"]["source"] == [{"value": "sabq", "count": len(sabq), "label": "سبق"}]


def test_unsupported_queries_still_search_through_whoosh(engine: Engine, searcher: Searcher) -> None:
    """A ``date:`` range is not evaluated by MatchScorer: the engine falls back to Whoosh's collectors."""
    query = parse_query("الرياض date:2017-03", searcher.schema)
    with pytest.raises(Unsupported):
        MatchScorer(searcher).scores(query)
    expected = _whoosh_scores(searcher, query)
    result = engine.search(SearchRequest("الرياض date:2017-03", per_page=100, collapse=False)).to_json()
    assert result["total"] == len(expected) > 0
    assert {hit["id"] for hit in result["hits"]} == set(_ids(searcher, list(expected)))
