"""Certificate profiles: the subject and extension shapes the socle services read."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from simulators.core.pki import CertRequest, Pki, ProfileError, structure_id_from_finess
from simulators.core.pki.profiles import subject_for, usages_for


def test_finess_becomes_the_struct_idnat_with_prefix_1() -> None:
    assert structure_id_from_finess("750000001") == "1750000001"
    assert structure_id_from_finess("2a0000017") == "12A0000017"
    with pytest.raises(ProfileError):
        structure_id_from_finess("12345")


@pytest.mark.parametrize("kwargs,message", [
    ({"profile": "auth-cli", "cn": "INSI-AUTO"}, "structure identifier"),
    ({"profile": "cps", "rpps": "123"}, "RPPS"),
    ({"profile": "server"}, "DNS"),
    ({"profile": "ssl-client"}, "unknown profile"),
    ({"profile": "sign", "structure_id": "1", "variant": "broken"}, "unknown variant"),
])
def test_incomplete_requests_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        CertRequest(**kwargs)


def test_default_names_are_stable_and_carry_the_variant() -> None:
    req = CertRequest("auth-cli", cn="INSI-AUTO", structure_id="1750000001")
    assert req.default_name() == "auth-cli-insi-auto-1750000001"
    expired = CertRequest("auth-cli", cn="INSI-AUTO", structure_id="1750000001", variant="expired")
    assert expired.default_name() == "auth-cli-insi-auto-1750000001-expired"
    assert CertRequest("cps", rpps="10001234565").default_name() == "cps-810001234565"


def test_cps_subject_uses_the_rpps_based_identifier() -> None:
    req = CertRequest("cps", rpps="10001234565", given_name="JEAN", surname="MEDECIN-TEST", title="Médecin")
    name = subject_for(req)
    assert name.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value == "810001234565"
    assert name.get_attributes_for_oid(x509.oid.NameOID.GIVEN_NAME)[0].value == "JEAN"
    assert name.get_attributes_for_oid(x509.oid.NameOID.TITLE)[0].value == "Médecin"


@pytest.mark.parametrize("profile,variant,usage_attr,eku", [
    ("auth-cli", "valid", "digital_signature", [ExtendedKeyUsageOID.CLIENT_AUTH]),
    ("auth-cli", "wrong-key-usage", "content_commitment", [ExtendedKeyUsageOID.EMAIL_PROTECTION]),
    ("sign", "valid", "content_commitment", []),
    ("server", "valid", "key_encipherment", [ExtendedKeyUsageOID.SERVER_AUTH]),
])
def test_key_usages_per_profile(profile: str, variant: str, usage_attr: str, eku: list) -> None:
    req = CertRequest(profile, cn="X", structure_id="1750000001", dns_names=("localhost",), variant=variant)
    usage, ext = usages_for(req)
    assert getattr(usage, usage_attr)
    assert ext == eku


def test_issued_auth_cli_has_the_extensions_a_verifier_needs(pki: Pki) -> None:
    cert = pki.certificate("insi-auto")
    ext = cert.extensions
    assert ext.get_extension_for_class(x509.KeyUsage).critical
    assert not ext.get_extension_for_class(x509.BasicConstraints).value.ca
    assert list(ext.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    aki = ext.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    issuer_ski = pki.authority_certificate("organisations").extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier).value.digest
    assert aki == issuer_ski
    points = ext.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value == "http://127.0.0.1:8080/_bench/pki/organisations.crl"


def test_dmp_auth_cli_and_sign_share_one_dn(pki: Pki) -> None:
    assert pki.get("org-auth-cli").subject == pki.get("org-sign").subject
    sign_usage = pki.certificate("org-sign").extensions.get_extension_for_class(x509.KeyUsage).value
    assert sign_usage.content_commitment and not sign_usage.key_encipherment


def test_server_certificate_names_localhost_and_loopback(pki: Pki) -> None:
    san = pki.certificate("server").extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert {str(ip) for ip in san.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}
