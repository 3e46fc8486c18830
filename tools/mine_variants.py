"""Build ``index/data/loanwords.tsv``: spelling variants of foreign names and loanwords, per stem.

Why: Arabic writes foreign words without a fixed spelling.  Long vowels are written or left
out (ترمب/ترامب, نتنياهو/نتانياهو, كمبيوتر/كومبيوتر) and the foreign g is غ, ج, ق or ك
(بنغلاديش/بنجلاديش, جوجل/غوغل/قوقل).  A searcher expects one spelling to find them all.  The
same loosening applied to native words would be a disaster: وزير/وزارة, كتاب/كاتب and
مقاتل/مقتول differ by exactly those long vowels and are different words.  So the table is
mined, not written as rules, and every candidate pair has to pass three independent tests:

1. *Same spelling skeleton.*  Both stems reduce to the same *variant key* — internal ا و ي
   dropped (first and last letter kept), غ ج ق ك folded into one letter, final ه/ة/و folded —
   and the vowel letters of one are a subset of the other's, gap by gap.  Shapes that are
   grammar rather than spelling are refused: one stem a prefix or suffix of the other (a
   suffix or clitic the stemmer left), and a broken plural (فندق/فنادق, داعش/دواعش) whose
   plural shape takes the article.
2. *Not native.*  Neither stem may look like an Arabic word: a root from tashaphyne's root
   dictionary fitted into a classical pattern (فاعل, مفعول, تفعيل, استفعال, فواعل, …, with
   clitics and verb endings), tashaphyne's own light-stem/root analysis landing on a known
   root that covers the stem, or a stop word.  This is what keeps وزير/وزارة apart.
3. *Same meaning.*  Foreign names can collide too (كارتر/كريتر, فرانك/فرنك, برتغالي/برتقالي).
   So each variant's contexts in the corpus (the stems around it) must resemble those of
   the canonical spelling: cosine of idf-weighted context vectors.

Precision matters far more than recall: a missed variant costs one spelling's recall, a false
merge pollutes every query on both words.  Pairs that still slip through are listed in
:data:`EXCLUDED` after checking by eye.

The table maps *stems* (what :func:`index.stemmer.stem_cleaned` returns) to stems; the
stemmer applies it as its last step.  To avoid mining from a stemmer that already folds with
an older table, the table is switched off in-process before stemming (and the run aborts if
that did not work), and the new file is written to a temporary path and moved into place.

Run:  .venv/bin/python tools/mine_variants.py            (add --report to see rejected pairs)
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from index import stemmer  # noqa: E402
from index.analysis import clean, is_arabic, tokenize  # noqa: E402
from index.morphology import native_reason, stem_body  # noqa: E402

DEFAULT_LEXICON = ROOT / "index" / "data" / "lexicon.tsv.gz"
DEFAULT_OUT = ROOT / "index" / "data" / "loanwords.tsv"
#: The corpus the lexicon was counted from (see tools/build_lexicon.py): the context test reads it.
DEFAULT_CORPORA = [ROOT / "data" / "corpus", ROOT.parent / "shared" / "corpora" / "saudinewsnet.jsonl.gz"]

#: A stem needs this many occurrences to take part.  3 is the lexicon's own floor: the
#: context test keeps rare spellings honest (checked by eye at 3, 5 and 10: 418, 294 and 142
#: variants, no false merge found at any of them), and rare spellings are the ones a searcher
#: misses.
MIN_COUNT = 3
#: Stems shorter than this are not considered (short keys collide by chance: بوند/باوند).
MIN_LENGTH = 4
#: Minimum cosine between the context vectors of a variant and its canonical spelling.
#: Measured on the candidates: true variants score 0.15-0.99 (الدانمارك/الدنمارك 0.16,
#: نتانياهو/نتنياهو 0.88); distinct words that share a skeleton and pass the other tests
#: mostly score below 0.1 (كارتر/كريتر 0.05, فرانك/فرنك 0.04, برتقالي/برتغالي 0.05,
#: ماركس/ماركوس 0.08, هانز/هاينز 0.14).  Between 0.1 and 0.15 true pairs are lost.
MIN_SIMILARITY = 0.15
#: Context window (stems on each side).
WINDOW = 3

#: Pairs of stems that are different words though they share a skeleton, checked by hand in
#: the corpus.  The context test rejects them today (cosine in brackets); they are listed so
#: that a change of stemmer or corpus cannot let them through.  Order within a pair is free.
EXCLUDED: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in (
        ("كارتر", "كريتر"),  # Carter / Crater (Aden) (0.05)
        ("فرانك", "فرنك"),  # Frank / franc (0.04)
        ("برتغالي", "برتقالي"),  # Portuguese / orange (0.05)
        ("البرتغال", "البرتقال"),  # Portugal / oranges (0.05)
        ("بترول", "باترول"),  # petrol / patrol (0.06)
        ("هانز", "هاينز"),  # Hans / Heinz (0.14)
        ("ماركوس", "ماركس"),  # Marcus / Marx (0.08)
        ("جبريل", "غابريال"),  # Jibril (Rajoub) / Gabriel (0.06)
        ("جبريل", "جابريل"),  # (0.05)
        ("كرنفال", "قرنفل"),  # carnival / clove (0.01)
        ("ميلنر", "مليونير"),  # Milner / millionaire (0.09)
        ("رافال", "رافايل"),  # Rafale (jet) / Raphael (0.02)
        ("مونيز", "مايونيز"),  # Muniz / mayonnaise (0.01)
    )
)

LONG_VOWELS = frozenset("اوي")
G_LETTERS = frozenset("غجقك")
FINAL_H = frozenset("هةو")

# --- the variant key and the pair shape -------------------------------------------------------


def variant_key(stem: str) -> str:
    """Collapse exactly the letters whose spelling varies in loanwords.

    Internal ا و ي go (ترمب = ترامب), first and last letters stay (they carry vowels that are
    not optional: اوكسجين, بارزاني), the g letters become one symbol, final ه ة و become one.
    """
    body = stem_body(stem)
    first = "G" if body[0] in G_LETTERS else body[0]
    last = "H" if body[-1] in FINAL_H else ("G" if body[-1] in G_LETTERS else body[-1])
    middle = "".join("G" if c in G_LETTERS else c for c in body[1:-1] if c not in LONG_VOWELS)
    return first + middle + last


def _skeleton(stem: str) -> tuple[list[str], list[str]]:
    """Consonants (first and last letter included) and the vowel letters after each."""
    body = stem_body(stem)
    consonants, gaps = [body[0]], [""]
    for c in body[1:-1]:
        if c in LONG_VOWELS:
            gaps[-1] += c
        else:
            consonants.append(c)
            gaps.append("")
    consonants.append(body[-1])
    return consonants, gaps


def _subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(c in letters for c in short)


def vowels_nested(a: str, b: str) -> bool:
    """The vowel letters of one spelling are those of the other minus some, gap by gap.

    ترامب/ترمب, فاينانشيال/فايننشال: one spelling writes more vowels.  Vowels that *move*
    (مليار/ميلر, نيويورك/نرويج) or change (ماركل/ميركل) make another word.
    """
    _, gaps_a = _skeleton(a)
    _, gaps_b = _skeleton(b)
    if len(gaps_a) != len(gaps_b):
        return False
    a_in_b = all(_subsequence(x, y) for x, y in zip(gaps_a, gaps_b, strict=True))
    b_in_a = all(_subsequence(y, x) for x, y in zip(gaps_a, gaps_b, strict=True))
    return a_in_b or b_in_a


#: Endings the stemmer may leave on a stem: two stems that differ only in them are two
#: inflections or derivations (فندقة/فندقية), not two spellings.
INFLECTIONS = ("ة", "ية", "ي", "ات", "ون", "ين", "ان", "ا")


def _bases(stem: str) -> set[str]:
    return {stem[: len(stem) - len(e)] for e in ("", *INFLECTIONS) if stem.endswith(e) and len(stem) - len(e) >= 3}


def affix_related(a: str, b: str) -> bool:
    """One stem is the other plus letters at an end, or both are one base with different
    endings: an affix, not a spelling (فلسطيني/فلسطينيي, سيناريو/سيناريوه, تركيا/بتركيا,
    فندقة/فندقية)."""
    a, b = stem_body(a), stem_body(b)
    if a == b:
        return False  # only the article differs: the same word
    return a.startswith(b) or b.startswith(a) or a.endswith(b) or b.endswith(a) or bool(_bases(a) & _bases(b))


def plural_shape(singular: str, plural: str) -> bool:
    """``plural`` has the shape of a broken plural of ``singular``: ا after the second letter
    (فندق/فنادق, برميل/براميل, دكتور/دكاتر) or وا after the first (داعش/دواعش)."""
    s, p = stem_body(singular), stem_body(plural)
    return (len(p) > 3 and p[2] == "ا" and s[2] not in LONG_VOWELS) or (p[1:3] == "وا" and s[1] == "ا")


def is_broken_plural(singular: str, plural: str, article_share: dict[str, float]) -> bool:
    """``plural`` has a broken-plural shape of ``singular`` and takes the article like a common
    noun (الفنادق); names do not (ترامب has the shape of a plural of ترمب, but no الترامب)."""
    return plural_shape(singular, plural) and article_share.get(plural, 0.0) >= 0.1


# --- is the stem a native Arabic word? ------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


# --- inputs --------------------------------------------------------------------------------------


def read_lexicon(path: Path) -> dict[str, int]:
    """``form<TAB>count[<TAB>…]`` lines after a ``#`` header."""
    counts: dict[str, int] = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            form, n = line.rstrip("\n").split("\t")[:2]
            counts[form] = int(n)
    return counts


