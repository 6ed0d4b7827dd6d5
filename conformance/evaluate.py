"""Run a registry's checks over a session's exchanges and build the :class:`Report`.

Live checks are re-run here rather than read back from the verdicts stored on the exchanges:
the report must reflect the checks of the bench version that signs it, and journal files written
by other tools (or by tests) carry no verdicts at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

import simulators
from simulators.core.exchange import Exchange

from conformance.checks import Check, CheckResult, run_check
from conformance.outcomes import EXIGENCE, Outcome, strictest_level
from conformance.registry import CheckRegistry
from conformance.report import Report, RequirementVerdict
from conformance.requirements import Catalogue, Requirement, requirement_sort_key


def levels_for(requirement_ids: Iterable[str], catalogue: Catalogue) -> str:
    levels = [r.level for r in (catalogue.get(i) for i in requirement_ids) if r is not None]
    return strictest_level(levels)


def _results(check: Check, subject: Exchange | Sequence[Exchange], service: str,
             default_ids: Sequence[str], catalogue: Catalogue, level: str | None = None) -> list[CheckResult]:
    if level is None:
        level = levels_for(check.requirements, catalogue)
    return [
        CheckResult(
            check=check.id,
            outcome=finding.outcome,
            requirements=list(check.requirements),
            message=finding.message,
            exchange_ids=list(finding.exchange_ids),
            level=level,
            service=service,
            evidence=list(finding.evidence),
            detail=finding.detail,
        )
        for finding in run_check(check, subject, default_ids)
    ]


def run_live_checks(exchange: Exchange, checks: Iterable[Check], catalogue: Catalogue,
                    levels: dict[str, str] | None = None) -> list[CheckResult]:
    """``levels``: the level of each check by id, computed once by a caller judging many exchanges
    (the live checker); a check missing from it is looked up in the catalogue. Checks sharing a
    ``trigger`` function get it computed once for the exchange; those whose key is not found are passed
    over (a trigger that raises leaves each of its checks to ``_applies``, which reports the error)."""
    results: list[CheckResult] = []
    triggered: dict[Any, Collection[str] | None] = {}
    for check in checks:
        keys: Collection[str] | None = None
        trigger = check.trigger
        if trigger is not None:
            function, key = trigger
            if function not in triggered:
                triggered[function] = _trigger_keys(function, exchange)
            keys = triggered[function]
            if keys is not None and key not in keys:
                continue
        if _applies(check, exchange, results, catalogue, keys):
            level = levels.get(check.id) if levels is not None else None
            results.extend(_results(check, exchange, exchange.service, [exchange.id], catalogue, level))
    return results


def _trigger_keys(function: Callable[[Exchange], Collection[str]], exchange: Exchange) -> Collection[str] | None:
    try:
        return function(exchange)
    except Exception:  # noqa: BLE001 - None: each check of this trigger reports the error through _applies
        return None


def _applies(check: Check, exchange: Exchange, results: list[CheckResult], catalogue: Catalogue,
             keys: Collection[str] | None = None) -> bool:
    """A broken ``applies`` filter is a bench error, reported rather than silently skipping."""
    try:
        return check.applies_to(exchange, keys)
    except Exception as exc:  # noqa: BLE001
        message = f"erreur interne du banc dans le filtre de {check.id} : {type(exc).__name__}: {exc}"
        results.append(CheckResult(check.id, Outcome.ERROR, list(check.requirements), message,
                                   [exchange.id], levels_for(check.requirements, catalogue), exchange.service))
        return False


def evaluate(exchanges: Sequence[Exchange], registry: CheckRegistry, catalogue: Catalogue,
             context: Sequence[Exchange] = ()) -> list[CheckResult]:
    """``context``: exchanges of services outside the report's scope, seen only by cross-service
    session checks (an INS qualified through INSi when only the DMP is judged), never judged."""
    ordered = sorted(exchanges, key=lambda e: (e.started_at, e.id))
    everything = sorted([*exchanges, *context], key=lambda e: (e.started_at, e.id)) if context else ordered
    results: list[CheckResult] = []
    live = registry.live_checks()
    for exchange in ordered:
        results.extend(run_live_checks(exchange, live, catalogue))
    by_service: dict[str, list[Exchange]] = {}
    for exchange in ordered:
        by_service.setdefault(exchange.service, []).append(exchange)
    for check in registry.session_checks():
        if check.context:
            subject = everything
        else:
            subject = ordered if check.service == "*" else by_service.get(check.service, [])
        if subject:
            results.extend(_results(check, subject, check.service, [], catalogue))
    return results


def build_report(
    *,
    session: str,
    exchanges: Sequence[Exchange],
    registry: CheckRegistry,
    catalogue: Catalogue,
    services: Sequence[str] | None = None,
    source: str = "",
    since: float | None = None,
    now: float | None = None,
    context: Sequence[Exchange] = (),
) -> Report:
    """Evaluate and roll up. Scope: the given services, else those seen in the exchanges."""
    results = evaluate(exchanges, registry, catalogue, context)
    scope = sorted(set(services) if services else {e.service for e in exchanges})
    cited = registry.cited_requirements()
    verdicts: dict[str, RequirementVerdict] = {
        r.id: RequirementVerdict(r, checks=cited.get(r.id, [])) for r in catalogue.for_services(scope)
    }
    for result in results:
        for requirement_id in result.requirements:
            if requirement_id not in verdicts:
                verdicts[requirement_id] = RequirementVerdict(
                    catalogue.get(requirement_id) or _unknown(requirement_id, result.service),
                    checks=cited.get(requirement_id, []),
                )
            verdicts[requirement_id].results.append(result)
    ordered = sorted(verdicts.values(), key=lambda v: requirement_sort_key(v.requirement.id))
    return Report(
        session=session,
        services=scope,
        source=source,
        generated_at=time.time() if now is None else now,
        bench_version=simulators.__version__,
        catalogue_version=catalogue.version,
        requirements=ordered,
        results=results,
        exchanges=sorted(exchanges, key=lambda e: (e.started_at, e.id)),
        since=since,
    )


def _unknown(requirement_id: str, service: str) -> Requirement:
    """A check citing an id missing from the catalogue still shows up, flagged, never dropped."""
    return Requirement(requirement_id, service or "*", EXIGENCE,
                       "exigence absente du catalogue (identifiant inconnu)", "—")
