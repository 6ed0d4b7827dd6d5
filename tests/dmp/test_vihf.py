"""VIHF build / parse / verify: a good token passes, and each defect is refused with a message that
names it (signature, missing attribute, INS OID, validity, roles, issuer, certificate, TLS DN)."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from lxml import etree

from simulators.core.pki import CertRequest
from simulators.core.pki.profiles import dn_string
from simulators.codecs.xmlsafe import parse_xml, to_bytes
from simulators.dmp.valuesets import load_valuesets
from simulators.dmp.vihf import (
    A_VERSION, SAML_NS, Role, VihfClaims, VihfError, VihfTrust, VihfVerifier, build_assertion,
    build_vihf, parse_vihf, security_header, sign_assertion,
)
from simulators.identities.world import build_world
from tests.dmp.conftest import SEED, issue_org_certs

_WORLD = build_world(SEED)
ELISE_INS = _WORLD.person("elise").ins.value  # type: ignore[union-attr]
MECS = _WORLD.establishment("mecs-les-tilleuls").idnst
PSY = Role("93", "1.2.250.1.213.1.6.1.109")


@pytest.fixture(scope="module")
def signer(pki, world):
    _, sign = issue_org_certs(pki, world, "mecs-les-tilleuls")
    return pki.certificate(sign), pki.private_key(sign)


@pytest.fixture
def verifier(pki) -> VihfVerifier:
    return VihfVerifier(load_valuesets(), VihfTrust.from_pki(pki))


def claims(**changes: object) -> VihfClaims:
    base = {"structure_id": MECS, "activity_sector": "SA20", "subject_name": "FOURNIER Claire", "roles": (PSY,),
                "patient_ins": ELISE_INS}
    base.update(changes)
    return VihfClaims(**base)  # type: ignore[arg-type]


def header(assertion: etree._Element) -> etree._Element:
    return security_header(parse_xml(to_bytes(assertion)))


def refused(verifier: VihfVerifier, assertion: etree._Element, **kwargs: object) -> VihfError:
    with pytest.raises(VihfError) as info:
        verifier.verify(header(assertion), **kwargs)  # type: ignore[arg-type]
    return info.value


def test_signed_vihf_is_accepted_with_its_attributes(verifier, signer) -> None:
    vihf = verifier.verify(header(build_vihf(claims(secret_connection=True), *signer)))
    assert vihf.signed and vihf.patient_ins == ELISE_INS and vihf.patient_oid == "1.2.250.1.213.1.4.10"
    assert vihf.structure_id == MECS and vihf.activity_sector == "SA20"
    assert vihf.roles == (PSY,) and vihf.purpose_of_use == "normal" and vihf.secret_connection
    assert vihf.signer_dn == dn_string(signer[0].subject) == vihf.issuer


def test_rsa_sha1_signature_is_accepted(verifier, signer) -> None:
    assert verifier.verify(header(build_vihf(claims(), *signer, sha1=True))).signed


def test_tampered_assertion_is_refused_as_broken_signature(verifier, signer) -> None:
    raw = to_bytes(build_vihf(claims(), *signer)).replace(b"FOURNIER Claire", b"FOURNIER Clara")
    error = refused(verifier, parse_xml(raw))
    assert error.reason == "vihf_signature" and "signature XML-DSig invalide" in error.message


def test_unsigned_vihf_is_refused(verifier) -> None:
    assertion = build_assertion(claims(), "CN=X")
    assertion.remove(assertion.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    assert refused(verifier, assertion).reason == "vihf_unsigned"


def _without(assertion: etree._Element, name: str) -> etree._Element:
    for attr in assertion.iter(f"{{{SAML_NS}}}Attribute"):
        if attr.get("Name") == name:
            attr.getparent().remove(attr)
    return assertion


@pytest.mark.parametrize("name", [A_VERSION, "Identifiant_Structure", "LPS_ID_HOMOLOGATION_DMP", "Ressource_URN",
                                  "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse"])
def test_missing_attribute_is_named(verifier, signer, name: str) -> None:
    assertion = _without(build_assertion(claims(), dn_string(signer[0].subject)), name)
    error = refused(verifier, sign_assertion(assertion, *signer))
    assert error.reason == "vihf_attribute_missing" and name in error.message and error.attribute == name


def test_wrong_ins_oid_is_refused(verifier, signer) -> None:
    error = refused(verifier, build_vihf(claims(patient_oid="1.2.250.1.213.1.4.2"), *signer))
    assert error.reason == "vihf_ins_oid" and "1.2.250.1.213.1.4.2" in error.message


def test_ins_with_bad_key_is_refused(verifier, signer) -> None:
    error = refused(verifier, build_vihf(claims(patient_ins=ELISE_INS[:-2] + "00"), *signer))
    assert error.reason == "vihf_ins"


def test_expired_vihf_is_refused(verifier, signer) -> None:
    old = datetime.now(UTC) - timedelta(days=2)
    error = refused(verifier, build_vihf(claims(), *signer, now=old, validity=timedelta(hours=1)))
    assert error.reason == "vihf_expired" and "expiré" in error.message


def test_not_yet_valid_vihf_is_refused(verifier, signer) -> None:
    later = datetime.now(UTC) + timedelta(days=1)
    assert refused(verifier, build_vihf(claims(), *signer, now=later)).reason in ("vihf_expired", "vihf_not_yet_valid")


@pytest.mark.parametrize("change, reason", [
    ({"purpose_of_use": "urgence"}, "vihf_purpose"),
    ({"auth_mode": "CPS"}, "vihf_auth_mode"),
    ({"roles": (Role("10", "1.2.250.1.71.1.2.7"),)}, "vihf_role"),  # médecin without savoir-faire
    ({"roles": (Role("99", "1.2.250.1.213.1.6.1.4"),)}, "vihf_role"),
    ({"version": "2.0"}, "vihf_version"),
    ({"structure_id": "1999999999"}, "vihf_structure_id"),  # not the structure of the signing certificate
])
def test_attribute_rules(verifier, signer, change: dict, reason: str) -> None:
    assert refused(verifier, build_vihf(claims(**change), *signer)).reason == reason


def test_issuer_must_be_the_signing_certificate_dn(verifier, signer) -> None:
    assertion = build_assertion(claims(), f"CN=AUTRE STRUCTURE,OU={MECS},O=X,C=FR")
    error = refused(verifier, sign_assertion(assertion, *signer))
    assert error.reason == "vihf_issuer"


def test_dotnet_issuer_form_is_refused(verifier, signer) -> None:
    assertion = build_assertion(claims(), "G=JEAN,S=DUPONT,CN=X")
    assert refused(verifier, sign_assertion(assertion, *signer)).reason == "vihf_issuer"


def test_tls_certificate_dn_must_match(verifier, signer) -> None:
    error = refused(verifier, build_vihf(claims(), *signer), tls_subject="CN=AUTRE,OU=1000000000,C=FR")
    assert error.reason == "vihf_tls_mismatch"
    assert verifier.verify(header(build_vihf(claims(), *signer)), tls_subject=dn_string(signer[0].subject)).signed


@pytest.mark.parametrize("variant, reason", [("wrong-issuer", "vihf_cert_untrusted"), ("expired", "vihf_cert_expired"),
                                             ("revoked", "vihf_cert_revoked"), ("wrong-key-usage", "vihf_cert_usage")])
def test_signing_certificate_must_be_trusted_valid_and_not_revoked(pki, verifier, variant: str, reason: str) -> None:
    name = f"vihf-sign-{variant}"
    pki.issue(CertRequest("sign", name=name, cn="MECS LES TILLEULS", organisation="Association Horizon Enfance",
                          structure_id=MECS, variant=variant), exist_ok=True)
    assertion = build_vihf(claims(), pki.certificate(name), pki.private_key(name))
    assert refused(VihfVerifier(load_valuesets(), VihfTrust.from_pki(pki)), assertion).reason == reason


def test_secret_connection_only_accepts_the_legal_representatives_code(verifier, signer) -> None:
    assertion = build_assertion(claims(secret_connection=True), dn_string(signer[0].subject))
    for el in assertion.iter("{urn:hl7-org:v3}ConfidentialityCode"):
        el.set("code", "MASQUE_PS")
    assert refused(verifier, sign_assertion(assertion, *signer)).reason == "vihf_confidentiality"


def test_parse_without_signature_reports_rules_for_conformance(signer) -> None:
    vihf = parse_vihf(build_vihf(claims(), *signer), load_valuesets())
    assert vihf.lps_name == "DUI-SOCLE-BENCH" and vihf.auth_mode == "INDIRECTE"


def test_missing_security_header_is_refused(verifier) -> None:
    with pytest.raises(VihfError) as info:
        verifier.verify(None)
    assert info.value.reason == "vihf_missing"


def test_without_pki_signature_integrity_is_still_checked(signer) -> None:
    plain = VihfVerifier(load_valuesets(), None)
    assert plain.verify(header(build_vihf(claims(), *signer))).signed
    raw = to_bytes(build_vihf(claims(), *signer)).replace(b"FOURNIER Claire", b"FOURNIER Clara")
    assert refused(plain, parse_xml(raw)).reason == "vihf_signature"


@pytest.mark.parametrize("text", ["ds:X509Certificate>MIIE", "", "AAAA"])
def test_an_unreadable_signing_certificate_is_a_vihf_refusal(verifier, signer, text: str) -> None:
    """Bad base64, no certificate, or bytes that are no DER: a VihfError naming the signature, never a crash."""
    assertion = build_vihf(claims(), *signer)
    assertion.find(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate").text = text
    error = refused(verifier, assertion)
    assert error.reason == "vihf_signature" and error.attribute == "Signature"
