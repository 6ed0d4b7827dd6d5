"""Judge a slice of the session's exchanges with the conformance engine, for a step or the run.

The steps call it on the exchanges of their scenario; the pytest plugin on the whole session at the
end of the run. Same registry both times: the shipped checks (journey rules included).
"""

from __future__ import annotations

from collections.abc import Sequence

from simulators.core.exchange import Exchange

from conformance.evaluate import build_report
from conformance.outcomes import Outcome
from conformance.registry import CheckRegistry, default_registry
from conformance.report import Report, RequirementVerdict
from conformance.requirements import load_catalogue, requirement_sort_key


def journey_registry(extra: Sequence[CheckRegistry] = ()) -> CheckRegistry:
    registry = default_registry()
    for other in extra:
        registry.extend(other)
    return registry


def judge(exchanges: Sequence[Exchange], *, session: str, services: Sequence[str] | None = None,
          registry: CheckRegistry | None = None, source: str = "") -> Report:
    registry = registry or journey_registry()
    catalogue = load_catalogue().merged(registry.requirements)
    return build_report(session=session, exchanges=list(exchanges), registry=registry, catalogue=catalogue,
                        services=list(services) if services else None, source=source)


def blocking_lines(report: Report, *, limit: int = 12, within: set[str] | None = None) -> list[str]:
    """French lines "insi@7 (EXIGENCE) : message" for every blocking requirement, worst first.

    ``within``: only results about these exchanges count (the others were context for session checks).
    """
    lines = []
    for verdict in report.blocking:
        results = [r for r in verdict.results if r.outcome in (Outcome.FAIL, Outcome.ERROR)
                   and (within is None or not r.exchange_ids or set(r.exchange_ids) & within)]
        if not results:
            continue
        message = results[0].message if results else verdict.outcome.value
        more = f" (+{len(results) - 1} autre(s))" if len(results) > 1 else ""
        lines.append(f"{verdict.requirement.id} ({verdict.requirement.level}) {verdict.requirement.text[:90]} — "
                     f"{message}{more}")
    return lines[:limit] + ([f"… et {len(lines) - limit} autre(s)"] if len(lines) > limit else [])


def judge_run(exchanges: Sequence[Exchange], *, session: str, source: str = "") -> Report:
    """One report for a run whose xdist workers each had their own session: every session is judged
    on its own (session checks must not mix workers' histories), then the verdicts are merged."""
    by_session: dict[str, list[Exchange]] = {}
    for exchange in exchanges:
        by_session.setdefault(exchange.session, []).append(exchange)
    if len(by_session) <= 1:
        return judge(exchanges, session=session, source=source)
    reports = [judge(group, session=name, source=source) for name, group in sorted(by_session.items())]
    merged: dict[str, RequirementVerdict] = {}
    for report in reports:
        for verdict in report.requirements:
            into = merged.setdefault(verdict.requirement.id,
                                     RequirementVerdict(verdict.requirement, checks=list(verdict.checks)))
            into.results.extend(verdict.results)
    first = reports[0]
    return Report(session=session, services=sorted({s for r in reports for s in r.services}), source=source,
                  generated_at=first.generated_at, bench_version=first.bench_version,
                  catalogue_version=first.catalogue_version,
                  requirements=sorted(merged.values(), key=lambda v: requirement_sort_key(v.requirement.id)),
                  results=[r for report in reports for r in report.results],
                  exchanges=sorted(exchanges, key=lambda e: (e.started_at, e.id)))
