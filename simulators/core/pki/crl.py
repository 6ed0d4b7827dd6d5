"""Certificate revocation lists, one per CA, regenerated at every revocation and before they go stale.

The lifetime is short (a day) as in real IGC-Santé CRLs, so clients that cache a CRL forever are
caught; servers refresh them on the fly (see `simulators.core.tls`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, UTC

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from .authority import Authority

CRL_LIFETIME = timedelta(days=1)
REFRESH_MARGIN = timedelta(hours=1)
CRL_BACKDATE = timedelta(minutes=5)


@dataclass(frozen=True)
class RevokedEntry:
    serial: int
    revoked_at: datetime
    reason: x509.ReasonFlags = x509.ReasonFlags.key_compromise


def build_crl(authority: Authority, revoked: list[RevokedEntry], *, number: int, now: datetime,
              lifetime: timedelta = CRL_LIFETIME) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(authority.name)
        .last_update(now)
        .next_update(now + lifetime)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()),
                       critical=False)
    )
    for entry in sorted(revoked, key=lambda e: e.serial):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(entry.serial)
            .revocation_date(entry.revoked_at)
            .add_extension(x509.CRLReason(entry.reason), critical=False)
            .build())
    return builder.sign(authority.key, hashes.SHA256())


def is_stale(crl: x509.CertificateRevocationList, now: datetime, margin: timedelta = REFRESH_MARGIN) -> bool:
    next_update = crl.next_update_utc
    return next_update is None or next_update - margin <= now


def crl_pem(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(serialization.Encoding.PEM)


def crl_der(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(serialization.Encoding.DER)


def next_last_update(previous: x509.CertificateRevocationList | None, now: datetime) -> datetime:
    """Backdated a little (a CRL from the future is rejected by every verifier) and strictly after the
    previous CRL: OpenSSL keeps the CRL with the latest thisUpdate when several from one issuer sit in
    a trust store, and times have one-second resolution."""
    candidate = now.replace(microsecond=0) - CRL_BACKDATE
    if previous is not None and previous.last_update_utc >= candidate:
        return min(previous.last_update_utc + timedelta(seconds=1), now.replace(microsecond=0))
    return candidate


def utcnow() -> datetime:
    return datetime.now(UTC)
