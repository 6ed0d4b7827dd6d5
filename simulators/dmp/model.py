"""Domain records of the DMP simulator: dossiers, authorisations, accesses, and the XDS metadata objects.

XDS objects (defined once in `simulators.codecs.ebrim_model`, re-exported here) are plain dataclasses
with a JSON form, because the registry stores them as JSON next to the indexed columns FindDocuments
filters on, and rebuilds ebRIM from them on output (so status and version always come from the registry, never from what a client once sent).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from simulators.core.errors import BenchError

BASE_PATH = "/si-dmp-server/v2/services"  # of the four LPS v2 endpoints (server and reference client)

from simulators.codecs.ebrim_model import (  # noqa: E402, F401 - re-exported: the DMP's public model
    APPROVED,
    HAS_MEMBER,
    INVISIBLE_PATIENT,
    INVISIBLE_REPS,
    MASQUE_PS,
    SIGNATURE_CLASS,
    VISIBILITY_CODES,
    VISIBILITY_SYSTEM,
    Association,
    Author,
    Code,
    DocumentEntry,
    Submission,
    SubmissionSet,
)

DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"
SUBMITTED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Submitted"
STATUSES = (APPROVED, DEPRECATED, ARCHIVED, DELETED)

RPLC = "urn:ihe:iti:2007:AssociationType:RPLC"
SIGNS = "urn:ihe:iti:2007:AssociationType:signs"
UPDATE_STATUS = "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"
ASSOCIATION_TYPES = (HAS_MEMBER, RPLC, SIGNS, UPDATE_STATUS, "urn:ihe:iti:2007:AssociationType:APND",
                     "urn:ihe:iti:2007:AssociationType:XFRM", "urn:ihe:iti:2007:AssociationType:XFRM_RPLC")


class DuplicateUniqueId(BenchError):
    """A document uniqueId already exists in the session's repository (raised by the store)."""


def pad_time(value: str, fill: str = "0") -> str:
    """XDS DTM (any precision) as 14 digits, so that range filters compare as strings."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit())[:14]
    return digits + fill * (14 - len(digits)) if digits else ""


@dataclass
class LegalRepresentative:
    relation: str  # HL7 RoleCode: MTH, FTH, RESPRSN...
    person_id: str = ""  # world person id or establishment id (ASE)
    name: str = ""
    holds_authority: bool = True


@dataclass
class Dossier:
    """A patient's DMP as the SI-DMP manages it."""

    ins: str
    oid: str
    family: str = ""
    given: str = ""
    gender: str = ""
    birth_date: str = ""
    state: str = "ACTIF"  # ACTIF | FERME (INEXISTANT = no row)
    closing_date: str = ""
    closing_reason: str = ""
    opposition_break_glass: bool = False
    opposition_emergency: bool = False
    legal_representatives: list[LegalRepresentative] = field(default_factory=list)
    treating_physicians: list[str] = field(default_factory=list)  # structure or PS ids
    blocked: list[str] = field(default_factory=list)  # structure or PS ids the patient blocked
    mes_attached: bool = True
    web_account: bool = True
    person_id: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Dossier:
        data = dict(data)
        data["legal_representatives"] = [LegalRepresentative(**r) for r in data.get("legal_representatives") or []]
        return cls(**data)


@dataclass
class Authorization:
    ins: str
    structure_id: str
    status: str  # VALIDE | INTERDIT | EXPIRE | NON_EXISTE
    granted_at: float = 0.0
    expires_at: float | None = None
    treating_physician: bool = False
    subject: str = ""


@dataclass
class AccessRecord:
    """One line of the patient's access history (what Mon espace santé shows the patient)."""

    ins: str
    at: float
    action: str  # consultation, recherche, alimentation, masquage...
    structure_id: str
    actor: str
    profession: str
    mode: str  # normal | bris_de_glace | centre_15
    outcome: str  # autorise | refuse
    document: str = ""
    detail: str = ""
