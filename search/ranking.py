"""How results are ordered: the weights of the ranking, in one place, found by measurement.

Every backend ranks by the same rules:

1. **Coverage first.**  An article matching more of a plain query's words ranks above one
   matching fewer, whatever the scores: an article with every word, in any of its forms,
   never ranks below one that has fewer words, however literally (``search/querytree.py``,
   ``Forgiving``).
2. **Meaning, then form.**  Within a tier, BM25F over the *stem* fields decides; the exact
   (surface-form) fields add only :attr:`Ranking.exact_weight` of their score, enough to
   break ties in favour of the form typed and no more.  (The index-time field boosts —
   ``index.contract.FIELD_BOOSTS`` — still weigh titles above bodies.)
3. **Proximity.**  The best :attr:`Ranking.rescore_window` (30) hits of a plain query of two or
   more words are rescored by how close the query words stand in the title and the body:
   ``score × (1 + proximity × (body + title_proximity × title))``, each closeness in
   [0, 1] (``search/proximity.py``).  The window is always the first
   :attr:`Ranking.rescore_window` hits, whatever page is asked for, so that pages never
   overlap or skip a hit.
4. **Scores say the order.**  A hit's reported score (:func:`reported_score`) falls with its
   rank, so a TREC run re-sorted by score (trec_eval) keeps the ranking (``search-cli batch``
   prints 10 decimals).  For a forgiving query (three or more plain words) its integer part is
   the number of query words the hit matches (all of them for a hit that names the entity the
   whole query names).

The default values come from a grid search on the known-item *tuning* set
(``benchmarks/tune_ranking.py``, results in ``benchmarks/results/ranking_grid.json``),
checked on the held-out known-item set and the judged ad-hoc topics, never tuned on those.

Layer: the read side.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_RANKING", "Ranking", "reported_score"]


@dataclass(frozen=True)
class Ranking:
    """The tunable weights of the ranking."""

    #: Share of the exact fields' BM25F score added to the stem fields' (0: form ignored).
    exact_weight: float = 0.2
    #: Multiplicative boost of a hit whose query words stand side by side.
    proximity: float = 1.0
    #: Weight of closeness in the title relative to closeness in the body.
    title_proximity: float = 1.0
    #: Hits rescored for proximity: the first this many, on every page.  On the tuning
    #: known-item set 20, 30, 40 and 100 give the same MRR@10 (0.813); reading positions for
    #: 100 hits tripled the cost of a three-word query.
    rescore_window: int = 30
    #: Weight of a match through the entity facet (an alias of a named entity).
    alias_boost: float = 0.5


DEFAULT_RANKING = Ranking()


def reported_score(words_matched: int | None, score: float) -> float:
    """The score a hit is shown with: ``score`` itself for a query that is not forgiving
    (``words_matched`` None), else ``words_matched`` plus ``score`` squeezed into [0, 1).

    Why: coverage ranks before score (rule 1), so a partial hit may have a higher raw score
    than a full one below which it is listed; a score that contradicted the order would
    reorder any TREC run that trec_eval sorts by score.  ``s / (s + 1)`` keeps the order of
    the scores within a tier and needs nothing from the other hits (pages agree).
    """
    if words_matched is None:
        return score
    return words_matched + score / (score + 1.0)