def switch_off_loanwords() -> None:
    """Make the stemmer ignore any loanword table it already has (see the module docstring).

    The stemmer is being taught to consult this file; mining with that switched on would
    fold the variants before they could be seen.  Any module-level dict or cached loader
    whose name mentions loanwords is emptied.
    """
    for name in dir(stemmer):
        if "loanword" not in name.lower():
            continue
        value = getattr(stemmer, name)
        if isinstance(value, dict):
            value.clear()
        elif callable(value) and hasattr(value, "cache_clear"):
            setattr(stemmer, name, lambda *_args, **_kwargs: {})


def check_not_folding(out: Path) -> None:
    """Abort when stems still come out folded by an existing table."""
    if not out.exists():
        return
    pairs = [
        line.split("\t")[:2]
        for line in out.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    folded = [v for v, c in pairs if v != c and stemmer.stem_cleaned(v) == c]
    if pairs and len(folded) * 2 > len(pairs):
        sys.exit(
            f"the stemmer still applies {out} ({len(folded)} of {len(pairs)} variants fold); move it away and rerun"
        )


def corpus_texts(sources: list[Path]) -> Iterator[str]:
    """Texts of the corpus the lexicon was built from (same reader as tools/build_lexicon.py)."""
    for source in sources:
        if source.is_dir():
            for path in sorted(source.rglob("*.txt")):
                yield path.read_text(encoding="utf-8-sig")
        elif source.exists():
            with gzip.open(source, "rt", encoding="utf-8") as lines:
                for line in lines:
                    record = json.loads(line)
                    yield (record.get("title") or "") + "\n" + (record.get("content") or "")


def context_vectors(sources: list[Path], targets: set[str], stem_of: dict[str, str]) -> dict[str, Counter[str]]:
    """For each target stem, how often each stem occurs within :data:`WINDOW` words of it."""
    contexts: dict[str, Counter[str]] = defaultdict(Counter)
    for text in corpus_texts(sources):
        stems = []
        for surface, _, _ in tokenize(text):
            if not is_arabic(surface):
                continue
            form = clean(surface)
            stem = stem_of.get(form)
            if stem is None:
                stem = stem_of[form] = stemmer.stem_cleaned(form)
            stems.append(stem)
        for i, stem in enumerate(stems):
            if stem in targets:
                window = stems[max(0, i - WINDOW) : i] + stems[i + 1 : i + 1 + WINDOW]
                contexts[stem].update(window)
    return contexts


def cosine(a: Counter[str], b: Counter[str], idf: dict[str, float]) -> float:
    """Cosine of idf-weighted context counts (frequent function words weigh little)."""
    wa = {w: n * idf.get(w, 0.0) for w, n in a.items()}
    wb = {w: n * idf.get(w, 0.0) for w, n in b.items()}
    dot = sum(v * wb.get(w, 0.0) for w, v in wa.items())
    norm = math.sqrt(sum(v * v for v in wa.values())) * math.sqrt(sum(v * v for v in wb.values()))
    return dot / norm if norm else 0.0


# --- mining --------------------------------------------------------------------------------------


@dataclass
class Mined:
    """The result: accepted (variant, canonical, similarity) and rejected pairs with reasons."""

    accepted: list[tuple[str, str, float]] = field(default_factory=list)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)
    native: list[tuple[str, str]] = field(default_factory=list)


