"""MTOM/XOP codec: an ITI-41-shaped request, round trips, and hostile multipart bodies."""

from __future__ import annotations

import base64

import pytest
from lxml import etree

from simulators.core.errors import MtomError, SoapError
from simulators.codecs.mtom import (
    XOP_NS,
    build_mtom,
    cid_from_href,
    cid_to_href,
    parse_mtom,
    resolve_xop,
    split_soap_request,
    xop_include,
)
from simulators.codecs.soap import Addressing, build_envelope, parse_envelope
from simulators.codecs.xmlsafe import parse_xml

ITI41_ACTION = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
XDS_NS = "urn:ihe:iti:xds-b:2007"
CDA = b'<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"><title>CR</title></ClinicalDocument>'
hostile = pytest.mark.timeout(5)


def _iti41_envelope(cids: list[str]) -> bytes:
    docs = "".join(
        f'<xds:Document id="Document{i:02d}"><xop:Include xmlns:xop="{XOP_NS}" href="{cid_to_href(c)}"/></xds:Document>'
        for i, c in enumerate(cids, 1)
    )
    payload = (
        f'<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="{XDS_NS}">'
        '<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0">'
        '<rim:RegistryObjectList xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"/>'
        f"</lcm:SubmitObjectsRequest>{docs}</xds:ProvideAndRegisterDocumentSetRequest>"
    ).encode()
    return build_envelope(
        payload,
        addressing=Addressing(action=ITI41_ACTION, message_id="urn:uuid:0b5a3c1e-7d2f-4f7e-9a51-3c2d1e0f9a8b",
                              to="https://dmp.example/si-dmp-server/v2/services/repository", must_understand=True),
        wsa_prefix=None,
    )


def _raw_iti41() -> tuple[bytes, str]:
    """Hand-written wire shape as Java stacks send it (quoted boundary, preamble, epilogue)."""
    b = "uuid:6f1e2d3c-4b5a-4d69-8e7f-0a1b2c3d4e5f"
    env = _iti41_envelope(["1.cda@dui.example", "2.sig@dui.example"])
    body = b"\r\n".join([
        b"This is a MIME preamble that must be ignored.",
        f"--{b}".encode(),
        b'Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"',
        b"Content-Transfer-Encoding: binary",
        b"Content-ID: <root.message@cxf.apache.org>",
        b"",
        env,
        f"--{b}".encode(),
        b"Content-Type: text/xml",
        b"Content-Transfer-Encoding: binary",
        b"Content-ID: <1.cda@dui.example>",
        b"",
        CDA,
        f"--{b}".encode(),
        b"Content-Type: text/xml",
        b"Content-Transfer-Encoding: base64",
        b"Content-ID:",
        b"   <2.sig@dui.example>",
        b"",
        base64.b64encode(b"<Signature/>"),
        f"--{b}--".encode(),
        b"epilogue, ignored too",
    ])
    ct = (f'multipart/related; type="application/xop+xml"; boundary="{b}"; '
          f'start="<root.message@cxf.apache.org>"; start-info="application/soap+xml"; action="{ITI41_ACTION}"')
    return body, ct


def _mtom_error(body: bytes, ct: str, reason: str, **kwargs: int) -> MtomError:
    with pytest.raises(MtomError) as info:
        parse_mtom(body, ct, **kwargs)
    assert info.value.reason == reason, info.value.message
    return info.value


