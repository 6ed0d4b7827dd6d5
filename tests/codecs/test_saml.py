"""The shared SAML codec (signxml): build, sign, verify, read back; a tampered or foreign signature is refused."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureConfiguration

from simulators.codecs import saml
from simulators.codecs.errors import BenchError, ProtocolError
from simulators.codecs.saml import SamlError
from simulators.codecs.xmlsafe import parse_xml, to_bytes

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HL7 = "urn:hl7-org:v3"
CONFIG = SignatureConfiguration(expect_references=1)


def _certificate(key, cn: str = "Cabinet Test") -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Banc")])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(datetime(2000, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2100, 1, 1, tzinfo=UTC)).sign(key, hashes.SHA256()))


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_CERT = _certificate(RSA_KEY)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
EC_CERT = _certificate(EC_KEY, "Carte CPS")


def _assertion(key=RSA_KEY, cert=RSA_CERT, **sign) -> etree._Element:
    root = saml.new_assertion(assertion_id="_a1", issuer="CN=Cabinet Test,O=Banc", name_id="Dr Test", issued=NOW,
                              not_before=NOW - timedelta(minutes=5), not_on_or_after=NOW + timedelta(hours=8))
    statement = saml.add_statement(root)
    saml.add_attribute(statement, "Identifiant_Structure", "1750000001")
    role = etree.Element(f"{{{HL7}}}Role", code="10", codeSystem="1.2.250.1.71.1.2.7", displayName="Médecin")
    saml.add_attribute(statement, "urn:oasis:names:tc:xacml:2.0:subject:role", role)
    return saml.sign_assertion(root, key, cert, **sign)


@pytest.mark.parametrize(("key", "cert", "method"), [(RSA_KEY, RSA_CERT, "rsa-sha256"), (EC_KEY, EC_CERT, "ecdsa-sha256")])
def test_signed_assertion_round_trip(key, cert, method: str) -> None:
    signed = _assertion(key, cert, reference_uri="#_a1")
    data = to_bytes(signed)
    assert method.encode() in data and b"xml-exc-c14n" in data
    result = saml.verify_signature(data, config=CONFIG, certificate=cert)
    assert result.signed is not None and result.signed.get("ID") == "_a1"
    assertion = parse_xml(to_bytes(result.signed))
    assert saml.child_text(assertion, "Issuer") == "CN=Cabinet Test,O=Banc"
    assert saml.child_text(assertion, "Subject/NameID") == "Dr Test"
    not_before, not_on_or_after = saml.conditions(assertion)
    assert saml.parse_instant(not_before) == NOW - timedelta(minutes=5)
    assert saml.parse_instant(not_on_or_after) == NOW + timedelta(hours=8)
    attributes = {a.get("Name"): values for a, values in saml.attributes(assertion)}
    assert attributes["Identifiant_Structure"][0].text == "1750000001"
    coded = saml.coded_child(attributes["urn:oasis:names:tc:xacml:2.0:subject:role"][0])
    assert coded is not None and coded.get("code") == "10"
    assert saml.is_signed(signed) and not saml.is_signed(assertion)  # what the signature covers excludes it
    der = saml.certificate_der(result.signature)
    assert der is not None and saml.load_certificate(der) == cert


def test_the_signature_placeholder_sits_after_issuer() -> None:
    children = [etree.QName(c).localname for c in _assertion()]
    assert children[:4] == ["Issuer", "Signature", "Subject", "Conditions"]


def test_tampered_assertion_is_refused() -> None:
    signed = _assertion(reference_uri="#_a1")
    signed.find(f".//{{{saml.SAML_NS}}}AttributeValue").text = "9999999999"
    with pytest.raises(SamlError) as refused:
        saml.verify_signature(to_bytes(signed), config=CONFIG, certificate=RSA_CERT)
    assert refused.value.reason == "saml_signature_invalid"
    assert isinstance(refused.value, ProtocolError) and isinstance(refused.value, BenchError)
    assert refused.value.cause is not None


def test_a_signature_by_another_key_is_refused() -> None:
    with pytest.raises(SamlError) as refused:
        saml.verify_signature(to_bytes(_assertion(reference_uri="#_a1")), config=CONFIG, certificate=EC_CERT)
    assert refused.value.reason.startswith("saml_signature_")


def test_sha1_is_written_only_on_request() -> None:
    legacy = to_bytes(_assertion(sha1=True, reference_uri="#_a1"))
    assert b"rsa-sha1" in legacy
    assert b"rsa-sha1" not in to_bytes(_assertion(reference_uri="#_a1"))


def test_unreadable_times_and_certificates_are_refused() -> None:
    assert saml.parse_instant("") is None
    assert saml.parse_instant("2026-03-01T12:00:00") == NOW  # no zone: UTC
    with pytest.raises(SamlError) as refused:
        saml.parse_instant("demain")
    assert refused.value.reason == "saml_time"
    with pytest.raises(ValueError, match="illisible"):
        saml.load_certificate(b"\x30\x03\x02\x01\x00")
    assert saml.certificate_der(None) is None
    signature = _assertion().find(f"{{{saml.DS_NS}}}Signature")
    signature.find(f".//{{{saml.DS_NS}}}X509Certificate").text = "ds:X509Certificate>MIIE"
    with pytest.raises(ValueError):
        saml.certificate_der(signature)


def test_distinguished_names_compare_without_order_or_case() -> None:
    assert saml.norm_dn("CN=Cabinet, O=Banc") == saml.norm_dn("o=banc;cn=CABINET")
    assert saml.norm_dn("CN=Cabinet,O=Banc") != saml.norm_dn("CN=Cabinet,O=Autre")


def test_summary_labels_attributes_and_keeps_raw_conditions() -> None:
    summary = saml.summarize(_assertion(), labels={"Identifiant_Structure": "Structure"})
    assert (summary.issuer, summary.subject, summary.signed) == ("CN=Cabinet Test,O=Banc", "Dr Test", True)
    assert summary.not_before == "2026-03-01T11:55:00Z"
    assert summary.to_json()["attributes"][0] == {"name": "Identifiant_Structure", "label": "Structure",
                                                  "values": ["1750000001"]}
    assert summary.attributes[1]["label"] == "urn:oasis:names:tc:xacml:2.0:subject:role"
