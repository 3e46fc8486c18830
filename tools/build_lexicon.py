"""Build ``index/data/lexicon.tsv.gz``: how often each cleaned Arabic word form occurs.

The stemmer asks the lexicon one question — "is this stripped form itself a word, and how
common is it next to the unstripped one?" — to tell ``و+تنظيم`` (strip) from ``وزير`` (keep),
``ب+دمشق`` from ``بلد``.  The lexicon must be *fixed* (shipped with the code, not taken from
the live index), otherwise adding documents would change how old ones were stemmed.

Sources: the bundled seed corpus and SaudiNewsNet (31,030 articles, 8.8 M words), read from
``../shared``.  Only word forms and counts are kept (no text), forms seen fewer than
``--min-count`` times are dropped.  Run:  python tools/build_lexicon.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.analysis import clean, is_arabic, tokenize  # noqa: E402

DEFAULT_SOURCES = [ROOT / "data" / "corpus", ROOT.parent / "shared" / "corpora" / "saudinewsnet.jsonl.gz"]


def _texts(source: Path):
    if source.is_dir():
        for path in sorted(source.rglob("*.txt")):
            yield path.read_text(encoding="utf-8-sig")
    else:
        with gzip.open(source, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                yield (record.get("title") or "") + "\n" + (record.get("content") or "")


TANWEEN_FATH = "\u064b"


def count_forms(sources: list[Path]) -> tuple[Counter[str], Counter[str]]:
    """Count cleaned Arabic word forms (ta marbuta kept) over all sources.

    Also counts, per form, how often it was written with tanween fath (قتيلاً): an accusative
    ending the stemmer may strip (قتيلا ~ قتيل), unlike the -ا of a name (درعا, كوبا), which
    nobody writes with tanween.  Cleaning removes the mark, so it is counted here.
    """
    counts: Counter[str] = Counter()
    tanween: Counter[str] = Counter()
    for source in sources:
        for text in _texts(source):
            for surface, _, _ in tokenize(text):
                if is_arabic(surface):
                    form = clean(surface)
                    counts[form] += 1
                    if TANWEEN_FATH in surface:
                        tanween[form] += 1
    return counts, tanween


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", type=Path, default=DEFAULT_SOURCES)
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "index" / "data" / "lexicon.tsv.gz")
    args = parser.parse_args()
    counts, tanween = count_forms(args.sources)
    kept = sorted((form, n) for form, n in counts.items() if n >= args.min_count)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("# cleaned word form<TAB>count[<TAB>count written with tanween fath] — tools/build_lexicon.py\n")
        for form, n in kept:
            out.write(f"{form}\t{n}\t{tanween[form]}\n" if tanween[form] else f"{form}\t{n}\n")
    print(f"{len(counts)} forms seen, {len(kept)} kept (count >= {args.min_count}) → {args.out}")


if __name__ == "__main__":
    main()