def _simple(parts: list[tuple[str, bytes]], boundary: str = "b1", close: bool = True) -> bytes:
    chunks = []
    for headers, data in parts:
        chunks.append(f"--{boundary}\r\n{headers}\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(chunks) + (f"--{boundary}--\r\n".encode() if close else b"")


CT = 'multipart/related; type="application/xop+xml"; boundary=b1'


def test_iti41_wire_shape_parses_and_resolves() -> None:
    body, ct = _raw_iti41()
    msg = parse_mtom(body, ct)
    assert msg.is_xop and msg.action == ITI41_ACTION
    assert set(msg.attachments) == {"1.cda@dui.example", "2.sig@dui.example"}
    assert msg.attachments["1.cda@dui.example"].data == CDA
    assert msg.attachments["2.sig@dui.example"].data == b"<Signature/>"
    env = parse_envelope(msg.root.data, ct)
    assert env.action == ITI41_ACTION and env.addressing.must_understand
    resolved = resolve_xop(env.payload, msg.attachments)
    docs = env.payload.findall(f"{{{XDS_NS}}}Document")
    assert [resolved[d].data for d in docs] == [CDA, b"<Signature/>"]


def test_resolve_xop_inline_puts_base64_back() -> None:
    body, ct = _raw_iti41()
    msg = parse_mtom(body, ct)
    payload = parse_envelope(msg.root.data).payload
    resolve_xop(payload, msg.attachments, inline=True)
    doc = payload.find(f"{{{XDS_NS}}}Document")
    assert len(doc) == 0 and base64.b64decode(doc.text) == CDA
    assert payload.find(f".//{{{XOP_NS}}}Include") is None


def test_build_then_parse_round_trip_is_deterministic() -> None:
    cids = ["doc/1%@bench", "sig@bench"]
    env = _iti41_envelope(cids)
    atts = [(cids[0], "text/xml", CDA), (cids[1], "application/octet-stream", b"")]
    body, ct = build_mtom(env, atts, action=ITI41_ACTION)
    assert (body, ct) == build_mtom(env, atts, action=ITI41_ACTION)
    root, attachments = split_soap_request(body, ct)
    assert root == env and attachments[cids[1]].data == b""
    resolved = resolve_xop(parse_envelope(root).payload, attachments)
    assert sorted(p.data for p in resolved.values()) == [b"", CDA]
    assert cid_from_href(cid_to_href(cids[0])) == cids[0] and "%25" in cid_to_href(cids[0])


def test_build_refuses_duplicate_cids_and_colliding_boundary() -> None:
    with pytest.raises(ValueError):
        build_mtom(b"<r/>", [("a@x", "text/plain", b"1"), ("a@x", "text/plain", b"2")])
    with pytest.raises(ValueError):
        build_mtom(b"<r/>", [("a@x", "text/plain", b"x\r\n--zz\r\n")], boundary="zz")


def test_xop_include_helper() -> None:
    el = xop_include("a b@x")
    assert el.tag == f"{{{XOP_NS}}}Include" and el.get("href") == "cid:a%20b@x"


def test_boundary_quoted_with_special_characters() -> None:
    b = "----=_Part_0 (x):?+,/.1"
    body = _simple([("Content-ID: <r@x>", b"<r/>"), ("Content-ID: <a@x>", b"data")], boundary=b)
    msg = parse_mtom(body, f'multipart/related; boundary="{b}"; start="<r@x>"')
    assert msg.root.data == b"<r/>" and msg.attachments["a@x"].data == b"data"


def test_part_with_zero_bytes_and_no_headers() -> None:
    body = b"--b1\r\nContent-ID: <r@x>\r\n\r\n<r/>\r\n--b1\r\nContent-ID: <empty@x>\r\n\r\n\r\n--b1\r\n\r\n\r\n--b1--"
    msg = parse_mtom(body, CT)
    assert msg.attachments["empty@x"].data == b""
    assert [p.data for p in msg.unnamed_parts] == [b""]


def test_boundary_prefix_inside_content_is_not_a_delimiter() -> None:
    body = _simple([("Content-ID: <r@x>", b"<r/>"), ("Content-ID: <a@x>", b"line\r\n--b1X tail")])
    assert parse_mtom(body, CT).attachments["a@x"].data == b"line\r\n--b1X tail"


def test_transport_padding_after_boundary_is_accepted() -> None:
    body = b"--b1  \t\r\nContent-ID: <r@x>\r\n\r\n<r/>\r\n--b1 \r\nContent-ID: <a@x>\r\n\r\nA\r\n--b1--"
    assert parse_mtom(body, CT).attachments["a@x"].data == b"A"


@hostile
def test_truncated_multipart() -> None:
    body = _simple([("Content-ID: <r@x>", b"<r/>"), ("Content-ID: <a@x>", b"x" * 100)], close=False)
    _mtom_error(body[:-30], CT, "truncated")
    _mtom_error(b"--b1", CT, "truncated")


@hostile
def test_wrong_boundary() -> None:
    body = _simple([("Content-ID: <r@x>", b"<r/>")], boundary="other")
    _mtom_error(body, CT, "boundary_not_found")


@hostile
@pytest.mark.parametrize("ct,reason", [
    ("multipart/related; type=application/xop+xml", "boundary_missing"),
    ('multipart/related; boundary=""', "boundary_missing"),
    ("multipart/mixed; boundary=b1", "media_type"),
])
def test_bad_outer_content_type(ct: str, reason: str) -> None:
    _mtom_error(_simple([("Content-ID: <r@x>", b"<r/>")]), ct, reason)


@hostile
def test_start_parameter_pointing_nowhere() -> None:
    body = _simple([("Content-ID: <r@x>", b"<r/>")])
    _mtom_error(body, CT + '; start="<missing@x>"', "start_not_found")


@hostile
def test_duplicate_content_id() -> None:
    body = _simple([("Content-ID: <r@x>", b"<r/>"), ("Content-ID: <a@x>", b"1"), ("Content-ID:  <a@x> ", b"2")])
    _mtom_error(body, CT, "duplicate_cid")


@hostile
def test_xop_include_to_unknown_cid() -> None:
    env = _iti41_envelope(["known@x", "unknown@x"])
    body, ct = build_mtom(env, [("known@x", "text/xml", CDA)])
    msg = parse_mtom(body, ct)
    with pytest.raises(MtomError) as info:
        resolve_xop(parse_envelope(msg.root.data).payload, msg.attachments)
    assert info.value.reason == "unknown_cid" and "unknown@x" in info.value.message


@hostile
@pytest.mark.parametrize("xml,reason", [
    (f'<d><xop:Include xmlns:xop="{XOP_NS}" href="http://evil/x"/></d>', "xop_href_invalid"),
    (f'<d><xop:Include xmlns:xop="{XOP_NS}"/></d>', "xop_href_invalid"),
    (f'<d>text<xop:Include xmlns:xop="{XOP_NS}" href="cid:a@x"/></d>', "xop_include_not_alone"),
])
def test_bad_xop_include(xml: str, reason: str) -> None:
    with pytest.raises(MtomError) as info:
        resolve_xop(parse_xml(xml.encode()), {"a@x": parse_mtom(_simple([("Content-ID: <a@x>", b"1")]), CT).root})
    assert info.value.reason == reason


@hostile
def test_huge_part_over_limit_and_total_over_limit() -> None:
    body = _simple([("Content-ID: <r@x>", b"<r/>"), ("Content-ID: <a@x>", b"x" * 5000)])
    _mtom_error(body, CT, "part_too_large", max_part_bytes=1000)
    _mtom_error(body, CT, "too_large", max_total_bytes=1000)


@hostile
def test_too_many_parts() -> None:
    body = _simple([(f"Content-ID: <p{i}@x>", b"x") for i in range(50)])
    _mtom_error(body, CT, "too_many_parts", max_parts=10)


@hostile
@pytest.mark.parametrize("headers,reason", [
    ("Content-Transfer-Encoding: base64", "bad_encoding"),
    ("Content-Transfer-Encoding: x-uuencode", "bad_encoding"),
    ("no colon here", "bad_header"),
])
def test_bad_part_headers(headers: str, reason: str) -> None:
    _mtom_error(_simple([(headers, b"!!not base64!!*")]), CT, reason)


@hostile
def test_part_headers_without_blank_line() -> None:
    _mtom_error(b"--b1\r\nContent-ID: <r@x>\r\n--b1--", CT, "bad_header")


@pytest.mark.timeout(10)
def test_ten_megabyte_part_and_many_near_miss_boundaries_stay_linear() -> None:
    big = bytes(range(256)) * 40_000  # ~10 MB
    body, ct = build_mtom(b"<r/>", [("big@x", "application/pdf", big)])
    assert parse_mtom(body, ct).attachments["big@x"].data == big
    near_miss = b"\r\n--b1X" * 200_000  # every candidate matches the delimiter prefix
    msg = parse_mtom(_simple([("Content-ID: <r@x>", b"<r/>"), ("Content-ID: <a@x>", near_miss)]), CT)
    assert msg.attachments["a@x"].data == near_miss


def test_split_soap_request_plain_and_errors() -> None:
    env = build_envelope(b"<p/>")
    assert split_soap_request(env, "application/soap+xml; charset=utf-8") == (env, {})
    assert split_soap_request(env, None) == (env, {})
    with pytest.raises(SoapError) as info:
        split_soap_request(env, "application/json")
    assert info.value.fault.code == "Sender" and info.value.reason == "media_type"
    with pytest.raises(SoapError) as info:
        split_soap_request(b"--nope", CT)
    assert info.value.reason == "boundary_not_found" and isinstance(info.value.__cause__, MtomError)


def test_iti41_through_split_soap_request() -> None:
    body, ct = _raw_iti41()
    root, attachments = split_soap_request(body, ct)
    env = parse_envelope(root, ct)
    assert etree.QName(env.payload).localname == "ProvideAndRegisterDocumentSetRequest"
    assert len(resolve_xop(env.payload, attachments)) == 2


@pytest.mark.parametrize("ct,root_type", [
    ('multipart/related; boundary=b1; start-info="application/soap+xml; action=\\"urn:a\\""', "application/xop+xml"),
    ("multipart/related; boundary=b1", 'application/xop+xml; type="application/soap+xml; action=\\"urn:a\\""'),
])
def test_action_found_in_start_info_or_root_type(ct: str, root_type: str) -> None:
    msg = parse_mtom(_simple([(f"Content-Type: {root_type}", b"<r/>")]), ct)
    assert msg.action == "urn:a" and msg.is_xop
    assert parse_mtom(_simple([("Content-Type: text/xml", b"<r/>")]), CT).action is None
