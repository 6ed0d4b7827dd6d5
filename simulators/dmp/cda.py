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

from simulators.codecs import cda
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
from simulators.dmp.memo import BoundedMemo
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


# DMP name -> codec fact. unique_id is id@root alone (the DMP ignores an extension); replaces is the parent
# document of any relatedDocument (RPLC, APND, XFRM...).
_FACT_NAMES = {"unique_id": "id_root", "type_code": "code", "type_system": "code_system", "patient_ins": "ins",
               "patient_oid": "ins_oid", "confidentiality": "confidentiality", "author_id": "author_id",
               "author_structure": "author_structure", "replaces": "related_document"}


@dataclass
class CdaHeader:
    """The DMP's reading of a fed CDA: the codec's header facts and every CI-SIS rule the header breaks."""

    facts: cda.CdaHeader | None = None  # None when the document is no readable ClinicalDocument
    issues: list[CdaIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    def __getattr__(self, name: str) -> str:
        """The facts under the DMP's names (unique_id, type_code, patient_ins...); "" when unreadable."""
        if name not in _FACT_NAMES:
            raise AttributeError(name)
        return getattr(self.facts, _FACT_NAMES[name]) if self.facts is not None else ""


def _find(root: etree._Element, path: str) -> etree._Element | None:
    return root.find(path.replace("h:", f"{{{HL7}}}"))


_HEADERS: BoundedMemo[CdaHeader] = BoundedMemo(64)


def read_cda_header(data: bytes) -> CdaHeader:
    """Header facts plus every rule broken; never raises on a document that is not a CDA.

    Remembered by the document's bytes: the registry and the live checks of one ITI-41 read the same
    document (the reading is shared, callers do not modify it)."""
    data = bytes(data)  # a no-op on bytes; a hashable key for any other buffer
    return _HEADERS.get(data, lambda: _read_cda_header(data))


def _read_cda_header(data: bytes) -> CdaHeader:
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
    header.facts = cda.header_facts(root)
    _check_header(root, header)
    return header


def _need(header: CdaHeader, el: etree._Element | None, attr: str, code: str, message: str) -> None:
    if not (el.get(attr, "") if el is not None else ""):
        header.issues.append(CdaIssue(code, message))


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
    _need(h, _find(root, "h:id"), "root", "cda_id", "ClinicalDocument/id@root absent (= uniqueId XDS).")
    _need(h, _find(root, "h:code"), "code", "cda_code", "ClinicalDocument/code absent (= typeCode XDS).")
    if _find(root, "h:effectiveTime") is None:
        h.issues.append(CdaIssue("cda_time", "effectiveTime absent."))
    conf = _find(root, "h:confidentialityCode")
    if (h.confidentiality not in ("N", "R", "V") or conf is None
            or conf.get("codeSystem") != CONFIDENTIALITY_SYSTEM):
        h.issues.append(CdaIssue("cda_confidentiality", f"confidentialityCode {h.confidentiality!r} : N, R ou V du "
                                 f"système {CONFIDENTIALITY_SYSTEM} attendu."))
    lang = _find(root, "h:languageCode")
    if lang is None or lang.get("code") != "fr-FR":
        h.issues.append(CdaIssue("cda_language", "languageCode code=\"fr-FR\" attendu."))
    _check_record_target(root, h)
    author_id = _find(root, "h:author/h:assignedAuthor/h:id")
    _need(h, author_id, "extension", "cda_author", "author/assignedAuthor/id (PS_IdNat) absent.")
    if author_id is not None and author_id.get("root") != OID_PS:
        h.issues.append(CdaIssue("cda_author", f"author/assignedAuthor/id@root {author_id.get('root')} : {OID_PS} attendu."))
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


def _check_record_target(root: etree._Element, h: CdaHeader) -> None:
    ids = root.findall(f"{{{HL7}}}recordTarget/{{{HL7}}}patientRole/{{{HL7}}}id")
    ins_ids = [i for i in ids if i.get("root") in INS_OIDS]
    if not ins_ids:
        h.issues.append(CdaIssue("cda_ins", "recordTarget/patientRole/id : aucun INS (OID 1.2.250.1.213.1.4.8, .9, "
                                 ".10 ou .11)."))
        return
    reason = explain_nir(h.patient_ins)
    if reason:
        h.issues.append(CdaIssue("cda_ins", f"recordTarget : INS {h.patient_ins!r} invalide ({reason})."))
    person = root.find(f"{{{HL7}}}recordTarget/{{{HL7}}}patientRole/{{{HL7}}}patient")
    if person is None or person.find(f"{{{HL7}}}birthTime") is None or person.find(f"{{{HL7}}}administrativeGenderCode") is None:
        h.issues.append(CdaIssue("cda_patient", "recordTarget/patientRole/patient : birthTime et "
                                 "administrativeGenderCode obligatoires."))
