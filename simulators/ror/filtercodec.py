"""Moved to `simulators.fhir.filter` (shared FHIR layer); kept as a re-export for one release."""

from simulators.fhir.filter import *  # noqa: F403
from simulators.fhir.filter import leaves, parse_filter  # noqa: F401
