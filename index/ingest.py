"""Reading sources (directories, .txt/.json/.jsonl files, gzipped or not) into articles.

The indexer consumes one stream of :class:`Article` and :class:`IngestProblem` values: a bad
file or line becomes a problem *in the stream* instead of an exception, so one corrupt
record in a 30,000-article archive costs one line in the report, not the whole run.

Design points:

* **Streaming.**  JSONL (plain or gzipped) is read line by line; memory stays flat however
  big the archive.  ``.txt`` and ``.json`` files are read whole (one article, or one array).
* **Encodings.**  Arabic archives come in UTF-8 (with or without BOM), UTF-16 with BOM and
  Windows-1256.  :func:`decode_bytes` decides deterministically — BOM, then strict UTF-8,
  then Windows-1256 checked for plausibility — instead of a statistical guesser, because
  guessers are unreliable on short Arabic texts and the set of encodings we meet is known.
* **Stable ids.**  Re-ingesting the same input gives the same ids, so re-indexing replaces
  documents instead of duplicating them.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import json
import os
import re
import stat
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from index.cleaning import clean_page, line_key, normalize_text, split_paragraphs, title_from_text
from index.dates import parse_date_value

__all__ = [
    "Article",
    "IngestProblem",
    "UndecodableError",
    "decode_bytes",
    "discover_files",
    "read_sources",
]


@dataclass(frozen=True)
class Article:
    """One document ready for indexing; ``content`` paragraphs are separated by ``"\\n\\n"``."""

    id: str
    title: str
    content: str
    date: str | None
    source: str | None
    url: str | None
    author: str | None
    origin: str


@dataclass(frozen=True)
class IngestProblem:
    """Something that could not become an article, with where it was and why (one sentence)."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


Kind = Literal["txt", "json", "jsonl"]
#: Extensions we read, with or without a trailing ``.gz``.
SUPPORTED_KINDS: tuple[Kind, ...] = ("txt", "json", "jsonl")

#: JSON fields, in order of preference where several are accepted.
TEXT_FIELDS = ("content", "text", "body")
DATE_FIELDS = ("date", "date_extracted")

# --- decoding -----------------------------------------------------------------------------


