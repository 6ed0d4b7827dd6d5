"""The judged session as one record every reporter renders (console, JUnit, HTML, JSON, bundle).

The roll-up lives here so that all reporters agree on it: a requirement's outcome is the worst of
the results citing it (OMIT when none), its status is that outcome seen through its level (a failed
RECOMMANDATION is a warning), and the run blocks CI when an EXIGENCE fails or errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulators.core.exchange import Exchange

from conformance.checks import CheckResult
from conformance.outcomes import STATUS_LABELS_FR, Outcome, display_status, is_blocking, worst
from conformance.requirements import Requirement

REPORT_SCHEMA_VERSION = "1.1"
STATUS_ORDER = ("error", "fail", "warning", "skip", "pass", "omit")
# A requirement is *evaluated* when a check actually judged an exchange for it (passed, failed,
# warned or errored). "skip" (nothing in the session to judge) and "omit" (no result at all) are
# not evaluated: a report must never let them read as "conforme".
EVALUATED_STATUSES = ("error", "fail", "warning", "pass")

EXIT_OK = 0
EXIT_BLOCKING = 1
EXIT_USAGE = 2


@dataclass
class RequirementVerdict:
    requirement: Requirement
    results: list[CheckResult] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # registered checks citing it, run or not

    @property
    def outcome(self) -> Outcome:
        return worst(r.outcome for r in self.results)

    @property
    def status(self) -> str:
        return display_status(self.outcome, self.requirement.level)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS_FR[self.status]

    @property
    def blocking(self) -> bool:
        return is_blocking(self.outcome, self.requirement.level)

    @property
    def evaluated(self) -> bool:
        return self.status in EVALUATED_STATUSES

    @property
    def not_evaluated_reason(self) -> str:
        """French reason a requirement was not evaluated ("" when it was)."""
        if self.evaluated:
            return ""
        if self.results:
            return "aucun échange de la session ne permettait de la juger"
        if self.requirement.untested:
            return "non vérifiable sur le fil : " + self.requirement.untested
        if self.checks:
            return "aucun échange de la session ne la concernait"
        return "aucune vérification n'existe pour cette exigence"

    @property
    def exchange_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for result in self.results:
            seen.update(dict.fromkeys(result.exchange_ids))
        return list(seen)


@dataclass
class Report:
    session: str
    services: list[str]
    source: str  # bench URL or journal path
    generated_at: float  # epoch seconds
    bench_version: str
    catalogue_version: str
    requirements: list[RequirementVerdict]
    results: list[CheckResult]
    exchanges: list[Exchange]
    since: float | None = None

    @property
    def outcome(self) -> Outcome:
        return worst(v.outcome for v in self.requirements)

    @property
    def blocking(self) -> list[RequirementVerdict]:
        return [v for v in self.requirements if v.blocking]

    @property
    def exit_code(self) -> int:
        return EXIT_BLOCKING if self.blocking else EXIT_OK

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUS_ORDER, 0)
        for verdict in self.requirements:
            counts[verdict.status] += 1
        return counts

    def evaluated(self) -> list[RequirementVerdict]:
        return [v for v in self.requirements if v.evaluated]

    def not_evaluated(self) -> list[RequirementVerdict]:
        return [v for v in self.requirements if not v.evaluated]

    def headline(self) -> str:
        """The one-line French verdict: never "CONFORME" without saying over how many requirements,
        and how many were not evaluated at all."""
        evaluated, not_evaluated = len(self.evaluated()), len(self.not_evaluated())
        tail = f"{not_evaluated} exigence(s) non évaluée(s)"
        blocking = self.blocking
        if blocking:
            ids = ", ".join(v.requirement.id for v in blocking)
            return (f"NON CONFORME — {len(blocking)} exigence(s) bloquante(s) : {ids} "
                    f"(sur {evaluated} exigence(s) évaluée(s)) ; {tail}")
        return f"CONFORME sur {evaluated} exigence(s) évaluée(s) ; {tail}"

    def summary_json(self) -> dict[str, Any]:
        return {"evaluated": len(self.evaluated()), "not_evaluated": len(self.not_evaluated()),
                "headline": self.headline()}

    def verdicts_by_service(self) -> dict[str, list[RequirementVerdict]]:
        grouped: dict[str, list[RequirementVerdict]] = {}
        for verdict in self.requirements:
            grouped.setdefault(verdict.requirement.service, []).append(verdict)
        return grouped

    def failing_exchange_ids(self) -> set[str]:
        return {
            exchange_id
            for result in self.results
            if result.outcome in (Outcome.FAIL, Outcome.ERROR)
            for exchange_id in result.exchange_ids
        }


def official_ids_text(requirement: Requirement) -> str:
    """``EX_2.1-1260 (vu dans une source officielle) ; ECO.2.4.2 (correspondance probable)``."""
    return " ; ".join(f"{o.id} ({o.confidence_label})" for o in requirement.official_ids)


def service_label(service: str) -> str:
    return "tous services" if service == "*" else service


def verdict_to_json(verdict: RequirementVerdict) -> dict[str, Any]:
    requirement = verdict.requirement
    return {
        "id": requirement.id,
        "service": requirement.service,
        "level": requirement.level,
        "text": requirement.text,
        "source": requirement.source,
        "untested": requirement.untested,
        "official_ids": [o.to_json() for o in requirement.official_ids],
        "checks": list(verdict.checks),
        "outcome": verdict.outcome.value,
        "status": verdict.status,
        "blocking": verdict.blocking,
        "evaluated": verdict.evaluated,
        "not_evaluated_reason": verdict.not_evaluated_reason,
        "results": [r.to_json() for r in verdict.results],
    }
