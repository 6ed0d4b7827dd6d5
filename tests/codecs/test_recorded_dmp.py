"""DMP recorded samples (tests/fixtures/dmp, SOURCES.md): MTOM ITI-41 request and ITI-43 response, an
ITI-41 RegistryResponse with a RegistryErrorList and a VIHF SOAP 1.2 fault, read with the project's
MTOM, SOAP and XDS codecs; mutated copies are refused with the codec's protocol error; the bench's own
XDS builders produce the recorded element structure."""

from __future__ import annotations

import hashlib

import pytest

from simulators.core.errors import MtomError, ProtocolError, SoapError
from simulators.codecs.mtom import parse_mtom, split_soap_request
from simulators.codecs.soap import WSA_NS, parse_envelope, parse_fault
from simulators.dmp.codec.ebrim import q, XDSB
from simulators.dmp.codec.xds import (
    ACTION_ITI41, FAILURE, SEVERITY_WARNING, RegistryErrorItem, RetrievedDocument, parse_provide_and_register,
    parse_retrieve_response, read_errors, registry_response, retrieve_response,
)
from tests.codecs.recorded import FIXTURES, http_message, read, xml_paths

CDA = (FIXTURES / "mss" / "xdm" / "IHE_XDM" / "SUBSET01" / "DOC0001.XML").read_bytes()
PATIENT = "114029305172559^^^&1.2.250.1.213.1.4.10&ISO^NH"
ENTRY = "urn:uuid:6f0e3d2a-1b4c-4d5e-8f70-9a1b2c3d4e5f"


def _iti41():
    ctype, body = http_message("dmp", "iti41-request.http")
    root, attachments = split_soap_request(body, ctype)
    return parse_envelope(root, "application/soap+xml"), attachments, ctype, body


def test_iti41_mtom_facts() -> None:
    env, attachments, ctype, body = _iti41()
    assert parse_mtom(body, ctype).action == ACTION_ITI41 == env.action
    sub = parse_provide_and_register(env.payload, attachments)
    [entry] = sub.entries
    assert (entry.entry_uuid, entry.patient_id, entry.unique_id) == (ENTRY, PATIENT, "1.2.250.1.213.1.1.9.934986993.20260312.1")
    assert (entry.type_code.code, entry.class_code.code, entry.format_code.code) == ("11488-4", "11", "urn:ihe:iti:xds-sd:text:2008")
    assert entry.hash == hashlib.sha1(CDA).hexdigest() and entry.size == len(CDA)  # noqa: S324 - XDS hash is SHA-1
    assert sub.submission_set.patient_id == PATIENT and sub.submission_set.content_type.code == "04"
    assert [a.type.rsplit(":", 1)[1] for a in sub.associations] == ["HasMember"]
    assert sub.documents == {ENTRY: CDA}


def test_iti43_mtom_facts() -> None:
    ctype, body = http_message("dmp", "iti43-response.http")
    root, attachments = split_soap_request(body, ctype)
    env = parse_envelope(root, "application/soap+xml")
    assert env.action == "urn:ihe:iti:2007:RetrieveDocumentSetResponse"
    assert env.find_header((WSA_NS, "RelatesTo")) is not None
    docs, errors = parse_retrieve_response(env.payload, attachments)
    assert errors == []
    assert [(d.repository_uid, d.unique_id, d.mime_type) for d in docs] == [
        ("1.2.250.1.213.4.1.1.1.1", "1.2.250.1.213.1.1.9.934986993.20260312.1", "text/xml")]
    assert docs[0].data == CDA


def test_registry_response_with_error_list() -> None:
    env = parse_envelope(read("dmp", "iti41-response-failure.xml"), "application/soap+xml")
    assert env.action == "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse"
    assert env.payload.get("status") == FAILURE
    errors = read_errors(env.payload)
    assert [(e.code, e.location) for e in errors] == [
        ("XDSUnknownPatientId", "urn:uuid:0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"),
        ("XDSRepositoryMetadataError", ENTRY)]
    assert errors[1].severity == SEVERITY_WARNING and "inconnu" in errors[0].context


