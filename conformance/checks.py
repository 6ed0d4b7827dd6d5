"""Checks: small functions over recorded exchanges, and the results they produce.

A check function reports through its control flow, as in Inferno: returning normally is a pass,
:func:`expect` (or raising :class:`AssertionFailed`) is a fail because the DUI is wrong,
:func:`skip` is a skip because a precondition is missing, and any other exception is an error
because the bench itself is wrong. Returning :class:`Finding` objects is the escape hatch for a
session check that judges several exchange groups at once (one finding per retry storm, say).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn
from collections.abc import Callable, Collection, Iterable, Sequence

from simulators.core.errors import BenchError
from simulators.core.exchange import Exchange

from conformance.outcomes import EXIGENCE, Outcome

CheckKind = Literal["live", "session"]
LIVE: CheckKind = "live"
SESSION: CheckKind = "session"


class AssertionFailed(BenchError):
    """The DUI did not do what a requirement says: the check fails.

    ``evidence`` lists fragments of the judged request/response (a wrong header value, the
    offending element) that the HTML report highlights in the pretty-printed bodies.
    """

    def __init__(self, message: str, exchange_ids: Sequence[str] = (), evidence: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.exchange_ids = tuple(exchange_ids)
        self.evidence = tuple(evidence)


class CheckSkipped(BenchError):
    """The check has nothing to judge (precondition not met): the check is skipped."""

    def __init__(self, message: str, exchange_ids: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.exchange_ids = tuple(exchange_ids)


def expect(actual: Any, expected: Any, message: str, *, exchanges: Sequence[Exchange] = (),
           evidence: Sequence[str] | None = None) -> None:
    """Fail with "attendu X, obtenu Y" unless ``actual == expected``.

    The actual value, when it is text of 3 characters or more, is the default evidence to highlight
    (shorter strings and numbers would light up half the body).
    """
    if actual != expected:
        if evidence is None:
            evidence = [actual] if isinstance(actual, str) and len(actual.strip()) >= 3 else []
        raise AssertionFailed(
            f"{message} : attendu {expected!r}, obtenu {actual!r}", [e.id for e in exchanges], evidence
        )


def expect_true(condition: bool, message: str, *, exchanges: Sequence[Exchange] = (),
                evidence: Sequence[str] = ()) -> None:
    """Fail with ``message`` (which should itself say "attendu …, obtenu …") unless true."""
    if not condition:
        raise AssertionFailed(message, [e.id for e in exchanges], evidence)


def skip(message: str, *, exchanges: Sequence[Exchange] = ()) -> NoReturn:
    raise CheckSkipped(message, [e.id for e in exchanges])


@dataclass(frozen=True)
class Finding:
    """What a check function may return explicitly (one per judged group of exchanges)."""

    outcome: Outcome
    message: str = ""
    exchange_ids: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    detail: str = ""  # traceback of an error


LiveFunction = Callable[[Exchange], "Finding | Iterable[Finding] | str | None"]
SessionFunction = Callable[[Sequence[Exchange]], "Finding | Iterable[Finding] | str | None"]


@dataclass(frozen=True)
class Check:
    """A registered check. ``service`` is an Exchange.service name or "*" for every service.

    ``operations`` narrows a live check to some operations (empty: all). ``title`` is the French
    one-line description shown in reports next to the requirement.
    """

    id: str
    service: str
    kind: CheckKind
    requirements: tuple[str, ...]
    function: Callable[..., Any]
    title: str = ""
    operations: tuple[str, ...] = ()
    applies: Callable[[Exchange], bool] | None = None  # finer live filter (protocol, body present)
    # A cross-service session check also reads the session's exchanges outside the report's scope
    # (INSi's answers when only the DMP is judged); those are context, never judged themselves.
    context: bool = False
    # ``trigger``: a live check that applies only when ``trigger[1]`` is among the keys ``trigger[0]``
    # finds in the exchange (the requirement ids a refusal breaks). Checks sharing one trigger function
    # are dispatched by key by the live checker: the function runs once per exchange, not once per check.
    trigger: tuple[Callable[[Exchange], Collection[str]], str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in (LIVE, SESSION):
            raise ValueError(f"check {self.id}: kind must be live or session, not {self.kind!r}")
        if not self.requirements:
            raise ValueError(f"check {self.id}: cites no requirement")

    def applies_to(self, exchange: Exchange, keys: Collection[str] | None = None) -> bool:
        """``keys``: what the trigger already found for this exchange (computed once by the caller)."""
        if self.service != "*" and exchange.service != self.service:
            return False
        if self.operations and exchange.operation not in self.operations:
            return False
        if self.trigger is not None and self.trigger[1] not in (keys if keys is not None else self.trigger[0](exchange)):
            return False
        return self.applies is None or bool(self.applies(exchange))


@dataclass
class CheckResult:
    check: str
    outcome: Outcome
    requirements: list[str]
    message: str = ""
    exchange_ids: list[str] = field(default_factory=list)
    level: str = EXIGENCE
    service: str = ""
    evidence: list[str] = field(default_factory=list)  # fragments to highlight in the bodies
    detail: str = ""  # traceback for errors: the bench maintainer needs it, the vendor may ignore it

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "outcome": self.outcome.value,
            "requirements": list(self.requirements),
            "message": self.message,
            "exchange_ids": list(self.exchange_ids),
            "level": self.level,
            "service": self.service,
            "evidence": list(self.evidence),
            "detail": self.detail,
        }


def run_check(check: Check, subject: Exchange | Sequence[Exchange], default_ids: Sequence[str]) -> list[Finding]:
    """Call a check function and turn its control flow into findings; never raises.

    Findings a generator yielded before raising are kept: a session check that judged ten retry
    storms and then hit a bug still reports the ten.
    """
    collected: list[Finding] = []
    try:
        _collect(check.function(subject), tuple(default_ids), collected)
    except AssertionFailed as failure:
        collected.append(Finding(Outcome.FAIL, failure.message, failure.exchange_ids or tuple(default_ids),
                                 failure.evidence))
    except CheckSkipped as skipped:
        collected.append(Finding(Outcome.SKIP, skipped.message, skipped.exchange_ids or tuple(default_ids)))
    except Exception as exc:  # noqa: BLE001 - any other exception means the bench is wrong
        message = f"erreur interne du banc dans la vérification {check.id} : {type(exc).__name__}: {exc}"
        detail = "".join(traceback.format_exception(exc, limit=-3))
        collected.append(Finding(Outcome.ERROR, message, tuple(default_ids), detail=detail))
    return collected or [Finding(Outcome.PASS, "conforme", tuple(default_ids))]


def _collect(returned: Any, default_ids: tuple[str, ...], into: list[Finding]) -> None:
    if returned is None or isinstance(returned, str):
        into.append(Finding(Outcome.PASS, returned or "conforme", default_ids))
        return
    for finding in [returned] if isinstance(returned, Finding) else returned:
        if not isinstance(finding, Finding):
            raise TypeError(f"a check returned {type(finding).__name__}, expected Finding")
        into.append(finding if finding.exchange_ids else
                    Finding(finding.outcome, finding.message, default_ids, finding.evidence, finding.detail))
