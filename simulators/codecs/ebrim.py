"""ebRIM 3.0 / XDS.b metadata, sans-IO: `SubmitObjectsRequest` <-> `Submission`, and the
ExtrinsicObject / RegistryPackage / Association elements of query responses.

The one ebRIM codec of the bench: the DMP (ITI-41/42/18/57) uses the whole of it; the MSSanté XDM
codec (METADATA.XML) writes and reads its flat view through the same element primitives (`slot`,
`add_localized`, `classification`, `external_identifier`, `slots`, `external_value`, `node_of`) and
scheme UUIDs.

Classifications and ExternalIdentifiers are accepted nested in their object or at top level (both
occur in the field, dmp.md §4.1); the submission set is the RegistryPackage carrying the
`urn:uuid:a54d6aa5-…` classification, any other RegistryPackage is a folder.
"""

from __future__ import annotations

from lxml import etree

from simulators.codecs.errors import ProtocolError
from simulators.codecs.ebrim_model import (
    APPROVED, DE_OBJECT_TYPE, Association, Author, Code, DocumentEntry, Submission, SubmissionSet,
)

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
XDSB = "urn:ihe:iti:xds-b:2007"
CLASSIFICATION_SCHEME = "urn:oasis:names:tc:ebxml-regrep:classificationScheme"

SS_NODE = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
FOLDER_NODE = "urn:uuid:d9d542f3-6cc4-48b6-8870-ea235fbc94c2"
SS_AUTHOR = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
SS_CONTENT_TYPE = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500"
SS_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
SS_SOURCE_ID = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
SS_UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
DE_AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
DE_CLASS = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
DE_CONFIDENTIALITY = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
DE_EVENT = "urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4"
DE_FORMAT = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
DE_FACILITY = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"
DE_PRACTICE = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"
DE_TYPE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
DE_PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
DE_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"

_DE_CODES = {DE_CLASS: "class_code", DE_FORMAT: "format_code", DE_FACILITY: "facility_code",
             DE_PRACTICE: "practice_code", DE_TYPE: "type_code"}


class EbrimError(ProtocolError):
    """The request is not a usable ebRIM SubmitObjectsRequest (French message, stable `reason`)."""


def q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


# --- reading ----------------------------------------------------------------------------------------


def slots(el: etree._Element, *, strip: bool = True) -> dict[str, list[str]]:
    """The element's own rim:Slot values by name (a repeated name: the last one wins)."""
    out: dict[str, list[str]] = {}
    for slot in el.findall(q(RIM, "Slot")):
        values = slot.iterfind(f"{q(RIM, 'ValueList')}/{q(RIM, 'Value')}")
        out[slot.get("name", "")] = [(v.text or "").strip() if strip else (v.text or "") for v in values]
    return out


def first_slot(el: etree._Element, name: str, *, strip: bool = True) -> str:
    return (slots(el, strip=strip).get(name) or [""])[0]


def node_of(classifications: list[etree._Element], scheme: str) -> str:
    """nodeRepresentation of the first classification of `scheme` ("" when there is none)."""
    return next((cl.get("nodeRepresentation", "") for cl in classifications
                 if cl.get("classificationScheme") == scheme), "")


def localized_text(el: etree._Element, tag: str) -> str:
    ls = el.find(f"{q(RIM, tag)}/{q(RIM, 'LocalizedString')}")
    return ls.get("value", "") if ls is not None else ""


def _code(cl: etree._Element) -> Code:
    scheme = (slots(cl).get("codingScheme") or [""])[0]
    return Code(cl.get("nodeRepresentation", ""), scheme, localized_text(cl, "Name"))


def _author(cl: etree._Element) -> Author:
    s = slots(cl)
    return Author(person=(s.get("authorPerson") or [""])[0], institutions=s.get("authorInstitution", []),
                  roles=s.get("authorRole", []), specialties=s.get("authorSpecialty", []))


def index_objects(objects: etree._Element) -> tuple[dict[str, list[etree._Element]], dict[str, list[etree._Element]]]:
    """Classifications and ExternalIdentifiers by the object they describe, nested or at top level."""
    classifications: dict[str, list[etree._Element]] = {}
    identifiers: dict[str, list[etree._Element]] = {}
    for cl in objects.iter(q(RIM, "Classification")):
        classifications.setdefault(cl.get("classifiedObject") or cl.getparent().get("id", ""), []).append(cl)
    for ei in objects.iter(q(RIM, "ExternalIdentifier")):
        identifiers.setdefault(ei.get("registryObject") or ei.getparent().get("id", ""), []).append(ei)
    return classifications, identifiers


