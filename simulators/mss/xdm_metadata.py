"""ebRIM 3.0 METADATA.XML of an XDM subset: SubmissionSet, DocumentEntries, HasMember associations.

The MSSanté view of an XDM submission (flat records: codes as strings, the document's URI inside the
zip, the CI-SIS extra-metadata "action") and its rule (patientId an INS, mss.md §3.5). The XML itself
is written and read with the one ebRIM codec, `simulators.codecs.ebrim` (scheme UUIDs of IHE ITI TF-3
§4.2, slots, classifications, external identifiers). Sans-IO.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from lxml import etree

from simulators.codecs import ebrim
from simulators.codecs.ebrim import (
    DE_CLASS, DE_FORMAT, DE_OBJECT_TYPE, DE_PATIENT_ID, DE_TYPE, DE_UNIQUE_ID, LCM, RIM, SS_AUTHOR, SS_CONTENT_TYPE,
    SS_NODE, SS_PATIENT_ID, SS_SOURCE_ID, SS_UNIQUE_ID, q,
)
from simulators.codecs.ebrim_model import HAS_MEMBER, Code
from simulators.identities.ins import INS_OIDS

NS = {"lcm": LCM, "rim": RIM}
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


def _new_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _classification(parent: etree._Element, scheme: str, obj: str, code: str, system: str,
                    label: str = "") -> None:
    if code:
        ebrim.classification(parent, scheme, obj, Code(code, system, label), id=_new_id(), charset="UTF-8")


def _external_id(parent: etree._Element, scheme: str, obj: str, value: str, label: str) -> None:
    ebrim.external_identifier(parent, scheme, obj, value, label, id=_new_id(), charset="UTF-8")


def build_metadata(sub: SubmissionSet, entries: list[DocumentEntry]) -> bytes:
    root = etree.Element(q(LCM, "SubmitObjectsRequest"), nsmap={"lcm": LCM, "rim": RIM})
    objects = etree.SubElement(root, q(RIM, "RegistryObjectList"))
    for index, entry in enumerate(entries, start=1):
        entry.entry_id = entry.entry_id or f"Document{index:02d}"
        eo = etree.SubElement(objects, q(RIM, "ExtrinsicObject"), id=entry.entry_id,
                              mimeType=entry.mime_type, objectType=DE_OBJECT_TYPE)
        for name, value in (("creationTime", entry.creation_time), ("hash", entry.hash),
                            ("size", str(entry.size)), ("languageCode", entry.language_code),
                            ("URI", entry.uri), ("sourcePatientId", entry.patient_id)):
            if value:
                ebrim.slot(eo, name, value)
        if entry.source_patient_info:
            ebrim.slot(eo, "sourcePatientInfo", entry.source_patient_info)
        if entry.action:
            ebrim.slot(eo, "action", entry.action)
        ebrim.add_localized(eo, "Name", entry.title, charset="UTF-8")
        _classification(eo, DE_CLASS, entry.entry_id, entry.class_code, "1.2.250.1.213.1.1.4.1")
        _classification(eo, DE_TYPE, entry.entry_id, entry.type_code, "2.16.840.1.113883.6.1",
                        entry.type_code_label)
        _classification(eo, DE_FORMAT, entry.entry_id, entry.format_code, "1.2.250.1.213.1.1.4.2.282")
        _external_id(eo, DE_PATIENT_ID, entry.entry_id, entry.patient_id, "XDSDocumentEntry.patientId")
        _external_id(eo, DE_UNIQUE_ID, entry.entry_id, entry.unique_id, "XDSDocumentEntry.uniqueId")
    rp = etree.SubElement(objects, q(RIM, "RegistryPackage"), id=sub.entry_id)
    if sub.submission_time:
        ebrim.slot(rp, "submissionTime", sub.submission_time)
    if sub.intended_recipients:
        ebrim.slot(rp, "intendedRecipient", sub.intended_recipients)
    author = etree.SubElement(rp, q(RIM, "Classification"), classificationScheme=SS_AUTHOR,
                              classifiedObject=sub.entry_id, nodeRepresentation="", id=_new_id())
    if sub.author_person:
        ebrim.slot(author, "authorPerson", sub.author_person)
    if sub.author_institution:
        ebrim.slot(author, "authorInstitution", sub.author_institution)
    _classification(rp, SS_CONTENT_TYPE, sub.entry_id, sub.content_type_code, "1.2.250.1.213.1.1.4.12")
    _external_id(rp, SS_UNIQUE_ID, sub.entry_id, sub.unique_id, "XDSSubmissionSet.uniqueId")
    _external_id(rp, SS_SOURCE_ID, sub.entry_id, sub.source_id, "XDSSubmissionSet.sourceId")
    _external_id(rp, SS_PATIENT_ID, sub.entry_id, sub.patient_id, "XDSSubmissionSet.patientId")
    etree.SubElement(objects, q(RIM, "Classification"), classifiedObject=sub.entry_id,
                     classificationNode=SS_NODE, id=_new_id())
    for entry in entries:
        assoc = etree.SubElement(objects, q(RIM, "Association"), associationType=HAS_MEMBER,
                                 sourceObject=sub.entry_id, targetObject=entry.entry_id, id=_new_id())
        ebrim.slot(assoc, "SubmissionSetStatus", "Original")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _slot_values(el: etree._Element, name: str) -> list[str]:
    """The slot's values as written (an empty rim:Value gives no value)."""
    return [v for v in ebrim.slots(el, strip=False).get(name, []) if v]


def _first(el: etree._Element, name: str) -> str:
    return next(iter(_slot_values(el, name)), "")


def _ext(el: etree._Element, scheme: str) -> str:
    return ebrim.external_value(el.findall(q(RIM, "ExternalIdentifier")), scheme)


def _code(el: etree._Element, scheme: str) -> str:
    return ebrim.node_of(el.findall(q(RIM, "Classification")), scheme)


def parse_metadata(root: etree._Element) -> tuple[SubmissionSet, list[DocumentEntry]]:
    sub = SubmissionSet()
    packages = root.xpath("//rim:RegistryPackage", namespaces=NS)
    if packages:
        rp = packages[0]
        sub = SubmissionSet(patient_id=_ext(rp, SS_PATIENT_ID), unique_id=_ext(rp, SS_UNIQUE_ID),
                            source_id=_ext(rp, SS_SOURCE_ID), submission_time=_first(rp, "submissionTime"),
                            content_type_code=_code(rp, SS_CONTENT_TYPE),
                            intended_recipients=_slot_values(rp, "intendedRecipient"),
                            entry_id=rp.get("id", ""))
    entries = []
    for eo in root.xpath("//rim:ExtrinsicObject", namespaces=NS):
        size_text = _first(eo, "size")
        entries.append(DocumentEntry(
            patient_id=_ext(eo, DE_PATIENT_ID), unique_id=_ext(eo, DE_UNIQUE_ID),
            uri=_first(eo, "URI"), hash=_first(eo, "hash"),
            size=int(size_text) if size_text.isdigit() else -1, mime_type=eo.get("mimeType", ""),
            creation_time=_first(eo, "creationTime"),
            type_code=_code(eo, DE_TYPE), class_code=_code(eo, DE_CLASS), format_code=_code(eo, DE_FORMAT),
            language_code=_first(eo, "languageCode"),
            source_patient_info=_slot_values(eo, "sourcePatientInfo"),
            action=_first(eo, "action"), entry_id=eo.get("id", "")))
    return sub, entries
