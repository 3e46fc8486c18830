"""Known-item queries for the retrieval benchmark: find one article from 3–4 of its words,
each typed in a different, corpus-attested spelling of the same word.

Why: a journalist who remembers an article types its words the way *she* writes them —
``بالرقة`` for the article's ``الرقة``, ``اسرائيل`` for ``إسرائيل``, ``الحكومه`` for ``الحكومة``.
A known-item set built that way measures what this project claims (every spelling and clitic
form finds the article) on the full corpus, with a right answer per query.  The generator
is independent of the project's analysis: it does **not** import ``search`` (no normalizer,
no stemmer, no lexicon).  Its only evidence is the corpus' own vocabulary, so the set is as
fair to Lucene's ``ArabicAnalyzer`` or plain Whoosh as to this project.

Run with any Python 3.11 (standard library only)::

    python benchmarks/known_items.py                       # both sets, the defaults below
    python benchmarks/known_items.py --set tune --show 10  # one set; print 10 examples

Output: ``benchmarks/data/known_items_tune.tsv`` (seed 1) and
``benchmarks/data/known_items_heldout.tsv`` (seed 2, never the target of a tuning query),
300 queries each; a header line, then ``qid  query  target_id  words`` where ``words`` is a
JSON list, one object per query word: ``original`` (the article's form), ``rewrite`` (the
query's form), ``rule``, ``detail``, ``stem`` and the corpus frequencies of both forms.

**Vocabulary.**  Title + content of the 30,676 non-empty SaudiNewsNet records; diacritics,
Quranic marks, tatweel and zero-width characters removed (decoration, not spelling); a word
is a run of Arabic letters.  ``cf`` = occurrences in the corpus, ``df`` = articles.  A form
is *attested* when ``cf >= 3`` (one or two occurrences are mostly typos).

**Clitic parse.**  A form ``w`` is read as proclitic chain + stem ``s`` (``len(s) >= 3``),
and only when the corpus says so:

* definite chains ``ال وال فال بال كال وبال فبال وكال فكال لل ولل فلل`` — ``ال`` is the
  article unless the form is a hamza-less ``أل/إل/آل`` word (``الغاء`` = ``إلغاء``): rejected
  when a hamza spelling is attested with at least a tenth of the frequency.  A longer chain
  (``بالرقة``) also needs ``cf(ال+s) >= 3 cf(w)``;
* indefinite chains ``و ف ب ك ل وب ول وك فب فل فك`` — only when the remainder is a word at
  least three times as frequent as ``w`` (``cf(s) >= 3 cf(w)``: a clitic form is a small
  share of its word — ``بسوريا``/``سوريا`` 0.02, ``وحكومة``/``حكومة`` 0.17 — whereas names
  that only look like one are not: ``لجين``/``جين`` 0.6, ``براين``/``راين`` 0.5) and ``w`` is
  not a word of its own, i.e. ``ال+w``, ``بال+w``, ``لل+w`` occur fewer than 2 times
  together, counting ``w``'s other ة/ه and ى/ي spellings: ``وزير`` (``الوزير``), ``ورقة``
  (``الورقة``), ``وزاره`` (``الوزارة``) and ``لبنان`` (``بنان`` is rare) stay whole.  A
  two-letter chain also needs its inner form not to be a word of its own (``وكسور`` is
  ``و+كسور`` "fractures", not ``وك+سور``);
* the stem must not be a stop word, and no form that reads as clitics + a stop word
  (``ليوم``, ``ولليوم``) is used at all; otherwise ``w`` is its own stem (no chain).

The thresholds are deliberately strict: a word that fails them only loses some of its
rewrites, while a wrong split would put a different word into the query.

**Which words.**  Candidates are the article's words with >= 4 letters, Arabic letters only,
no stop word (list below, compared hamza-, ى- and ة-folded), whose *key* (stem, hamza-, ى-
and ة-folded — so ``الرقة``, ``بالرقة``, ``الرقه`` count as one word) occurs in at most 5 % of
the articles; one candidate per key.  Distinctiveness is the key's idf, ``log(N / df)``.  The
pool is the 8 highest-idf candidates of the title and the lead (first 60 words of the
content), then, if the article needs more, the 8 highest-idf candidates of the rest of it.
Each pool is shuffled (seeded) and the first 3 or 4 words (even odds) that have a valid
rewrite are taken — distinctive words, but not always the article's very rarest (which are
often its typos); an article with fewer than 3 is skipped.  The query keeps the words in
article order.  Targets carry the project's ids (:func:`project_doc_id`).

**Which forms.**  A rewrite is another surface form of the same word that is attested in the
corpus (``cf >= 3``) and does **not** occur anywhere in the target article:

* ``clitic`` — another proclitic chain on the same stem: added (``قرار → وقرار``), removed
  (``والحكومة → الحكومة``) or changed (``الرقة → بالرقة``, ``وقرار → بقرار``).  The rewrite
  must parse back to the same stem by the rule above (so ``زير → وزير`` and ``رقة → ورقة``
  are never produced).  Adding or removing the *article* changes more than spelling
  (``رياض`` is a name, ``الرياض`` the city), so it is allowed only when the stem's bare and
  definite forms are within a factor 10 of each other in frequency (``حكومة``/``الحكومة``:
  yes; ``رقة``/``الرقة``, ``رياض``/``الرياض``: no), and never on a stem ending in ``ي``/``ى``,
  where the bare form is often another word (``العمري``/``عمري`` "my age", ``البلادي``/
  ``بلادي`` "my country").  No chain ending in ``ل`` is put on a stem that begins with ``ل``
  (``ل+لتحصين`` would be written ``للتحصين``, which reads as ``لل+تحصين``);
* ``hamza`` — a hamza on alef dropped (``أ إ آ → ا``; at any place in the stem) or added at
  the start of the stem (``ا → أ/إ/آ``);
* ``ta-marbuta`` — final ``ة → ه``; ``ه → ة`` only on a definite form (``الرقه → الرقة``),
  where ``ه`` cannot be the pronoun (``كتابه`` "his book" is not ``كتابة`` "writing");
* ``alef-maqsura`` — final ``ى ↔ ي``.

For each word one rule family is chosen at random among those with a valid rewrite, then one
form of that family at random, so that orthographic rewrites are not drowned by the many
clitic forms.  Everything is deterministic for a seed.

**Known limits.**  Frequencies cannot tell every name from a clitic + word: a few foreign names
and rare forms still split (``فالكون`` "Falcon" as ``فال+كون``, ``بوشر`` "was begun" as
``ب+وشر``), and a form can have two readings (``لحقنا`` "we caught up" / ``ل+حقنا``).  By
construction no query word occurs in its target, so a system without any normalization or
stemming (plain Whoosh) never finds a target: that is the set's sanity check, not a finding.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Row = dict[str, Any]  # one query (or one word of it) as written to / read from the TSV

HERE = Path(__file__).resolve().parent
#: ../shared beside the checkout (override: $SAUDINEWSNET).
DEFAULT_CORPUS = os.environ.get("SAUDINEWSNET") or str(
    Path(__file__).resolve().parents[2] / "shared" / "corpora" / "saudinewsnet.jsonl.gz"
)
DATA = HERE / "data"
SETS = {"tune": (1, DATA / "known_items_tune.tsv", "kt"), "heldout": (2, DATA / "known_items_heldout.tsv", "kh")}

MIN_CF = 3  # attested: at least this many occurrences in the corpus
MIN_LEN = 4  # letters of a query word (before rewriting)
MIN_STEM = 3  # letters of a stem left after removing a chain
MAX_DF_SHARE = 0.05  # a key in more than 5 % of the articles is not distinctive
ARTICLE_RATIO = 10.0  # bare vs definite frequency window for adding/removing the article
CLITIC_SHARE = 3  # a clitic form is at most a third as frequent as the form it is built on
LEAD_WORDS = 60
POOL = 8  # candidates drawn from, per zone

# Decoration, not spelling: harakat, Quranic marks, superscript alef, tatweel, zero-width/bidi.
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f]")
# A word: a run of Arabic letters (incl. Persian/Urdu letters so that they do not split words).
_WORD = re.compile("[\u0621-\u063a\u0641-\u064a\u0671-\u06d3]+")
_CORE = re.compile("[\u0621-\u063a\u0641-\u064a]+")  # the 28 letters + hamza forms: candidates only
HAMZA_ALEFS = "أإآ"
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})

INDEF_CHAINS = ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ك", "ل")  # longest first
DEF_ARTICLE_X = ("وب", "فب", "وك", "فك", "و", "ف", "ب", "ك", "")  # X + "ال" + stem
DEF_LAM_X = ("و", "ف", "")  # X + "لل" + stem  (ل + ال)
ALL_CHAINS = INDEF_CHAINS + tuple(x + "ال" for x in DEF_ARTICLE_X) + tuple(x + "لل" for x in DEF_LAM_X)

# Function words, compared after folding (hamza, ى, ة).  High-df words are excluded anyway by
# MAX_DF_SHARE; this list catches the rarer particles and their clitic forms' stems.
_STOP = """
من الى الي على علي عن في فيه فيها مع حتى ثم او ام بل لكن لكنه لكنها ان انه انها انهم انما اذا اذ
اذن لو لولا لما لم لن لا ما ماذا متى اين كيف كم هل قد لقد سوف كان كانت كانوا يكون تكون يكن
ليس ليست هذا هذه هذان هاتان هؤلاء ذلك تلك اولئك هنا هناك هنالك الذي التي الذين اللذان اللتان
اللاتي اللواتي اللذين اللتين الا الان غير سوي دون بين بعد قبل عند عندما حين حيث حول خلال ضد
نحو لدي لدى كل بعض جميع عدة اي ايضا فقط جدا كما مثل منذ تحت فوق امام وراء خلف عبر لدي
هو هي هم هما هن نحن انت انتم انا الله يوم اليوم امس غدا تم قال قالت يقول وقال وقالت اكد اكدت
اشار اشارت اضاف اضافت اوضح اوضحت ذكر ذكرت اعلن اعلنت اليه اليها عليه عليها عليهم منه منها
منهم عنه عنها له لها لهم به بها بهم فيهم بان لان كأن كان وان وكان اما انها ولا ولم ولن وما
هذة عليها حيث وقد فقد وهو وهي وهم وهذا وهذه وذلك وتلك ومن وفي وعلى وعن ومع بين وبين وكل
لاسيما سيما الف مليون مليار عام عاما العام سنة السنة اخر اخري الاخري الاول الاولي الثاني الثانية
""".translate(_FOLD).split()
STOPWORDS = frozenset(_STOP)


def strip_marks(text: str) -> str:
    """Remove decoration (diacritics, tatweel, zero-width): the only folding before counting."""
    return _MARKS.sub("", text)


def words(text: str) -> list[str]:
    """The words of ``text`` as counted for attestation."""
    return _WORD.findall(strip_marks(text))


def fold(word: str) -> str:
    """Hamza-on-alef, ى and ة folded: the key used for stop words and for idf only."""
    return word.translate(_FOLD)


def project_doc_id(url: str) -> str:
    """The project's id of a record without an ``id``: ``"u" + sha1(url)[:16]``.

    The project hashes the url after its ingest clean-up (control characters removed,
    whitespace runs — incl. a no-break space — collapsed); that clean-up is repeated here
    so that the targets are the ids the project's index returns, without importing it.
    """
    url = re.sub("\r\n?|[\x0b\x0c\x85\u2028\u2029]", "\n", url)
    url = re.sub("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff]+", "", url)
    return "u" + hashlib.sha1(" ".join(url.split()).encode("utf-8")).hexdigest()[:16]


# -- corpus ---------------------------------------------------------------------------------


@dataclass
class Doc:
    """One non-empty corpus article: its id and its words, split into title, lead and rest."""

    doc_id: str
    title: list[str]
    content: list[str]
    forms: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.forms = set(self.title) | set(self.content)


def read_corpus(path: str) -> Iterator[Doc]:
    """The records with content, in corpus order (the project skips the 354 empty ones too)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            content = rec.get("content") or ""
            if not content.strip():
                continue
            yield Doc(project_doc_id(rec["url"]), words(rec.get("title") or ""), words(content))


