"""Latin-script names: one key however they are transliterated, and their Arabic spellings.

Arabic names reach Latin script in many spellings — ``Deir ez-Zor``, ``Deir al-Zour``,
``Dayr az-Zawr``, ``Deir Ezzor``; ``Mohammed``, ``Muhammad``, ``Mohamed``; ``al-Assad`` and
``Assad``; ``Houthi`` and ``Houthis``.  Two functions make them meet:

* :func:`latin_keys` — the *consonant skeletons* of a Latin name, one per word, after case,
  diacritics, apostrophes (``'`` ``’`` ``ʿ`` ``ʾ``), hyphens and the article (``al- el- ad-
  an- ar- as- ash- at- az- ez-``, also assimilated and written together: ``Ezzor``) are
  removed, letters that transliterate one Arabic letter merged (``q``/``k``, ``dh``/``d``)
  and vowels dropped.  A set, because some spellings are ambiguous (is ``Assad`` the
  article plus ``sad``?); two names are the same when their sets meet.
* :func:`arabic_candidates` — Arabic words whose skeleton matches a Latin word and whose
  vowels agree with its vowels, from the corpus lexicon, most frequent first: ``Kamal`` →
  كمال, ``Tiriyaki`` → تيرياكي.  The search side keeps only those the index contains.

Layer: text analysis.  Imports ``index.normalize`` and the lexicon of ``index.stemmer``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from index.normalize import clean, is_arabic
from index.stemmer import lexicon_forms

__all__ = ["arabic_candidates", "arabic_skeleton", "is_latin_name", "latin_keys", "latin_words"]

#: The Arabic article as transliterated before a name (``al-Assad``, ``Deir ez-Zor``).
ARTICLES = frozenset(
    ("al", "el", "ad", "an", "ar", "as", "ash", "at", "az", "ez", "ed", "en", "er", "es", "et", "ul", "ud", "ur", "us")
)
#: Name particles that only link names (``bin Salman``): one key whatever their spelling.
LINKS = {"bin": "bn", "ibn": "bn", "ben": "bn", "bint": "bnt", "abu": "ab", "abou": "ab", "abo": "ab"}
_DIGRAPHS = (("kh", "x"), ("sh", "S"), ("ch", "S"), ("gh", "g"), ("th", "t"), ("dh", "d"), ("ph", "f"),
             ("dj", "j"), ("zh", "j"), ("ck", "k"))  # fmt: skip
_LETTERS = str.maketrans({"q": "k", "c": "k", "v": "f", "p": "b", "x": "x", "e": "i", "o": "u"})
_VOWELS = frozenset("aiu")
_APOSTROPHES = re.compile("[’'`ʿʾ‘]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.,/]+")
#: Arabic letters → the classes above (long vowels and glides handled separately).
_ARABIC = str.maketrans({
    "ب": "b", "پ": "b", "ت": "t", "ط": "t", "ث": "t", "ج": "j", "ح": "h", "ه": "h", "خ": "x",
    "د": "d", "ض": "d", "ذ": "d", "ظ": "z", "ر": "r", "ز": "z", "س": "s", "ص": "s", "ش": "S",
    "غ": "g", "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n",
    "ع": "", "ء": "", "ئ": "", "ؤ": "", "ة": "",
})  # fmt: skip


def is_latin_name(text: str) -> bool:
    """Latin letters and no Arabic ones."""
    return not is_arabic(text) and any("a" <= c <= "z" for c in text.lower())


def latin_words(text: str) -> list[str]:
    """Lower-case ASCII words: diacritics, apostrophes and hyphens removed."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = _APOSTROPHES.sub("", plain.lower())
    return [w for w in _SEPARATORS.split(plain) if w.isalnum()]


def _skeleton(word: str, initial_vowel: bool = False) -> str:
    """The consonant classes of one Latin word (vowels and inner y/w dropped, doubles collapsed).

    With ``initial_vowel`` a word's first vowel is kept (as ``a``, ``i`` or ``u``): between two
    Latin spellings it tells ``Amman`` from ``Oman``; an Arabic spelling cannot say it (ا).
    """
    for digraph, letter in _DIGRAPHS:
        word = word.replace(digraph, letter)
    word = word.translate(_LETTERS)
    if len(word) > 3 and word.endswith("h") and word[-2] in _VOWELS:
        word = word[:-1]  # Raqqah, Hamah: a final h after a vowel writes ة
    out = [word[0]] if initial_vowel and word and word[0] in _VOWELS else []
    for i, c in enumerate(word):
        if c in _VOWELS or (c in "yw" and i > 0):
            continue
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _word_forms(word: str, last: bool) -> set[str]:
    """A word and what it may also be: without an assimilated article (``ezzor`` → ``zor``), a plural ``s``."""
    forms = {word}
    match = re.match(r"^[ae]([dnrstz]|sh)\1", word)
    if match and len(word) > len(match.group()) + 1:
        forms.add(word[len(match.group()) - len(match.group(1)) :])
    if last and len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
    return forms


def latin_keys(text: str) -> set[tuple[str, ...]]:
    """Every consonant-skeleton key of a Latin name (see the module docstring)."""
    words = latin_words(text)
    words = [w for i, w in enumerate(words) if not (w in ARTICLES and i + 1 < len(words))]
    if not words:
        return set()
    options: list[set[str]] = []
    for i, word in enumerate(words):
        if word in LINKS:
            options.append({LINKS[word]})
        else:
            options.append({_skeleton(f, True) for f in _word_forms(word, i == len(words) - 1)} - {""})
    keys: set[tuple[str, ...]] = {()}
    for choices in options:
        keys = {(*key, c) for key in keys for c in choices} if choices else keys
        if len(keys) > 64:  # never in a real name; a bound against pasted text
            break
    return keys - {()}


