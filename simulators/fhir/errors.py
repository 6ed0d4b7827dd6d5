"""The one exception of the FHIR layer: a request a FHIR server refuses.

Servers render it as an OperationOutcome with the given HTTP status (400 by default).
"""

from __future__ import annotations

from simulators.codecs.errors import BenchError


class SearchError(BenchError):
    """A request the server refuses; `status` and a message for the OperationOutcome."""

    def __init__(self, message: str, status: int = 400, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


FhirError = SearchError
