"""CDA R2 documents (HL7 `ClinicalDocument`), sans-IO: the one CDA codec of the bench.

Reading goes through the hardened `parse_xml`; a document that is not readable XML or whose root is
not `ClinicalDocument` is a `CdaError` (a `ProtocolError`, so `except BenchError` catches it; still a
`ValueError`, as the MSSanté codec's error always was). `parse_cda` returns the header facts (ids,
document code, patient INS and traits) without judging them: which rules a header must meet is the
service's business (`simulators.dmp.cda` validates the CI-SIS rules the DMP enforces).

Writing: `build_cda` produces a full CI-SIS "structuration minimale" header with an N1 (base64) body
through lxml (DMP journeys, loads); `build_minimal_cda` a small template-written header with a text
body whose size can be padded (MSSanté reference client and benchmark).
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime, UTC
from xml.sax.saxutils import escape

from lxml import etree

from simulators.codecs.errors import ProtocolError, XmlRejected
from simulators.codecs.xmlsafe import parse_xml, to_bytes

HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"hl7": HL7}
LOINC = "2.16.840.1.113883.6.1"
TRE_A05 = "1.2.250.1.213.1.1.4.12"
OID_PS = "1.2.250.1.71.4.2.1"
OID_STRUCT = "1.2.250.1.71.4.2.2"
OID_SECTOR = "1.2.250.1.71.4.2.4"
OID_PRACTICE = "1.2.250.1.213.1.1.4.9"
CONFIDENTIALITY_SYSTEM = "2.16.840.1.113883.5.25"
TEMPLATES = ("2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1", "1.3.6.1.4.1.19376.1.2.20")
INS_OIDS = ("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11")


class CdaError(ProtocolError, ValueError):
    """The document is not a readable CDA; `reason` is "cda_xml" or "cda_root", `detail` the cause."""

    def __init__(self, message: str, *, reason: str = "cda_invalid", detail: str = "") -> None:
        super().__init__(message, reason=reason)
        self.detail = detail


def parse_clinical_document(data: bytes, *, any_namespace: bool = False) -> etree._Element:
    """The `ClinicalDocument` root of untrusted bytes (urn:hl7-org:v3 unless `any_namespace`), or CdaError."""
    try:
        root = parse_xml(data)
    except XmlRejected as exc:
        raise CdaError(f"CDA illisible : {exc}", reason="cda_xml", detail=exc.message) from exc
    name = etree.QName(root)
    if name.localname != "ClinicalDocument" or (not any_namespace and name.namespace != HL7):
        raise CdaError("l'élément racine n'est pas ClinicalDocument", reason="cda_root", detail=root.tag)
    return root


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CdaHeader:
    """The facts of a CDA R2 header (ids, document code, patient INS and traits), no judgement."""

    id_root: str
    id_extension: str
    code: str
    title: str
    set_id: str
    version: str
    effective_time: str
    ins: str  # matricule INS from recordTarget (empty when absent)
    ins_oid: str
    family: str
    given: str
    birth_time: str
    sex: str
    replaces: str  # relatedDocument[@typeCode='RPLC']/parentDocument/id
    code_system: str = ""  # ClinicalDocument/code/@codeSystem
    confidentiality: str = ""  # confidentialityCode/@code
    author_id: str = ""  # author/assignedAuthor/id/@extension (PS_IdNat)
    author_structure: str = ""  # author/assignedAuthor/representedOrganization/id/@extension
    related_document: str = ""  # first relatedDocument/parentDocument/id/@root, whatever its typeCode

    @property
    def unique_id(self) -> str:
        return f"{self.id_root}^{self.id_extension}" if self.id_extension else self.id_root

    @property
    def ins_qualified(self) -> bool:
        """Matricule + INS OID + the 4 traits: an INS qualified as the CI-SIS header can carry it."""
        return bool(self.ins and self.ins_oid in INS_OIDS and self.family and self.given
                    and self.birth_time and self.sex)


def _first(root: etree._Element, path: str) -> str:
    found = root.xpath(path, namespaces=NS)
    return str(found[0]).strip() if found else ""


def parse_cda(data: bytes, *, any_namespace: bool = False) -> CdaHeader:
    """Header facts of a CDA (see `parse_clinical_document` for `any_namespace`); CdaError otherwise."""
    return header_facts(parse_clinical_document(data, any_namespace=any_namespace))


def header_facts(root: etree._Element) -> CdaHeader:
    """The header facts of a parsed ClinicalDocument (absent parts read as "")."""
    ins, ins_oid = "", ""
    for pid in root.xpath("hl7:recordTarget/hl7:patientRole/hl7:id", namespaces=NS):
        if pid.get("root") in INS_OIDS:
            ins, ins_oid = pid.get("extension", ""), pid.get("root", "")
            break
    patient = "hl7:recordTarget/hl7:patientRole/hl7:patient/"
    return CdaHeader(
        id_root=_first(root, "hl7:id/@root"), id_extension=_first(root, "hl7:id/@extension"),
        code=_first(root, "hl7:code/@code"), title=_first(root, "hl7:title/text()"),
        set_id=_first(root, "hl7:setId/@root"), version=_first(root, "hl7:versionNumber/@value"),
        effective_time=_first(root, "hl7:effectiveTime/@value"), ins=ins, ins_oid=ins_oid,
        family=_first(root, patient + "hl7:name/hl7:family[1]/text()"),
        given=_first(root, patient + "hl7:name/hl7:given[1]/text()"),
        birth_time=_first(root, patient + "hl7:birthTime/@value"),
        sex=_first(root, patient + "hl7:administrativeGenderCode/@code"),
        replaces=_first(root, "hl7:relatedDocument[@typeCode='RPLC']/hl7:parentDocument/hl7:id/@root"),
        code_system=_first(root, "hl7:code/@codeSystem"),
        confidentiality=_first(root, "hl7:confidentialityCode/@code"),
        author_id=_first(root, "hl7:author[1]/hl7:assignedAuthor/hl7:id[1]/@extension"),
        author_structure=_first(root, "hl7:author[1]/hl7:assignedAuthor/hl7:representedOrganization/hl7:id[1]/@extension"),
        related_document=_first(root, "hl7:relatedDocument[1]/hl7:parentDocument/hl7:id[1]/@root"),
    )


# --- writing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentKind:
    """A document type of the journeys with its XDS coding."""

    type_code: str
    type_system: str
    display: str
    class_code: str
    format_code: str = "urn:ihe:iti:xds-sd:pdf:2008"
    format_system: str = "1.3.6.1.4.1.19376.1.2.3"


@dataclass(frozen=True)
class CdaPatient:
    ins: str
    ins_oid: str
    family: str
    given: str
    gender: str  # M | F
    birth_date: str  # YYYY-MM-DD


@dataclass(frozen=True)
class CdaAuthor:
    idnps: str  # PS_IdNat (8+RPPS...) or a local id for non-PS
    family: str
    given: str
    profession_code: str
    profession_system: str
    structure_id: str  # Struct_IdNat
    structure_name: str


@dataclass
class CdaSpec:
    """A full CI-SIS "structuration minimale" header with a base64 (N1) body."""

    kind: DocumentKind
    patient: CdaPatient
    author: CdaAuthor
    title: str = ""
    unique_id: str = ""  # OID; generated when empty (2.25.<uuid int>)
    effective_time: datetime | None = None
    service_start: datetime | None = None
    service_stop: datetime | None = None
    confidentiality: str = "N"
    practice_setting: str = "ESSMS"
    facility_code: str = "SA20"
    body: bytes = b"%PDF-1.4\n% socle-bench synthetic document\n"
    media_type: str = "application/pdf"
    replaces: str = ""  # uniqueId of the replaced document (relatedDocument RPLC)
    set_id: str = ""
    version: int = 1
    extra_templates: tuple[str, ...] = field(default_factory=tuple)


def new_oid() -> str:
    return f"2.25.{uuid.uuid4().int}"


def _ts(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{HL7}}}{tag}", {k.rstrip("_"): v for k, v in attrs.items()})


def build_cda(spec: CdaSpec) -> bytes:
    """Serialised CDA (UTF-8, declaration). Deterministic for a given spec with ids and times set."""
    now = spec.effective_time or datetime.now(UTC)
    uid = spec.unique_id or new_oid()
    root = etree.Element(f"{{{HL7}}}ClinicalDocument", nsmap={None: HL7, "xsi": XSI})
    _sub(root, "realmCode", code="FR")
    _sub(root, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
    for template in TEMPLATES + spec.extra_templates:
        _sub(root, "templateId", root=template)
    _sub(root, "id", root=uid)
    _sub(root, "code", code=spec.kind.type_code, codeSystem=spec.kind.type_system, displayName=spec.kind.display)
    _sub(root, "title").text = spec.title or spec.kind.display
    _sub(root, "effectiveTime", value=_ts(now))
    _sub(root, "confidentialityCode", code=spec.confidentiality, codeSystem=CONFIDENTIALITY_SYSTEM)
    _sub(root, "languageCode", code="fr-FR")
    _sub(root, "setId", root=spec.set_id or uid)
    _sub(root, "versionNumber", value=str(spec.version))
    p = spec.patient
    role = _sub(_sub(root, "recordTarget"), "patientRole")
    _sub(role, "id", root=p.ins_oid, extension=p.ins)
    person = _sub(role, "patient")
    name = _sub(person, "name")
    _sub(name, "given").text = p.given
    _sub(name, "family", qualifier="BR").text = p.family
    _sub(person, "administrativeGenderCode", code=p.gender, codeSystem="2.16.840.1.113883.5.1")
    _sub(person, "birthTime", value=p.birth_date.replace("-", ""))
    a = spec.author
    author = _sub(root, "author")
    _sub(author, "time", value=_ts(now))
    assigned = _sub(author, "assignedAuthor")
    _sub(assigned, "id", root=OID_PS, extension=a.idnps)
    _sub(assigned, "code", code=a.profession_code, codeSystem=a.profession_system)
    aperson = _sub(assigned, "assignedPerson")
    aname = _sub(aperson, "name")
    _sub(aname, "given").text = a.given
    _sub(aname, "family").text = a.family
    org = _sub(assigned, "representedOrganization")
    _sub(org, "id", root=OID_STRUCT, extension=a.structure_id)
    _sub(org, "name").text = a.structure_name
    custodian = _sub(_sub(_sub(root, "custodian"), "assignedCustodian"), "representedCustodianOrganization")
    _sub(custodian, "id", root=OID_STRUCT, extension=a.structure_id)
    _sub(custodian, "name").text = a.structure_name
    legal = _sub(root, "legalAuthenticator")
    _sub(legal, "time", value=_ts(now))
    _sub(legal, "signatureCode", code="S")
    lentity = _sub(legal, "assignedEntity")
    _sub(lentity, "id", root=OID_PS, extension=a.idnps)
    event = _sub(_sub(root, "documentationOf"), "serviceEvent")
    times = _sub(event, "effectiveTime")
    _sub(times, "low", value=_ts(spec.service_start or now))
    _sub(times, "high", value=_ts(spec.service_stop or spec.service_start or now))
    performer = _sub(_sub(event, "performer", typeCode="PRF"), "assignedEntity")
    _sub(performer, "id", root=OID_PS, extension=a.idnps)
    porg = _sub(performer, "representedOrganization")
    _sub(porg, "standardIndustryClassCode", code=spec.practice_setting, codeSystem=OID_PRACTICE)
    if spec.replaces:
        related = _sub(root, "relatedDocument", typeCode="RPLC")
        _sub(_sub(related, "parentDocument"), "id", root=spec.replaces)
    encounter = _sub(_sub(root, "componentOf"), "encompassingEncounter")
    _sub(_sub(encounter, "effectiveTime"), "low", value=_ts(spec.service_start or now))
    facility = _sub(_sub(encounter, "location"), "healthCareFacility")
    _sub(facility, "code", code=spec.facility_code, codeSystem=OID_SECTOR)
    body = _sub(_sub(root, "component"), "nonXMLBody")
    _sub(body, "text", mediaType=spec.media_type, representation="B64").text = base64.b64encode(spec.body).decode()
    return to_bytes(root, xml_declaration=True)


@dataclass(frozen=True)
class MinimalCdaSpec:
    """A minimal CI-SIS-like header with a text body (MSSanté reference client, benchmark; synthetic data)."""

    doc_id: str  # OID-like root
    code: str
    code_label: str
    title: str
    ins: str
    ins_oid: str
    family: str
    given: str
    birth_date: str  # YYYYMMDD
    sex: str  # M | F
    author_rpps: str = ""
    effective_time: str = "20260101120000+0100"
    body_text: str = "Document de synthèse (données synthétiques)."
    padding: int = 0  # extra text bytes, to reach a target size in benchmarks


def build_minimal_cda(spec: MinimalCdaSpec) -> bytes:
    """Template-written, so the bytes are stable for a given spec (`padding` reaches a target size)."""
    pad = escape("x" * spec.padding)
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <id root="{escape(spec.doc_id)}"/>
  <code code="{escape(spec.code)}" codeSystem="2.16.840.1.113883.6.1" displayName="{escape(spec.code_label)}"/>
  <title>{escape(spec.title)}</title>
  <effectiveTime value="{escape(spec.effective_time)}"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="fr-FR"/>
  <setId root="{escape(spec.doc_id)}.1"/>
  <versionNumber value="1"/>
  <recordTarget><patientRole>
    <id root="{escape(spec.ins_oid)}" extension="{escape(spec.ins)}"/>
    <patient>
      <name><family qualifier="BR">{escape(spec.family)}</family><given>{escape(spec.given)}</given></name>
      <administrativeGenderCode code="{escape(spec.sex)}" codeSystem="2.16.840.1.113883.5.1"/>
      <birthTime value="{escape(spec.birth_date)}"/>
    </patient>
  </patientRole></recordTarget>
  <author><time value="{escape(spec.effective_time)}"/><assignedAuthor>
    <id root="1.2.250.1.71.4.2.1" extension="8{escape(spec.author_rpps)}"/>
  </assignedAuthor></author>
  <component><nonXMLBody><text mediaType="text/plain">{escape(spec.body_text)}{pad}</text></nonXMLBody></component>
</ClinicalDocument>
"""
    return xml.encode("utf-8")
