"""ebRIM 3.0 METADATA.XML of an XDM subset: SubmissionSet, DocumentEntries, HasMember associations.

UUIDs are those of IHE ITI TF-3 §4.2 as listed in mss.md §3.5. Sans-IO.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from lxml import etree

from simulators.identities.ins import INS_OIDS

LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
NS = {"lcm": LCM, "rim": RIM}

SS_CLASSIFICATION = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
SS_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
SS_UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
SS_SOURCE_ID = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
SS_AUTHOR = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
SS_CONTENT_TYPE = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500"
DE_OBJECT_TYPE = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
DE_PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
DE_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
DE_CLASS_CODE = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
DE_TYPE_CODE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
DE_FORMAT_CODE = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
PATIENT_ID_RE = re.compile(r"^(?P<ins>[0-9A-Za-z]+)\^\^\^&(?P<oid>[0-9.]+)&ISO\^NH$")


@dataclass
class SubmissionSet:
    patient_id: str = ""
    unique_id: str = ""
    source_id: str = ""
    submission_time: str = ""
    author_person: str = ""  # XCN
    author_institution: str = ""  # XON
    content_type_code: str = ""
    intended_recipients: list[str] = field(default_factory=list)
    entry_id: str = "SubmissionSet01"


@dataclass
class DocumentEntry:
    patient_id: str = ""
    unique_id: str = ""
    uri: str = ""
    hash: str = ""
    size: int = -1
    mime_type: str = "text/xml"
    creation_time: str = ""
    type_code: str = ""
    type_code_label: str = ""
    class_code: str = ""
    format_code: str = ""
    language_code: str = "fr-FR"
    title: str = ""
    source_patient_info: list[str] = field(default_factory=list)
    action: str = ""  # extra-metadata "action": C (replacement) / D (deletion), mss.md §3.5
    entry_id: str = ""


def explain_patient_id(value: str, where: str) -> list[str]:
    match = PATIENT_ID_RE.match(value or "")
    if not match:
        return [f"attendu patientId <INS>^^^&<OID>&ISO^NH dans {where}, obtenu {value!r}"]
    if match.group("oid") not in INS_OIDS:
        return [f"attendu un OID d'INS (1.2.250.1.213.1.4.8 à .11) dans {where}, obtenu {match.group('oid')}"]
    return []


def _slot(parent: etree._Element, name: str, *values: str) -> None:
    slot = etree.SubElement(parent, f"{{{RIM}}}Slot", name=name)
    vl = etree.SubElement(slot, f"{{{RIM}}}ValueList")
    for value in values:
        etree.SubElement(vl, f"{{{RIM}}}Value").text = value


def _name(parent: etree._Element, text: str) -> None:
    if text:
        name = etree.SubElement(parent, f"{{{RIM}}}Name")
        etree.SubElement(name, f"{{{RIM}}}LocalizedString", value=text, charset="UTF-8")


def _classification(parent: etree._Element, scheme: str, obj: str, code: str, system: str,
                    label: str = "") -> None:
    if not code:
        return
    cl = etree.SubElement(parent, f"{{{RIM}}}Classification", classificationScheme=scheme,
                          classifiedObject=obj, nodeRepresentation=code, id=f"urn:uuid:{uuid.uuid4()}")
    _slot(cl, "codingScheme", system)
    _name(cl, label or code)


def _external_id(parent: etree._Element, scheme: str, obj: str, value: str, label: str) -> None:
    ext = etree.SubElement(parent, f"{{{RIM}}}ExternalIdentifier", identificationScheme=scheme,
                           value=value, registryObject=obj, id=f"urn:uuid:{uuid.uuid4()}")
    _name(ext, label)


def build_metadata(sub: SubmissionSet, entries: list[DocumentEntry]) -> bytes:
    root = etree.Element(f"{{{LCM}}}SubmitObjectsRequest", nsmap={"lcm": LCM, "rim": RIM})
    objects = etree.SubElement(root, f"{{{RIM}}}RegistryObjectList")
    for index, entry in enumerate(entries, start=1):
        entry.entry_id = entry.entry_id or f"Document{index:02d}"
        eo = etree.SubElement(objects, f"{{{RIM}}}ExtrinsicObject", id=entry.entry_id,
                              mimeType=entry.mime_type, objectType=DE_OBJECT_TYPE)
        for name, value in (("creationTime", entry.creation_time), ("hash", entry.hash),
                            ("size", str(entry.size)), ("languageCode", entry.language_code),
                            ("URI", entry.uri), ("sourcePatientId", entry.patient_id)):
            if value:
                _slot(eo, name, value)
        if entry.source_patient_info:
            _slot(eo, "sourcePatientInfo", *entry.source_patient_info)
        if entry.action:
            _slot(eo, "action", entry.action)
        _name(eo, entry.title)
        _classification(eo, DE_CLASS_CODE, entry.entry_id, entry.class_code, "1.2.250.1.213.1.1.4.1")
        _classification(eo, DE_TYPE_CODE, entry.entry_id, entry.type_code, "2.16.840.1.113883.6.1",
                        entry.type_code_label)
        _classification(eo, DE_FORMAT_CODE, entry.entry_id, entry.format_code, "1.2.250.1.213.1.1.4.2.282")
        _external_id(eo, DE_PATIENT_ID, entry.entry_id, entry.patient_id, "XDSDocumentEntry.patientId")
        _external_id(eo, DE_UNIQUE_ID, entry.entry_id, entry.unique_id, "XDSDocumentEntry.uniqueId")
    rp = etree.SubElement(objects, f"{{{RIM}}}RegistryPackage", id=sub.entry_id)
    if sub.submission_time:
        _slot(rp, "submissionTime", sub.submission_time)
    if sub.intended_recipients:
        _slot(rp, "intendedRecipient", *sub.intended_recipients)
    author = etree.SubElement(rp, f"{{{RIM}}}Classification", classificationScheme=SS_AUTHOR,
                              classifiedObject=sub.entry_id, nodeRepresentation="", id=f"urn:uuid:{uuid.uuid4()}")
    if sub.author_person:
        _slot(author, "authorPerson", sub.author_person)
    if sub.author_institution:
        _slot(author, "authorInstitution", sub.author_institution)
    _classification(rp, SS_CONTENT_TYPE, sub.entry_id, sub.content_type_code, "1.2.250.1.213.1.1.4.12")
    _external_id(rp, SS_UNIQUE_ID, sub.entry_id, sub.unique_id, "XDSSubmissionSet.uniqueId")
    _external_id(rp, SS_SOURCE_ID, sub.entry_id, sub.source_id, "XDSSubmissionSet.sourceId")
    _external_id(rp, SS_PATIENT_ID, sub.entry_id, sub.patient_id, "XDSSubmissionSet.patientId")
    etree.SubElement(objects, f"{{{RIM}}}Classification", classifiedObject=sub.entry_id,
                     classificationNode=SS_CLASSIFICATION, id=f"urn:uuid:{uuid.uuid4()}")
    for entry in entries:
        assoc = etree.SubElement(objects, f"{{{RIM}}}Association", associationType=HAS_MEMBER,
                                 sourceObject=sub.entry_id, targetObject=entry.entry_id,
                                 id=f"urn:uuid:{uuid.uuid4()}")
        _slot(assoc, "SubmissionSetStatus", "Original")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _slot_values(el: etree._Element, name: str) -> list[str]:
    return [str(v) for v in el.xpath(f"rim:Slot[@name='{name}']/rim:ValueList/rim:Value/text()", namespaces=NS)]


def _ext(el: etree._Element, scheme: str) -> str:
    found = el.xpath(f"rim:ExternalIdentifier[@identificationScheme='{scheme}']/@value", namespaces=NS)
    return str(found[0]) if found else ""


def _code(el: etree._Element, scheme: str) -> str:
    found = el.xpath(f"rim:Classification[@classificationScheme='{scheme}']/@nodeRepresentation", namespaces=NS)
    return str(found[0]) if found else ""


def parse_metadata(root: etree._Element) -> tuple[SubmissionSet, list[DocumentEntry]]:
    sub = SubmissionSet()
    packages = root.xpath("//rim:RegistryPackage", namespaces=NS)
    if packages:
        rp = packages[0]
        sub = SubmissionSet(patient_id=_ext(rp, SS_PATIENT_ID), unique_id=_ext(rp, SS_UNIQUE_ID),
                            source_id=_ext(rp, SS_SOURCE_ID),
                            submission_time=next(iter(_slot_values(rp, "submissionTime")), ""),
                            content_type_code=_code(rp, SS_CONTENT_TYPE),
                            intended_recipients=_slot_values(rp, "intendedRecipient"),
                            entry_id=rp.get("id", ""))
    entries = []
    for eo in root.xpath("//rim:ExtrinsicObject", namespaces=NS):
        size_text = next(iter(_slot_values(eo, "size")), "")
        entries.append(DocumentEntry(
            patient_id=_ext(eo, DE_PATIENT_ID), unique_id=_ext(eo, DE_UNIQUE_ID),
            uri=next(iter(_slot_values(eo, "URI")), ""), hash=next(iter(_slot_values(eo, "hash")), ""),
            size=int(size_text) if size_text.isdigit() else -1, mime_type=eo.get("mimeType", ""),
            creation_time=next(iter(_slot_values(eo, "creationTime")), ""),
            type_code=_code(eo, DE_TYPE_CODE), class_code=_code(eo, DE_CLASS_CODE),
            format_code=_code(eo, DE_FORMAT_CODE),
            language_code=next(iter(_slot_values(eo, "languageCode")), ""),
            source_patient_info=_slot_values(eo, "sourcePatientInfo"),
            action=next(iter(_slot_values(eo, "action")), ""), entry_id=eo.get("id", "")))
    return sub, entries