# -- clitics --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parse:
    """``form`` = ``chain`` + ``stem``; ``definite``: the chain contains the article."""

    form: str
    chain: str
    stem: str
    definite: bool


class Lexicon:
    """Corpus counts and the corpus-evidenced clitic parse of every form."""

    def __init__(self, docs: list[Doc]) -> None:
        self.cf: Counter[str] = Counter()
        for doc in docs:
            self.cf.update(doc.title)
            self.cf.update(doc.content)
        self._parse: dict[str, Parse] = {}
        self.n_docs = len(docs)
        self.key_df: Counter[str] = Counter()
        for doc in docs:
            self.key_df.update({self.key(w) for w in doc.forms})

    def attested(self, form: str) -> bool:
        return self.cf[form] >= MIN_CF

    def key(self, form: str) -> str:
        """One key per word for idf: the stem, folded."""
        return fold(self.parse(form).stem)

    def idf(self, form: str) -> float:
        return math.log(self.n_docs / max(1, self.key_df[self.key(form)]))

    def _hamzaless_al(self, base: str) -> bool:
        """Is ``base`` (``ال…``) a hamza-less ``أل/إل/آل`` word rather than the article + stem?"""
        hamza = sum(self.cf[h + base[1:]] for h in HAMZA_ALEFS)
        return hamza >= 2 and hamza * 10 >= self.cf[base]

    def own_word(self, form: str) -> bool:
        """Does ``form`` take the article itself (``الوزير``, ``بالورقة``)?  Then it is a word,
        not a clitic + a shorter word.  Its other final-letter spellings count too: ``وزاره``
        is ``وزارة`` (``الوزارة``), not ``و+زاره``."""
        spellings = {form}
        if form[-1] in "هة":
            spellings |= {form[:-1] + "ه", form[:-1] + "ة"}
        if form[-1] in "يى":
            spellings |= {form[:-1] + "ي", form[:-1] + "ى"}
        n = 0
        for w in spellings:
            n += self.cf["ال" + w] + self.cf["بال" + w]
            if not w.startswith("ل"):
                n += self.cf["لل" + w]
        return n >= 2

    def stop_reading(self, form: str) -> bool:
        """Can ``form`` be read as a chain + a stop word (``ليوم``, ``ولليوم``, ``وعليه``)?

        Such forms are neither query words nor rewrites: the parse skips stop-word stems, so
        ``ليوم`` would pass for a bare word and ``ولليوم`` for ``ول+ليوم``.
        """
        if fold(form) in STOPWORDS:
            return True
        for chain in ALL_CHAINS:
            rest = form[len(chain) :]
            if form.startswith(chain) and rest and (fold(rest) in STOPWORDS or fold("ال" + rest) in STOPWORDS):
                return True
        return False

    def parse(self, form: str) -> Parse:
        """Chain + stem when the corpus supports the split (module docstring), else the form itself."""
        cached = self._parse.get(form)
        if cached is None:
            cached = self._parse[form] = self._parse_uncached(form)
        return cached

    def _parse_uncached(self, form: str) -> Parse:
        for x in DEF_ARTICLE_X:
            for article in ("ال", "لل") if x in DEF_LAM_X else ("ال",):
                chain = x + article
                stem = form[len(chain) :]
                if not form.startswith(chain) or len(stem) < MIN_STEM:
                    continue
                if article == "لل" and stem.startswith("ل"):
                    continue
                base = "ال" + stem
                if self._hamzaless_al(base) or fold(stem) in STOPWORDS or fold(base) in STOPWORDS:
                    continue
                if chain != "ال" and (self.cf[base] < CLITIC_SHARE * self.cf[form] or self.own_word(form)):
                    continue
                return Parse(form, chain, stem, True)
        for chain in INDEF_CHAINS:
            stem = form[len(chain) :]
            if not form.startswith(chain) or len(stem) < MIN_STEM or fold(stem) in STOPWORDS:
                continue
            if self.cf[stem] < max(MIN_CF, CLITIC_SHARE * self.cf[form]) or self.own_word(form):
                continue
            if len(chain) == 2 and self.own_word(form[1:]):
                continue  # وكسور is و+كسور (fractures), not وك+سور
            return Parse(form, chain, stem, False)
        return Parse(form, "", form, False)


