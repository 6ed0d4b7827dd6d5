"""Compatibility: the ``parcours@`` checks moved to :mod:`conformance.checks_parcours` and are now in
``default_registry()``. ``--checks conformance.drivers.journey_checks:registry`` still loads (an empty
extra registry: the checks are already there)."""

from __future__ import annotations

from conformance.checks_parcours import (  # noqa: F401 - re-exported for older imports
    NEVER_DMP_WORDS, checks, dmp_after_qualification, no_educational_document_in_dmp, no_mss_outside_trust,
    trust_domains)
from conformance.registry import CheckRegistry


def registry() -> CheckRegistry:
    return CheckRegistry()
