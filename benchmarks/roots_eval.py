"""Root accuracy on the hand-checked sample (``benchmarks/data/roots_sample.tsv``).

Recomputes every word's root with :func:`index.roots.root_of` and compares it with the gold
root written by hand (any of the ``|`` alternatives counts; ``-`` means the word should get
no root).  Prints, per set (``dev``, ``held1``, ``held2``, ``held3``; see the file's header)
and overall:

* accuracy — the system's answer equals the gold (a root, or no root for a foreign word);
* root recall — of the words with a gold root, how many get that root;
* root precision — of the words the system gives a root, how many get the right one;
* foreign words left alone — of the ``-`` words, how many get no root.

``--write`` stores the system's roots in the file's ``system`` column; ``--errors`` lists
the misses.  ``--json`` prints the figures as JSON.  ``--tashaphyne`` scores tashaphyne's
own root extractor instead (``ArabicLightStemmer.get_root`` on the project's light stem, a
root outside its root list counting as none), the baseline this project's extractor replaces.
The merged held-out sets (``held1-3``) are also shown.

    .venv/bin/python benchmarks/roots_eval.py [--errors] [--write] [--json] [--tashaphyne]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.analysis import clean
from index.morphology import stem_body
from index.roots import root_of
from index.stemmer import stem_cleaned

SAMPLE = Path(__file__).resolve().parent / "data" / "roots_sample.tsv"
SETS = ("dev", "held1", "held2", "held3", "held4")


def read(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header lines and the rows (set, word, gold, system, note)."""
    header, rows = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("set\t"):
            header.append(line)
        elif line.strip():
            rows.append((line.split("\t") + [""] * 5)[:5])
    return header, rows


def score(rows: list[list[str]]) -> dict[str, float | int]:
    """The four figures of the module docstring for ``rows`` whose system column is filled."""
    golden = [r for r in rows if r[2] != "-"]
    given = [r for r in rows if r[3] != "-"]
    foreign = [r for r in rows if r[2] == "-"]

    def right(r: list[str]) -> bool:
        return r[3] in r[2].split("|")

    def share(part: list[list[str]]) -> float:
        return round(100 * sum(map(right, part)) / len(part), 1) if part else 0.0

    return {
        "words": len(rows),
        "accuracy": share(rows),
        "root_recall": share(golden),
        "root_precision": share(given),
        "foreign_words": len(foreign),
        "foreign_left_alone": round(100 * sum(r[3] == "-" for r in foreign) / len(foreign), 1) if foreign else 0.0,
    }


def tashaphyne_root(word: str) -> str | None:
    """tashaphyne's root of the word's light stem, when it is in tashaphyne's root list."""
    from tashaphyne.stemming import ArabicLightStemmer

    stemmer = ArabicLightStemmer()
    stemmer.light_stem(stem_body(stem_cleaned(clean(word))))
    root = stemmer.get_root()
    return root if stemmer.is_root(root) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=SAMPLE)
    parser.add_argument("--write", action="store_true", help="store the system's roots in the file")
    parser.add_argument("--errors", action="store_true", help="list the words the system gets wrong")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--tashaphyne", action="store_true", help="score tashaphyne's root extractor instead")
    args = parser.parse_args()
    header, rows = read(args.file)
    extract = tashaphyne_root if args.tashaphyne else root_of
    for row in rows:
        row[3] = extract(row[1]) or "-"
    figures = {name: score([r for r in rows if r[0] == name]) for name in SETS}
    figures["held1-3"] = score([r for r in rows if r[0] in ("held1", "held2", "held3")])
    figures["all"] = score(rows)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        heads = f"{'accuracy':>8} {'root recall':>11} {'root precision':>14} {'foreign left alone':>18}"
        print(f"{'set':7} {'words':>5} {heads}")
        for name, f in figures.items():
            foreign = f"{f['foreign_left_alone']}% of {f['foreign_words']}"
            line = f"{f['accuracy']:>7}% {f['root_recall']:>10}% {f['root_precision']:>13}% {foreign:>18}"
            print(f"{name:7} {f['words']:>5} {line}")
    if args.errors:
        for s, word, gold, system, note in rows:
            if system not in gold.split("|"):
                print(f"{s}\t{word}\tgold {gold}\tsystem {system}\t{note}")
    if args.write and not args.tashaphyne:
        body = ["\t".join(r).rstrip("\t") if not r[4] else "\t".join(r) for r in rows]
        args.file.write_text("\n".join(header + body) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
