"""Build and check the Arabic analysis evaluation sets from corpus evidence.

Why this exists: the evaluation sets in ``tests/data/analysis/`` (``families.tsv``
and ``apart.tsv``) must only contain words that really occur in our corpora, so
that they measure the stemmer on the vocabulary it will actually see, not on
invented forms.  This script reads the seed articles and the SaudiNewsNet dump,
builds a frequency table of surface forms (diacritics and tatweel removed, which
is the only normalisation allowed when checking attestation), and offers:

``vocab``       print the most frequent words (where to look for candidates);
``expand``      for each base word, print every attested clitic/suffix/spelling
                variant with its count (raw material for ``families.tsv``);
``lookup``      print counts for the given words (and diacritized forms seen);
``check``       validate both TSV files (format, attestation, duplicates, size)
                and print per-word frequency evidence and per-category counts.

The families and pairs themselves are curated by hand from this output: the
script proposes, a human disposes (affixal variation only, no broken plurals).
"""

from __future__ import annotations

import argparse
import collections
import glob
import gzip
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_GLOB = str(ROOT / "data" / "corpus" / "*.txt")
#: ../shared beside the checkout, as on every machine of the team and in CI (override: $SAUDINEWSNET).
SAUDI = Path(os.environ.get("SAUDINEWSNET") or ROOT.parent / "shared" / "corpora" / "saudinewsnet.jsonl.gz")
CACHE_DIR = ROOT / "benchmarks" / ".work"  # git-ignored; never commit corpus data
SETS_DIR = ROOT / "tests" / "data" / "analysis"

# Harakat, shadda, sukun, superscript alef and tatweel: removed before the
# attestation check because they are not spelling, just decoration.
DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")
TOKEN = re.compile("[\u0621-\u064a\u064b-\u0652\u0670\u0640]+")

FAMILY_CATEGORIES = (
    "clitic",
    "suffix",
    "hamza",
    "ta_marbuta",
    "alef_maksura",
    "diacritics",
    "variant",
    "name",
    "mixed",
)
APART_CATEGORIES = (
    "lookalike_clitic",
    "lookalike_suffix",
    "root_family",
    "name_vs_word",
    "other",
)

PREFIXES = (
    "", "و", "ف", "ب", "ك", "ل", "ال", "وال", "بال", "كال", "فال", "لل",
    "وب", "ول", "وك", "فب", "فل", "وبال", "وكال", "ولل", "فلل", "س", "وس", "فس",
)  # fmt: skip
SUFFIXES = (
    "", "ة", "ه", "ها", "هم", "هما", "هن", "ك", "كم", "نا", "ي", "ات", "ون", "ين",
    "ان", "تان", "تين", "اتها", "اتهم", "اته", "اتنا", "ية", "يا", "ا", "وا",
)  # fmt: skip


def strip_marks(word: str) -> str:
    """Remove diacritics and tatweel: the only folding allowed for attestation."""
    return DIACRITICS.sub("", word)


