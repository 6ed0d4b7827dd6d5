"""Revocation as the bench's services see it: the current CRLs of the trusted CAs, re-read as soon as
`crls.pem` changes (a `pki revoke` in any process rewrites it last, atomically), so a revocation takes effect
on the next check — no grace period, no stale cache. A check costs one `stat` when nothing changed."""

from __future__ import annotations

import threading
from pathlib import Path

from cryptography import x509

_BEGIN = b"-----BEGIN X509 CRL-----"


class RevocationIndex:
    def __init__(self, crls_path: Path | str) -> None:
        self.path = Path(crls_path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._revoked: frozenset[tuple[bytes, int]] = frozenset()
        self._serials: frozenset[int] = frozenset()

    @classmethod
    def of(cls, pki: object) -> RevocationIndex:
        return cls(pki.crls_path)  # type: ignore[attr-defined]

    def is_revoked(self, cert: x509.Certificate) -> bool:
        self._refresh()
        return (cert.issuer.public_bytes(), cert.serial_number) in self._revoked

    def is_revoked_serial(self, serial: int) -> bool:
        """For a caller already parsed (`Caller.attributes["serial"]`): serials of the bench CAs are random
        and unique across them."""
        self._refresh()
        return serial in self._serials

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return
        stamp = (stat.st_ino, stat.st_mtime_ns)
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            data = self.path.read_bytes()
            revoked: set[tuple[bytes, int]] = set()
            for block in data.split(_BEGIN)[1:]:
                crl = x509.load_pem_x509_crl(_BEGIN + block)
                issuer = crl.issuer.public_bytes()
                revoked.update((issuer, entry.serial_number) for entry in crl)
            self._revoked = frozenset(revoked)
            self._serials = frozenset(serial for _, serial in revoked)
            self._stamp = stamp
