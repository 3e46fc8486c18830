"""Check the held-out analysis sets: format, categories and attestation of every word.

The held-out sets (``tests/data/analysis/heldout_families.tsv`` and ``heldout_apart.tsv``) measure how
the stemmer generalises; they were built without looking at the stemmer or at the tuning sets.  This
script does not import the stemmer.  It verifies that

* every line has the right shape (families: category + 2-8 distinct words; pairs: category + two
  different words + a gloss) and a known category;
* every word is attested in the corpora -- ``data/corpus/*.txt`` and SaudiNewsNet (JSON lines,
  ``title`` and ``content``) -- after removing diacritics and tatweel;
* every word that carries diacritics or tatweel (category ``diacritics``) was also seen with exactly
  those marks, so the marked forms are real spellings and not invented ones.

It prints the counts per category and the corpus frequency of the words, and exits with status 1 when
a check fails.

Run:  python3 tools/check_heldout.py [--saudinewsnet PATH] [-v]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "analysis"
FAMILIES = DATA / "heldout_families.tsv"
APART = DATA / "heldout_apart.tsv"
BUNDLED = ROOT / "data" / "corpus"
#: ../shared beside the checkout (override: $SAUDINEWSNET).
SAUDINEWSNET = Path(os.environ.get("SAUDINEWSNET") or ROOT.parent / "shared" / "corpora" / "saudinewsnet.jsonl.gz")

FAMILY_CATEGORIES = {"clitic", "suffix", "hamza", "ta_marbuta", "alef_maksura", "diacritics", "variant"}
APART_CATEGORIES = {"lookalike_clitic", "lookalike_suffix", "root_family", "name_vs_word"}

MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, tanween, shadda, sukun, dagger alef, tatweel
TOKEN = re.compile("[\u0621-\u063a\u0641-\u0652\u0670\u0640]+")  # Arabic letters, marks and tatweel
WORD = re.compile("[\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0670\u0640]+")


def strip_marks(word: str) -> str:
    return MARKS.sub("", word)


def corpus_texts(saudinewsnet: Path):
    for path in sorted(BUNDLED.glob("*.txt")):
        yield path.read_text(encoding="utf-8")
    if not saudinewsnet.exists():
        sys.exit(f"SaudiNewsNet not found: {saudinewsnet} (use --saudinewsnet)")
    with gzip.open(saudinewsnet, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                yield f"{record.get('title') or ''}\n{record.get('content') or ''}"


def count_tokens(saudinewsnet: Path, wanted_raw: set[str]) -> tuple[Counter, Counter]:
    """Frequency of every bare token, and of the wanted marked spellings as written."""
    bare: Counter = Counter()
    marked: Counter = Counter()
    for text in corpus_texts(saudinewsnet):
        for token in TOKEN.findall(text):
            if token in wanted_raw:
                marked[token] += 1
            plain = strip_marks(token)
            if plain:
                bare[plain] += 1
    return bare, marked


def read_rows(path: Path) -> list[tuple[int, list[str]]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            rows.append((number, line.split("\t")))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saudinewsnet", type=Path, default=SAUDINEWSNET)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every entry with word counts")
    args = parser.parse_args()

    problems: list[str] = []
    families = read_rows(FAMILIES)
    pairs = read_rows(APART)

    entries: list[tuple[str, int, str, list[str]]] = []  # (file, line, category, words)
    for number, fields in families:
        category, words = fields[0], fields[1:]
        if category not in FAMILY_CATEGORIES:
            problems.append(f"{FAMILIES.name}:{number}: unknown category {category!r}")
        if not 2 <= len(words) <= 8:
            problems.append(f"{FAMILIES.name}:{number}: {len(words)} words (need 2-8)")
        if len(set(words)) != len(words):
            problems.append(f"{FAMILIES.name}:{number}: repeated word")
        entries.append((FAMILIES.name, number, category, words))
    for number, fields in pairs:
        if len(fields) != 4 or not fields[3].strip():
            problems.append(f"{APART.name}:{number}: need category, word_a, word_b, gloss")
            continue
        category, word_a, word_b, _gloss = fields
        if category not in APART_CATEGORIES:
            problems.append(f"{APART.name}:{number}: unknown category {category!r}")
        if strip_marks(word_a) == strip_marks(word_b):
            problems.append(f"{APART.name}:{number}: the two words are the same")
        entries.append((APART.name, number, category, [word_a, word_b]))

    for name, number, _category, words in entries:
        for word in words:
            if not WORD.fullmatch(word):
                problems.append(f"{name}:{number}: {word!r} is not a single Arabic word")

    seen_pairs = Counter(frozenset(map(strip_marks, words)) for name, _, _, words in entries if name == APART.name)
    problems += [f"{APART.name}: duplicate pair {' / '.join(sorted(p))}" for p, n in seen_pairs.items() if n > 1]

    wanted_raw = {w for _, _, _, words in entries for w in words if MARKS.search(w)}
    bare, marked = count_tokens(args.saudinewsnet, wanted_raw)

    for name, number, category, words in entries:
        for word in words:
            if bare[strip_marks(word)] == 0:
                problems.append(f"{name}:{number}: {word} not attested")
            if word in wanted_raw and marked[word] == 0:
                problems.append(f"{name}:{number}: {word} never seen with these marks")
        if args.verbose:
            print(f"{name}:{number}\t{category}\t" + "  ".join(f"{w}:{bare[strip_marks(w)]}" for w in words))

    for name, categories in ((FAMILIES.name, FAMILY_CATEGORIES), (APART.name, APART_CATEGORIES)):
        mine = [e for e in entries if e[0] == name]
        per_category = Counter(e[2] for e in mine)
        words = [w for e in mine for w in e[3]]
        counts = sorted(bare[strip_marks(w)] for w in words)
        print(
            f"{name}: {len(mine)} entries, {len(words)} words ({len(set(words))} distinct), "
            f"corpus frequency min {counts[0] if counts else 0} / median {counts[len(counts) // 2] if counts else 0}"
        )
        for category in sorted(categories):
            print(f"  {category:<17}{per_category.get(category, 0):>4}")

    if problems:
        print(f"\n{len(problems)} problem(s):")
        for problem in problems:
            print("  " + problem)
        return 1
    print("\nall words attested, format OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
