"""The ROR's view of the shared FHIR layer (`simulators.fhir`): parsing with the ROR's page size and
HAPI's handling of unknown parameters, rendering with the shared Bundle / OperationOutcome helpers.

The names below stay importable from here for one release (conformance checks and tests use them).
"""

from __future__ import annotations

from simulators.fhir.bundle import dumps, loads_resource, operation_outcome, searchset
from simulators.fhir.errors import SearchError
from simulators.fhir.query import SearchRequest
from simulators.fhir.query import parse_search as _parse_search
from simulators.fhir.syntax import (
    MAX_OR_VALUES,
    MAX_PARAMS,
    MAX_VALUE_CHARS,
    Clause,
    IncludeSpec,
    parse_include,
    parse_name,
    parse_query,
    split_or,
)
from simulators.ror.model import PAGE_MAX
from simulators.ror.params import PARAMS

__all__ = [
    "MAX_OR_VALUES",
    "MAX_PARAMS",
    "MAX_VALUE_CHARS",
    "Clause",
    "IncludeSpec",
    "SearchError",
    "SearchRequest",
    "dumps",
    "loads_resource",
    "operation_outcome",
    "parse_include",
    "parse_name",
    "parse_query",
    "parse_search",
    "searchset",
    "split_or",
]


def parse_search(pairs: list[tuple[str, str]], *, rtype: str = "", handling: str = "strict") -> SearchRequest:
    """A ROR search: pages of at most 200 (ror.md §1.10); unknown parameters as `handling` says
    (`simulators.fhir.query`). Without `rtype` no name is checked here (the engine checks them)."""
    known = None
    if rtype in PARAMS:
        table = PARAMS[rtype]
        known = table.__contains__
        names = lambda: list(table)  # noqa: E731
    else:
        names = list
    return _parse_search(pairs, page_max=PAGE_MAX, rtype=rtype, known=known, handling=handling, known_names=names)