def arabic_skeleton(word: str) -> str:
    """The consonant classes of an Arabic word (normalized), comparable with :func:`latin_keys`' words."""
    w = clean(word)
    if w.startswith("ال") and len(w) > 3:
        w = w[2:]
    out = []
    for i, c in enumerate(w):
        if c in "اىآأإ":
            continue
        if c in "وي":
            if i == 0:
                out.append("w" if c == "و" else "y")
            continue
        mapped = c.translate(_ARABIC)
        if mapped and (not out or out[-1] != mapped):
            out.append(mapped)
    return "".join(out)


def _romanized(word: str) -> str:
    """An Arabic word letter by letter in the classes above; its written vowels long (``A`` ``I`` ``U``)."""
    w = clean(word)
    if w.startswith("ال") and len(w) > 3:
        w = w[2:]
    head = ""
    if w[:1] == "ا":  # a word-initial vowel: او/اي long (اوباما، ايران), ا alone short (اردوغان، احمد)
        head, w = ("", w[1:]) if w[1:2] in ("و", "ي") else ("a", w[1:])
    vowels = {"ا": "A", "ى": "A", "و": "U", "ي": "I", "ة": "a"}
    return head + "".join(vowels.get(c, c.translate(_ARABIC)) for c in w)


_LONG = (("aa", "A"), ("ee", "I"), ("ii", "I"), ("iy", "I"), ("ey", "I"), ("oo", "U"), ("ou", "U"), ("uu", "U"))


def _latin_vowelled(word: str) -> str:
    """A Latin word in the same classes, its vowels short (``a i u``) unless spelled long (``ee``, ``ou``, ``iy`` …).

    A final vowel counts as long: Arabic writes it (Obama اوباما, Kerry كيري).
    """
    for digraph, letter in _DIGRAPHS:
        word = word.replace(digraph, letter)
    for pair, letter in _LONG:
        word = word.replace(pair, letter)
    word = word.translate(_LETTERS).replace("y", "i").replace("w", "u")
    word = re.sub(r"(.)\1+", r"\1", word)
    if word and word[-1] in "aiu":
        word = word[:-1] + word[-1].upper()
    return word


#: Costs of aligning a Latin spelling with an Arabic one: Arabic does not write short vowels.
_SHORT_DROPPED = 0.25
_LONG_DROPPED = 1.0
_VOWEL_ADDED = 0.6
_LENGTH_DIFFERS = 0.15
_VOWEL_DIFFERS = 0.5
#: Alignments costing more than this are not the same name.
_MAX_COST = 0.9


def _cost(latin: str, arabic: str) -> float:
    """The cheapest alignment of a Latin and an Arabic spelling with the same consonant skeleton."""
    inf = float("inf")
    previous = [0.0]
    for y in arabic:
        previous.append(previous[-1] + (_VOWEL_ADDED if y in "AIU" else inf))
    for x in latin:
        drop = _SHORT_DROPPED if x in "aiu" else _LONG_DROPPED if x in "AIU" else inf
        current = [previous[0] + drop]
        for j, y in enumerate(arabic, 1):
            if x == y:
                step = 0.0
            elif x.lower() in "aiu" and y.lower() in "aiu":
                step = _LENGTH_DIFFERS if x.lower() == y.lower() else _VOWEL_DIFFERS
            else:
                step = inf
            added = _VOWEL_ADDED if y in "AIU" else inf
            current.append(min(previous[j - 1] + step, previous[j] + drop, current[j - 1] + added))
        previous = current
    return previous[-1]


@cache
def _by_skeleton() -> dict[str, tuple[tuple[str, int], ...]]:
    """Lexicon forms by skeleton (built on the first Latin name of a process)."""
    table: dict[str, list[tuple[str, int]]] = {}
    for form, count in lexicon_forms():
        if len(form) >= 3:
            table.setdefault(arabic_skeleton(form), []).append((form, count))
    return {key: tuple(sorted(forms, key=lambda fc: -fc[1])) for key, forms in table.items()}


def arabic_candidates(word: str, limit: int = 5, *, best_only: bool = False) -> list[str]:
    """Arabic spellings of a Latin word from the corpus lexicon, best aligned first, then most frequent.

    The consonant skeletons must be equal and the vowels align (:func:`_cost`: Arabic may
    leave out a short vowel, not a long one), so ``Tiriyaki`` finds تيرياكي but not تركي, and
    ``Mohammed`` finds محمد.  ``best_only``: only the spellings that align as well as the best.
    """
    latin = latin_words(word)
    if len(latin) != 1 or len(latin[0]) < 3 or not latin[0].isalpha():
        return []
    w = latin[0]
    found: dict[str, tuple[float, int]] = {}
    spellings = {f for f in _word_forms(w, True)}
    if "g" in w:
        spellings |= {f.replace("g", "j") for f in spellings}  # Egyptian and Gulf spellings of ج
    for spelling in spellings:
        vowelled = _latin_vowelled(spelling)
        # Without its assimilated article (Assad → sad), the word is written with ال.
        article = spelling.replace("j", "g") not in (w, w[:-1]) and spelling not in (w, w[:-1])
        for form, count in _by_skeleton().get(_skeleton(spelling), ()):
            if article and not form.startswith("ال"):
                continue
            cost = _cost(vowelled, _romanized(form))
            if cost <= _MAX_COST and (form not in found or found[form][0] > round(cost, 1)):
                found[form] = (round(cost, 1), -count)
    ranked = sorted(found.items(), key=lambda item: item[1])
    if best_only and ranked:  # only the spellings that align as well as the best one
        ranked = [item for item in ranked if item[1][0] <= ranked[0][1][0]]
    return [form for form, _ in ranked[:limit]]