def external_value(identifiers: list[etree._Element], scheme: str) -> str:
    return next((ei.get("value", "") for ei in identifiers if ei.get("identificationScheme") == scheme), "")


def parse_entry(eo: etree._Element, classifications: list[etree._Element], identifiers: list[etree._Element]) -> DocumentEntry:
    s = slots(eo)
    entry = DocumentEntry(entry_uuid=eo.get("id", ""), lid=eo.get("lid", ""), mime_type=eo.get("mimeType", ""),
                          status=eo.get("status", "") or APPROVED, object_type=eo.get("objectType", DE_OBJECT_TYPE))
    entry.unique_id = external_value(identifiers, DE_UNIQUE_ID)
    entry.patient_id = external_value(identifiers, DE_PATIENT_ID)
    entry.source_patient_id = (s.get("sourcePatientId") or [""])[0]
    entry.source_patient_info = s.get("sourcePatientInfo", [])
    entry.hash = (s.get("hash") or [""])[0].lower()
    size = (s.get("size") or [""])[0]
    entry.size = int(size) if size.isdigit() else None
    entry.creation_time = (s.get("creationTime") or [""])[0]
    entry.service_start = (s.get("serviceStartTime") or [""])[0]
    entry.service_stop = (s.get("serviceStopTime") or [""])[0]
    entry.language = (s.get("languageCode") or [""])[0]
    entry.legal_authenticator = (s.get("legalAuthenticator") or [""])[0]
    entry.repository_uid = (s.get("repositoryUniqueId") or [""])[0]
    entry.reference_ids = s.get("urn:ihe:iti:xds:2013:referenceIdList", [])
    entry.title = localized_text(eo, "Name")
    entry.comments = localized_text(eo, "Description")
    version = eo.find(q(RIM, "VersionInfo"))
    if version is not None and (version.get("versionName") or "").isdigit():
        entry.version = int(version.get("versionName"))
    for cl in classifications:
        scheme = cl.get("classificationScheme", "")
        if scheme in _DE_CODES:
            setattr(entry, _DE_CODES[scheme], _code(cl))
        elif scheme == DE_CONFIDENTIALITY:
            entry.confidentiality.append(_code(cl))
        elif scheme == DE_EVENT:
            entry.event_codes.append(_code(cl))
        elif scheme == DE_AUTHOR:
            entry.authors.append(_author(cl))
    return entry


def parse_submission_set(rp: etree._Element, classifications: list[etree._Element],
                         identifiers: list[etree._Element]) -> SubmissionSet:
    ss = SubmissionSet(entry_uuid=rp.get("id", ""), status=rp.get("status", "") or APPROVED)
    s = slots(rp)
    ss.submission_time = (s.get("submissionTime") or [""])[0]
    ss.unique_id = external_value(identifiers, SS_UNIQUE_ID)
    ss.source_id = external_value(identifiers, SS_SOURCE_ID)
    ss.patient_id = external_value(identifiers, SS_PATIENT_ID)
    ss.title = localized_text(rp, "Name")
    ss.comments = localized_text(rp, "Description")
    for cl in classifications:
        scheme = cl.get("classificationScheme", "")
        if scheme == SS_CONTENT_TYPE:
            ss.content_type = _code(cl)
        elif scheme == SS_AUTHOR:
            ss.authors.append(_author(cl))
    return ss


def parse_association(el: etree._Element) -> Association:
    return Association(id=el.get("id", ""), type=el.get("associationType", ""), source=el.get("sourceObject", ""),
                       target=el.get("targetObject", ""), slots=slots(el))


