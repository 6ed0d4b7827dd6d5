"""TLS for every simulator: server contexts over the test PKI, reference-client contexts, and the
caller identity taken from the client certificate.

The real socle services authenticate software by mutual TLS with IGC-Santé certificates and check
revocation, so the bench does the same: trust is the test IGC-Santé only (never the foreign root),
TLS 1.2 minimum (MSSanté ECO.1.1.1), and with `check_crl` the leaf is checked against the CRL of its
CA. CRLs are re-read during the handshake when the files changed (a `pki revoke` takes effect without
restarting the server) and regenerated before they expire; this uses the context's SNI callback, so a
caller must not replace `sni_callback` on a context built here.
"""

from __future__ import annotations

from functools import lru_cache

import hashlib
import ssl
import threading
import time
from pathlib import Path
from typing import Any, Literal
from collections.abc import Mapping

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from .exchange import Caller
from .pki import Pki
from .pki.profiles import dn_string

ClientAuth = Literal["none", "optional", "required"]
_VERIFY_MODES = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}
_STALENESS_CHECK_S = 60.0


def server_context(pki: Pki, server_name: str = "server", *, client_auth: ClientAuth = "required",
                   check_crl: bool = True, dns_names: tuple[str, ...] = ()) -> ssl.SSLContext:
    """Server context for one simulator; its certificate is issued on first use (`server-<name>`)
    unless `server_name` already names a server certificate of the PKI."""
    if client_auth not in _VERIFY_MODES:
        raise ValueError(f"client_auth must be one of {sorted(_VERIFY_MODES)}, not {client_auth!r}")
    if server_name in pki and pki.get(server_name).profile == "server" and not dns_names:
        record = pki.get(server_name)
    else:
        record = pki.ensure_server(server_name, dns_names=dns_names)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(pki.directory / record.files["chain"], pki.directory / record.files["key"])
    context.verify_mode = _VERIFY_MODES[client_auth]
    if client_auth != "none":
        context.load_verify_locations(cafile=str(pki.trust_path))
        if check_crl:
            refresher = CrlRefresher(context, pki)
            context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
            context.sni_callback = refresher.on_client_hello
    return context


class CrlRefresher:
    """Keeps the CRLs loaded in one server context current.

    OpenSSL stores cannot drop a CRL, so newer ones are added; among CRLs of one issuer it uses the
    time-valid one with the latest thisUpdate, which the PKI guarantees increases at each reissue.
    """

    def __init__(self, context: ssl.SSLContext, pki: Pki) -> None:
        self._context = context
        self._pki = pki
        self._lock = threading.Lock()
        self._next_staleness_check = 0.0
        self._loaded: tuple[int, ...] = ()
        self.refresh()

    def on_client_hello(self, sock: ssl.SSLObject | ssl.SSLSocket, server_name: str | None,
                        context: ssl.SSLContext) -> None:
        self.refresh()

    def refresh(self) -> bool:
        """Load the CRL files if they changed since the last load; True when something was loaded."""
        with self._lock:
            if time.monotonic() >= self._next_staleness_check:
                self._pki.ensure_fresh_crls()
                self._next_staleness_check = time.monotonic() + _STALENESS_CHECK_S
            stat = self._pki.crls_path.stat()  # written last, atomically, after each CRL
            stamp = (stat.st_ino, stat.st_mtime_ns)
            if stamp == self._loaded:
                return False
            self._context.load_verify_locations(cafile=str(self._pki.crls_path))
            self._loaded = stamp
            return True


def refresh_crls(context: ssl.SSLContext, pki: Pki) -> None:
    """Load the current CRLs into a context now (contexts from `server_context` also do it by themselves)."""
    pki.ensure_fresh_crls()
    context.load_verify_locations(cafile=str(pki.crls_path))


