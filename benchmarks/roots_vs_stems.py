"""What a root query finds that a plain (stem) query does not, on a built index.

For ten common news roots, each with the word a user would type for it, counts the articles
that ``root:R`` matches, that the plain word matches (every form of that word: exact and stem
fields), and that only the root query finds (``root:R -word``); and lists the words of the
root that bring those extra articles in — read off the marked words of the root-only hits'
snippets, which are the words whose root is R.

    .venv/bin/python benchmarks/roots_vs_stems.py --index /tmp/w-roots-31k [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.analysis import normalize_word, stem_word
from search.engine import Engine, SearchRequest
from search.request import MAX_PER_PAGE

#: (root, the word a user would type for it)
ROOT_WORDS = (
    ("كتب", "كتاب"),
    ("قتل", "قتل"),
    ("علم", "تعليم"),
    ("حكم", "حكومة"),
    ("عمل", "عمل"),
    ("سلم", "سلام"),
    ("وقع", "موقع"),
    ("درس", "مدرسة"),
    ("صنع", "صناعة"),
    ("نظم", "نظام"),
)
EXAMPLES = 8


def total(engine: Engine, query: str) -> int:
    return engine.search(SearchRequest(q=query, per_page=1)).total


def extra_words(engine: Engine, root: str, word: str) -> list[tuple[str, int]]:
    """The commonest words of ``root`` marked in the first root-only hits, ``word``'s forms left out."""
    result = engine.search(SearchRequest(q=f"root:{root} -{word}", per_page=MAX_PER_PAGE))
    own = stem_word(word)
    counts: Counter[str] = Counter()
    for hit in result.hits:
        for snippet in hit.snippets:
            marked = {normalize_word(snippet.text[a:b]) for a, b in snippet.highlights}
            counts.update(w for w in marked if stem_word(w) != own)
    return counts.most_common(EXAMPLES)


def compare(engine: Engine) -> list[dict]:
    rows = []
    for root, word in ROOT_WORDS:
        rows.append(
            {
                "root": root,
                "word": word,
                "root_query": total(engine, f"root:{root}"),
                "word_query": total(engine, word),
                "root_only": total(engine, f"root:{root} -{word}"),
                "word_only": total(engine, f"{word} -root:{root}"),
                "extra_words": extra_words(engine, root, word),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", required=True, type=Path)
    parser.add_argument("--json", type=Path, help="write the rows here")
    args = parser.parse_args()
    engine = Engine(args.index)
    rows = compare(engine)
    heads = "`root:` matches | word matches | only `root:` | only the word | words that bring the extra articles"
    print(f"| root | word typed | {heads} |")
    print("|---|---|---:|---:|---:|---:|---|")
    for r in rows:
        words = "، ".join(w for w, _ in r["extra_words"])
        print(
            f"| {r['root']} | {r['word']} | {r['root_query']:,} | {r['word_query']:,} | {r['root_only']:,} "
            f"| {r['word_only']:,} | {words} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
