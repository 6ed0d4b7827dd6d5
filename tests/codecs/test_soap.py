"""SOAP 1.2 codec: envelopes, WS-Addressing, mustUnderstand, faults in INSi's real styles."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from simulators.core.errors import ProtocolError, SoapError, XmlRejected
from simulators.codecs.soap import (
    SOAP11_NS,
    SOAP12_CONTENT_TYPE,
    SOAP12_NS,
    WSA_NS,
    Addressing,
    SoapFault,
    build_envelope,
    build_fault,
    check_must_understand,
    fault_to_bytes,
    not_understood,
    parse_content_type,
    parse_envelope,
    parse_fault,
    soap12_content_type,
)
from simulators.codecs.xmlsafe import parse_xml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "codecs"
INSI_ACTION = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
SIRAM_ERREUR = (
    '<siram:Erreur xmlns:siram="urn:siram" severite="erreur" code="desir_550">'
    "Numéro d'autorisation du logiciel inconnu.</siram:Erreur>"
).encode()
hostile = pytest.mark.timeout(5)


def _env(body: str, header: str = "") -> bytes:
    return f'<s:Envelope xmlns:s="{SOAP12_NS}">{header}<s:Body>{body}</s:Body></s:Envelope>'.encode()


def _exc14n(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n", exclusive=True)


def _fault_of(data: bytes, **kwargs: object) -> SoapError:
    with pytest.raises(SoapError) as info:
        parse_envelope(data, **kwargs)  # type: ignore[arg-type]
    return info.value


# --- parsing ------------------------------------------------------------------------------


def test_realistic_insi_request() -> None:
    env = parse_envelope(
        (FIXTURES / "insi_rechercher_traits_request.xml").read_bytes(),
        "application/soap+xml;charset=utf-8",
    )
    assert env.payload is not None
    assert env.payload.tag == "{http://www.cnamts.fr/INSiRecSans}RECSANSVITALE"
    assert env.addressing.action == INSI_ACTION == env.action
    assert env.addressing.message_id == "uuid:3f2b8a6c-1d4e-4c7a-9b0e-5e6f7a8b9c0d"
    assert env.addressing.must_understand is True
    assert env.content_type_action is None
    assert [etree.QName(h).localname for h in env.headers] == ["ContexteLPS", "Action", "MessageID", "ContexteBAM"]
    lps = env.find_header(("urn:siram:lps:ctxlps", "ContexteLPS"))
    assert lps is not None and lps.get("Version") == "01_00"
    assert [etree.QName(h).localname for h in env.must_understand_headers()] == ["Action"]
    check_must_understand(env, understood=[])  # wsa:Action is understood by the codec itself


def test_content_type_action_is_exposed() -> None:
    env = parse_envelope(_env("<p/>"), 'application/soap+xml; charset=utf-8; action="urn:a:b"')
    assert env.content_type_action == "urn:a:b" == env.action
    assert env.addressing == Addressing()


@hostile
def test_soap11_envelope_gives_version_mismatch() -> None:
    data = f'<e:Envelope xmlns:e="{SOAP11_NS}"><e:Body><p/></e:Body></e:Envelope>'.encode()
    err = _fault_of(data)
    assert err.fault.code == "VersionMismatch" and err.reason == "version_mismatch"
    assert "SOAP 1.1" in err.fault.reason
    out = fault_to_bytes(err.fault)
    assert b"<soap:Upgrade><soap:SupportedEnvelope qname=\"ns1:Envelope\"" in out
    assert parse_fault(out).code == "VersionMismatch"


@hostile
def test_foreign_root_gives_version_mismatch() -> None:
    assert _fault_of(b"<RECSANSVITALE/>").fault.code == "VersionMismatch"


@hostile
def test_missing_body_is_sender_fault() -> None:
    err = _fault_of(f'<s:Envelope xmlns:s="{SOAP12_NS}"><s:Header/></s:Envelope>'.encode())
    assert (err.fault.code, err.reason) == ("Sender", "missing_body")


@hostile
def test_element_after_body_is_sender_fault() -> None:
    data = f'<s:Envelope xmlns:s="{SOAP12_NS}"><s:Body><p/></s:Body><x/></s:Envelope>'.encode()
    assert _fault_of(data).reason == "after_body"


@hostile
def test_empty_body_is_sender_fault() -> None:
    err = _fault_of(_env("  <!-- nothing -->  "))
    assert (err.fault.code, err.reason) == ("Sender", "body_children")
    assert "vide" in err.fault.reason


@hostile
def test_two_body_children_is_sender_fault_unless_allowed() -> None:
    assert _fault_of(_env("<a/><b/>")).reason == "body_children"
    env = parse_envelope(_env("<a/><b/>"), single_body_child=False)
    assert [c.tag for c in env.body_children] == ["a", "b"] and env.payload is not None


@hostile
@pytest.mark.parametrize(
    "data,reason",
    [
        (b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + _env("<p>&x;</p>"), "doctype"),
        (_env("<p>")[:-20], "malformed"),
        (b"\x00\xff garbage", "malformed"),
        (b"<a>" * 100_000, "too_deep"),
    ],
    ids=["xxe", "truncated", "garbage", "deep"],
)
def test_xml_failures_become_sender_faults_never_lxml_errors(data: bytes, reason: str) -> None:
    err = _fault_of(data)
    assert err.fault.code == "Sender" and err.reason == reason
    assert isinstance(err.__cause__, XmlRejected)


@hostile
def test_oversized_envelope_is_sender_fault() -> None:
    assert _fault_of(_env("<p>" + "x" * 5000 + "</p>"), max_bytes=1000).reason == "too_large"


@hostile
def test_duplicate_wsa_action_is_invalid_addressing_header() -> None:
    h = f'<s:Header><a:Action xmlns:a="{WSA_NS}">x</a:Action><a:Action xmlns:a="{WSA_NS}">y</a:Action></s:Header>'
    err = _fault_of(_env("<p/>", h))
    assert err.fault.subcodes == [(WSA_NS, "InvalidAddressingHeader")]


def test_must_understand_unknown_header_faults_with_not_understood() -> None:
    h = (
        '<s:Header><x:Sec xmlns:x="urn:sec" s:mustUnderstand="1"/>'
        '<x:Opt xmlns:x="urn:sec" s:mustUnderstand="false"/>'
        f'<x:Other xmlns:x="urn:sec" s:mustUnderstand="true" s:role="{SOAP12_NS}/role/none"/></s:Header>'
    )
    env = parse_envelope(_env("<p/>", h))
    assert not_understood(env, []) == [("urn:sec", "Sec")]
    check_must_understand(env, [("urn:sec", "Sec")])
    with pytest.raises(SoapError) as info:
        check_must_understand(env, ["{urn:other}Thing"])
    fault = info.value.fault
    assert fault.code == "MustUnderstand" and fault.not_understood == [("urn:sec", "Sec")]
    assert parse_fault(fault_to_bytes(fault)).not_understood == [("urn:sec", "Sec")]


# --- building -----------------------------------------------------------------------------


def test_envelope_round_trip_with_addressing_and_headers() -> None:
    payload = parse_xml(b'<r:RESULTAT xmlns:r="http://www.cnamts.fr/INSiResultat"><r:CR/></r:RESULTAT>')
    header = parse_xml(b'<c:ContexteLPS xmlns:c="urn:siram:lps:ctxlps" Version="01_00"/>')
    addr = Addressing(
        action=INSI_ACTION, message_id="uuid:1", to="https://lps.example/lps",
        relates_to="uuid:0", reply_to="http://www.w3.org/2005/08/addressing/anonymous", must_understand=True,
    )
    data = build_envelope(payload, headers=[header], addressing=addr, xml_declaration=True)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope')
    env = parse_envelope(data)
    assert env.addressing == addr
    assert env.payload is not None and _exc14n(env.payload) == _exc14n(payload)
    assert env.headers[0].get("Version") == "01_00"
    assert payload.getparent() is None  # caller's element untouched


def test_envelope_accepts_bytes_and_dmp_style_default_namespace_wsa() -> None:
    data = build_envelope(
        b"<p xmlns='urn:p'/>", addressing=Addressing(action="urn:a", message_id="urn:uuid:1"),
        wsa_prefix=None, envelope_prefix="soapenv",
    )
    assert f'<MessageID xmlns="{WSA_NS}">urn:uuid:1</MessageID>'.encode() in data
    assert data.startswith(b"<soapenv:Envelope")
    assert parse_envelope(data).addressing.message_id == "urn:uuid:1"


def test_build_refuses_bad_prefix_and_hostile_bytes() -> None:
    with pytest.raises(ValueError):
        build_envelope(b"<p/>", envelope_prefix='x"><evil')
    with pytest.raises(XmlRejected):
        build_envelope(b'<!DOCTYPE p [<!ENTITY a "b">]><p>&a;</p>')


def test_text_is_escaped_in_addressing() -> None:
    data = build_envelope(b"<p/>", addressing=Addressing(action="urn:a&b<c>"))
    assert parse_envelope(data).addressing.action == "urn:a&b<c>"


# --- faults -------------------------------------------------------------------------------


def test_insi_2026_fault_style_exact_bytes() -> None:
    reason = "L'accès par ce progiciel au service n'est pas autorisé."
    data = build_fault("Sender", reason, subcodes=["siram_100"], detail=SIRAM_ERREUR)
    s = "soap"
    expected = (
        f'<{s}:Envelope xmlns:{s}="{SOAP12_NS}"><{s}:Body><{s}:Fault><{s}:Code>'
        f"<{s}:Value>{s}:Sender</{s}:Value><{s}:Subcode><{s}:Value>{s}:siram_100</{s}:Value></{s}:Subcode>"
        f'</{s}:Code><{s}:Reason><{s}:Text xml:lang="fr">{reason}</{s}:Text></{s}:Reason>'
        f"<{s}:Detail>{SIRAM_ERREUR.decode()}</{s}:Detail></{s}:Fault></{s}:Body></{s}:Envelope>"
    )
    assert data.decode() == expected
    fault = parse_fault(data)
    assert fault.code == "Sender" and fault.subcodes == [(SOAP12_NS, "siram_100")]
    assert fault.lang == "fr" and fault.reason == reason
    assert fault.detail[0].get("code") == "desir_550"  # type: ignore[index]


def test_insi_legacy_fault_style_matches_recorded_shape() -> None:
    data = build_fault(
        "Receiver", "Le service est temporairement inaccessible.", subcodes=["siram_40"],
        lang="en", detail=SIRAM_ERREUR, envelope_prefix="soap", body_prefix="env",
        fault_prefix="S", xml_declaration=True,
    )
    assert data.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">'
        b'<env:Body xmlns:S="http://www.w3.org/2003/05/soap-envelope" xmlns:env="http://www.w3.org/2003/05/soap-envelope">'
        b"<S:Fault><S:Code><S:Value>S:Receiver</S:Value><S:Subcode><S:Value>S:siram_40</S:Value></S:Subcode></S:Code>"
        b'<S:Reason><S:Text xml:lang="en">'
    )
    fault = parse_fault(data)
    assert (fault.code, fault.subcodes, fault.lang) == ("Receiver", [(SOAP12_NS, "siram_40")], "en")


def test_soap_error_sender_carries_fault_and_http_status() -> None:
    err = SoapError.sender("Requête invalide.", subcodes=[("urn:siram", "x")], detail=[SIRAM_ERREUR])
    assert isinstance(err, ProtocolError) and err.message == "Requête invalide."
    assert err.fault.http_status() == 400 and SoapError.receiver("x").fault.http_status() == 500
    data = fault_to_bytes(err.fault, envelope_prefix="env")
    assert b'<env:Value xmlns:ns0="urn:siram">ns0:x</env:Value>' in data
    assert parse_fault(data).subcodes == [("urn:siram", "x")]


def test_fault_round_trip_nested_subcodes_node_role() -> None:
    fault = SoapFault(
        code="Receiver", reason="panne <interne> & co", subcodes=["a", ("urn:b", "b")],
        node="https://bench.example/lps", role=f"{SOAP12_NS}/role/ultimateReceiver",
    )
    back = parse_fault(fault_to_bytes(fault))
    assert back.subcodes == [(SOAP12_NS, "a"), ("urn:b", "b")]
    assert (back.reason, back.node, back.role) == (fault.reason, fault.node, fault.role)
    assert back.detail == []


def test_fault_codes_are_closed_set() -> None:
    with pytest.raises(ValueError):
        SoapFault(code="Client", reason="SOAP 1.1 code")


def test_parse_fault_refuses_non_fault_and_unknown_code() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_fault(_env("<p/>"))
    assert info.value.reason == "not_a_fault"
    bad = _env('<s:Fault><s:Code><s:Value>s:Client</s:Value></s:Code></s:Fault>')
    with pytest.raises(ProtocolError) as info:
        parse_fault(bad)
    assert info.value.reason == "fault_code_unknown"


def test_control_characters_in_reason_do_not_break_xml() -> None:
    data = build_fault("Sender", "octet \x01 interdit")
    assert parse_fault(data).reason == "octet \ufffd interdit"
    assert parse_fault(build_fault("Sender", "seul \ud800")).reason == "seul \ufffd"


# --- content type -------------------------------------------------------------------------


def test_content_type_helpers() -> None:
    assert soap12_content_type() == SOAP12_CONTENT_TYPE
    ct = soap12_content_type('urn:a"b')
    assert parse_content_type(ct) == ("application/soap+xml", {"charset": "utf-8", "action": 'urn:a"b'})
    media, params = parse_content_type(
        'Multipart/Related; BOUNDARY="a;b=c\\"d"; type=application/xop+xml ; junk; start="<x@y>"'
    )
    assert media == "multipart/related"
    assert params == {"boundary": 'a;b=c"d', "type": "application/xop+xml", "start": "<x@y>"}
    assert parse_content_type(None) == ("", {})


def test_insi_recorded_response_style_with_body_nsmap() -> None:
    resultat = etree.Element(
        "{http://www.cnamts.fr/INSiResultat}RESULTAT",
        nsmap={None: "http://www.cnamts.fr/INSiResultat", "ns0": "http://www.cnamts.fr/INSiRecVit",
               "ns1": "http://www.cnamts.fr/INSiRecSans"},
    )
    etree.SubElement(resultat, "{http://www.cnamts.fr/INSiResultat}CR").text = "00"
    data = build_envelope(resultat, envelope_prefix="soap", body_prefix="env", body_nsmap={"S": SOAP12_NS})
    assert data.startswith(
        f'<soap:Envelope xmlns:soap="{SOAP12_NS}"><env:Body xmlns:S="{SOAP12_NS}" xmlns:env="{SOAP12_NS}">'
        '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat" xmlns:ns0="http://www.cnamts.fr/INSiRecVit" '
        'xmlns:ns1="http://www.cnamts.fr/INSiRecSans"><CR>00</CR></RESULTAT>'.encode()
    )
    assert parse_envelope(data).payload.findtext("{http://www.cnamts.fr/INSiResultat}CR") == "00"


@hostile
def test_unqualified_header_block_is_sender_fault() -> None:
    assert _fault_of(_env("<p/>", "<s:Header><Plain/></s:Header>")).reason == "unqualified_header"


def test_sub_element_from_another_tree_is_copied_without_tail() -> None:
    tree = parse_xml(b'<w xmlns:siram="urn:siram"><siram:Erreur code="c">t</siram:Erreur>TAIL</w>')
    fault = SoapFault(code="Sender", reason="r", detail=[tree[0]])
    data = fault_to_bytes(fault)
    assert b"TAIL" not in data and len(tree) == 1
    again = parse_fault(fault_to_bytes(parse_fault(data)))
    assert again.detail[0].get("code") == "c"  # type: ignore[index]


def test_from_protocol_error_keeps_reason_and_identity() -> None:
    err = SoapError.receiver("panne")
    assert SoapError.from_protocol_error(err) is err
    wrapped = SoapError.from_protocol_error(XmlRejected("x", reason="doctype"))
    assert (wrapped.fault.code, wrapped.reason, wrapped.message) == ("Sender", "doctype", "x")
