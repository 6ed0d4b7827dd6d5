"""XDS.b message bodies, sans-IO: ITI-41, ITI-18, ITI-43 and the RegistryResponse.

XDS business errors travel inside a normal SOAP response (RegistryResponse Failure with a
RegistryErrorList), unlike VIHF/security failures which are SOAP Faults (dmp.md §5), so the
error record lives here with the response builders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from simulators.codecs.ebrim import (
    LCM, QUERY, RIM, RS, XDSB, parse_submit_objects, q, read_object_list, submit_objects_request,
)
from simulators.codecs.mtom import Part, resolve_xop, xop_include
from simulators.core.errors import ProtocolError
from simulators.dmp.model import Submission

# `Exchange.decoded` keys (memory only): what the server read from a request, for the live checks to reuse
DECODED_REQUEST = "dmp.request"  # (SoapEnvelope, attachments) of split_soap_request + parse_envelope
DECODED_SUBMISSION = "dmp.submission"  # the ITI-41 Submission of parse_provide_and_register

SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
PARTIAL = "urn:ihe:iti:2007:ResponseStatusType:PartialSuccess"
SEVERITY_ERROR = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"
SEVERITY_WARNING = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning"

ACTION_ITI41 = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
ACTION_ITI18 = "urn:ihe:iti:2007:RegistryStoredQuery"
ACTION_ITI43 = "urn:ihe:iti:2007:RetrieveDocumentSet"
ACTION_ITI57 = "urn:ihe:iti:2010:UpdateDocumentSet"

FIND_DOCUMENTS = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
FIND_SUBMISSION_SETS = "urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9"
GET_ASSOCIATIONS = "urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155"
GET_DOCUMENTS = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4"
GET_DOCUMENTS_AND_ASSOCIATIONS = "urn:uuid:bab9529a-4a10-40b3-a01f-f68a615d247a"
FIND_DOCUMENTS_BY_REFERENCE_ID = "urn:uuid:12941a89-e02e-4be5-967c-ce4bfc8fe492"
GET_SUBMISSION_SET_AND_CONTENTS = "urn:uuid:e8e3cb2c-e39c-46b9-99e4-c12f57260b83"
STORED_QUERIES = {FIND_DOCUMENTS: "FindDocuments", FIND_SUBMISSION_SETS: "FindSubmissionSets",
                  GET_ASSOCIATIONS: "GetAssociations", GET_DOCUMENTS: "GetDocuments",
                  GET_DOCUMENTS_AND_ASSOCIATIONS: "GetDocumentsAndAssociations",
                  FIND_DOCUMENTS_BY_REFERENCE_ID: "FindDocumentsByReferenceId",
                  GET_SUBMISSION_SET_AND_CONTENTS: "GetSubmissionSetAndContents"}


@dataclass(frozen=True)
class RegistryErrorItem:
    code: str
    context: str  # French
    location: str = ""
    severity: str = SEVERITY_ERROR


class RegistryFailure(ProtocolError):
    """An XDS refusal: rendered as a RegistryResponse (or query/retrieve response) with status Failure."""

    def __init__(self, code: str, context: str, *, location: str = "") -> None:
        super().__init__(context, reason=code)
        self.errors = [RegistryErrorItem(code, context, location)]


# --- RegistryResponse ---------------------------------------------------------------------------------


def error_list(errors: list[RegistryErrorItem]) -> etree._Element:
    el = etree.Element(q(RS, "RegistryErrorList"), nsmap={"rs": RS})
    for err in errors:
        item = etree.SubElement(el, q(RS, "RegistryError"), errorCode=err.code, codeContext=err.context,
                                severity=err.severity)
        if err.location:
            item.set("location", err.location)
    return el


def registry_response(errors: list[RegistryErrorItem] | None = None) -> etree._Element:
    errors = errors or []
    failed = any(e.severity == SEVERITY_ERROR for e in errors)
    el = etree.Element(q(RS, "RegistryResponse"), nsmap={"rs": RS}, status=FAILURE if failed else SUCCESS)
    if errors:
        el.append(error_list(errors))
    return el


def read_errors(el: etree._Element) -> list[RegistryErrorItem]:
    return [RegistryErrorItem(e.get("errorCode", ""), e.get("codeContext", ""), e.get("location", ""),
                              e.get("severity", SEVERITY_ERROR))
            for e in el.iter(q(RS, "RegistryError"))]


# --- ITI-41 -----------------------------------------------------------------------------------------


def parse_provide_and_register(payload: etree._Element, attachments: dict[str, Part]) -> Submission:
    if payload.tag != q(XDSB, "ProvideAndRegisterDocumentSetRequest"):
        raise ProtocolError(f"xdsb:ProvideAndRegisterDocumentSetRequest attendu, reçu {payload.tag}.",
                            reason="not_iti41")
    request = payload.find(q(LCM, "SubmitObjectsRequest"))
    if request is None:
        raise ProtocolError("ProvideAndRegisterDocumentSetRequest sans lcm:SubmitObjectsRequest.", reason="not_iti41")
    submission = parse_submit_objects(request)
    parts = resolve_xop(payload, attachments)
    for doc in payload.iterfind(q(XDSB, "Document")):
        doc_id = doc.get("id", "")
        if not doc_id:
            raise ProtocolError("xdsb:Document sans attribut id.", reason="document_without_id")
        if doc_id in submission.documents:
            raise ProtocolError(f"xdsb:Document id={doc_id} en double.", reason="document_duplicate")
        if doc in parts:
            submission.documents[doc_id] = parts[doc].data
        else:
            import base64
            import binascii

            try:
                submission.documents[doc_id] = base64.b64decode("".join((doc.text or "").split()), validate=True)
            except (binascii.Error, ValueError):
                raise ProtocolError(f"xdsb:Document {doc_id} : contenu base64 invalide.", reason="bad_base64") from None
    return submission


def provide_and_register_request(sub: Submission) -> tuple[etree._Element, list[tuple[str, str, bytes]]]:
    """Client side: payload with xop:Include per document, and the MTOM attachments."""
    el = etree.Element(q(XDSB, "ProvideAndRegisterDocumentSetRequest"), nsmap={"xdsb": XDSB})
    el.append(submit_objects_request(sub))
    attachments = []
    for i, (doc_id, data) in enumerate(sub.documents.items()):
        cid = f"doc{i}.{abs(hash(doc_id)) % 10**8}@socle-bench"
        doc = etree.SubElement(el, q(XDSB, "Document"), id=doc_id)
        doc.append(xop_include(cid))
        entry = next((e for e in sub.entries if e.entry_uuid == doc_id), None)
        attachments.append((cid, entry.mime_type if entry and entry.mime_type else "application/octet-stream", data))
    return el, attachments


# --- ITI-18 -----------------------------------------------------------------------------------------

_VALUE_RE = re.compile(r"'((?:[^']|'')*)'|(-?\d+)")


@dataclass
class StoredQuery:
    query_id: str
    return_type: str = "LeafClass"
    params: dict[str, list[str]] = field(default_factory=dict)
    raw_params: dict[str, list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return STORED_QUERIES.get(self.query_id, self.query_id)

    def one(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None


def parse_slot_values(values: list[str]) -> list[str]:
    out: list[str] = []
    for raw in values:
        found = [m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
                 for m in _VALUE_RE.finditer(raw)]
        out.extend(found if found else [raw.strip()])
    return out


def parse_adhoc_query(payload: etree._Element) -> StoredQuery:
    if payload.tag != q(QUERY, "AdhocQueryRequest"):
        raise ProtocolError(f"query:AdhocQueryRequest attendu, reçu {payload.tag}.", reason="not_iti18")
    option = payload.find(q(QUERY, "ResponseOption"))
    adhoc = payload.find(q(RIM, "AdhocQuery"))
    if adhoc is None or not adhoc.get("id"):
        raise ProtocolError("AdhocQueryRequest sans rim:AdhocQuery@id.", reason="not_iti18")
    sq = StoredQuery(adhoc.get("id", ""), option.get("returnType", "LeafClass") if option is not None else "LeafClass")
    for slot in adhoc.iterfind(q(RIM, "Slot")):
        values = [(v.text or "") for v in slot.iterfind(f"{q(RIM, 'ValueList')}/{q(RIM, 'Value')}")]
        name = slot.get("name", "")
        sq.raw_params.setdefault(name, []).extend(values)
        sq.params.setdefault(name, []).extend(parse_slot_values(values))
    return sq


def adhoc_query_request(query_id: str, params: dict[str, list[str] | str], *, return_type: str = "LeafClass") -> etree._Element:
    """Client side: values are quoted as IHE requires; a list becomes ('a','b')."""
    el = etree.Element(q(QUERY, "AdhocQueryRequest"), nsmap={"query": QUERY, "rim": RIM})
    etree.SubElement(el, q(QUERY, "ResponseOption"), returnType=return_type, returnComposedObjects="true")
    adhoc = etree.SubElement(el, q(RIM, "AdhocQuery"), id=query_id)
    for name, value in params.items():
        slot = etree.SubElement(adhoc, q(RIM, "Slot"), name=name)
        vl = etree.SubElement(slot, q(RIM, "ValueList"))
        if isinstance(value, list):
            text = "(" + ",".join(f"'{v}'" for v in value) + ")"
        else:
            text = value if value.lstrip("-").isdigit() and "Time" in name else f"'{value}'"
        etree.SubElement(vl, q(RIM, "Value")).text = text
    return el


def adhoc_query_response(objects: list[etree._Element], errors: list[RegistryErrorItem] | None = None) -> etree._Element:
    errors = errors or []
    failed = any(e.severity == SEVERITY_ERROR for e in errors)
    el = etree.Element(q(QUERY, "AdhocQueryResponse"), nsmap={"query": QUERY, "rim": RIM, "rs": RS},
                       status=FAILURE if failed else SUCCESS)
    if errors:
        el.append(error_list(errors))
    ol = etree.SubElement(el, q(RIM, "RegistryObjectList"))
    for obj in objects:
        ol.append(obj)
    return el


# --- ITI-43 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRequest:
    repository_uid: str
    unique_id: str
    home: str = ""


@dataclass
class RetrievedDocument:
    repository_uid: str
    unique_id: str
    mime_type: str
    data: bytes


def parse_retrieve_request(payload: etree._Element) -> list[DocumentRequest]:
    if payload.tag != q(XDSB, "RetrieveDocumentSetRequest"):
        raise ProtocolError(f"xdsb:RetrieveDocumentSetRequest attendu, reçu {payload.tag}.", reason="not_iti43")
    out = []
    for req in payload.iterfind(q(XDSB, "DocumentRequest")):
        repo = req.findtext(q(XDSB, "RepositoryUniqueId")) or ""
        uid = req.findtext(q(XDSB, "DocumentUniqueId")) or ""
        if not repo.strip() or not uid.strip():
            raise ProtocolError("DocumentRequest : RepositoryUniqueId et DocumentUniqueId obligatoires.",
                                reason="retrieve_incomplete")
        out.append(DocumentRequest(repo.strip(), uid.strip(), (req.findtext(q(XDSB, "HomeCommunityId")) or "").strip()))
    if not out:
        raise ProtocolError("RetrieveDocumentSetRequest sans DocumentRequest.", reason="retrieve_empty")
    return out


def retrieve_request(requests: list[DocumentRequest]) -> etree._Element:
    el = etree.Element(q(XDSB, "RetrieveDocumentSetRequest"), nsmap={"xdsb": XDSB})
    for r in requests:
        dr = etree.SubElement(el, q(XDSB, "DocumentRequest"))
        etree.SubElement(dr, q(XDSB, "RepositoryUniqueId")).text = r.repository_uid
        etree.SubElement(dr, q(XDSB, "DocumentUniqueId")).text = r.unique_id
    return el


def retrieve_response(docs: list[RetrievedDocument], errors: list[RegistryErrorItem]) -> tuple[etree._Element, list[tuple[str, str, bytes]]]:
    el = etree.Element(q(XDSB, "RetrieveDocumentSetResponse"), nsmap={"xdsb": XDSB, "rs": RS})
    rr = registry_response(list(errors))
    if docs and errors:
        rr.set("status", PARTIAL)
    el.append(rr)
    attachments = []
    for i, d in enumerate(docs):
        dr = etree.SubElement(el, q(XDSB, "DocumentResponse"))
        etree.SubElement(dr, q(XDSB, "RepositoryUniqueId")).text = d.repository_uid
        etree.SubElement(dr, q(XDSB, "DocumentUniqueId")).text = d.unique_id
        etree.SubElement(dr, q(XDSB, "mimeType")).text = d.mime_type
        cid = f"doc{i}@dmp.socle-bench"
        etree.SubElement(dr, q(XDSB, "Document")).append(xop_include(cid))
        attachments.append((cid, d.mime_type or "application/octet-stream", d.data))
    return el, attachments


def parse_retrieve_response(payload: etree._Element, attachments: dict[str, Part]) -> tuple[list[RetrievedDocument], list[RegistryErrorItem]]:
    import base64

    parts = resolve_xop(payload, attachments)
    docs = []
    for dr in payload.iterfind(q(XDSB, "DocumentResponse")):
        doc = dr.find(q(XDSB, "Document"))
        data = parts[doc].data if doc is not None and doc in parts else base64.b64decode((doc.text or "") if doc is not None else "")
        docs.append(RetrievedDocument(dr.findtext(q(XDSB, "RepositoryUniqueId")) or "",
                                      dr.findtext(q(XDSB, "DocumentUniqueId")) or "",
                                      dr.findtext(q(XDSB, "mimeType")) or "", data))
    return docs, read_errors(payload)


@dataclass
class QueryResult:
    status: str
    entries: list = field(default_factory=list)  # DocumentEntry
    submission_sets: list = field(default_factory=list)  # SubmissionSet
    associations: list = field(default_factory=list)  # Association
    refs: list[str] = field(default_factory=list)
    errors: list[RegistryErrorItem] = field(default_factory=list)


def parse_adhoc_query_response(payload: etree._Element) -> QueryResult:
    """Client / conformance side: the objects of an AdhocQueryResponse as domain records."""
    result = QueryResult(status=payload.get("status", ""), errors=read_errors(payload))
    objects = payload.find(q(RIM, "RegistryObjectList"))
    if objects is None:
        return result
    result.entries, result.submission_sets, _folders, result.associations, result.refs = read_object_list(objects)
    return result
