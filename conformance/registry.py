"""The explicit list of checks, per service (no discovery by subclassing or import side effects).

A registry may also carry extra requirements, so a test-only or site-specific check set (the echo
demonstration, a vendor's own rules) can bring its own catalogue without touching the shipped
``requirements.csv``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from types import ModuleType

from simulators.core.errors import BenchError
from conformance import (checks_annuaire, checks_bench, checks_dmp, checks_dmp_session, checks_dmp_vihf, checks_ins,
                         checks_mss, checks_official, checks_parcours, checks_refusals, checks_ror, checks_socle)
from conformance.checks import LIVE, SESSION, Check
from conformance.requirements import EMPTY_CATALOGUE, Catalogue


class RegistryError(BenchError, ValueError):
    """Bad registry composition (duplicate check id, unloadable --checks reference)."""


class CheckRegistry:
    def __init__(self, checks: Iterable[Check] = (), *, requirements: Catalogue = EMPTY_CATALOGUE) -> None:
        self._checks: dict[str, Check] = {}
        self.requirements = requirements
        for check in checks:
            self.add(check)

    def add(self, check: Check) -> None:
        if check.id in self._checks:
            raise RegistryError(f"vérification enregistrée deux fois : {check.id}")
        self._checks[check.id] = check

    def extend(self, other: CheckRegistry) -> None:
        for check in other.checks():
            self.add(check)
        self.requirements = self.requirements.merged(other.requirements)

    def checks(self, service: str | None = None) -> list[Check]:
        """Checks for ``service`` (those registered for it and for "*"); all when None."""
        return [c for c in self._checks.values() if service is None or c.service in ("*", service)]

    def live_checks(self, service: str | None = None) -> list[Check]:
        return [c for c in self.checks(service) if c.kind == LIVE]

    def session_checks(self, service: str | None = None) -> list[Check]:
        return [c for c in self.checks(service) if c.kind == SESSION]

    def get(self, check_id: str) -> Check | None:
        return self._checks.get(check_id)

    def cited_requirements(self) -> dict[str, list[str]]:
        """requirement id -> ids of the checks citing it."""
        cited: dict[str, list[str]] = {}
        for check in self._checks.values():
            for requirement_id in check.requirements:
                cited.setdefault(requirement_id, []).append(check.id)
        return cited

    def __len__(self) -> int:
        return len(self._checks)


# Every shipped ``conformance/checks_*.py`` module, listed by hand (no discovery: importing a module
# must never change what is judged). tests/conformance/test_coverage.py compares this list with the
# modules on disk, so a new check set that is not listed here fails the suite.
SHIPPED_CHECK_MODULES: tuple[ModuleType, ...] = (
    checks_bench, checks_ins, checks_dmp_vihf, checks_dmp, checks_dmp_session, checks_mss, checks_annuaire, checks_ror,
    checks_parcours, checks_refusals, checks_socle, checks_official,
)


def default_registry(modules: Iterable[ModuleType] = SHIPPED_CHECK_MODULES) -> CheckRegistry:
    """Every shipped check set: each module of ``SHIPPED_CHECK_MODULES`` gives its ``checks()``."""
    registry = CheckRegistry()
    for module in modules:
        for check in module.checks():
            registry.add(check)
    return registry


def load_registry_reference(reference: str) -> CheckRegistry:
    """Load ``package.module:attr`` where attr is a CheckRegistry or a function returning one."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise RegistryError(f"--checks attend module:attribut, obtenu {reference!r}")
    try:
        target = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise RegistryError(f"impossible de charger {reference!r} : {exc}") from exc
    registry = target() if callable(target) and not isinstance(target, CheckRegistry) else target
    if not isinstance(registry, CheckRegistry):
        raise RegistryError(f"{reference!r} n'est pas un CheckRegistry (obtenu {type(registry).__name__})")
    return registry
