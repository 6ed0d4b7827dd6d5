"""Outcomes of checks and how they roll up (Inferno's model).

The set is closed and ordered so that a roll-up is a plain ``max``: one bench error must never be
hidden by a pass, and one DUI failure must never be hidden by a skip. "Warning" is not an outcome:
it is how a failed RECOMMANDATION is *presented* (see :func:`display_status`), so precedence stays
a single total order.
"""

from __future__ import annotations

from enum import Enum
from collections.abc import Iterable

EXIGENCE = "EXIGENCE"
RECOMMANDATION = "RECOMMANDATION"
LEVELS = (EXIGENCE, RECOMMANDATION)


class Outcome(str, Enum):  # noqa: UP042 - StrEnum would change str(Outcome.X) seen in reports
    ERROR = "error"  # the bench is wrong (unexpected exception in a check)
    FAIL = "fail"  # the DUI is wrong (failed assertion)
    SKIP = "skip"  # the check could not apply (precondition missing)
    PASS = "pass"
    OMIT = "omit"  # nothing judged this requirement

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Outcome.OMIT: 0, Outcome.PASS: 1, Outcome.SKIP: 2, Outcome.FAIL: 3, Outcome.ERROR: 4}

# Presentation statuses: an outcome seen through the level of the requirement it judges.
STATUS_LABELS_FR = {
    "error": "erreur",
    "fail": "échec",
    "warning": "avertissement",
    "skip": "rien à juger",  # the check ran and found nothing in the session to judge: not evaluated
    "pass": "réussi",
    "omit": "non évalué",
}


def worst(outcomes: Iterable[Outcome | str]) -> Outcome:
    """Roll up: the highest-precedence outcome, OMIT when nothing was judged."""
    result = Outcome.OMIT
    for value in outcomes:
        outcome = Outcome(value)
        if outcome.rank > result.rank:
            result = outcome
    return result


def display_status(outcome: Outcome | str, level: str) -> str:
    """A failed RECOMMANDATION is a warning; everything else keeps its outcome name."""
    outcome = Outcome(outcome)
    if outcome is Outcome.FAIL and level == RECOMMANDATION:
        return "warning"
    return outcome.value


def is_blocking(outcome: Outcome | str, level: str) -> bool:
    """Whether this verdict must fail a CI run: an EXIGENCE that failed or could not be judged."""
    return level == EXIGENCE and Outcome(outcome) in (Outcome.FAIL, Outcome.ERROR)


def strictest_level(levels: Iterable[str]) -> str:
    """EXIGENCE wins: a result citing one mandatory requirement is mandatory."""
    levels = list(levels)
    return EXIGENCE if (EXIGENCE in levels or not levels) else RECOMMANDATION
