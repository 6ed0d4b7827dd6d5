"""CDA R2 documents of the DMP: the document types of the journeys (with their XDS coding) and a
validator of the header rules the DMP cares about.

The CDA itself (reading, writing) is the one codec `simulators.codecs.cda`, re-exported here. The
simulator reads the header of every fed document (recordTarget INS against the XDS patientId, id
against uniqueId, code against typeCode), so the validator returns precise French issues rather
than a yes/no; full XSD + schematron validation (TestContenuCDA) stays outside the bench.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from simulators.codecs.cda import (  # noqa: F401 - re-exported: the DMP's historical CDA entry point
    CONFIDENTIALITY_SYSTEM,
    HL7,
    INS_OIDS,
    LOINC,
    OID_PRACTICE,
    OID_PS,
    OID_SECTOR,
    OID_STRUCT,
    TEMPLATES,
    TRE_A05,
    XSI,
    CdaAuthor,
    CdaError,
    CdaPatient,
    CdaSpec,
    DocumentKind,
    build_cda,
    new_oid,
    parse_clinical_document,
)
from simulators.identities.nir import explain_nir

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
        root = parse_clinical_document(data)
    except CdaError as exc:
        if exc.reason == "cda_xml":
            header.issues.append(CdaIssue("cda_xml", f"Le document n'est pas un XML lisible : {exc.detail}"))
        else:
            header.issues.append(CdaIssue("cda_root", f"Élément racine {exc.detail} : ClinicalDocument "
                                          "(urn:hl7-org:v3) attendu."))
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
