"""CDA R2 documents for the journeys (CI-SIS "structuration minimale" header, N1 body) and a
validator of the header rules the DMP cares about.

The simulator reads the header of every fed document (recordTarget INS against the XDS patientId,
id against uniqueId, code against typeCode), so the validator returns precise French issues rather
than a yes/no; full XSD + schematron validation (TestContenuCDA) stays outside the bench.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from lxml import etree

from simulators.core.errors import XmlRejected
from simulators.codecs.xmlsafe import parse_xml, to_bytes

HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
LOINC = "2.16.840.1.113883.6.1"
TRE_A05 = "1.2.250.1.213.1.1.4.12"
OID_PS = "1.2.250.1.71.4.2.1"
OID_STRUCT = "1.2.250.1.71.4.2.2"
OID_SECTOR = "1.2.250.1.71.4.2.4"
OID_PRACTICE = "1.2.250.1.213.1.1.4.9"
CONFIDENTIALITY_SYSTEM = "2.16.840.1.113883.5.25"
TEMPLATES = ("2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1", "1.3.6.1.4.1.19376.1.2.20")
INS_OIDS = ("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11")


@dataclass(frozen=True)
class DocumentKind:
    """A document type of the journeys with its XDS coding."""

    type_code: str
    type_system: str
    display: str
    class_code: str
    format_code: str = "urn:ihe:iti:xds-sd:pdf:2008"
    format_system: str = "1.3.6.1.4.1.19376.1.2.3"


KINDS: dict[str, DocumentKind] = {
    "projet-personnalise": DocumentKind("80788-3", LOINC, "Projet personnalisé d'accompagnement", "44"),
    "ordonnance": DocumentKind("57833-6", LOINC, "Prescription de produits de santé", "42"),
    "dlu": DocumentKind("74207-2", LOINC, "Document de liaison d'urgence", "11"),
    "bilan-psychologique": DocumentKind("83901-9", LOINC, "Bilan psychologique", "10"),
    "synthese-psychiatrique": DocumentKind("68599-0", LOINC, "Synthèse psychiatrique", "11"),
    "bilan-sante-enfant": DocumentKind("68817-6", LOINC, "Bilan de santé et de prévention de l'enfant", "10"),
    "bilan-fonctionnel": DocumentKind("47420-5", LOINC, "CR de bilan fonctionnel", "10"),
    "evaluation-medico-sociale": DocumentKind("34842-5", LOINC, "Grille d'évaluation médico-social", "10"),
    "autorisation-soins": DocumentKind("AUTORIS-SOINS", TRE_A05, "Autorisation de soins et actes non usuels", "52"),
    "rapport-echeance": DocumentKind("EXPORT_DUI", TRE_A05, "Rapport d'échéance (document éducatif)", "95"),
}


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
    return t.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S+0000")


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{HL7}}}{tag}", {k.rstrip("_"): v for k, v in attrs.items()})


def build_cda(spec: CdaSpec) -> bytes:
    """Serialised CDA (UTF-8, declaration). Deterministic for a given spec with ids and times set."""
    now = spec.effective_time or datetime.now(timezone.utc)
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


# --- header validation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CdaIssue:
    code: str
    message: str  # French


@dataclass
class CdaHeader:
    unique_id: str = ""
    type_code: str = ""
    type_system: str = ""
    patient_ins: str = ""
    patient_oid: str = ""
    confidentiality: str = ""
    author_id: str = ""
    author_structure: str = ""
    replaces: str = ""
    issues: list[CdaIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


def _find(root: etree._Element, path: str) -> etree._Element | None:
    return root.find(path.replace("h:", f"{{{HL7}}}"))


def read_cda_header(data: bytes) -> CdaHeader:
    """Header facts plus every rule broken; never raises on a document that is not a CDA."""
    header = CdaHeader()
    try:
        root = parse_xml(data)
    except XmlRejected as exc:
        header.issues.append(CdaIssue("cda_xml", f"Le document n'est pas un XML lisible : {exc.message}"))
        return header
    if root.tag != f"{{{HL7}}}ClinicalDocument":
        header.issues.append(CdaIssue("cda_root", f"Élément racine {root.tag} : ClinicalDocument (urn:hl7-org:v3) attendu."))
        return header
    _check_header(root, header)
    return header


def _need(header: CdaHeader, el: etree._Element | None, attr: str, code: str, message: str) -> str:
    value = el.get(attr, "") if el is not None else ""
    if not value:
        header.issues.append(CdaIssue(code, message))
    return value


def _check_header(root: etree._Element, h: CdaHeader) -> None:
    realm = _find(root, "h:realmCode")
    if realm is None or realm.get("code") != "FR":
        h.issues.append(CdaIssue("cda_realm", "realmCode code=\"FR\" absent."))
    type_id = _find(root, "h:typeId")
    if type_id is None or type_id.get("extension") != "POCD_HD000040":
        h.issues.append(CdaIssue("cda_typeid", "typeId root=2.16.840.1.113883.1.3 extension=POCD_HD000040 absent."))
    templates = {t.get("root") for t in root.iterfind(f"{{{HL7}}}templateId")}
    for required in TEMPLATES[:2]:
        if required not in templates:
            h.issues.append(CdaIssue("cda_template", f"templateId {required} (CI-SIS) absent de l'en-tête."))
    h.unique_id = _need(h, _find(root, "h:id"), "root", "cda_id", "ClinicalDocument/id@root absent (= uniqueId XDS).")
    code = _find(root, "h:code")
    h.type_code = _need(h, code, "code", "cda_code", "ClinicalDocument/code absent (= typeCode XDS).")
    h.type_system = code.get("codeSystem", "") if code is not None else ""
    if _find(root, "h:effectiveTime") is None:
        h.issues.append(CdaIssue("cda_time", "effectiveTime absent."))
    conf = _find(root, "h:confidentialityCode")
    h.confidentiality = conf.get("code", "") if conf is not None else ""
    if h.confidentiality not in ("N", "R", "V") or conf.get("codeSystem") != CONFIDENTIALITY_SYSTEM:
        h.issues.append(CdaIssue("cda_confidentiality", f"confidentialityCode {h.confidentiality!r} : N, R ou V du "
                                 f"système {CONFIDENTIALITY_SYSTEM} attendu."))
    lang = _find(root, "h:languageCode")
    if lang is None or lang.get("code") != "fr-FR":
        h.issues.append(CdaIssue("cda_language", "languageCode code=\"fr-FR\" attendu."))
    _check_record_target(root, h)
    author_id = _find(root, "h:author/h:assignedAuthor/h:id")
    h.author_id = _need(h, author_id, "extension", "cda_author", "author/assignedAuthor/id (PS_IdNat) absent.")
    if author_id is not None and author_id.get("root") != OID_PS:
        h.issues.append(CdaIssue("cda_author", f"author/assignedAuthor/id@root {author_id.get('root')} : {OID_PS} attendu."))
    org = _find(root, "h:author/h:assignedAuthor/h:representedOrganization/h:id")
    h.author_structure = org.get("extension", "") if org is not None else ""
    custodian = _find(root, "h:custodian/h:assignedCustodian/h:representedCustodianOrganization/h:id")
    if custodian is None or custodian.get("root") != OID_STRUCT or not custodian.get("extension"):
        h.issues.append(CdaIssue("cda_custodian", f"custodian : representedCustodianOrganization/id root={OID_STRUCT} "
                                 "avec l'identifiant de structure attendu."))
    if _find(root, "h:documentationOf/h:serviceEvent/h:effectiveTime/h:low") is None:
        h.issues.append(CdaIssue("cda_service_event", "documentationOf/serviceEvent/effectiveTime/low absent."))
    facility = _find(root, "h:componentOf/h:encompassingEncounter/h:location/h:healthCareFacility/h:code")
    if facility is None or facility.get("codeSystem") != OID_SECTOR:
        h.issues.append(CdaIssue("cda_facility", "componentOf/.../healthCareFacility/code (secteur d'activité "
                                 f"{OID_SECTOR}) absent."))
    related = _find(root, "h:relatedDocument/h:parentDocument/h:id")
    h.replaces = related.get("root", "") if related is not None else ""


def _check_record_target(root: etree._Element, h: CdaHeader) -> None:
    from simulators.identities.nir import explain_nir

    ids = root.findall(f"{{{HL7}}}recordTarget/{{{HL7}}}patientRole/{{{HL7}}}id")
    ins_ids = [i for i in ids if i.get("root") in INS_OIDS]
    if not ins_ids:
        h.issues.append(CdaIssue("cda_ins", "recordTarget/patientRole/id : aucun INS (OID 1.2.250.1.213.1.4.8, .9, "
                                 ".10 ou .11)."))
        return
    h.patient_ins, h.patient_oid = ins_ids[0].get("extension", ""), ins_ids[0].get("root", "")
    reason = explain_nir(h.patient_ins)
    if reason:
        h.issues.append(CdaIssue("cda_ins", f"recordTarget : INS {h.patient_ins!r} invalide ({reason})."))
    person = root.find(f"{{{HL7}}}recordTarget/{{{HL7}}}patientRole/{{{HL7}}}patient")
    if person is None or person.find(f"{{{HL7}}}birthTime") is None or person.find(f"{{{HL7}}}administrativeGenderCode") is None:
        h.issues.append(CdaIssue("cda_patient", "recordTarget/patientRole/patient : birthTime et "
                                 "administrativeGenderCode obligatoires."))
