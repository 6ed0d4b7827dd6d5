"""Moved to `simulators.fhir.dates` (shared with the Annuaire Santé); kept as a re-export for one release."""

from simulators.fhir.dates import *  # noqa: F403
from simulators.fhir.dates import instant, parse_range  # noqa: F401