# -- rewrites -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rewrite:
    original: str
    rewrite: str
    rule: str
    detail: str
    stem: str


def _chain_label(chain: str) -> str:
    return chain or "∅"


def clitic_forms(lex: Lexicon, p: Parse) -> list[tuple[str, str]]:
    """Every other chain on ``p.stem`` that parses back to the same stem: (form, detail)."""
    stem = p.stem
    bare, definite = lex.cf[stem], lex.cf["ال" + stem]
    toggle_ok = (
        stem[-1] not in "يى"
        and bare >= MIN_CF
        and definite >= MIN_CF
        and not lex._hamzaless_al("ال" + stem)
        and 1 / ARTICLE_RATIO <= definite / bare <= ARTICLE_RATIO
    )
    out: list[tuple[str, str]] = []
    chains: list[tuple[str, bool]] = [("", False)] + [(c, False) for c in INDEF_CHAINS]
    chains += [(x + "ال", True) for x in DEF_ARTICLE_X]
    chains += [(x + "لل", True) for x in DEF_LAM_X]
    if stem.startswith("ل"):
        # ل + لتحصين = للتحصين reads as لل + تحصين: no lam chain on a lam-initial stem
        chains = [(c, d) for c, d in chains if not c.endswith("ل")]
    for chain, is_def in chains:
        form = chain + stem
        if form == p.form or (is_def != p.definite and not toggle_ok):
            continue
        back = lex.parse(form)
        if back.stem != stem or back.chain != chain or lex.stop_reading(form):
            continue
        out.append((form, f"{_chain_label(p.chain)}→{_chain_label(chain)}"))
    return out


