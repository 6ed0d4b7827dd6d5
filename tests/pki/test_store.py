"""The on-disk PKI: idempotent init, chains that verify, PKCS#12 that opens, revocation and CRLs."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store

from simulators.core.pki import DEFAULT_PASSWORD, CertRequest, Pki, PkiError
from simulators.core.pki import crl as crl_module
from simulators.core.pki import store as store_module
from simulators.core.pki.authority import TRUSTED_CAS
from simulators.core.pki.p12 import read_pkcs12
from simulators.core.pki.testing import make_test_pki

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl n'est pas installé sur cette machine")


def _digest_tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"}


def test_second_init_changes_nothing(tmp_path: Path) -> None:
    first = make_test_pki(tmp_path, key_type="ec-p256")
    before = _digest_tree(tmp_path)
    serials = {r.name: r.serial for r in first.records()}
    second = Pki.init(tmp_path, key_type="ec-p256")
    assert _digest_tree(tmp_path) == before
    assert {r.name: r.serial for r in second.records()} == serials


def test_index_lists_issued_certificates_with_their_files(pki: Pki) -> None:
    index = json.loads(pki.index_path.read_text(encoding="utf-8"))
    entry = index["certificates"]["insi-auto"]
    assert entry["profile"] == "auth-cli" and entry["issuer"] == "organisations"
    assert entry["subject"] == "CN=INSI-AUTO,OU=1750000002,O=CENTRE HOSPITALIER DE TEST SOCLE-BENCH,C=FR"
    assert int(entry["serial"], 16) == pki.certificate("insi-auto").serial_number
    assert set(entry["files"]) == {"cert", "key", "chain", "p12"}
    assert all((pki.directory / rel).is_file() for rel in entry["files"].values())
    assert index["certificates"]["insi-auto-revoked"]["revoked"] is True
    assert (pki.directory / entry["files"]["key"]).stat().st_mode & 0o077 == 0


def test_hierarchy_has_the_igc_sante_names(pki: Pki) -> None:
    root = pki.authority_certificate("root")
    orgs = pki.authority_certificate("organisations")
    persons = pki.authority_certificate("personnes")
    cn = x509.oid.NameOID.COMMON_NAME
    assert root.subject.get_attributes_for_oid(cn)[0].value == "TEST AC RACINE IGC-SANTE ELEMENTAIRE"
    assert orgs.subject.get_attributes_for_oid(cn)[0].value == "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS"
    assert persons.subject.get_attributes_for_oid(cn)[0].value == "TEST AC IGC-SANTE ELEMENTAIRE PERSONNES"
    assert orgs.issuer == root.subject and persons.issuer == root.subject
    for ca in (root, orgs, persons):
        assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.key_cert_sign and usage.crl_sign
    trust = pki.trust_path.read_text()
    assert trust.count("BEGIN CERTIFICATE") == 3
    assert pki.ca_cert_path("rogue").read_text() not in trust


@pytest.mark.parametrize("name,eku", [("server", ExtendedKeyUsageOID.SERVER_AUTH),
                                      ("insi-auto", ExtendedKeyUsageOID.CLIENT_AUTH),
                                      ("cps", ExtendedKeyUsageOID.CLIENT_AUTH)])
def test_valid_chains_verify_with_cryptography(pki: Pki, name: str, eku: x509.ObjectIdentifier) -> None:
    store = Store([pki.authority_certificate("root")])
    chain = x509.load_pem_x509_certificates(pki.file(name, "chain").read_bytes())
    builder = PolicyBuilder().store(store)
    if eku == ExtendedKeyUsageOID.SERVER_AUTH:
        verified = builder.build_server_verifier(x509.DNSName("localhost")).verify(chain[0], chain[1:])
    else:
        # IGC-Santé client certificates carry no SubjectAlternativeName, which the WebPKI default requires.
        ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
            x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
        builder = builder.extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy)
        verified = builder.build_client_verifier().verify(chain[0], chain[1:]).chain
    assert verified[-1] == pki.authority_certificate("root")


def _openssl_verify(pki: Pki, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([OPENSSL, "verify", "-CAfile", str(pki.root_path), "-untrusted", str(pki.trust_path),
                           "-crl_check", "-CRLfile", str(pki.crls_path), str(pki.file(name, "cert"))],
                          capture_output=True, text=True, timeout=30, check=False)


@needs_openssl
@pytest.mark.parametrize("name", ["server", "insi-auto", "insi-manu", "org-auth-cli", "org-sign", "cps"])
def test_openssl_verifies_valid_certificates_with_crl_check(pki: Pki, name: str) -> None:
    result = _openssl_verify(pki, name)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_openssl
@pytest.mark.parametrize("name,error", [("insi-auto-expired", "certificate has expired"),
                                        ("insi-auto-not-yet-valid", "certificate is not yet valid"),
                                        ("insi-auto-revoked", "certificate revoked"),
                                        ("insi-auto-wrong-issuer", "unable to get local issuer certificate")])
def test_openssl_rejects_negative_variants(pki: Pki, name: str, error: str) -> None:
    result = _openssl_verify(pki, name)
    assert result.returncode != 0
    assert error in result.stdout + result.stderr


def test_pkcs12_opens_with_the_documented_password(pki: Pki) -> None:
    key, cert, cas = read_pkcs12(pki.file("insi-auto", "p12").read_bytes(), DEFAULT_PASSWORD)
    assert cert == pki.certificate("insi-auto")
    assert key.public_key().public_numbers() == pki.private_key("insi-auto").public_key().public_numbers()
    assert [c.subject for c in cas] == [pki.authority_certificate(s).subject for s in ("organisations", "root")]
    with pytest.raises(ValueError):
        read_pkcs12(pki.file("insi-auto", "p12").read_bytes(), "mauvais")


@needs_openssl
def test_openssl_reads_the_pkcs12(pki: Pki) -> None:
    result = subprocess.run([OPENSSL, "pkcs12", "-info", "-noout", "-passin", f"pass:{DEFAULT_PASSWORD}",
                             "-in", str(pki.file("org-sign", "p12"))],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    assert "AES-256-CBC" in result.stderr + result.stdout


def test_revoke_puts_the_serial_in_a_new_crl(pki: Pki, unique_name: str) -> None:
    record = pki.issue(CertRequest("auth-cli", name=unique_name, cn="INSI-MANU", structure_id="1750000002",
                                   key_type="ec-p256"))
    before = pki.crl("organisations")
    assert before.get_revoked_certificate_by_serial_number(int(record.serial, 16)) is None
    revoked = pki.revoke(unique_name)
    after = pki.crl("organisations")
    assert revoked.revoked and revoked.revoked_at
    assert after.get_revoked_certificate_by_serial_number(int(record.serial, 16)) is not None
    number = after.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number > before.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert after.last_update_utc > before.last_update_utc
    assert after.next_update_utc is not None and after.next_update_utc > after.last_update_utc
    assert pki.crls_path.read_bytes().count(b"BEGIN X509 CRL") == len(TRUSTED_CAS)


def test_issue_refuses_a_taken_name_and_replace_retires_the_old_certificate(pki: Pki, unique_name: str) -> None:
    req = CertRequest("auth-cli", name=unique_name, cn="INSI-AUTO", structure_id="1750000002", key_type="ec-p256")
    old = pki.issue(req)
    assert pki.issue(req, exist_ok=True) == old
    with pytest.raises(PkiError):
        pki.issue(req)
    new = pki.issue(req, replace=True)
    assert new.serial != old.serial and not new.revoked
    crl = pki.crl("organisations")
    entry = crl.get_revoked_certificate_by_serial_number(int(old.serial, 16))
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.superseded
    assert crl.get_revoked_certificate_by_serial_number(int(new.serial, 16)) is None


def test_ensure_server_reissues_only_when_names_change(pki: Pki, unique_name: str) -> None:
    first = pki.ensure_server(unique_name)
    assert pki.ensure_server(unique_name) == first
    wider = pki.ensure_server(unique_name, dns_names=("qualiflps-services-ps-tlsm.ameli.fr",))
    assert wider.serial != first.serial
    san = pki.certificate(wider.name).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost", "qualiflps-services-ps-tlsm.ameli.fr"} <= set(san.get_values_for_type(x509.DNSName))


def test_stale_crls_are_regenerated(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "pki"
    shutil.copytree(pki.directory, copy)
    clone = Pki.load(copy)
    assert clone.ensure_fresh_crls() is False
    later = crl_module.utcnow() + timedelta(days=2)
    monkeypatch.setattr(crl_module, "utcnow", lambda: later)
    monkeypatch.setattr(store_module, "utcnow", lambda: later)  # the store imports the clock by name
    assert clone.ensure_fresh_crls() is True
    assert clone.crl("organisations").next_update_utc > later


def test_load_of_a_missing_pki_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(PkiError, match="pki init"):
        Pki.load(tmp_path / "absent")


def test_open_or_init_publishes_crls_under_the_admin_api(tmp_path: Path) -> None:
    from simulators.core.pki import open_or_init

    pki = open_or_init(tmp_path / "pki", base_url="http://bench.example:9000/", key_type="ec-p256")
    assert pki.crl_url("organisations") == "http://bench.example:9000/_bench/pki/organisations.crl"
    assert open_or_init(tmp_path / "pki", base_url="http://other:1").base_url == pki.base_url