def mine(
    stem_counts: Counter[str],
    article_share: dict[str, float],
    sources: list[Path],
    stem_of: dict[str, str],
    min_count: int,
    min_similarity: float,
) -> Mined:
    """Group stems by variant key, drop native-looking ones, and keep pairs with similar contexts."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for stem, n in stem_counts.items():
        if n >= min_count and len(stem) >= MIN_LENGTH and all("\u0621" <= c <= "\u064a" for c in stem):
            by_key[variant_key(stem)].append(stem)
    result = Mined()
    groups = []
    for members in by_key.values():
        if len(members) < 2:
            continue
        foreign = []
        for stem in members:
            reason = native_reason(stem)
            if reason is None:
                foreign.append(stem)
            else:
                result.native.append((stem, reason))
        if len(foreign) >= 2:
            groups.append(sorted(foreign, key=lambda s: (-stem_counts[s], s)))
    targets = {stem for group in groups for stem in group}
    contexts = context_vectors(sources, targets, stem_of)
    total = sum(stem_counts.values())
    idf = {s: math.log(total / n) for s, n in stem_counts.items() if n}

    for group in groups:
        # Greedy clustering, most frequent first: a stem joins the most similar canonical it
        # is a spelling of, or starts a cluster of its own (كارتر and كريتر share a key).
        canonicals: list[str] = []
        for stem in group:
            best: tuple[float, str] | None = None
            for canonical in canonicals:
                if not vowels_nested(stem, canonical):
                    reason = "vowels move or change"
                elif affix_related(stem, canonical):
                    reason = "differs by an affix"
                elif is_broken_plural(stem, canonical, article_share) or is_broken_plural(
                    canonical, stem, article_share
                ):
                    reason = "broken plural of it"
                elif frozenset((stem, canonical)) in EXCLUDED:
                    reason = "excluded by hand"
                else:
                    sim = cosine(contexts.get(stem, Counter()), contexts.get(canonical, Counter()), idf)
                    if sim >= min_similarity:
                        if best is None or sim > best[0]:
                            best = (sim, canonical)
                        continue
                    reason = f"contexts differ ({sim:.2f})"
                result.rejected.append((stem, canonical, reason))
            if best is None:
                canonicals.append(stem)
            else:
                result.accepted.append((stem, best[1], best[0]))
    return result


#: Spelling groups named when the table was commissioned: printed after each run to show which
#: the table (plus the stemmer) unifies.  Not a target to force: several cannot be unified
#: without native-word risk (مستورا is مستور + ا to the stemmer; برزاني fits فعلاني of برز).
EXAMPLE_GROUPS = _words(
    "ترمب/ترامب واشنطن/واشنطون نتنياهو/نتانياهو الدنمارك/الدانمارك مانشستر/مانشيستر تشيلسي/تشلسي "
    "اليونسكو/اليونيسكو ميستورا/مستورا كمبيوتر/كومبيوتر كلينتون/كلنتون بارزاني/برزاني "
    "فلاديمير/فلادمير البيشمركة/البشمركة بنغلاديش/بنجلاديش الكونغو/الكونجو جوجل/غوغل/قوقل "
    "يوليو/يوليه يونيو/يونيه أميركا/أمريكا ميليشيات/مليشيات"
)


def example_coverage(table: dict[str, str]) -> list[str]:
    """One line per example group: unified or not, with each spelling's stem and mapped stem."""
    lines = []
    for group in EXAMPLE_GROUPS:
        stems = [stemmer.stem_cleaned(clean(word)) for word in group.split("/")]
        final = [table.get(stem, stem) for stem in stems]
        status = "same" if len(set(final)) == 1 else "APART"
        detail = "  ".join(f"{s}→{f}" if s != f else s for s, f in zip(stems, final, strict=True))
        lines.append(f"{status:5} {group}: {detail}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexicon", type=Path, default=DEFAULT_LEXICON)
    parser.add_argument("--corpus", type=Path, nargs="+", default=DEFAULT_CORPORA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--min-count", type=int, default=MIN_COUNT)
    parser.add_argument("--min-similarity", type=float, default=MIN_SIMILARITY)
    parser.add_argument("--report", action="store_true", help="print rejected pairs and native stems")
    parser.add_argument("--sample", type=int, default=40, help="print this many random output lines")
    args = parser.parse_args()
    if not any(p.exists() for p in args.corpus):
        sys.exit("no corpus found: the context test needs the texts the lexicon was counted from")

    switch_off_loanwords()
    check_not_folding(args.out)
    forms = read_lexicon(args.lexicon)
    stem_of = {form: stemmer.stem_cleaned(form) for form in forms}
    stem_counts: Counter[str] = Counter()
    with_article: Counter[str] = Counter()
    for form, n in forms.items():
        stem_counts[stem_of[form]] += n
        if re.match("^(?:[وف]?(?:ال|بال|كال|لل))", form):
            with_article[stem_of[form]] += n
    article_share = {s: with_article[s] / n for s, n in stem_counts.items() if n}

    mined = mine(stem_counts, article_share, args.corpus, stem_of, args.min_count, args.min_similarity)
    accepted = sorted(mined.accepted, key=lambda p: (p[1], -stem_counts[p[0]]))
    lines = [f"{v}\t{c}\t{stem_counts[v]}\t{stem_counts[c]}" for v, c, _ in accepted]
    command = " ".join([".venv/bin/python", "tools/mine_variants.py", *sys.argv[1:]])
    header = [
        "# Spelling variants of loanwords and foreign names, on stems: variant<TAB>canonical<TAB>"
        "count(variant)<TAB>count(canonical).",
        "# Mined by tools/mine_variants.py (read its docstring): same skeleton once long vowels, g letters",
        "# and final ه/و are folded; neither stem fits an Arabic root+pattern (tashaphyne roots); similar",
        "# corpus contexts.  Canonical = the commonest spelling.  Do not edit: add exclusions in the script.",
        f"# Command: {command}",
        f"# Lexicon: {args.lexicon.name}; min count {args.min_count}; min context similarity "
        f"{args.min_similarity}; {len({c for _, c, _ in accepted})} groups, {len(accepted)} variants.",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=args.out.parent, delete=False, prefix=".loanwords.", suffix=".tmp"
    ) as tmp:
        tmp.write("\n".join(header + lines) + "\n")
    os.chmod(tmp.name, 0o644)  # mkstemp makes it private; it is package data
    os.replace(tmp.name, args.out)

    if args.report:
        print("== native-looking stems in candidate groups ==")
        for stem, reason in sorted(mined.native):
            print(f"  {stem}\t{reason}")
        print("== rejected pairs (variant, canonical, reason) ==")
        for v, c, reason in sorted(mined.rejected, key=lambda r: (r[2], r[1])):
            print(f"  {v}\t{c}\t{reason}")
        print("== accepted (variant, canonical, similarity) ==")
        for v, c, sim in accepted:
            print(f"  {v}\t{c}\t{sim:.2f}")
    print(f"{len({c for _, c, _ in accepted})} groups, {len(accepted)} variants → {args.out}")
    for line in random.Random(0).sample(lines, min(args.sample, len(lines))):
        print(line)
    print("== example groups (stem → table) ==")
    print("\n".join(example_coverage({v: c for v, c, _ in accepted})))


if __name__ == "__main__":
    main()
