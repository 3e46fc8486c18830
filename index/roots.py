"""A word's Arabic root (كتاب، مكتبة، كاتب، يكتبون → كتب), for the ``root`` field and ``root:`` queries.

Derivation search, as Alfanous offers it: one root finds every word built on it.  The root
comes from the word's light stem (``index/stemmer.py``: clitics and inflection removed with
lexicon evidence, ة kept — folding ة to ه first would make مكتبة look like مكتب + pronoun),
then from the classical patterns of ``index/morphology.py`` (مFAL، اFتAاL، استFAاL …) put over
that stem, keeping only roots in tashaphyne's root list (7,504 roots).  Where several readings
fit, the one that takes the fewest letters off as affixes wins, then one without a doubled
radical (except in استفعل: مستحق is حقق), then the one needing the fewest letter
substitutions (يفيد is ي + فيد, not the root وفد), then the pattern explaining the most
letters (اتهام is افتعال of وهم), then a leading م read as a prefix (ملوث is لوث).

Roots are written as tashaphyne's list writes them: a hamza radical is ء (ءكد، سءل، قرء), a
weak radical و or ي, a doubled radical twice (مرر، حقق).  A letter of the stem may stand for
another in the root: ا for a hamza or a weak radical (اكد ← ءكد، قال ← قول), و and ي for each
other, ء after a long ā for a weak radical (بناء ← بني، لقاء ← لقي).  Which one is tried
first depends on where the letter is (:func:`_spellings`).

Which words get a root: Arabic letters only, a stem of at least three letters, not a
function word (tashaphyne's stop list: من، التي، كان have no root worth searching), and a
stem that some root and pattern spell.  A foreign name is spelled by no pattern
(ترامب، واشنطن) and gets none; tashaphyne's own root extraction is *not* used as a fallback,
since it finds a dictionary root inside nearly any string (نتنياهو → نوه).

Measured on 750 hand-checked corpus words (``benchmarks/roots_eval.py``): 83 % right on a
held-out draw scored once, against 71 % for tashaphyne's own extractor on the same words.

tashaphyne's root list is loaded on first use (``index.morphology``), so a cold CLI that
never asks for a root does not pay for it.  Results are cached per word in a module-level
dict: never on an analyzer object, which Whoosh pickles with the schema.

Layer: text analysis.  Imports the normalizer, the stemmer and the pattern tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from itertools import product

from index.morphology import CLITICS, ENDINGS, QUADRILITERAL, TRILITERAL, _roots, is_function_word, stem_body
from index.normalize import clean, strip_marks
from index.stemmer import lexicon_count, stem_cleaned, stem_surface

__all__ = ["MIN_STEM", "as_root", "root_of", "root_word"]

#: Shorter stems get no root: two-letter stems are mostly particles and abbreviations.
MIN_STEM = 3
_ARABIC_ONLY = re.compile("^[\u0621-\u064a]+$")
#: Letters that may be written for a hamza or weak radical.
_WEAK = frozenset("اءويئؤ")

_PRONOUNS = ("ي", "ه", "ها", "هم", "هما", "هن", "ك", "كم", "نا")
#: The pattern endings but ن, the nisba with و (وحدوي، وحدوية ← وحد), and a plural or
#: feminine ending with a pronoun after it, which the light stemmer may leave on (كتاباتي).
ROOT_ENDINGS = tuple(
    ending
    for ending in dict.fromkeys((*ENDINGS, "وي", "وية", *(b + p for b in ("ات", "ت", "ي", "و") for p in _PRONOUNS)))
    if ending != "ن"  # the feminine plural verb (يكتبن) is rare in news; ن alone would read يكتبون as يكتبو+ن
)
#: Fixed letters of the استفعل patterns (است، مست، يست …): the only ones read with a doubled radical.
_FORM_X_LETTERS = 3

_ROOT_CACHE: dict[str, str] = {}
_CACHE_MAX = 1_000_000


def root_word(word: str) -> str:
    """The root of a word as written in a text ("" when it has none); cached per surface form.

    The ``root`` field indexes this for every token (``index/analysis.py``).
    """
    root = _ROOT_CACHE.get(word)
    if root is None:
        root = _compute(word) or ""
        if len(_ROOT_CACHE) >= _CACHE_MAX:
            _ROOT_CACHE.clear()
        _ROOT_CACHE[word] = root
    return root


def root_of(word: str) -> str | None:
    """The root of ``word``, or None (a function word, a foreign name, a number)."""
    return root_word(word) or None


def as_root(text: str) -> str | None:
    """``text`` read as a root as typed (كتب، أكد، سأل → كتب، ءكد، سءل), or None if it is no
    root of the list.  ``root:`` queries try this before extracting a root from a word."""
    letters = strip_marks(text).translate(_AS_TYPED)
    if letters.startswith("ا"):
        letters = "ء" + letters[1:]  # اكد for أكد: a root does not begin with a long vowel
    if not 3 <= len(letters) <= 4 or not _ARABIC_ONLY.match(letters):
        return None
    return letters if letters in _roots() else None


#: Hamza on any seat → ء, alef maksura → ي: how the root list writes them.
_AS_TYPED = str.maketrans({"أ": "ء", "إ": "ء", "آ": "ء", "ؤ": "ء", "ئ": "ء", "ى": "ي", "ٱ": "ا"})


def _compute(word: str) -> str | None:
    """The root of one surface word (uncached).

    The stop list is asked about the word as written (وكان، لذلك are listed with their
    clitics) and behind و/ف (وان is وأن), not about its stem: the list also holds content
    words whose stems meet function words (النعم "the blessings" → نعم "yes", الشرع "the
    law" → شرع "began").
    """
    bare = strip_marks(word)
    cleaned = clean(word)
    if len(cleaned) < MIN_STEM or not _ARABIC_ONLY.match(cleaned) or _function_word(bare):
        return None
    stem = stem_body(stem_surface(word))
    if len(stem) == 2 and cleaned == "ال" + stem:
        return _geminate(stem)  # الند، السل، الحق: a doubled radical written once
    root = _stem_root(stem) if len(stem) >= MIN_STEM else None
    if root is None:
        root = _behind_clitics(cleaned)
    return root


#: best_root per light stem: the surface forms of one word (الكتاب، بالكتاب، وكتابه) share it.
_STEM_ROOTS: dict[str, str | None] = {}


def _stem_root(stem: str) -> str | None:
    if stem in _STEM_ROOTS:
        return _STEM_ROOTS[stem]
    if len(_STEM_ROOTS) >= _CACHE_MAX:
        _STEM_ROOTS.clear()
    root = _STEM_ROOTS[stem] = best_root(stem)
    return root


def _function_word(bare: str) -> bool:
    return is_function_word(bare) or (bare[:1] in "وف" and is_function_word(bare[1:]))


#: Proclitics tried when the stemmer kept them: it strips only what the lexicon attests, and a
#: rare word (واليابس، وتبليغه، وناشريها) keeps its و or ال.
_FALLBACK_CLITICS = ("وال", "فال", "بال", "كال", "ال", "و", "ف")


def _behind_clitics(cleaned: str) -> str | None:
    """The root of the word behind a proclitic the stemmer left on, or None."""
    for clitic in _FALLBACK_CLITICS:
        rest = cleaned[len(clitic) :]
        if cleaned.startswith(clitic) and len(rest) >= MIN_STEM:
            root = _stem_root(stem_body(stem_cleaned(rest)))
            if root is not None:
                return root
    return None


def _geminate(stem: str) -> str | None:
    root = stem + stem[-1]
    return root if root in _roots() else None


# --- patterns --------------------------------------------------------------------------------


def _compile(template: str) -> tuple[re.Pattern[str], str, int, int]:
    """A pattern as ``(regex, radical order, fixed letters, prefix rank)``.  ``order`` writes the middle
    radical as ``H`` where it follows the pattern's own alef (فاعل، فاعلة): a hamza there
    stands for a hollow root's و or ي (جائزة ← جوز، قائد ← قود، طائرة ← طير)."""
    regex = "".join("(.)" if c in "FALQ" else "" if c == "w" else re.escape(c) for c in template)
    order = "".join(c for c in template if c in "FALQw")
    if "اA" in template and "Q" not in template:
        order = order.replace("A", "H")
    fixed = sum(1 for c in template if c not in "FALQw")
    prefix = len(template) - len(template.lstrip("".join(set(template) - set("FALQw"))))
    prefix = -1 if template[0] == "م" else prefix  # a leading م is a participle's, not a radical
    return re.compile(f"^{regex}$"), order, fixed, prefix


@cache
def _patterns_by_length() -> dict[int, list[tuple[re.Pattern[str], str, int, int]]]:
    """The classical patterns, grouped by how many letters they spell: a core is tried only
    against patterns of its own length."""
    grouped: dict[int, list[tuple[re.Pattern[str], str, int, int]]] = {}
    for template in TRILITERAL + QUADRILITERAL:
        compiled = _compile(template)
        length = sum(1 for c in template if c != "w")
        grouped.setdefault(length, []).append(compiled)
    return grouped


def _readings(stem: str) -> Iterator[tuple[str, tuple[int, bool, int, int]]]:
    """Every ``(root letters, rank)`` a pattern gives for ``stem``; a lower rank is likelier.

    The rank is ``(letters taken off as clitics and endings, doubled radical outside استفعل,
    -letters of the pattern's own, prefix rank)`` (:func:`best_root` puts the substitutions'
    cost after the first two):

    * the fewest affix letters: سبت is سبت, not سب+ت of سبب; كبدهم is كبد+هم, not ك+بد+هم;
    * a radical doubled only behind the three letters of استفعل (مستحق: استفعل of حقق, not
      افتعل of سحق; مستمر، مستعد); elsewhere a pattern of a sound root is likelier (ينسف is
      يفعل of نسف, not ينفعل of سفف);
    * the pattern that explains the most letters (اتهام: افتعال of وهم, not إفعال of تهم);
    * a leading م read as the pattern's (مدير، ملوث are participles), otherwise the shorter
      prefix (نزيل is فعيل of نزل, not نفعل of زيل).
    """
    by_length = _patterns_by_length()
    for clitic in CLITICS:
        if not stem.startswith(clitic) or (clitic and not _clitic_left_on(stem, clitic)):
            continue
        for ending in ROOT_ENDINGS:
            if not stem.endswith(ending) or len(stem) - len(clitic) - len(ending) < 2:
                continue
            core = stem[len(clitic) : len(stem) - len(ending)]
            affixes = len(clitic) + len(ending)
            # The doubled radical of a geminate root is written once (مستمر ← مرر).
            for doubled, candidate in enumerate((core, core + core[-1])):
                for regex, order, fixed, prefix in by_length.get(len(candidate), ()):
                    match = regex.match(candidate)
                    if match is None:
                        continue
                    groups = iter(match.groups())
                    letters = "".join(_radical(c, next(groups) if c != "w" else "و") for c in order)
                    yield letters, (affixes, bool(doubled) and fixed < _FORM_X_LETTERS, -fixed, prefix)


def _clitic_left_on(stem: str, clitic: str) -> bool:
    """A clitic the stemmer left on counts when the rest is a word of its own, at least as
    common as the whole (بتسليم: تسليم); كريغ (19) is not ك + ريغ (3)."""
    rest = lexicon_count(stem[len(clitic) :])
    return rest >= 3 and rest >= lexicon_count(stem)


def _radical(slot: str, letter: str) -> str:
    """A radical read off the stem; a hamza in a hollow slot (``H``) is read as a weak alef."""
    return "ا" if slot == "H" and letter in "ءئ" else letter


def best_root(stem: str) -> str | None:
    """The root of a light stem, or None when no pattern spells it with a root of the list.

    Readings are compared by affixes and doubling first (:func:`_readings`), then by how many
    letters had to be read as another (:func:`_spellings`: عيون is عين, not عون), then by
    the rest of their rank.
    """
    best: tuple[tuple[int, ...], str] | None = None
    for letters, rank in _readings(stem):
        found = _listed_spelling(letters)
        if found is not None:
            key = (*rank[:2], found[0], *rank[2:])
            if best is None or key < best[0]:
                best = (key, found[1])
    return None if best is None else best[1]


#: :func:`_listed_spelling` per string of root letters: many stems read off the same letters.
_LISTED: dict[str, tuple[int, str] | None] = {}


def _listed_spelling(letters: str) -> tuple[int, str] | None:
    """The cheapest ``(cost, spelling)`` of ``letters`` that the root list holds, or None."""
    if letters in _LISTED:
        return _LISTED[letters]
    if len(_LISTED) >= _CACHE_MAX:
        _LISTED.clear()
    roots = _roots()
    found = next(((cost, spelling) for cost, spelling in _spellings(letters) if spelling in roots), None)
    _LISTED[letters] = found
    return found


def _spellings(letters: str) -> Iterator[tuple[int, str]]:
    """How root letters read off a stem may be written in the root list, cheapest first."""
    options = [_letter_options(letters, i) for i in range(len(letters))]
    spelled = [(sum(c for c, _ in combo), "".join(letter for _, letter in combo)) for combo in product(*options)]
    yield from sorted(spelled, key=lambda item: item[0])


def _letter_options(letters: str, i: int) -> list[tuple[int, str]]:
    """``(cost, letter)`` choices for the ``i``-th radical read off a stem."""
    c = letters[i]
    if c not in _WEAK:
        return [(0, c)]
    last = i == len(letters) - 1
    if c in "ءئؤ":
        # A final ء (after a long ā, as a rule) is mostly a weak radical (بناء، لقاء، سماء).
        return [(1, "ي"), (1, "و"), (1, "ء")] if last and c == "ء" else [(0, "ء"), (1, "و"), (1, "ي")]
    if c == "ا":
        if i == 0:
            return [(0, "ء"), (2, "و"), (2, "ي")]  # اكد ← أكد (clean() folds أ); an initial ا is rarely a و
        return [(1, "و"), (1, "ي"), (1, "ء")]  # قال ← قول، قناة ← قنو، سال ← سءل
    return [(0, c), (1, "ي" if c == "و" else "و")]  # a written و or ي is never a hamza
