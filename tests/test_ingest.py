"""Reading sources: formats, encodings, broken inputs, ids, discovery, the real corpus.

Every fixture is generated in ``tmp_path`` from the Arabic strings below, so each test
states exactly which bytes it feeds in.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import itertools
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import pytest

from index import ingest
from index.ingest import Article, IngestProblem, decode_bytes, discover_files, read_sources

SAUDINEWSNET = Path("/work/shared/corpora/saudinewsnet.jsonl.gz")

TITLE = "الحكومة تعلن خطة جديدة لدعم الاقتصاد"
PARA_1 = "أعلنت الحكومة اليوم عن خطة اقتصادية جديدة تهدف إلى دعم القطاعات المتضررة وتوفير فرص العمل للشباب."
PARA_2 = "وقال وزير المالية إن الخطة ستُنفَّذ على ثلاث مراحل تبدأ مطلع العام المقبل بتكلفة إجمالية كبيرة."
BODY = f"{PARA_1}\n\n{PARA_2}"
PAGE = f"{TITLE}\n\n{TITLE}\n\n٢٢ أيار ٢٠١٧\n\n{PARA_1}\n\n{PARA_2}\n"
RECORD = {
    "title": TITLE,
    "content": f"{PARA_1}\n{PARA_2}",
    "date_extracted": "2017-05-22 10:11:12",
    "source": "saudi-gazette",
    "url": "http://example.com/news/1",
    "author": "الرياض: أحمد",
}


def run(*sources: str | Path) -> tuple[list[Article], list[IngestProblem]]:
    items = list(read_sources(sources))
    assert all(isinstance(item, (Article, IngestProblem)) for item in items)
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, IngestProblem)]


def write(path: Path, data: bytes | str) -> Path:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path.name.endswith(".gz"):
        raw = gzip.compress(raw)
    path.write_bytes(raw)
    return path


def jsonl(records: Iterable[object]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def url_id(url: str) -> str:
    return "u" + hashlib.sha1(url.encode()).hexdigest()[:16]


# --- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", ["", ".gz"])
def test_txt(tmp_path: Path, gz: str) -> None:
    path = write(tmp_path / f"000_abc.txt{gz}", PAGE)
    (article,), problems = run(path)
    assert problems == []
    assert article == Article(
        id="000_abc", title=TITLE, content=BODY, date="2017-05-22", source=None, url=None, author=None, origin=str(path)
    )


@pytest.mark.parametrize("gz", ["", ".gz"])
def test_json_object(tmp_path: Path, gz: str) -> None:
    path = write(tmp_path / f"one.json{gz}", json.dumps(RECORD, ensure_ascii=False))
    (article,), problems = run(path)
    assert problems == []
    assert article == Article(
        id=url_id(RECORD["url"]),
        title=TITLE,
        content=BODY,
        date="2017-05-22",
        source="saudi-gazette",
        url="http://example.com/news/1",
        author="الرياض: أحمد",
        origin=str(path),
    )


@pytest.mark.parametrize("gz", ["", ".gz"])
def test_json_list(tmp_path: Path, gz: str) -> None:
    records = [dict(RECORD, id=7), dict(RECORD, id="b", title="عنوان ثان"), {"foo": 1}]
    path = write(tmp_path / f"many.json{gz}", json.dumps(records, ensure_ascii=False))
    articles, problems = run(path)
    assert [a.id for a in articles] == ["7", "b"]
    assert [a.title for a in articles] == [TITLE, "عنوان ثان"]
    assert articles[0].origin == f"{path}[0]"
    assert [(p.line, p.reason.split(":")[0]) for p in problems] == [(None, "item 2")]
    assert "not an article" in problems[0].reason


@pytest.mark.parametrize("gz", ["", ".gz"])
def test_jsonl(tmp_path: Path, gz: str) -> None:
    records = [dict(RECORD, url=f"http://example.com/{i}") for i in range(3)]
    path = write(tmp_path / f"feed.jsonl{gz}", jsonl(records[:2]) + "\n   \n" + jsonl(records[2:]))
    articles, problems = run(path)
    assert problems == []
    assert [a.url for a in articles] == [f"http://example.com/{i}" for i in range(3)]
    assert [a.origin for a in articles] == [f"{path}:1", f"{path}:2", f"{path}:5"]
    assert all(a.content == BODY and a.date == "2017-05-22" for a in articles)


def test_alternative_field_names(tmp_path: Path) -> None:
    records = [
        {"title": "أ", "text": PARA_1, "date": "22/5/2017"},
        {"title": "ب", "body": PARA_2, "date": "٣ كانون الثاني ٢٠١٨"},
        {"title": "ج", "content": "", "text": PARA_1, "date": "not a date"},
    ]
    articles, problems = run(write(tmp_path / "f.jsonl", jsonl(records)))
    assert problems == []
    assert [(a.content, a.date) for a in articles] == [(PARA_1, "2017-05-22"), (PARA_2, "2018-01-03"), (PARA_1, None)]


def test_record_without_title_gets_first_sentence(tmp_path: Path) -> None:
    (article,), _ = run(write(tmp_path / "f.json", json.dumps({"content": BODY}, ensure_ascii=False)))
    assert article.title == "أعلنت الحكومة اليوم عن خطة اقتصادية جديدة تهدف إلى دعم القطاعات المتضررة…"
    assert article.content == BODY


def test_content_repeating_the_title_is_not_stored_twice(tmp_path: Path) -> None:
    record = {"title": TITLE, "content": f"{TITLE}\n{PARA_1}"}
    (article,), _ = run(write(tmp_path / "f.json", json.dumps(record, ensure_ascii=False)))
    assert article.content == PARA_1


def test_records_without_text_are_problems(tmp_path: Path) -> None:
    records = [
        {"title": TITLE, "content": ""},
        {"title": "", "content": "  \n "},
        {"title": TITLE, "content": PARA_1},
        {"title": 5, "content": PARA_1},
        {"title": TITLE, "content": {"x": 1}},
    ]
    articles, problems = run(write(tmp_path / "f.jsonl", jsonl(records)))
    assert [a.origin.rsplit(":", 1)[1] for a in articles] == ["3"]
    assert [(p.line, p.reason) for p in problems] == [
        (1, "record has no content"),
        (2, "record has no text"),
        (4, "field 'title' is a number, expected a string"),
        (5, "field 'content' is an object, expected a string"),
    ]


# --- encodings ----------------------------------------------------------------------------

ENCODINGS = {
    "utf-8": lambda s: s.encode("utf-8"),
    "utf-8-sig": lambda s: s.encode("utf-8-sig"),
    "utf-16-le": lambda s: codecs.BOM_UTF16_LE + s.encode("utf-16-le"),
    "utf-16-be": lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"),
    # Windows-1256 has no Arabic-Indic digits: archives in it write Western ones.
    "cp1256": lambda s: s.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")).encode("cp1256"),
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_txt_encodings(tmp_path: Path, encoding: str) -> None:
    data = ENCODINGS[encoding](PAGE.replace("\n", "\r\n"))
    (article,), problems = run(write(tmp_path / "a.txt", data))
    assert problems == []
    assert (article.title, article.content, article.date) == (TITLE, BODY, "2017-05-22")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_json_and_jsonl_encodings(tmp_path: Path, encoding: str) -> None:
    encode = ENCODINGS[encoding]
    write(tmp_path / "a.json", encode(json.dumps(RECORD, ensure_ascii=False)))
    write(tmp_path / "b.jsonl", encode(jsonl([RECORD, dict(RECORD, url="http://example.com/2")])))
    articles, problems = run(tmp_path)
    assert problems == []
    assert len(articles) == 3
    assert all((a.title, a.content, a.author) == (TITLE, BODY, "الرياض: أحمد") for a in articles)


@pytest.mark.parametrize("text", ["مرحبا", "سلام", "أ", "عاجل: انفجار في بيروت"])
def test_short_cp1256_texts(text: str) -> None:
    assert decode_bytes(text.encode("cp1256")) == text


def test_nearly_utf8_is_not_read_as_cp1256() -> None:
    data = PARA_1.encode("utf-8")
    space = data.index(b" ", 30)
    assert decode_bytes(data[:space] + b"\xff" + data[space:]) == PARA_1  # a stray byte
    broken = decode_bytes(data[:41] + b"\xff" + data[42:])  # a byte overwritten inside a letter
    assert broken.startswith("أعلنت الحكومة") and broken.endswith("فرص العمل للشباب.")
    assert len(broken) == len(PARA_1) - 1


# --- broken inputs ------------------------------------------------------------------------


def _reasons(problems: list[IngestProblem]) -> list[str]:
    return [p.reason for p in problems]


def test_binary_renamed_txt(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    good = write(tmp_path / "b.txt", PAGE)
    articles, problems = run(write(tmp_path / "a.txt", png), good)
    assert [a.id for a in articles] == ["b"], "the next file is still read"
    assert len(problems) == 1 and problems[0].path == str(tmp_path / "a.txt")
    assert problems[0].reason.startswith("binary or unknown encoding")


def test_binary_without_nul_bytes(tmp_path: Path) -> None:
    junk = bytes(b for b in range(1, 256) if b not in b"\n\r\t") * 8
    _, problems = run(write(tmp_path / "a.txt", junk), write(tmp_path / "b.jsonl", junk))
    assert [(p.line, p.reason) for p in problems] == [
        (None, "binary or unknown encoding (mostly control characters)"),
        (1, "binary or unknown encoding (mostly control characters)"),
    ]


def test_binary_renamed_jsonl(tmp_path: Path) -> None:
    _, problems = run(write(tmp_path / "a.jsonl.gz", b"\x00\x01\x02" * 100))
    assert _reasons(problems) == ["binary or unknown encoding (NUL bytes and no UTF-16 byte-order mark)"]


@pytest.mark.parametrize("name", ["a.txt", "a.json", "a.jsonl", "a.txt.gz", "a.jsonl.gz"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    _, problems = run(write(tmp_path / name, b""))
    assert len(problems) == 1 and problems[0].reason.startswith("empty file")


def test_whitespace_only_file(tmp_path: Path) -> None:
    _, problems = run(write(tmp_path / "a.txt", "  \n\n \t\n"))
    assert _reasons(problems) == ["empty file (only whitespace)"]


def test_jsonl_with_a_truncated_line_in_the_middle(tmp_path: Path) -> None:
    lines = jsonl(dict(RECORD, url=f"http://example.com/{i}") for i in range(5)).splitlines(keepends=True)
    lines[2] = lines[2][:30] + "\n"  # truncated record
    path = write(tmp_path / "feed.jsonl.gz", "".join(lines))
    items = list(read_sources([path]))
    assert [type(i).__name__ for i in items] == ["Article", "Article", "IngestProblem", "Article", "Article"]
    problem = items[2]
    assert isinstance(problem, IngestProblem)
    assert (problem.path, problem.line) == (str(path), 3)
    assert problem.reason.startswith("not valid JSON: ") and "(col " in problem.reason
    assert str(problem) == f"{path}:3: {problem.reason}"


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    data = gzip.compress(jsonl(dict(RECORD, url=f"http://example.com/{i}") for i in range(2000)).encode())
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    articles, problems = run(path)
    assert 0 < len(articles) < 2000
    assert len(problems) == 1 and "truncated" in problems[0].reason


def test_not_gzip_at_all(tmp_path: Path) -> None:
    path = tmp_path / "a.txt.gz"
    path.write_bytes(PAGE.encode())
    _, problems = run(path)
    assert len(problems) == 1 and problems[0].reason.startswith("not a valid gzip file")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ('{"foo": 1}', "not an article: no title, content, text or body field (keys: foo)"),
        ("42", "not an article: top-level JSON value is a number, expected an object or a list"),
        ('"نص"', "not an article: top-level JSON value is a string, expected an object or a list"),
        ("[]", "file contains no records (empty JSON list)"),
        ("[42]", "item 0: not an article: expected a JSON object, got a number"),
    ],
)
def test_json_that_is_not_an_article(tmp_path: Path, payload: str, reason: str) -> None:
    articles, problems = run(write(tmp_path / "a.json", payload))
    assert articles == [] and _reasons(problems) == [reason]


def test_invalid_json_file_reports_line(tmp_path: Path) -> None:
    _, problems = run(write(tmp_path / "a.json", '{\n  "title": "x"\n  "content": "y"\n}'))
    assert [(p.line, p.reason) for p in problems] == [(3, "not valid JSON: Expecting ',' delimiter (line 3, col 3)")]


def test_jsonl_line_that_is_not_an_object(tmp_path: Path) -> None:
    articles, problems = run(write(tmp_path / "a.jsonl", f"[1, 2]\n{json.dumps(RECORD)}\nnull\n"))
    assert len(articles) == 1
    assert [(p.line, p.reason) for p in problems] == [
        (1, "not an article: expected a JSON object, got a list"),
        (3, "not an article: expected a JSON object, got null"),
    ]


def test_deeply_nested_json_does_not_raise(tmp_path: Path) -> None:
    _, problems = run(write(tmp_path / "a.json", "[" * 100_000 + "]" * 100_000))
    assert len(problems) == 1 and problems[0].reason.startswith("not valid JSON")


def _can_read_after_chmod(path: Path) -> bool:
    try:
        path.read_bytes()
    except PermissionError:
        return False
    return True


def test_unreadable_file_chmod(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.txt", PAGE)
    good = write(tmp_path / "ok.txt", PAGE)
    path.chmod(0)
    try:
        if _can_read_after_chmod(path):
            pytest.skip("running with privileges that ignore file permissions (root)")
        articles, problems = run(tmp_path)
    finally:
        path.chmod(0o644)
    assert [a.origin for a in articles] == [str(good)]
    assert [(p.path, p.reason) for p in problems] == [(str(path), "cannot read file: Permission denied")]


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Same path as above for runs as root, where chmod 000 does not stop reads.
    path = write(tmp_path / "secret.txt", PAGE)
    real_open = ingest._open_binary

    def deny(p: Path, compressed: bool) -> IO[bytes]:
        if p == path:
            raise PermissionError(13, "Permission denied", str(p))
        return real_open(p, compressed)

    monkeypatch.setattr(ingest, "_open_binary", deny)
    articles, problems = run(path, write(tmp_path / "ok.json", json.dumps(RECORD)))
    assert len(articles) == 1
    assert _reasons(problems) == ["cannot read file: Permission denied"]


def test_missing_path(tmp_path: Path) -> None:
    good = write(tmp_path / "ok.txt", PAGE)
    articles, problems = run(tmp_path / "nope", good, str(tmp_path / "nope.jsonl"))
    assert len(articles) == 1
    assert [(p.path, p.line, p.reason) for p in problems] == [
        (str(tmp_path / "nope"), None, "no such file or directory"),
        (str(tmp_path / "nope.jsonl"), None, "no such file or directory"),
    ]


def test_unsupported_file_named_explicitly(tmp_path: Path) -> None:
    path = write(tmp_path / "notes.csv", "a,b\n")
    articles, problems = run(path)
    assert articles == [] and len(problems) == 1
    assert problems[0].reason.startswith("unsupported file type")


def test_control_characters_removed_everywhere(tmp_path: Path) -> None:
    record = {"title": "عنوان\x00 الخبر", "content": f"{PARA_1}\x1a\r\n\r\n\r\n\r\n{PARA_2}\u0000"}
    (article,), _ = run(write(tmp_path / "a.json", json.dumps(record, ensure_ascii=False)))
    assert article.title == "عنوان الخبر"
    assert article.content == BODY
    write(tmp_path / "b.txt", PAGE.replace(PARA_1, PARA_1 + "\x00\x07"))
    (txt,), _ = run(tmp_path / "b.txt")
    assert txt.content == BODY


# --- ids ----------------------------------------------------------------------------------


def test_txt_ids_are_file_stems(tmp_path: Path) -> None:
    write(tmp_path / "000_4e3d15a02d7a4506.txt", PAGE)
    write(tmp_path / "x.txt.gz", PAGE)
    write(tmp_path / "Y.TXT", PAGE)
    articles, _ = run(tmp_path)
    assert sorted(a.id for a in articles) == ["000_4e3d15a02d7a4506", "Y", "x"]


def test_given_id_wins(tmp_path: Path) -> None:
    records = [dict(RECORD, id=12), dict(RECORD, id="abc"), dict(RECORD, id=None), dict(RECORD, id="")]
    articles, _ = run(write(tmp_path / "a.jsonl", jsonl(records)))
    assert [a.id for a in articles] == ["12", "abc", url_id(RECORD["url"]), url_id(RECORD["url"])]


def test_hash_ids_are_stable_across_runs_and_files(tmp_path: Path) -> None:
    no_url = {k: v for k, v in RECORD.items() if k != "url"}
    write(tmp_path / "a.jsonl", jsonl([RECORD, no_url]))
    write(tmp_path / "b.json", json.dumps([RECORD, no_url], ensure_ascii=False))
    first, _ = run(tmp_path)
    second, _ = run(tmp_path)
    assert [a.id for a in first] == [a.id for a in second]
    assert first[0].id == first[2].id == url_id("http://example.com/news/1")
    assert first[1].id == first[3].id and first[1].id.startswith("c") and len(first[1].id) == 17
    other = dict(no_url, content=PARA_2)
    (changed,), _ = run(write(tmp_path / "c.json", json.dumps(other, ensure_ascii=False)))
    assert changed.id != first[1].id


# --- discovery ----------------------------------------------------------------------------


def test_directory_walk(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    write(tmp_path / "b" / "2.txt", PAGE)
    write(tmp_path / "a.json", json.dumps(RECORD))
    write(tmp_path / "b" / "1.jsonl.gz", jsonl([RECORD]))
    write(tmp_path / "c.txt", PAGE)
    write(tmp_path / "readme.md", "# ignored")
    write(tmp_path / "data.csv", "ignored")
    write(tmp_path / ".hidden.txt", PAGE)
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".git" / "x.txt", PAGE)
    expected = [tmp_path / "a.json", tmp_path / "b" / "1.jsonl.gz", tmp_path / "b" / "2.txt", tmp_path / "c.txt"]
    assert discover_files([tmp_path]) == expected
    articles, problems = run(tmp_path)
    assert problems == []
    assert [a.origin for a in articles] == [str(expected[0]), f"{expected[1]}:1", str(expected[2]), str(expected[3])]


def test_same_file_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", PAGE)
    assert discover_files([tmp_path, path, str(path)]) == [path]
    articles, _ = run(tmp_path, path)
    assert len(articles) == 1


def test_discover_lists_what_read_sources_opens(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", PAGE)
    write(tmp_path / "bad.json", "{")
    files = discover_files([tmp_path, tmp_path / "missing", tmp_path / "x.csv"])
    assert files == [tmp_path / "a.txt", tmp_path / "bad.json"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_file_named_explicitly(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert discover_files([tmp_path]) == []
    _, problems = run(fifo)
    assert _reasons(problems) == ["not a regular file or directory"]


# --- scale --------------------------------------------------------------------------------


def test_20mb_article(tmp_path: Path) -> None:
    paragraphs = [f"الفقرة رقم {i}: " + PARA_1 for i in range(100_000)]
    text = TITLE + "\n\n" + "\n\n".join(paragraphs + paragraphs[:30_000])
    path = write(tmp_path / "big.txt", text)
    assert path.stat().st_size > 20_000_000
    (article,), problems = run(path)
    assert problems == []
    assert article.title == TITLE
    assert article.content.count("\n\n") == len(paragraphs) - 1


# --- the real corpus ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not SAUDINEWSNET.exists(), reason=f"SaudiNewsNet corpus not present at {SAUDINEWSNET}")
def test_saudinewsnet_first_200_lines(tmp_path: Path) -> None:
    with gzip.open(SAUDINEWSNET, "rb") as stream:
        head = b"".join(itertools.islice(stream, 200))
    path = tmp_path / "head.jsonl.gz"
    path.write_bytes(gzip.compress(head))
    articles, problems = run(path)
    assert len(articles) + len(problems) == 200
    assert len(articles) >= 190, problems[:5]
    for article in articles:
        assert article.id.startswith("u") and len(article.id) == 17
        assert article.title and article.content
        assert article.date is not None and len(article.date) == 10 and article.date.startswith("20")
        assert article.source and article.url and article.url.startswith("http")
        assert article.origin.startswith(f"{path}:")
    assert len({a.id for a in articles}) == len(articles)
    assert sum(1 for a in articles if a.author) > len(articles) // 2
    first = json.loads(head.split(b"\n", 1)[0])
    assert articles[0].title == first["title"]
    assert articles[0].date == first["date_extracted"][:10]
    assert articles[0].url == first["url"] and articles[0].id == url_id(first["url"])