def hamza_forms(p: Parse) -> list[tuple[str, str]]:
    """Hamza on alef dropped anywhere in the stem, or added at its start."""
    stem, out = p.stem, []
    for i, ch in enumerate(stem):
        if ch in HAMZA_ALEFS:
            out.append((p.chain + stem[:i] + "ا" + stem[i + 1 :], f"{ch}→ا"))
    if stem[0] == "ا":
        out += [(p.chain + h + stem[1:], f"ا→{h}") for h in HAMZA_ALEFS]
    return out


def ending_forms(p: Parse) -> list[tuple[str, str, str]]:
    """ة→ه (always), ه→ة (definite forms only), ى↔ي: (form, rule, detail)."""
    w, out = p.form, []
    if w.endswith("ة"):
        out.append((w[:-1] + "ه", "ta-marbuta", "ة→ه"))
    elif w.endswith("ه") and p.definite:
        out.append((w[:-1] + "ة", "ta-marbuta", "ه→ة"))
    if w.endswith("ى"):
        out.append((w[:-1] + "ي", "alef-maqsura", "ى→ي"))
    elif w.endswith("ي"):
        out.append((w[:-1] + "ى", "alef-maqsura", "ي→ى"))
    return out


def rewrites(lex: Lexicon, word: str, article: set[str]) -> dict[str, list[Rewrite]]:
    """The valid rewrites of ``word`` for an article with these forms, grouped by rule."""
    p = lex.parse(word)
    found: dict[str, list[Rewrite]] = {}
    cands = [(f, "clitic", d) for f, d in clitic_forms(lex, p)]
    cands += [(f, "hamza", d) for f, d in hamza_forms(p)]
    cands += ending_forms(p)
    for form, rule, detail in cands:
        if form != word and lex.attested(form) and form not in article and not lex.stop_reading(form):
            found.setdefault(rule, []).append(Rewrite(word, form, rule, detail, p.stem))
    return found