def read_object_list(objects: etree._Element) -> tuple[list[DocumentEntry], list[SubmissionSet], int,
                                                     list[Association], list[str]]:
    """The objects of a `rim:RegistryObjectList` (a SubmitObjectsRequest's or an AdhocQueryResponse's):
    document entries, submission sets, the number of folders, associations and ObjectRef ids."""
    classifications, identifiers = index_objects(objects)
    ss_ids = {cl.get("classifiedObject") for cl in objects.iter(q(RIM, "Classification"))
              if cl.get("classificationNode") == SS_NODE}
    entries: list[DocumentEntry] = []
    sets: list[SubmissionSet] = []
    associations: list[Association] = []
    refs: list[str] = []
    folders = 0
    for el in objects:
        if not isinstance(el.tag, str):
            continue
        oid = el.get("id", "")
        if el.tag == q(RIM, "ExtrinsicObject"):
            entries.append(parse_entry(el, classifications.get(oid, []), identifiers.get(oid, [])))
        elif el.tag == q(RIM, "RegistryPackage"):
            if oid in ss_ids:
                sets.append(parse_submission_set(el, classifications.get(oid, []), identifiers.get(oid, [])))
            else:
                folders += 1
        elif el.tag == q(RIM, "Association"):
            associations.append(parse_association(el))
        elif el.tag == q(RIM, "ObjectRef"):
            refs.append(oid)
    return entries, sets, folders, associations, refs


def parse_submit_objects(request: etree._Element) -> Submission:
    """`lcm:SubmitObjectsRequest` -> Submission (documents are attached by the caller)."""
    if request.tag != q(LCM, "SubmitObjectsRequest"):
        raise EbrimError(f"lcm:SubmitObjectsRequest attendu, reçu {request.tag}.", reason="not_submit_objects")
    objects = request.find(q(RIM, "RegistryObjectList"))
    if objects is None:
        raise EbrimError("SubmitObjectsRequest sans RegistryObjectList.", reason="no_object_list")
    entries, sets, folders, associations, _refs = read_object_list(objects)
    if len(sets) > 1:
        raise EbrimError("Plusieurs lots de soumission dans une même requête.", reason="two_ss")
    return Submission(submission_set=sets[0] if sets else None, entries=entries, associations=associations,
                      folders=folders)


# --- writing ----------------------------------------------------------------------------------------


def slot(parent: etree._Element, name: str, values: list[str] | str) -> None:
    if isinstance(values, str):
        values = [values]
    el = etree.SubElement(parent, q(RIM, "Slot"), name=name)
    vl = etree.SubElement(el, q(RIM, "ValueList"))
    for value in values:
        etree.SubElement(vl, q(RIM, "Value")).text = value


def add_localized(parent: etree._Element, tag: str, text: str, *, charset: str | None = None) -> None:
    """`<rim:{tag}><rim:LocalizedString value=…/></rim:{tag}>`, nothing when `text` is empty."""
    if text:
        ls = etree.SubElement(etree.SubElement(parent, q(RIM, tag)), q(RIM, "LocalizedString"), value=text)
        if charset:
            ls.set("charset", charset)


def classification(parent: etree._Element, scheme: str, obj: str, code: Code, *, id: str,
                   charset: str | None = None) -> etree._Element:
    cl = etree.SubElement(parent, q(RIM, "Classification"), classificationScheme=scheme, classifiedObject=obj,
                          nodeRepresentation=code.code, id=id)
    slot(cl, "codingScheme", code.scheme)
    add_localized(cl, "Name", code.display or code.code, charset=charset)
    return cl


def external_identifier(parent: etree._Element, scheme: str, obj: str, value: str, name: str, *,
                        id: str, charset: str | None = None) -> None:
    ei = etree.SubElement(parent, q(RIM, "ExternalIdentifier"), identificationScheme=scheme, value=value,
                          registryObject=obj, id=id)
    add_localized(ei, "Name", name, charset=charset)


def _classification(parent: etree._Element, scheme: str, obj: str, code: Code, n: list[int]) -> None:
    n[0] += 1
    classification(parent, scheme, obj, code, id=f"{obj}_cl{n[0]}")


def _author_classification(parent: etree._Element, scheme: str, obj: str, author: Author, n: list[int]) -> None:
    n[0] += 1
    cl = etree.SubElement(parent, q(RIM, "Classification"), classificationScheme=scheme, classifiedObject=obj,
                          nodeRepresentation="", id=f"{obj}_au{n[0]}")
    if author.person:
        slot(cl, "authorPerson", author.person)
    for name, values in (("authorInstitution", author.institutions), ("authorRole", author.roles),
                         ("authorSpecialty", author.specialties)):
        if values:
            slot(cl, name, values)


def _external_id(parent: etree._Element, scheme: str, obj: str, value: str, name: str) -> None:
    external_identifier(parent, scheme, obj, value, name, id=f"{obj}_{name}")


