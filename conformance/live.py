"""Live checking: verdicts computed as each exchange is recorded, for the dashboard.

The journal calls the checker on its write path, so it must be cheap and must never raise: a
broken check turns into an ``error`` verdict, and anything worse (a bug in this module) into a
single ``error`` verdict naming the checker, never into a lost exchange.
"""

from __future__ import annotations

from collections.abc import Callable

from simulators.core.exchange import Exchange, Verdict
from simulators.core.refusal import refusal_of

from conformance.checks import Check
from conformance.checks_refusals import requirements_for
from conformance.evaluate import levels_for, run_live_checks
from conformance.registry import CheckRegistry, default_registry
from conformance.requirements import Catalogue, load_catalogue

LiveChecker = Callable[[Exchange], list[Verdict]]


def annotate_refusal(exchange: Exchange) -> None:
    """Complete the refusal a simulator recorded with the requirement ids it breaks (the simulators
    know codes, the catalogue knows requirements), so the stored exchange carries both."""
    refusal = refusal_of(exchange.summary)
    if refusal is not None:
        blamed = refusal.get("origin", "dui") == "dui" and not exchange.fault
        refusal["requirements"] = list(requirements_for(exchange.service, str(refusal["code"]),
                                                        str(refusal.get("message", "")))) if blamed else []


def make_live_checker(registry: CheckRegistry, catalogue: Catalogue | None = None) -> LiveChecker:
    """Build the journal hook. Checks are indexed per service once, here, not per exchange."""
    catalogue = (catalogue or load_catalogue()).merged(registry.requirements)
    live = registry.live_checks()
    generic = [c for c in live if c.service == "*"]
    by_service: dict[str, list[Check]] = {}
    for check in live:
        if check.service != "*":
            by_service.setdefault(check.service, []).append(check)
    # the checks of a service, generic ones first, and each check's level: computed here, once
    plans = {service: generic + checks for service, checks in by_service.items()}
    levels = {c.id: levels_for(c.requirements, catalogue) for c in live}

    def check_exchange(exchange: Exchange) -> list[Verdict]:
        try:
            annotate_refusal(exchange)
            checks = plans.get(exchange.service, generic)
            return [
                Verdict(check=r.check, outcome=r.outcome.value, requirements=r.requirements,
                        message=r.message, level=r.level)
                for r in run_live_checks(exchange, checks, catalogue, levels)
            ]
        except Exception as exc:  # noqa: BLE001 - the journal must always be able to store
            return [Verdict(check="conformance.live", outcome="error", requirements=[],
                            message=f"erreur interne du banc (vérification en direct) : {type(exc).__name__}: {exc}")]

    return check_exchange


def default_live_checker() -> LiveChecker:
    """The one construction path of the shipped live checker, for every place the bench runs:
    ``socle-bench serve``, the in-process bench (``responses``), gunicorn workers
    (``simulators.wsgi``), load runs and the pytest plugin's local bench."""
    return make_live_checker(default_registry())