# -- queries --------------------------------------------------------------------------------


def eligible(lex: Lexicon, word: str, max_df: int) -> bool:
    """A word that can stand for its article: long, Arabic, no stop word, not too common."""
    if len(word) < MIN_LEN or not _CORE.fullmatch(word) or lex.stop_reading(word):
        return False
    p = lex.parse(word)
    return len(p.stem) >= MIN_STEM and fold(p.stem) not in STOPWORDS and lex.key_df[lex.key(word)] <= max_df


def candidates(lex: Lexicon, doc: Doc, max_df: int) -> tuple[list[str], list[str]]:
    """(title + lead candidates, body candidates), each highest idf first, one word per key."""
    seen: set[str] = set()
    lead: list[str] = []
    body: list[str] = []
    for zone, ws in ((lead, doc.title + doc.content[:LEAD_WORDS]), (body, doc.content[LEAD_WORDS:])):
        for w in ws:
            k = lex.key(w)
            if k not in seen and eligible(lex, w, max_df):
                seen.add(k)
                zone.append(w)
    return sorted(lead, key=lambda w: (-lex.idf(w), w)), sorted(body, key=lambda w: (-lex.idf(w), w))


def make_query(lex: Lexicon, doc: Doc, rng: random.Random, max_df: int) -> list[Rewrite] | None:
    """3–4 rewritten distinctive words of ``doc``, in article order, or None.

    The pool is the ``POOL`` highest-idf candidates of the title and lead, shuffled, so that the
    query is not always the article's rarest words (which may be its typos); the body's best
    ``POOL`` follow only when the title and lead do not give enough rewritable words.
    """
    want = rng.choice((3, 4))
    chosen: list[Rewrite] = []
    for ranked in candidates(lex, doc, max_df):
        pool = ranked[:POOL]
        rng.shuffle(pool)
        for w in pool:
            options = rewrites(lex, w, doc.forms)
            if not options:
                continue
            rule = rng.choice(sorted(options))
            chosen.append(rng.choice(options[rule]))
            if len(chosen) == want:
                break
        if len(chosen) == want:
            break
    if len(chosen) < 3:
        return None
    order = {w: i for i, w in reversed(list(enumerate(doc.title + doc.content)))}
    return sorted(chosen, key=lambda r: order[r.original])


