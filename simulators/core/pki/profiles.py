"""Certificate profiles of the test IGC-Santé: what a server, AUTH_CLI, SIGN or CPS certificate looks like.

The services judge callers by the certificate shape (INSi demands CN `INSI-AUTO`/`INSI-MANU`, the DMP
reads the structure id from the OU and wants AUTH_CLI and SIGN with the same DN), so the shape lives in
one place. Negative variants change exactly one property of a valid certificate, so a refusal in a test
can only come from that defect.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..errors import BenchError

PROFILES = ("server", "auth-cli", "sign", "cps")
VARIANTS = ("valid", "expired", "not-yet-valid", "revoked", "wrong-issuer", "wrong-key-usage")

# Struct_IdNat prefixes (ASIP "identifiant national de structure"): 1 = FINESS, 3 = SIRET.
FINESS_PREFIX = "1"
SIRET_PREFIX = "3"
RPPS_PREFIX = "8"  # PS_IdNat of a person identified by RPPS

# How a DN is written for the services (CI-SIS: GN= / SN=, not .NET's G= / S=).
DN_NAMES = {NameOID.GIVEN_NAME: "GN", NameOID.SURNAME: "SN", NameOID.TITLE: "title",
            NameOID.SERIAL_NUMBER: "serialNumber"}

DEFAULT_VALIDITY = timedelta(days=3 * 365)
_CLOCK_SKEW = timedelta(hours=1)


class ProfileError(BenchError, ValueError):
    """The requested certificate cannot be built (unknown profile, missing identifier)."""


@dataclass(frozen=True)
class CertRequest:
    """Everything that decides the content of a leaf certificate except keys and issuer."""

    profile: str
    name: str = ""
    cn: str = ""
    organisation: str = ""
    structure_id: str = ""  # OU as the services read it, e.g. "1" + FINESS
    rpps: str = ""
    given_name: str = ""
    surname: str = ""
    title: str = ""
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    variant: str = "valid"
    key_type: str = ""  # empty: the PKI default
    validity: timedelta = field(default=DEFAULT_VALIDITY)

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ProfileError(f"unknown profile {self.profile!r} (expected: {', '.join(PROFILES)})")
        if self.variant not in VARIANTS:
            raise ProfileError(f"unknown variant {self.variant!r} (expected: {', '.join(VARIANTS)})")
        if self.profile == "cps" and not re.fullmatch(r"\d{11}", self.rpps):
            raise ProfileError("a CPS certificate needs an 11-digit RPPS")
        if self.profile in ("auth-cli", "sign") and not self.structure_id:
            raise ProfileError("an organisation certificate needs a structure identifier (FINESS)")
        if self.profile == "server" and not (self.dns_names or self.ip_addresses):
            raise ProfileError("a server certificate needs at least one DNS name or IP address")

    @property
    def common_name(self) -> str:
        if self.cn:
            return self.cn
        if self.profile == "cps":
            return RPPS_PREFIX + self.rpps
        if self.profile == "server":
            return (self.dns_names or self.ip_addresses)[0]
        return self.organisation or self.structure_id

    def default_name(self) -> str:
        """Stable file-friendly name, so repeating the same `pki issue` finds the same certificate."""
        parts = [self.profile, self.common_name]
        if self.profile in ("auth-cli", "sign") and self.structure_id not in self.common_name:
            parts.append(self.structure_id)
        if self.variant != "valid":
            parts.append(self.variant)
        return slug("-".join(parts))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "cert"


def structure_id_from_finess(finess: str) -> str:
    finess = finess.strip().upper()
    if not re.fullmatch(r"[0-9]{2}[0-9AB][0-9]{6}|2[AB][0-9]{7}", finess):
        raise ProfileError(f"invalid FINESS {finess!r} (9 characters expected)")
    return FINESS_PREFIX + finess


def subject_for(req: CertRequest) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "FR")]
    if req.organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, req.organisation))
    if req.structure_id:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, req.structure_id))
    if req.profile == "cps":
        if req.title:
            attrs.append(x509.NameAttribute(NameOID.TITLE, req.title))
        if req.surname:
            attrs.append(x509.NameAttribute(NameOID.SURNAME, req.surname))
        if req.given_name:
            attrs.append(x509.NameAttribute(NameOID.GIVEN_NAME, req.given_name))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, req.common_name))
    return x509.Name(attrs)


def validity_for(req: CertRequest, now: datetime) -> tuple[datetime, datetime]:
    if req.variant == "expired":
        return now - req.validity - timedelta(days=30), now - timedelta(days=30)
    if req.variant == "not-yet-valid":
        return now + timedelta(days=30), now + timedelta(days=30) + req.validity
    return now - _CLOCK_SKEW, now + req.validity


def _key_usage(*, digital_signature: bool = False, content_commitment: bool = False,
               key_encipherment: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=digital_signature, content_commitment=content_commitment,
                         key_encipherment=key_encipherment, data_encipherment=False, key_agreement=False,
                         key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)


def usages_for(req: CertRequest) -> tuple[x509.KeyUsage, list[x509.ObjectIdentifier]]:
    """KeyUsage and ExtendedKeyUsage; the wrong-key-usage variant gives a usage the TLS stack refuses."""
    wrong = req.variant == "wrong-key-usage"
    if req.profile == "server":
        ku = _key_usage(digital_signature=True, key_encipherment=True)
        return ku, [ExtendedKeyUsageOID.CLIENT_AUTH if wrong else ExtendedKeyUsageOID.SERVER_AUTH]
    if req.profile == "sign":
        if wrong:
            return _key_usage(key_encipherment=True), [ExtendedKeyUsageOID.SERVER_AUTH]
        return _key_usage(content_commitment=True), []
    if wrong:  # auth-cli / cps usable only for signing documents
        return _key_usage(content_commitment=True), [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    return _key_usage(digital_signature=True, key_encipherment=True), [ExtendedKeyUsageOID.CLIENT_AUTH]


def alt_names_for(req: CertRequest) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in req.dns_names]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in req.ip_addresses]
    return names


def issuer_slug_for(req: CertRequest) -> str:
    """Which CA signs: persons under PERSONNES, everything else under ORGANISATIONS, rogue for wrong-issuer."""
    if req.variant == "wrong-issuer":
        return "rogue"
    return "personnes" if req.profile == "cps" else "organisations"


def dn_string(name: x509.Name) -> str:
    return name.rfc4514_string(DN_NAMES)
