"""Draw words for the hand-checked root sample from the SaudiNewsNet corpus (seeded).

Candidates are system-independent, so the gold does not depend on what the root extractor
does: distinct cleaned word forms (hamza on alef, diacritics, tatweel folded; clitics kept,
as the words are written) that occur at least ``MIN_COUNT`` times, are Arabic letters only,
at least three letters long and not a function word (tashaphyne's stop list).  The draw is
``random.Random(seed).sample`` over the sorted candidates (words of ``--exclude`` files left
out).  The four draws of ``benchmarks/data/roots_sample.tsv`` (its header says which set was
developed on and which was scored once)::

    roots_sample.py CORPUS --seed 20261201 --size 300                          # dev + held1
    roots_sample.py CORPUS --seed 20261202 --size 150 --exclude draw1          # held2
    roots_sample.py CORPUS --seed 20261203 --size 150 --exclude draw1 --exclude draw2
    roots_sample.py CORPUS --seed 20261204 --size 150 --exclude draw1 --exclude draw2 --exclude draw3

Writes the words, one a line, to ``--out`` (default: stdout).  The gold roots were then
written by hand, word by word, before the system's roots were looked at;
``benchmarks/roots_eval.py`` fills the system column and scores.

    python benchmarks/roots_sample.py ../shared/corpora/saudinewsnet.jsonl.gz --out words.txt
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.analysis import TOKEN_RE, clean, is_function_word

SEED = 20261201
SIZE = 300
MIN_COUNT = 3
_ARABIC_WORD = re.compile("^[\u0621-\u064a]{3,}$")


def vocabulary(path: Path) -> Counter[str]:
    """Cleaned word forms of every article's title and content, with their counts."""
    counts: Counter[str] = Counter()
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = f"{record.get('title') or ''}\n{record.get('content') or ''}"
            counts.update(clean(word) for word in TOKEN_RE.findall(text))
    return counts


def candidates(counts: Counter[str]) -> list[str]:
    return sorted(
        word for word, n in counts.items() if n >= MIN_COUNT and _ARABIC_WORD.match(word) and not is_function_word(word)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--size", type=int, default=SIZE)
    parser.add_argument("--exclude", type=Path, action="append", default=[], help="a TSV: its first column left out")
    args = parser.parse_args()
    excluded = {line.split("\t")[0] for path in args.exclude for line in path.read_text(encoding="utf-8").splitlines()}
    pool = [word for word in candidates(vocabulary(args.corpus)) if word not in excluded]
    sample = random.Random(args.seed).sample(pool, args.size)
    text = "".join(f"{word}\n" for word in sample)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    print(f"{len(pool)} candidates, {args.size} drawn (seed {args.seed})", file=sys.stderr)


if __name__ == "__main__":
    main()