def entry_element(e: DocumentEntry) -> etree._Element:
    eo = etree.Element(q(RIM, "ExtrinsicObject"), id=e.entry_uuid, mimeType=e.mime_type, objectType=e.object_type,
                       status=e.status)
    if e.lid:
        eo.set("lid", e.lid)
    slots: list[tuple[str, list[str] | str]] = [("creationTime", e.creation_time), ("languageCode", e.language),
                                                ("serviceStartTime", e.service_start), ("serviceStopTime", e.service_stop),
                                                ("sourcePatientId", e.source_patient_id),
                                                ("sourcePatientInfo", e.source_patient_info),
                                                ("legalAuthenticator", e.legal_authenticator), ("hash", e.hash),
                                                ("size", "" if e.size is None else str(e.size)),
                                                ("repositoryUniqueId", e.repository_uid),
                                                ("urn:ihe:iti:xds:2013:referenceIdList", e.reference_ids)]
    for name, value in slots:
        if value:
            slot(eo, name, value)
    add_localized(eo, "Name", e.title)
    add_localized(eo, "Description", e.comments)
    etree.SubElement(eo, q(RIM, "VersionInfo"), versionName=str(e.version))
    n = [0]
    for author in e.authors:
        _author_classification(eo, DE_AUTHOR, e.entry_uuid, author, n)
    for scheme, attr in _DE_CODES.items():
        code = getattr(e, attr)
        if code is not None:
            _classification(eo, scheme, e.entry_uuid, code, n)
    for code in e.confidentiality:
        _classification(eo, DE_CONFIDENTIALITY, e.entry_uuid, code, n)
    for code in e.event_codes:
        _classification(eo, DE_EVENT, e.entry_uuid, code, n)
    _external_id(eo, DE_PATIENT_ID, e.entry_uuid, e.patient_id, "XDSDocumentEntry.patientId")
    _external_id(eo, DE_UNIQUE_ID, e.entry_uuid, e.unique_id, "XDSDocumentEntry.uniqueId")
    return eo


def submission_set_elements(ss: SubmissionSet) -> list[etree._Element]:
    rp = etree.Element(q(RIM, "RegistryPackage"), id=ss.entry_uuid, status=ss.status,
                       objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage")
    if ss.submission_time:
        slot(rp, "submissionTime", ss.submission_time)
    add_localized(rp, "Name", ss.title)
    add_localized(rp, "Description", ss.comments)
    n = [0]
    for author in ss.authors:
        _author_classification(rp, SS_AUTHOR, ss.entry_uuid, author, n)
    if ss.content_type is not None:
        _classification(rp, SS_CONTENT_TYPE, ss.entry_uuid, ss.content_type, n)
    _external_id(rp, SS_UNIQUE_ID, ss.entry_uuid, ss.unique_id, "XDSSubmissionSet.uniqueId")
    _external_id(rp, SS_SOURCE_ID, ss.entry_uuid, ss.source_id, "XDSSubmissionSet.sourceId")
    _external_id(rp, SS_PATIENT_ID, ss.entry_uuid, ss.patient_id, "XDSSubmissionSet.patientId")
    node = etree.Element(q(RIM, "Classification"), classifiedObject=ss.entry_uuid, classificationNode=SS_NODE,
                         id=f"{ss.entry_uuid}_ss")
    return [rp, node]


def association_element(a: Association) -> etree._Element:
    el = etree.Element(q(RIM, "Association"), id=a.id, associationType=a.type, sourceObject=a.source,
                       targetObject=a.target, status=a.status,
                       objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association")
    for name, values in a.slots.items():
        slot(el, name, values)
    return el


def object_ref(obj_id: str) -> etree._Element:
    return etree.Element(q(RIM, "ObjectRef"), id=obj_id)


def submit_objects_request(sub: Submission) -> etree._Element:
    """Client side: the `lcm:SubmitObjectsRequest` for a Submission."""
    req = etree.Element(q(LCM, "SubmitObjectsRequest"), nsmap={"lcm": LCM, "rim": RIM})
    objects = etree.SubElement(req, q(RIM, "RegistryObjectList"))
    for entry in sub.entries:
        objects.append(entry_element(entry))
    if sub.submission_set is not None:
        for el in submission_set_elements(sub.submission_set):
            objects.append(el)
    for assoc in sub.associations:
        objects.append(association_element(assoc))
    return req
