"""The CA hierarchy of the test IGC-Santé and the signing of certificates.

Shape of the real IGC-Santé "gamme élémentaire" (test flavour): one root, one intermediate for
organisations (server, AUTH_CLI and SIGN certificates) and one for persons (CPS-like certificates).
A separate foreign root exists only to issue wrong-issuer certificates that no service may trust.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from .profiles import CertRequest, alt_names_for, subject_for, usages_for, validity_for

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
KEY_TYPES = ("rsa2048", "ec-p256")


@dataclass(frozen=True)
class CaSpec:
    slug: str
    common_name: str
    parent: str = ""  # slug of the issuing CA, empty for a root


CA_SPECS: tuple[CaSpec, ...] = (
    CaSpec("root", "TEST AC RACINE IGC-SANTE ELEMENTAIRE"),
    CaSpec("organisations", "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS", parent="root"),
    CaSpec("personnes", "TEST AC IGC-SANTE ELEMENTAIRE PERSONNES", parent="root"),
    CaSpec("rogue", "TEST AC RACINE ETRANGERE"),
)
TRUSTED_CAS = ("root", "organisations", "personnes")
_CA_ORGANISATION = {"rogue": "AUTORITE ETRANGERE DE TEST"}
# CAs start well in the past so that an "expired" leaf was still issued within its CA's lifetime.
_CA_BACKDATE = timedelta(days=5 * 365)


@dataclass
class Authority:
    slug: str
    cert: x509.Certificate
    key: PrivateKey

    @property
    def name(self) -> x509.Name:
        return self.cert.subject


def generate_key(key_type: str) -> PrivateKey:
    if key_type == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_type == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key type {key_type!r} (expected: {', '.join(KEY_TYPES)})")


def ca_subject(spec: CaSpec) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _CA_ORGANISATION.get(spec.slug, "AGENCE DU NUMERIQUE EN SANTE")),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "IGC-SANTE TEST"),
        x509.NameAttribute(NameOID.COMMON_NAME, spec.common_name),
    ])


def _crl_distribution(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints([x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(url)], relative_name=None, reasons=None, crl_issuer=None)])


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                         encipher_only=False, decipher_only=False)


def create_ca(spec: CaSpec, key: PrivateKey, parent: Authority | None, *, now: datetime,
              crl_url: str, serial: int) -> Authority:
    """Roots live 20 years from now, intermediates 10; intermediates point at their parent's CRL."""
    subject = ca_subject(spec)
    lifetime = timedelta(days=20 * 365 if parent is None else 10 * 365)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(parent.name if parent else subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - _CA_BACKDATE)
        .not_valid_after(now + lifetime)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None if parent is None else 0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    signer = parent.key if parent else key
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False)
    if parent is not None:
        builder = builder.add_extension(_crl_distribution(crl_url), critical=False)
    return Authority(spec.slug, builder.sign(signer, hashes.SHA256()), key)


def issue_leaf(issuer: Authority, req: CertRequest, public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
               *, now: datetime, crl_url: str, serial: int) -> x509.Certificate:
    not_before, not_after = validity_for(req, now)
    # A leaf never outlives its CA: OpenSSL would still accept it, real CAs never issue it.
    not_after = min(not_after, issuer.cert.not_valid_after_utc)
    key_usage, ext_usages = usages_for(req)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject_for(req))
        .issuer_name(issuer.name)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                       critical=False)
        .add_extension(_crl_distribution(crl_url), critical=False)
    )
    if ext_usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(ext_usages), critical=False)
    alt_names = alt_names_for(req)
    if alt_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    return builder.sign(issuer.key, hashes.SHA256())