def _texts() -> Iterator[str]:
    """Yield every document text of both corpora (seed articles first)."""
    for name in sorted(glob.glob(SEED_GLOB)):
        yield Path(name).read_text(encoding="utf-8")
    with gzip.open(SAUDI, "rt", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            yield f"{doc.get('title') or ''}\n{doc.get('content') or ''}"


def build_counts() -> tuple[collections.Counter[str], collections.Counter[str]]:
    """Count stripped surface forms, and separately the diacritized raw forms."""
    plain: collections.Counter[str] = collections.Counter()
    marked: collections.Counter[str] = collections.Counter()
    for text in _texts():
        for tok in TOKEN.findall(text):
            bare = strip_marks(tok)
            if bare:
                plain[bare] += 1
            if bare != tok:
                marked[tok] += 1
    return plain, marked


def _cache_path(kind: str) -> Path:
    return CACHE_DIR / f"vocab_{kind}.tsv"


def load_counts() -> tuple[collections.Counter[str], collections.Counter[str]]:
    """Load the counts from the git-ignored cache, rebuilding it when stale."""
    sources = [Path(p) for p in glob.glob(SEED_GLOB)] + [SAUDI]
    newest = max(p.stat().st_mtime for p in sources)
    paths = {k: _cache_path(k) for k in ("plain", "marked")}
    if all(p.exists() and p.stat().st_mtime >= newest for p in paths.values()):
        out = []
        for p in (paths["plain"], paths["marked"]):
            cnt: collections.Counter[str] = collections.Counter()
            for line in p.read_text(encoding="utf-8").splitlines():
                w, n = line.split("\t")
                cnt[w] = int(n)
            out.append(cnt)
        return out[0], out[1]
    plain, marked = build_counts()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    for cnt, p in ((plain, paths["plain"]), (marked, paths["marked"])):
        p.write_text("".join(f"{w}\t{n}\n" for w, n in cnt.most_common()), encoding="utf-8")
    return plain, marked


def spelling_variants(word: str) -> set[str]:
    """Orthographic variants (hamza on alef, final ya/alef maksura, ta/ha)."""
    out = {word}
    if word and word[0] in "أإآا":
        out |= {c + word[1:] for c in "أإآا"}
    for w in list(out):
        if w.endswith("ى") or w.endswith("ي"):
            out |= {w[:-1] + "ى", w[:-1] + "ي"}
        if w.endswith("ة") or w.endswith("ه"):
            out |= {w[:-1] + "ة", w[:-1] + "ه"}
    return out


def expand(base: str, counts: collections.Counter[str]) -> list[tuple[str, int]]:
    """All attested prefix+base+suffix forms of a base (incl. spelling variants)."""
    stems = spelling_variants(base)
    for s in list(stems):
        if s.endswith("ة"):
            stems.add(s[:-1] + "ت")  # ة -> ت before a pronoun/dual suffix
        if s.startswith("ا") and len(s) > 2:
            stems.add("ل" + s[1:])  # ل + ال... -> لل...
    found = {p + s + x for p in PREFIXES for s in stems for x in SUFFIXES}
    hits = [(w, counts[w]) for w in found if counts[w] > 0]
    return sorted(hits, key=lambda t: -t[1])


def read_tsv(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) for the non-comment, non-blank lines."""
    for num, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            yield num, line.split("\t")


def attested(word: str, counts: collections.Counter[str]) -> bool:
    """A word is attested when its diacritic/tatweel-free form occurs."""
    return counts[strip_marks(word)] > 0


def check(counts: collections.Counter[str], verbose: bool) -> int:
    """Validate families.tsv and apart.tsv; return the number of problems."""
    problems = 0
    fam_cats: collections.Counter[str] = collections.Counter()
    seen_words: dict[str, int] = {}
    family_of: dict[str, set[int]] = collections.defaultdict(set)
    fam_path = SETS_DIR / "families.tsv"
    for num, fields in read_tsv(fam_path):
        cat, words = fields[0], fields[1:]
        fam_cats[cat] += 1
        for w in words:
            family_of[strip_marks(w)].add(num)
        errs = []
        if cat not in FAMILY_CATEGORIES:
            errs.append(f"unknown category {cat!r}")
        if not 2 <= len(words) <= 8:
            errs.append(f"{len(words)} words (need 2-8)")
        if len(set(words)) != len(words):
            errs.append("repeated word")
        for w in words:
            if not w or w != w.strip():
                errs.append(f"blank/space in {w!r}")
            elif not attested(w, counts):
                errs.append(f"unattested {w}")
            if cat != "diacritics":
                # A plain word may reappear in a diacritics family (which only
                # adds marked spellings of it), but nowhere else.
                if w in seen_words:
                    errs.append(f"{w} also on line {seen_words[w]}")
                seen_words.setdefault(w, num)
        if cat == "diacritics" and not any(DIACRITICS.search(w) for w in words):
            errs.append("diacritics family without a marked word")
        if errs:
            problems += len(errs)
            print(f"families.tsv:{num}: {'; '.join(errs)}")
        if verbose:
            ev = " ".join(f"{w}:{counts[strip_marks(w)]}" for w in words)
            print(f"  {cat}\t{ev}")
    apart_cats: collections.Counter[str] = collections.Counter()
    seen_pairs: dict[frozenset[str], int] = {}
    for num, fields in read_tsv(SETS_DIR / "apart.tsv"):
        errs = []
        if len(fields) != 4:
            print(f"apart.tsv:{num}: need 4 fields, got {len(fields)}")
            problems += 1
            continue
        cat, a, b, gloss = fields
        apart_cats[cat] += 1
        if cat not in APART_CATEGORIES:
            errs.append(f"unknown category {cat!r}")
        if a == b:
            errs.append("same word twice")
        for w in (a, b):
            if not attested(w, counts):
                errs.append(f"unattested {w}")
        shared = family_of[strip_marks(a)] & family_of[strip_marks(b)]
        if shared:
            errs.append(f"both words are in family line(s) {sorted(shared)}")
        key = frozenset((a, b))
        if key in seen_pairs:
            errs.append(f"duplicate of line {seen_pairs[key]}")
        seen_pairs.setdefault(key, num)
        if not gloss.strip():
            errs.append("empty gloss")
        if errs:
            problems += len(errs)
            print(f"apart.tsv:{num}: {'; '.join(errs)}")
        if verbose:
            print(f"  {cat}\t{a}:{counts[a]} {b}:{counts[b]}\t{gloss}")
    print("families:", sum(fam_cats.values()), dict(sorted(fam_cats.items())))
    print("apart:", sum(apart_cats.values()), dict(sorted(apart_cats.items())))
    if sum(fam_cats.values()) < 200 or sum(apart_cats.values()) < 200:
        print("need at least 200 families and 200 pairs")
        problems += 1
    print(f"{problems} problem(s)")
    return problems


def _print_counts(words: Iterable[str], counts: collections.Counter[str]) -> None:
    for w in words:
        print(f"{w}\t{counts[strip_marks(w)]}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (see module docstring for the sub-commands)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("vocab", help="most frequent words")
    v.add_argument("--top", type=int, default=500)
    v.add_argument("--min-len", type=int, default=1)
    e = sub.add_parser("expand", help="attested affixal variants of base words")
    e.add_argument("words", nargs="+")
    e.add_argument("--limit", type=int, default=30)
    lk = sub.add_parser("lookup", help="counts of the given words")
    lk.add_argument("words", nargs="+")
    lk.add_argument("--marked", action="store_true", help="also diacritized forms")
    c = sub.add_parser("check", help="validate the TSV sets")
    c.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)

    counts, marked = load_counts()
    if args.cmd == "vocab":
        top = [(w, n) for w, n in counts.most_common() if len(w) >= args.min_len]
        for w, n in top[: args.top]:
            print(f"{w}\t{n}")
    elif args.cmd == "expand":
        for base in args.words:
            hits = expand(base, counts)[: args.limit]
            print(f"{base}: " + " ".join(f"{w}:{n}" for w, n in hits))
    elif args.cmd == "lookup":
        _print_counts(args.words, counts)
        if not args.marked:
            return 0
        wanted = {strip_marks(w) for w in args.words}
        for w, n in marked.most_common():
            if strip_marks(w) in wanted:
                print(f"  marked {w}\t{n}")
    elif args.cmd == "check":
        return 1 if check(counts, args.verbose) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
