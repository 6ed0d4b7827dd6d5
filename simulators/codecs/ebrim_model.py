"""XDS.b metadata records (ebRIM 3.0 objects as plain dataclasses with a JSON form), sans-IO.

The one model of SubmissionSet / DocumentEntry / Association that `simulators.codecs.ebrim` reads
and writes. The DMP registry stores these as JSON and rebuilds ebRIM from them on output; the
MSSanté XDM codec reads the same objects from METADATA.XML.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
DE_OBJECT_TYPE = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"

# CI-SIS codes read by DocumentEntry's properties (confidentialityCode of the visibility system, the
# classCode of a signature document): vocabulary of the metadata, not a service rule.
VISIBILITY_SYSTEM = "1.2.250.1.213.1.1.4.13"
MASQUE_PS = "MASQUE_PS"
INVISIBLE_PATIENT = "INVISIBLE_PATIENT"
INVISIBLE_REPS = "INVISIBLE_REPRESENTANTS_LEGAUX"
VISIBILITY_CODES = (MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPS)
SIGNATURE_CLASS = "urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1"


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
    object_type: str = DE_OBJECT_TYPE

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
    def from_json(cls, data: dict[str, Any]) -> DocumentEntry:
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
    def from_json(cls, data: dict[str, Any]) -> SubmissionSet:
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