def client_context(pki: Pki, cert_name: str | None = None, *, cert_file: Path | str | None = None,
                   key_file: Path | str | None = None, check_hostname: bool = True) -> ssl.SSLContext:
    """What a reference DUI uses: trusts the test root only and presents an issued certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_verify_locations(cafile=str(pki.root_path))
    context.check_hostname = check_hostname
    if cert_name is not None:
        cert_file, key_file = requests_cert(pki, cert_name)
    if cert_file is not None:
        context.load_cert_chain(str(cert_file), str(key_file) if key_file else None)
    return context


def requests_cert(pki: Pki, cert_name: str) -> tuple[str, str]:
    """`cert=` argument for requests: the chain (leaf + issuing CA) and the key."""
    return str(pki.file(cert_name, "chain")), str(pki.file(cert_name, "key"))


def requests_verify(pki: Pki) -> str:
    """`verify=` argument for requests: the test root."""
    return str(pki.root_path)


def caller_from_certificate(cert: x509.Certificate) -> Caller:
    subject = cert.subject
    attributes: dict[str, Any] = {
        "cn": _first(subject, NameOID.COMMON_NAME), "ou": _first(subject, NameOID.ORGANIZATIONAL_UNIT_NAME),
        "o": _first(subject, NameOID.ORGANIZATION_NAME), "serial": f"{cert.serial_number:x}",
        "not_before": cert.not_valid_before_utc.isoformat(), "not_after": cert.not_valid_after_utc.isoformat(),
        "issuer_cn": _first(cert.issuer, NameOID.COMMON_NAME),
        "sha256": hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
    }
    for key, oid in (("given_name", NameOID.GIVEN_NAME), ("surname", NameOID.SURNAME), ("title", NameOID.TITLE)):
        value = _first(subject, oid)
        if value:
            attributes[key] = value
    return Caller(kind="tls", subject=dn_string(subject), issuer=dn_string(cert.issuer), attributes=attributes)


def caller_from_der(der: bytes) -> Caller:
    return caller_from_certificate(x509.load_der_x509_certificate(der))


def caller_from_ssl(sslobj: ssl.SSLObject | ssl.SSLSocket | None) -> Caller | None:
    """For SMTP/IMAP servers: the peer certificate of a TLS (or STARTTLS) connection, if any."""
    der = sslobj.getpeercert(binary_form=True) if sslobj is not None else None
    return caller_from_der(der) if der else None


def caller_from_environ(environ: Mapping[str, Any]) -> Caller | None:
    """For WSGI apps behind the bench server (or gunicorn via simulators.wsgi): the client certificate (PEM)
    is in SSL_CLIENT_CERT, set once per connection after the handshake."""
    peer = _peer_from_environ(environ)
    return _fresh(peer[0]) if peer is not None else None


class TlsIdentify:
    """The journaling middleware's `identify`: the TLS client certificate as a `Caller`, checked against
    the current CRLs on every request, so a connection kept alive since before a `pki revoke` does not keep
    its rights. What is per certificate (parsing, DN strings, serial) is computed once: the server sets the
    same SSL_CLIENT_CERT string on every request of a connection, whose hash Python keeps, so finding it
    again costs one dict lookup; what is per request is a fresh record and the revocation check (one `stat`
    of the CRL file, re-read only when it changed)."""

    def __init__(self, revocation: Any) -> None:  # pki.revocation.RevocationIndex
        self.revocation = revocation

    def __call__(self, environ: Mapping[str, Any]) -> Caller | None:
        peer = _peer_from_environ(environ)
        if peer is None:
            return None
        template, serial = peer
        caller = _fresh(template)
        if serial is not None and self.revocation.is_revoked_serial(serial):
            caller.attributes["revoked"] = True
        return caller


def _fresh(template: Caller) -> Caller:
    """A record per request: views may enrich the caller of their own exchange."""
    return Caller(template.kind, template.subject, template.issuer, dict(template.attributes))


def _peer_from_environ(environ: Mapping[str, Any]) -> tuple[Caller, int | None] | None:
    pem = environ.get("SSL_CLIENT_CERT")
    if not pem:
        return None
    return _peer_from_pem(pem if isinstance(pem, str) else pem.decode("ascii", "replace"))


@lru_cache(maxsize=1024)
def _peer_from_pem(pem: str) -> tuple[Caller, int | None] | None:
    """Parsing the certificate costs ~1 ms; a DUI presents the same one on every request."""
    try:
        caller = caller_from_certificate(x509.load_pem_x509_certificate(pem.encode("ascii")))
    except ValueError:
        return None
    try:
        serial: int | None = int(str(caller.attributes.get("serial", "")), 16)
    except ValueError:
        serial = None
    return caller, serial


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""
