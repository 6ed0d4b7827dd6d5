"""Domain records of the DMP simulator: XDS metadata objects, dossiers, authorisations, accesses.

XDS objects are kept as plain dataclasses with a JSON form, because the registry stores them as
JSON next to the indexed columns FindDocuments filters on, and rebuilds ebRIM from them on output
(so status and version always come from the registry, never from what a client once sent).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from simulators.core.errors import BenchError

BASE_PATH = "/si-dmp-server/v2/services"  # of the four LPS v2 endpoints (server and reference client)

APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"
SUBMITTED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Submitted"
STATUSES = (APPROVED, DEPRECATED, ARCHIVED, DELETED)

HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
RPLC = "urn:ihe:iti:2007:AssociationType:RPLC"
SIGNS = "urn:ihe:iti:2007:AssociationType:signs"
UPDATE_STATUS = "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"
ASSOCIATION_TYPES = (HAS_MEMBER, RPLC, SIGNS, UPDATE_STATUS, "urn:ihe:iti:2007:AssociationType:APND",
                     "urn:ihe:iti:2007:AssociationType:XFRM", "urn:ihe:iti:2007:AssociationType:XFRM_RPLC")

VISIBILITY_SYSTEM = "1.2.250.1.213.1.1.4.13"
MASQUE_PS = "MASQUE_PS"
INVISIBLE_PATIENT = "INVISIBLE_PATIENT"
INVISIBLE_REPS = "INVISIBLE_REPRESENTANTS_LEGAUX"
VISIBILITY_CODES = (MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPS)

SIGNATURE_CLASS = "urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1"


class DuplicateUniqueId(BenchError):
    """A document uniqueId already exists in the session's repository (raised by the store)."""


def pad_time(value: str, fill: str = "0") -> str:
    """XDS DTM (any precision) as 14 digits, so that range filters compare as strings."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit())[:14]
    return digits + fill * (14 - len(digits)) if digits else ""


@dataclass(frozen=True)
class Code:
    code: str
    scheme: str
    display: str = ""

    @property
    def key(self) -> str:
        return f"{self.code}^{self.scheme}"


@dataclass
class Author:
    person: str = ""  # XCN
    institutions: list[str] = field(default_factory=list)  # XON
    roles: list[str] = field(default_factory=list)
    specialties: list[str] = field(default_factory=list)

    @property
    def structure_ids(self) -> list[str]:
        """Struct_IdNat of each authorInstitution (XON.10)."""
        return [x.split("^")[9] for x in self.institutions if len(x.split("^")) > 9]


@dataclass
class DocumentEntry:
    entry_uuid: str
    unique_id: str = ""
    lid: str = ""
    patient_id: str = ""  # CX
    source_patient_id: str = ""
    source_patient_info: list[str] = field(default_factory=list)
    class_code: Code | None = None
    type_code: Code | None = None
    format_code: Code | None = None
    facility_code: Code | None = None
    practice_code: Code | None = None
    confidentiality: list[Code] = field(default_factory=list)
    event_codes: list[Code] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    legal_authenticator: str = ""
    mime_type: str = ""
    hash: str = ""
    size: int | None = None
    creation_time: str = ""
    service_start: str = ""
    service_stop: str = ""
    language: str = ""
    title: str = ""
    comments: str = ""
    repository_uid: str = ""
    reference_ids: list[str] = field(default_factory=list)
    status: str = APPROVED
    version: int = 1
    object_type: str = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"

    @property
    def patient_ins(self) -> str:
        return self.patient_id.split("^")[0]

    @property
    def visibility(self) -> set[str]:
        return {c.code for c in self.confidentiality if c.code in VISIBILITY_CODES}

    @property
    def is_signature(self) -> bool:
        return self.class_code is not None and self.class_code.code == SIGNATURE_CLASS

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "DocumentEntry":
        data = dict(data)
        for key in ("class_code", "type_code", "format_code", "facility_code", "practice_code"):
            if data.get(key):
                data[key] = Code(**data[key])
        data["confidentiality"] = [Code(**c) for c in data.get("confidentiality") or []]
        data["event_codes"] = [Code(**c) for c in data.get("event_codes") or []]
        data["authors"] = [Author(**a) for a in data.get("authors") or []]
        return cls(**data)


@dataclass
class SubmissionSet:
    entry_uuid: str
    unique_id: str = ""
    source_id: str = ""
    patient_id: str = ""
    submission_time: str = ""
    content_type: Code | None = None
    authors: list[Author] = field(default_factory=list)
    title: str = ""
    comments: str = ""
    status: str = APPROVED

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SubmissionSet":
        data = dict(data)
        if data.get("content_type"):
            data["content_type"] = Code(**data["content_type"])
        data["authors"] = [Author(**a) for a in data.get("authors") or []]
        return cls(**data)


@dataclass
class Association:
    id: str
    type: str
    source: str
    target: str
    slots: dict[str, list[str]] = field(default_factory=dict)
    status: str = APPROVED

    def slot(self, name: str) -> str:
        values = self.slots.get(name) or [""]
        return values[0]


@dataclass
class Submission:
    """One ITI-41 / ITI-57 request after decoding."""

    submission_set: SubmissionSet | None
    entries: list[DocumentEntry] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)
    documents: dict[str, bytes] = field(default_factory=dict)  # DocumentEntry id -> content
    folders: int = 0


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
    def from_json(cls, data: dict[str, Any]) -> "Dossier":
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