def generate(lex: Lexicon, docs: list[Doc], n: int, seed: int, prefix: str, exclude: Iterable[str] = ()) -> list[Row]:
    """``n`` known-item queries on articles drawn at random (``seed``), never from ``exclude``."""
    rng = random.Random(seed)
    skip = set(exclude)
    order = list(range(len(docs)))
    rng.shuffle(order)
    max_df = int(MAX_DF_SHARE * lex.n_docs)
    out: list[Row] = []
    for i in order:
        doc = docs[i]
        if doc.doc_id in skip:
            continue
        q = make_query(lex, doc, rng, max_df)
        if q is None:
            continue
        out.append(
            {
                "qid": f"{prefix}{len(out) + 1:03d}",
                "query": " ".join(r.rewrite for r in q),
                "target_id": doc.doc_id,
                "words": [
                    {
                        "original": r.original,
                        "rewrite": r.rewrite,
                        "rule": r.rule,
                        "detail": r.detail,
                        "stem": r.stem,
                        "cf_original": lex.cf[r.original],
                        "cf_rewrite": lex.cf[r.rewrite],
                    }
                    for r in q
                ],
            }
        )
        if len(out) == n:
            break
    return out


def write_tsv(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("qid\tquery\ttarget_id\twords\n")
        for r in rows:
            fh.write(f"{r['qid']}\t{r['query']}\t{r['target_id']}\t{json.dumps(r['words'], ensure_ascii=False)}\n")


def read_tsv(path: Path) -> list[Row]:
    """A known-item file back as dicts (``words`` decoded); used by ``retrieval.py`` too."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        for line in fh:
            if line.strip():
                row = dict(zip(header, line.rstrip("\n").split("\t"), strict=True))
                row["words"] = json.loads(row["words"])
                rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--set", choices=("tune", "heldout", "both"), default="both")
    ap.add_argument("-n", type=int, default=300, help="queries per set")
    ap.add_argument("--show", type=int, default=0, help="print this many examples of each set")
    args = ap.parse_args(argv)

    docs = list(read_corpus(args.corpus))
    lex = Lexicon(docs)
    print(f"{len(docs)} articles, {len(lex.cf)} forms", file=sys.stderr)
    names = ("tune", "heldout") if args.set == "both" else (args.set,)
    for name in names:
        seed, path, prefix = SETS[name]
        # The held-out set never targets a tuning article (read from the file, so that
        # generating it alone gives the same set).
        exclude = [r["target_id"] for r in read_tsv(SETS["tune"][1])] if name == "heldout" else []
        rows = generate(lex, docs, args.n, seed, prefix, exclude)
        write_tsv(rows, path)
        rules = Counter(w["rule"] for r in rows for w in r["words"])
        print(f"{name}: {len(rows)} queries → {path} ({dict(sorted(rules.items()))})", file=sys.stderr)
        for r in rows[: args.show]:
            pairs = ", ".join(f"{w['original']}→{w['rewrite']} ({w['rule']} {w['detail']})" for w in r["words"])
            print(f"{r['qid']}  {r['query']}  [{r['target_id']}]  {pairs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