class UndecodableError(ValueError):
    """Bytes that are not text in any encoding we accept; ``reason`` is for the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Control characters that never occur in text (everything in C0/C1 except tab, newlines,
#: form feed).  Their density tells binary data from text whatever the decoding.
_BAD_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f\ufffd]")
_MAX_GARBAGE_RATIO = 0.02
_PLAUSIBILITY_SAMPLE = 200_000
#: Share of the non-ASCII characters of a Windows-1256 decoding that must be Arabic
#: letters/marks/punctuation or ordinary Latin letters and typography.
_MIN_CP1256_PLAUSIBLE = 0.9
_MAX_UTF8_REPAIR_RATIO = 0.01
#: Windows-1256 Arabic almost never forms valid multi-byte UTF-8 sequences, so this many
#: well-formed non-ASCII UTF-8 characters is proof enough that the file is UTF-8.
_MIN_UTF8_EVIDENCE = 20
_MAX_STRAY_NUL_RATIO = 0.001


def _bom_encoding(head: bytes) -> tuple[str, int] | None:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return None


def _plausible_cp1256(text: str) -> bool:
    """Is this Windows-1256 decoding what a person wrote, rather than random high bytes?"""
    sample = text[:_PLAUSIBILITY_SAMPLE]
    non_ascii = good = 0
    for ch in sample:
        if ch < "\x80":
            continue
        non_ascii += 1
        code = ord(ch)
        category = unicodedata.category(ch)
        if 0x0600 <= code <= 0x06FF or category[0] in "PZS" or (category[0] == "L" and code < 0x0250):
            good += 1
    return non_ascii == 0 or good / non_ascii >= _MIN_CP1256_PLAUSIBLE


def _check_not_garbage(text: str) -> str:
    sample = text[:_PLAUSIBILITY_SAMPLE]
    if sample and len(_BAD_CONTROL_RE.findall(sample)) / len(sample) > _MAX_GARBAGE_RATIO:
        raise UndecodableError("binary or unknown encoding (mostly control characters)")
    return text


def decode_bytes(data: bytes) -> str:
    """Decode a file's bytes to text, or raise :class:`UndecodableError` with a reason.

    Order: a byte-order mark decides (UTF-8/16/32); more than a stray NUL byte without a
    BOM means binary (or BOM-less UTF-16, which we do not guess at); then
    :func:`_decode_unmarked`.  Whatever decodes must not be dominated by control
    characters, which is how binary data that happens to decode is still refused.
    """
    if not data:
        raise UndecodableError("empty file")
    bom = _bom_encoding(data[:4])
    if bom is not None:
        encoding, skip = bom
        try:
            text = data[skip:].decode(encoding)
        except UnicodeDecodeError as exc:
            if encoding != "utf-32-le":
                raise UndecodableError(
                    f"binary or unknown encoding (invalid {encoding.upper()} after its byte-order mark, "
                    f"byte {exc.start + skip})"
                ) from None
            # FF FE 00 00 is also a UTF-16-LE BOM followed by U+0000: try that reading.
            return _decode_utf16_after_all(data)
        return _check_not_garbage(text)
    if _has_binary_nuls(data):
        raise UndecodableError("binary or unknown encoding (NUL bytes and no UTF-16 byte-order mark)")
    return _decode_unmarked(data)


def _has_binary_nuls(data: bytes) -> bool:
    """NUL bytes beyond a stray one or two: binary, or UTF-16 without a BOM (which we refuse).

    A single NUL in an otherwise fine text file is a scraping accident; normalisation
    removes it, and the file is worth reading.
    """
    return data.count(b"\x00") > max(1, _MAX_STRAY_NUL_RATIO * len(data))


def _decode_utf16_after_all(data: bytes) -> str:
    try:
        return _check_not_garbage(data[2:].decode("utf-16-le"))
    except UnicodeDecodeError:
        raise UndecodableError("binary or unknown encoding (invalid UTF-16/32 after a byte-order mark)") from None


def _decode_unmarked(data: bytes) -> str:
    """Text without a BOM: strict UTF-8, nearly-UTF-8, or plausible Windows-1256.

    "Nearly UTF-8" (at least 20 well-formed non-ASCII characters, and at most three bad
    sequences — one corrupt byte can break three — or 1% of them) is decoded as UTF-8 with
    the bad bytes dropped: read as Windows-1256 it would become plausible-looking Arabic
    mojibake (``ط§ظ„``) that no check could catch later.
    """
    try:
        return _check_not_garbage(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    repaired = data.decode("utf-8", errors="replace")
    bad = repaired.count("\ufffd")
    valid_non_ascii = len(repaired) - len(repaired.encode("ascii", "ignore")) - bad
    if valid_non_ascii >= _MIN_UTF8_EVIDENCE and bad <= max(3, _MAX_UTF8_REPAIR_RATIO * valid_non_ascii):
        return _check_not_garbage(repaired.replace("\ufffd", ""))
    text = data.decode("cp1256")
    if not _plausible_cp1256(text):
        raise UndecodableError("binary or unknown encoding (neither UTF-8 nor Windows-1256 text)")
    return _check_not_garbage(text)


# --- discovery ----------------------------------------------------------------------------


def _kind(path: Path) -> Kind | None:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    for kind in SUPPORTED_KINDS:
        if suffix == kind:
            return kind
    return None


def _is_regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False  # dangling link or vanished file inside a directory: nothing to read


def _walk(directory: Path) -> Iterator[Path | IngestProblem]:
    """Supported, non-hidden regular files under ``directory``, sorted by path components."""
    problems: list[IngestProblem] = []

    def on_error(exc: OSError) -> None:
        problems.append(
            IngestProblem(str(exc.filename or directory), None, f"cannot list directory: {exc.strerror or exc}")
        )

    found: list[Path] = []
    for root, dirnames, filenames in os.walk(directory, onerror=on_error):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in filenames:
            if filename.startswith("."):
                continue
            path = Path(root, filename)
            if _kind(path) is not None and _is_regular_file(path):
                found.append(path)
    found.sort(key=lambda p: p.relative_to(directory).parts)
    yield from problems
    yield from found


def _plan(sources: Iterable[str | Path]) -> Iterator[Path | IngestProblem]:
    """Files to open in order, interleaved with problems about the sources themselves."""
    seen: set[Path] = set()
    for source in sources:
        path = Path(source)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            reason = "broken symbolic link" if path.is_symlink() else "no such file or directory"
            yield IngestProblem(str(path), None, reason)
            continue
        except OSError as exc:
            yield IngestProblem(str(path), None, f"cannot access path: {exc.strerror or exc}")
            continue
        candidates: Iterable[Path | IngestProblem]
        if stat.S_ISDIR(mode):
            candidates = _walk(path)
        elif not stat.S_ISREG(mode):
            yield IngestProblem(str(path), None, "not a regular file or directory")
            continue
        elif _kind(path) is None:
            yield IngestProblem(
                str(path), None, "unsupported file type (expected .txt, .json or .jsonl, optionally .gz)"
            )
            continue
        else:
            candidates = [path]
        for item in candidates:
            if isinstance(item, IngestProblem):
                yield item
                continue
            key = item.resolve()
            if key not in seen:
                # The same file named twice (or inside a directory also named) is read once.
                seen.add(key)
                yield item


def discover_files(sources: Iterable[str | Path]) -> list[Path]:
    """The files :func:`read_sources` will open, in the order it opens them.

    Directory contents are sorted by path; hidden files and directories and unsupported
    extensions are skipped.  Meant for progress bars, so it only lists — nothing is read.
    """
    return [item for item in _plan(sources) if isinstance(item, Path)]


# --- records ------------------------------------------------------------------------------


def _stable_hash(prefix: str, text: str) -> str:
    return prefix + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _optional_text(value: object) -> str | None:
    if isinstance(value, list):
        value = "، ".join(str(v).strip() for v in value if isinstance(v, str) and v.strip())
    if not isinstance(value, str):
        return None
    cleaned = " ".join(normalize_text(value).split())
    return cleaned or None


class _RecordError(ValueError):
    """A record field that makes the record unusable; the message says which and why."""


def _record_to_item(
    record: object, path: Path, line: int | None, origin: str, label: str = ""
) -> Article | IngestProblem:
    """Turn one decoded JSON value into an article, or say why it is not one."""
    try:
        return _record_to_article(record, origin)
    except _RecordError as error:
        return IngestProblem(str(path), line, label + str(error))


def _record_to_article(record: object, origin: str) -> Article:
    if not isinstance(record, Mapping):
        raise _RecordError(f"not an article: expected a JSON object, got {_json_type(record)}")
    if not any(key in record for key in ("title", *TEXT_FIELDS)):
        keys = ", ".join(sorted(map(str, record))[:8]) or "none"
        raise _RecordError(f"not an article: no title, content, text or body field (keys: {keys})")
    raw_title = record.get("title")
    if raw_title is not None and not isinstance(raw_title, str):
        raise _RecordError(f"field 'title' is {_json_type(raw_title)}, expected a string")
    raw_text = _raw_text(record)
    title = " ".join(normalize_text(raw_title or "").split())
    paragraphs = split_paragraphs(raw_text)
    if paragraphs and title and line_key(paragraphs[0]) == line_key(title):
        paragraphs = paragraphs[1:]  # the title is stored once, in ``title``
    if not paragraphs:
        raise _RecordError("record has no content" if title else "record has no text")
    url = _optional_text(record.get("url"))
    date = next(filter(None, (parse_date_value(record.get(name)) for name in DATE_FIELDS)), None)
    return Article(
        id=_record_id(record, url, (raw_title or "") + "\n" + raw_text),
        title=title or title_from_text(paragraphs[0]),
        content="\n\n".join(paragraphs),
        date=date,
        source=_optional_text(record.get("source")),
        url=url,
        author=_optional_text(record.get("author")),
        origin=origin,
    )


def _raw_text(record: Mapping) -> str:
    """The first non-empty text field (a list of strings is joined into paragraphs)."""
    for name in TEXT_FIELDS:
        value = record.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = "\n\n".join(value)
        if not isinstance(value, str):
            raise _RecordError(f"field '{name}' is {_json_type(value)}, expected a string")
        return value
    return ""


def _record_id(record: Mapping, url: str | None, raw: str) -> str:
    """The record's ``id``, else a stable hash of its url, else of its raw title and text.

    The *raw* fields are hashed, so ids survive changes to the cleaning rules.
    """
    raw_id = record.get("id")
    if isinstance(raw_id, (str, int, float)) and not isinstance(raw_id, bool) and str(raw_id).strip():
        return str(raw_id).strip()
    if raw_id is not None and not isinstance(raw_id, str):
        raise _RecordError(f"field 'id' is {_json_type(raw_id)}, expected a string or number")
    return _stable_hash("u", url) if url else _stable_hash("c", raw)


# --- readers ------------------------------------------------------------------------------


def _open_binary(path: Path, compressed: bool) -> IO[bytes]:
    if compressed:
        return gzip.open(path, "rb")
    return open(path, "rb")  # the caller closes it with ``with``


def _read_bytes(path: Path, compressed: bool) -> bytes:
    with _open_binary(path, compressed) as stream:
        return stream.read()


def _is_gz(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def _read_txt(path: Path) -> Iterator[Article | IngestProblem]:
    text = decode_bytes(_read_bytes(path, _is_gz(path)))
    if not text.strip():
        yield IngestProblem(str(path), None, "empty file (only whitespace)")
        return
    page = clean_page(text)
    if not page.paragraphs:
        yield IngestProblem(str(path), None, "no article text left after removing site furniture")
        return
    name = path.name
    stem = name[: -len(".txt.gz")] if name.lower().endswith(".txt.gz") else name[: -len(".txt")]
    yield Article(
        id=stem,
        title=page.title,
        content=page.body,
        date=page.date,
        source=page.source,
        url=None,
        author=None,
        origin=str(path),
    )


def _json_error(exc: json.JSONDecodeError, with_line: bool) -> str:
    where = f"line {exc.lineno}, col {exc.colno}" if with_line else f"col {exc.colno}"
    return f"not valid JSON: {exc.msg} ({where})"


def _read_json(path: Path) -> Iterator[Article | IngestProblem]:
    text = decode_bytes(_read_bytes(path, _is_gz(path)))
    if not text.strip():
        yield IngestProblem(str(path), None, "empty file (only whitespace)")
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        yield IngestProblem(str(path), exc.lineno, _json_error(exc, with_line=True))
        return
    if isinstance(value, list):
        if not value:
            yield IngestProblem(str(path), None, "file contains no records (empty JSON list)")
        for index, record in enumerate(value):
            yield _record_to_item(record, path, None, f"{path}[{index}]", label=f"item {index}: ")
    elif isinstance(value, dict):
        yield _record_to_item(value, path, None, str(path))
    else:
        yield IngestProblem(
            str(path),
            None,
            f"not an article: top-level JSON value is {_json_type(value)}, expected an object or a list",
        )


def _peek(stream: IO[bytes], size: int) -> bytes:
    peek = getattr(stream, "peek", None)
    return peek(size)[:size] if peek is not None else b""


def _jsonl_lines(stream: IO[bytes]) -> Iterator[tuple[int, str | UndecodableError]]:
    """Numbered lines of a JSONL stream, decoded (BOM-aware), or the error for that line."""
    head = _peek(stream, 4)
    bom = _bom_encoding(head)
    if bom is not None and bom[0] != "utf-8":
        # UTF-16/32: bytes cannot be split on b"\n", let a text wrapper do it.
        with io.TextIOWrapper(stream, encoding=bom[0].rsplit("-", 1)[0], newline=None) as wrapper:
            yield from enumerate(wrapper, 1)
        return
    if _has_binary_nuls(_peek(stream, 8192)):
        raise UndecodableError("binary or unknown encoding (NUL bytes and no UTF-16 byte-order mark)")
    for number, raw in enumerate(stream, 1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield number, _decode_unmarked(raw)
        except UndecodableError as exc:
            yield number, exc


def _read_jsonl(path: Path) -> Iterator[Article | IngestProblem]:
    records = 0
    last = 0
    with _open_binary(path, _is_gz(path)) as stream:
        try:
            for number, line in _jsonl_lines(stream):
                last = number
                if isinstance(line, UndecodableError):
                    records += 1
                    yield IngestProblem(str(path), number, line.reason)
                    continue
                if not line.strip():
                    continue
                records += 1
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield IngestProblem(str(path), number, _json_error(exc, with_line=False))
                    continue
                except (ValueError, RecursionError) as exc:
                    yield IngestProblem(str(path), number, f"not valid JSON: {exc}")
                    continue
                yield _record_to_item(value, path, number, f"{path}:{number}")
        except UnicodeDecodeError as exc:
            yield IngestProblem(str(path), last + 1, f"binary or unknown encoding ({exc.reason} in {exc.encoding})")
            return
    if records == 0:
        yield IngestProblem(
            str(path), None, "empty file" if last == 0 else "file contains no records (only blank lines)"
        )


_READERS = {"txt": _read_txt, "json": _read_json, "jsonl": _read_jsonl}


def _read_file(path: Path) -> Iterator[Article | IngestProblem]:
    """Everything one file yields; any failure becomes a problem after what was yielded."""
    kind = _kind(path)
    assert kind is not None  # _plan only lets supported files through
    try:
        yield from _READERS[kind](path)
    except UndecodableError as exc:
        yield IngestProblem(str(path), None, exc.reason)
    except gzip.BadGzipFile as exc:
        yield IngestProblem(str(path), None, f"not a valid gzip file: {exc}")
    except EOFError:
        yield IngestProblem(str(path), None, "gzip data is truncated (file ends before the end-of-stream marker)")
    except zlib.error as exc:
        yield IngestProblem(str(path), None, f"corrupt gzip data: {exc}")
    except OSError as exc:
        yield IngestProblem(str(path), None, f"cannot read file: {exc.strerror or exc}")
    except RecursionError:
        yield IngestProblem(str(path), None, "not valid JSON: nested too deeply")
    except ValueError as exc:
        # e.g. integers beyond Python's digit limit in json.loads
        yield IngestProblem(str(path), None, f"not valid JSON: {exc}")


def read_sources(sources: Iterable[str | Path]) -> Iterator[Article | IngestProblem]:
    """Yield every article from ``sources`` and a problem for everything that is not one.

    Sources are directories (searched recursively, sorted, hidden entries skipped) or
    files (``.txt``, ``.json``, ``.jsonl``, each optionally ``.gz``).  Never raises for bad
    input: missing paths, unsupported files named explicitly, unreadable or undecodable
    files, invalid JSON lines and records without text all come out as
    :class:`IngestProblem`, and reading continues with the next line or file.
    """
    for item in _plan(sources):
        if isinstance(item, IngestProblem):
            yield item
        else:
            yield from _read_file(item)
