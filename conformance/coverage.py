"""Which requirements have checks: the catalogue and the registry must not drift apart."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.registry import CheckRegistry
from conformance.requirements import Catalogue, Requirement


@dataclass(frozen=True)
class RequirementCoverage:
    requirement: Requirement
    checks: tuple[str, ...]

    @property
    def state(self) -> str:
        """covered | untested (deliberately, with a reason) | uncovered (a gap to fill)."""
        if self.checks:
            return "covered"
        return "untested" if self.requirement.untested else "uncovered"


@dataclass(frozen=True)
class Coverage:
    requirements: tuple[RequirementCoverage, ...]
    unknown_citations: dict[str, tuple[str, ...]]  # check id -> requirement ids not in the catalogue
    services_with_checks: frozenset[str]

    def by_state(self, state: str) -> list[RequirementCoverage]:
        return [c for c in self.requirements if c.state == state]

    def gaps(self) -> list[RequirementCoverage]:
        """Uncovered requirements of every service: no check and no written reason. A service
        without checks is not "still to come": its requirements are gaps like any other."""
        return self.by_state("uncovered")


def coverage(registry: CheckRegistry, catalogue: Catalogue, services: list[str] | None = None) -> Coverage:
    cited = registry.cited_requirements()
    unknown: dict[str, list[str]] = {}
    for check in registry.checks():
        for requirement_id in check.requirements:
            if catalogue.get(requirement_id) is None:
                unknown.setdefault(check.id, []).append(requirement_id)
    rows = tuple(
        RequirementCoverage(r, tuple(cited.get(r.id, ()))) for r in catalogue.for_services(services)
    )
    return Coverage(
        requirements=rows,
        unknown_citations={k: tuple(v) for k, v in unknown.items()},
        services_with_checks=frozenset(c.service for c in registry.checks() if c.service != "*"),
    )
