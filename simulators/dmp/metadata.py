"""XDS metadata as a DUI builds it from a CDA document and its author (dmp.md §4.2-§4.7): used by
the reference client, the seed and the benchmark, so all three feed the registry the same way."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any

from simulators.dmp.cda import CdaSpec, new_oid
from simulators.dmp.model import (
    HAS_MEMBER, RPLC, SIGNS, VISIBILITY_SYSTEM, Association, Author, Code, DocumentEntry, Submission, SubmissionSet,
)
from simulators.dmp.xades import build_signature

CONFIDENTIALITY_SYSTEM = "2.16.840.1.113883.5.25"
SECTOR_SYSTEM = "1.2.250.1.71.4.2.4"
PRACTICE_SYSTEM = "1.2.250.1.213.1.1.4.9"
CLASS_SYSTEM = "1.2.250.1.213.1.1.4.1"


@dataclass(frozen=True)
class Structure:
    structure_id: str  # Struct_IdNat (1+FINESS, 3+SIRET)
    name: str
    sector: str = "SA20"  # TRE_R02 SAxx


@dataclass(frozen=True)
class Person:
    idnps: str
    family: str
    given: str
    profession_code: str
    profession_system: str
    profession_label: str = ""
    specialty: str = ""


def now_dtm() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S")


def xds_author(person: Person, structure: Structure) -> Author:
    return Author(
        person=f"{person.idnps}^{person.family}^{person.given}^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS",
        institutions=[f"{structure.name}^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^{structure.structure_id}"],
        roles=[f"{person.profession_code}^{person.profession_label}^{person.profession_system}"],
        specialties=[f"{person.specialty}^^1.2.250.1.71.4.2.5"] if person.specialty else [])


def ins_cx(ins: str, oid: str) -> str:
    return f"{ins}^^^&{oid}&ISO^NH"


def document_entry(spec: CdaSpec, data: bytes, author: Author, *, unique_id: str, entry_id: str | None = None,
                   visibility: tuple[str, ...] = (), service_start: str = "") -> DocumentEntry:
    kind = spec.kind
    conf = [Code(spec.confidentiality, CONFIDENTIALITY_SYSTEM, "Normal")]
    conf += [Code(v, VISIBILITY_SYSTEM, v) for v in visibility]
    start = service_start or (spec.service_start or spec.effective_time or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    return DocumentEntry(
        entry_uuid=entry_id or f"urn:uuid:{uuid.uuid4()}", unique_id=unique_id,
        patient_id=ins_cx(spec.patient.ins, spec.patient.ins_oid),
        source_patient_id=ins_cx(spec.patient.ins, spec.patient.ins_oid),
        source_patient_info=[f"PID-5|{spec.patient.family}^{spec.patient.given}^^^^^L",
                             f"PID-7|{spec.patient.birth_date.replace('-', '')}", f"PID-8|{spec.patient.gender}"],
        class_code=Code(kind.class_code, CLASS_SYSTEM), type_code=Code(kind.type_code, kind.type_system, kind.display),
        format_code=Code(kind.format_code, kind.format_system),
        facility_code=Code(spec.facility_code, SECTOR_SYSTEM), practice_code=Code(spec.practice_setting, PRACTICE_SYSTEM),
        confidentiality=conf, authors=[author], legal_authenticator=author.person,
        mime_type="text/xml", hash=hashlib.sha1(data, usedforsecurity=False).hexdigest(), size=len(data), creation_time=start,
        service_start=start, service_stop=start, language="fr-FR", title=spec.title or kind.display)


def submission_set(patient_cx: str, author: Author, *, source_id: str = "1.2.250.1.999.1.1",
                   title: str = "", content_type: tuple[str, str] = ("SA20", SECTOR_SYSTEM)) -> SubmissionSet:
    return SubmissionSet(entry_uuid=f"urn:uuid:{uuid.uuid4()}", unique_id=new_oid(), source_id=source_id,
                         patient_id=patient_cx, submission_time=now_dtm(), content_type=Code(*content_type),
                         authors=[author], title=title)


def signature_entry(ss: SubmissionSet, author: Author, data: bytes, unique_id: str) -> DocumentEntry:
    return DocumentEntry(
        entry_uuid=f"urn:uuid:{uuid.uuid4()}", unique_id=unique_id, patient_id=ss.patient_id,
        source_patient_id=ss.patient_id,
        class_code=Code("urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1", "URN", "Digital Signature"),
        type_code=Code("E1762", "ASTM", "Full Document"),
        format_code=Code("http://www.w3.org/2000/09/xmldsig#", "URN", "Default Signature Style"),
        facility_code=Code(ss.content_type.code if ss.content_type else "SA20", SECTOR_SYSTEM),
        practice_code=Code("ESSMS", PRACTICE_SYSTEM),
        confidentiality=[Code("N", CONFIDENTIALITY_SYSTEM), Code("MASQUE_PS", VISIBILITY_SYSTEM),
                         Code("INVISIBLE_PATIENT", VISIBILITY_SYSTEM)],
        event_codes=[Code("1.2.840.10065.1.12.1.14", "1.2.840.10065.1.12", "Source")],
        authors=[author], legal_authenticator=author.person, mime_type="text/xml",
        hash=hashlib.sha1(data, usedforsecurity=False).hexdigest(), size=len(data), creation_time=now_dtm(), language="art", title="Source")


def assemble(ss: SubmissionSet, documents: list[tuple[DocumentEntry, bytes]], *,
             replaces: dict[str, str] | None = None, signer: tuple[Any, Any] | None = None) -> Submission:
    """Submission with HasMember associations, RPLC for replacements and, given (cert, key), the
    XAdES signature entry with its `signs` association."""
    sub = Submission(submission_set=ss)
    for entry, data in documents:
        sub.entries.append(entry)
        sub.documents[entry.entry_uuid] = data
    if signer is not None:
        sig_uid = new_oid()
        sig_data = build_signature(ss.unique_id, [(e.unique_id, d) for e, d in documents], signer[0], signer[1],
                                   signature_id=sig_uid)
        sig = signature_entry(ss, ss.authors[0], sig_data, sig_uid)
        sub.entries.append(sig)
        sub.documents[sig.entry_uuid] = sig_data
        sub.associations.append(Association(f"urn:uuid:{uuid.uuid4()}", SIGNS, sig.entry_uuid, ss.entry_uuid))
    for entry in sub.entries:
        sub.associations.append(Association(f"urn:uuid:{uuid.uuid4()}", HAS_MEMBER, ss.entry_uuid, entry.entry_uuid,
                                            {"SubmissionSetStatus": ["Original"]}))
    for new_id, target in (replaces or {}).items():
        sub.associations.append(Association(f"urn:uuid:{uuid.uuid4()}", RPLC, new_id, target))
    return sub