def test_dmp_vihf_fault() -> None:
    fault = parse_fault(read("dmp", "fault-vihf.xml"), "application/soap+xml")
    assert fault.code == "Sender"
    assert fault.subcodes == [("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
                               "FailedAuthentication")]
    assert fault.lang == "fr" and fault.reason.startswith("VIHF")
    assert [d.get("code") for d in fault.detail] == ["VIHF_SIGNATURE"]


# --- refused mutations ------------------------------------------------------------------------------


def test_wrong_boundary_is_refused() -> None:
    ctype, body = http_message("dmp", "iti43-response.http")
    with pytest.raises(MtomError) as caught:
        parse_mtom(body, ctype.replace("MIMEBoundary_urn_uuid_2b7c", "MIMEBoundary_urn_uuid_0000"))
    assert caught.value.reason == "boundary_not_found"


def test_truncated_multipart_is_refused() -> None:
    ctype, body = http_message("dmp", "iti43-response.http")
    with pytest.raises(MtomError) as caught:
        parse_mtom(body[: len(body) - 200], ctype)
    assert caught.value.reason == "truncated"
    with pytest.raises(SoapError) as fault:
        split_soap_request(body[: len(body) - 200], ctype)
    assert fault.value.fault.code == "Sender"


def test_missing_attachment_is_refused() -> None:
    env, attachments, _, _ = _iti41()
    assert attachments  # the recorded message does carry it
    with pytest.raises(MtomError) as caught:
        parse_provide_and_register(env.payload, {})
    assert caught.value.reason == "unknown_cid"


def test_missing_submit_objects_request_is_refused() -> None:
    env = _iti41()[0]
    env.payload.remove(env.payload[0])
    with pytest.raises(ProtocolError) as caught:
        parse_provide_and_register(env.payload, _iti41()[1])
    assert caught.value.reason == "not_iti41"


def test_wrong_envelope_namespace_is_refused() -> None:
    raw = read("dmp", "fault-vihf.xml").replace(b"http://www.w3.org/2003/05/soap-envelope",
                                                b"http://schemas.xmlsoap.org/soap/envelope/")
    with pytest.raises(SoapError) as caught:
        parse_fault(raw, "application/soap+xml")
    assert caught.value.fault.code == "VersionMismatch"


def test_fault_without_code_is_refused() -> None:
    raw = read("dmp", "fault-vihf.xml")
    start, end = raw.index(b"<soap:Code>"), raw.index(b"</soap:Code>") + len(b"</soap:Code>")
    with pytest.raises(ProtocolError) as caught:
        parse_fault(raw[:start] + raw[end:], "application/soap+xml")
    assert caught.value.reason == "fault_without_code"


# --- the bench's builders against the recorded structure -------------------------------------------


def test_bench_registry_response_has_the_recorded_structure() -> None:
    recorded = parse_envelope(read("dmp", "iti41-response-failure.xml"), "application/soap+xml").payload
    ours = registry_response([RegistryErrorItem("XDSUnknownPatientId", "x", "loc"),
                              RegistryErrorItem("XDSRepositoryMetadataError", "y", "loc", SEVERITY_WARNING)])
    assert xml_paths(ours) == xml_paths(recorded)
    assert ours.get("status") == recorded.get("status")
    for el_ours, el_rec in zip(ours.iter(), recorded.iter(), strict=False):
        assert set(el_ours.attrib) <= set(el_rec.attrib)


def test_bench_retrieve_response_has_the_recorded_structure() -> None:
    ctype, body = http_message("dmp", "iti43-response.http")
    recorded = parse_envelope(split_soap_request(body, ctype)[0], "application/soap+xml").payload
    ours, attachments = retrieve_response([RetrievedDocument("1.2.250.1.213.4.1.1.1.1", "1.2.3", "text/xml", CDA)], [])
    assert xml_paths(ours) == xml_paths(recorded)
    assert [a[1] for a in attachments] == ["text/xml"]
    assert ours.find(f"{q(XDSB, 'DocumentResponse')}/{q(XDSB, 'Document')}") is not None
