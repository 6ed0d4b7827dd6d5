"""Deprecated path, kept for one release: use `simulators.annuaire.resources` / `.model`."""

from simulators.annuaire.model import (  # noqa: F401
    BENCH_SYSTEM,
    EMAIL_TYPE_URL,
    FINESS_SYSTEM,
    ID_TYPE,
    LAST_UPDATED,
    METADATA_URL,
    OID_IDNPS,
    OID_IDNST,
    RPPS_SYSTEM,
    TRE_R256,
    TRE_R257,
)
from simulators.annuaire.resources import Directory, build_directory, mailbox_telecom  # noqa: F401
from simulators.fhir.bundle import operation_outcome as _operation_outcome

PROFILE = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/"


def operation_outcome(code: str, diagnostics: str, severity: str = "error") -> dict:
    """Old argument order (code first) of the former module."""
    return _operation_outcome(diagnostics, code=code, severity=severity)
