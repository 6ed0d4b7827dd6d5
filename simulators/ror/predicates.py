"""Moved to `simulators.fhir.predicates` (shared FHIR layer); kept as a re-export for one release."""

from simulators.fhir.predicates import *  # noqa: F403
from simulators.fhir.predicates import token_key, token_test, value_predicate  # noqa: F401
