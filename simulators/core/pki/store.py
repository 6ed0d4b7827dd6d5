"""On-disk test PKI: CA keys, issued certificates (PEM + PKCS#12), CRLs and a JSON index.

Layout under the PKI directory (default ./.socle-bench/pki):

    index.json                  what was issued: name, profile, subject, serial, dates, revoked, files
    trust.pem                   root + intermediates of the test IGC-Santé (never the foreign root)
    crls.pem                    current CRLs of the trusted CAs, PEM, for `openssl verify -CRLfile`
    ca/<ca>.crt|.key|.crl|.crl.pem    <ca> in root, organisations, personnes, rogue
    certs/<name>.crt|.key|.chain.pem|.p12

Keys are generated once and kept, because RSA generation is the slow part and because a DUI configured
with a PKCS#12 must keep working across bench restarts. The index is reloaded when another process
(e.g. `socle-bench pki revoke`) changed it; a file lock serialises writers.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from collections.abc import Callable

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ..config import DEFAULT_PORTS
from .crl import RevokedEntry, build_crl, crl_der, crl_pem, is_stale, next_last_update, utcnow
from .authority import CA_SPECS, TRUSTED_CAS, Authority, PrivateKey, create_ca, generate_key, issue_leaf
from .defaults import DEFAULT_PASSWORD, default_requests, server_request
from .files import PkiFiles
from .p12 import write_pkcs12
from .profiles import CertRequest, dn_string, issuer_slug_for
from ..errors import BenchError

DEFAULT_DIR = Path(".socle-bench") / "pki"
DEFAULT_BASE_URL = f"http://127.0.0.1:{DEFAULT_PORTS['admin']}/_bench/pki"
INDEX_VERSION = 1


class PkiError(BenchError):
    """The PKI directory is missing or inconsistent, or a certificate name is unknown or taken."""


@dataclass
class CertRecord:
    name: str
    profile: str
    variant: str
    issuer: str  # CA slug
    subject: str
    serial: str  # hex
    not_before: str
    not_after: str
    revoked: bool = False
    revoked_at: str = ""
    files: dict[str, str] = field(default_factory=dict)  # relative to the PKI directory


class Pki:
    """Handle on one PKI directory; safe to share between threads of one process."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._files = PkiFiles(self.directory)
        self._index: dict[str, Any] = {}
        self._authorities: dict[str, Authority] = {}
        # Called before a client bundle is exported: simulators issue the certificates a test DUI will need
        # (e.g. the DMP's structure certificates), since a fetched PKI holds no authority key to issue them.
        self.bundle_preparers: list[Callable[[Pki], None]] = []

    # ----- creation and loading -------------------------------------------------------------------
    @classmethod
    def init(cls, directory: Path | str = DEFAULT_DIR, *, base_url: str | None = None,
             key_type: str = "rsa2048", defaults: bool = True) -> Pki:
        """Create the PKI, or complete an existing one; a second call changes nothing.

        `base_url` (where CRLs are published) and `key_type` only matter at creation: they are baked
        into the certificates, so an existing PKI keeps its own."""
        pki = cls(Path(directory))
        with pki._locked():
            if pki.index_path.exists():
                pki._read_index()
            else:
                pki._create(base_url or DEFAULT_BASE_URL, key_type)
            if defaults:
                for req in default_requests():
                    pki.issue(req, exist_ok=True)
            pki.ensure_fresh_crls()
        return pki

    @classmethod
    def load(cls, directory: Path | str = DEFAULT_DIR) -> Pki:
        pki = cls(Path(directory))
        if not pki.index_path.exists():
            raise PkiError(f"no PKI in {pki.directory} (run `socle-bench pki init`)")
        with pki._locked():
            pki._read_index()
        return pki

    def _create(self, base_url: str, key_type: str) -> None:
        now = utcnow()
        self._index = {"version": INDEX_VERSION, "base_url": base_url.rstrip("/"), "key_type": key_type,
                       "password": DEFAULT_PASSWORD, "created_at": now.isoformat(), "authorities": {},
                       "certificates": {}}
        for spec in CA_SPECS:
            key = generate_key(key_type)
            parent = self._authorities.get(spec.parent) if spec.parent else None
            authority = create_ca(spec, key, parent, now=now, crl_url=self.crl_url(spec.parent),
                                  serial=x509.random_serial_number())
            self._authorities[spec.slug] = authority
            self._write_pem(f"ca/{spec.slug}.key", _key_pem(key), private=True)
            self._write_pem(f"ca/{spec.slug}.crt", _cert_pem(authority.cert))
            self._index["authorities"][spec.slug] = {
                "subject": dn_string(authority.cert.subject), "serial": f"{authority.cert.serial_number:x}",
                "not_after": authority.cert.not_valid_after_utc.isoformat(), "crl_number": 0,
                "files": {"cert": f"ca/{spec.slug}.crt", "key": f"ca/{spec.slug}.key",
                          "crl": f"ca/{spec.slug}.crl"}}
        self._write_pem("trust.pem", b"".join(_cert_pem(self._authorities[s].cert) for s in TRUSTED_CAS))
        for spec in CA_SPECS:
            self._write_crl(spec.slug)
        self._save_index()

    # ----- properties and paths -------------------------------------------------------------------
    @property
    def index_path(self) -> Path:
        return self._files.index_path

    @property
    def password(self) -> str:
        return str(self._index.get("password", DEFAULT_PASSWORD))

    @property
    def base_url(self) -> str:
        return str(self._index.get("base_url", DEFAULT_BASE_URL))

    @property
    def key_type(self) -> str:
        return str(self._index.get("key_type", "rsa2048"))

    @property
    def root_path(self) -> Path:
        return self.directory / "ca" / "root.crt"

    @property
    def trust_path(self) -> Path:
        """Root + intermediates: what a server trusts for client certificates (and `verify=` for requests)."""
        return self.directory / "trust.pem"

    @property
    def crls_path(self) -> Path:
        return self.directory / "crls.pem"

    def crl_url(self, ca_slug: str) -> str:
        return f"{self.base_url}/{ca_slug}.crl"

    def ca_cert_path(self, ca_slug: str) -> Path:
        return self.directory / "ca" / f"{self._known_ca(ca_slug)}.crt"

    def crl_path(self, ca_slug: str, *, pem: bool = False) -> Path:
        return self.directory / "ca" / f"{self._known_ca(ca_slug)}.crl{'.pem' if pem else ''}"

    def file(self, name: str, kind: str) -> Path:
        """Path of one file of an issued certificate; kind in cert, key, chain, p12."""
        return self.directory / self.get(name).files[kind]

    def ca_slugs(self) -> list[str]:
        return [spec.slug for spec in CA_SPECS]

    def _known_ca(self, ca_slug: str) -> str:
        if ca_slug not in {spec.slug for spec in CA_SPECS}:
            raise PkiError(f"unknown authority {ca_slug!r}")
        return ca_slug

    # ----- certificates ---------------------------------------------------------------------------
    def records(self) -> list[CertRecord]:
        with self._locked():
            self._reload_if_changed()
            return [CertRecord(**data) for data in self._index["certificates"].values()]

    def get(self, name: str) -> CertRecord:
        with self._locked():
            self._reload_if_changed()
            data = self._index["certificates"].get(name)
        if data is None:
            raise PkiError(f"unknown certificate {name!r}")
        return CertRecord(**data)

    def __contains__(self, name: str) -> bool:
        with self._locked():
            self._reload_if_changed()
            return name in self._index["certificates"]

    def certificate(self, name: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.file(name, "cert").read_bytes())

    def private_key(self, name: str) -> PrivateKey:
        return serialization.load_pem_private_key(self.file(name, "key").read_bytes(), password=None)  # type: ignore[return-value]

    def authority_certificate(self, ca_slug: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.ca_cert_path(ca_slug).read_bytes())

    def issue(self, req: CertRequest, *, exist_ok: bool = False, replace: bool = False) -> CertRecord:
        name = req.name or req.default_name()
        with self._locked():
            self._reload_if_changed()
            if name in self._index["certificates"]:
                if exist_ok and not replace:
                    return CertRecord(**self._index["certificates"][name])
                if not replace:
                    raise PkiError(f"certificate {name!r} already exists")
            if name in self._index["certificates"]:
                self._retire(self._index["certificates"][name])
            issuer = self._authority(issuer_slug_for(req))
            key = generate_key(req.key_type or self.key_type)
            cert = issue_leaf(issuer, req, key.public_key(), now=utcnow(),
                              crl_url=self.crl_url(issuer.slug), serial=x509.random_serial_number())
            files = {"cert": f"certs/{name}.crt", "key": f"certs/{name}.key",
                     "chain": f"certs/{name}.chain.pem", "p12": f"certs/{name}.p12"}
            self._write_pem(files["key"], _key_pem(key), private=True)
            self._write_pem(files["cert"], _cert_pem(cert))
            self._write_pem(files["chain"], _cert_pem(cert) + _cert_pem(issuer.cert))
            cas = [issuer.cert] + ([self._authority("root").cert] if issuer.slug in TRUSTED_CAS else [])
            self._write_bytes(files["p12"], write_pkcs12(name, key, cert, cas, self.password), private=True)
            record = CertRecord(name=name, profile=req.profile, variant=req.variant, issuer=issuer.slug,
                                subject=dn_string(cert.subject), serial=f"{cert.serial_number:x}",
                                not_before=cert.not_valid_before_utc.isoformat(),
                                not_after=cert.not_valid_after_utc.isoformat(), files=files)
            self._index["certificates"][name] = asdict(record)
            self._save_index()
            if req.variant == "revoked":
                return self.revoke(name)
            return record

    def _retire(self, old: dict[str, Any]) -> None:
        """A replaced certificate stays revoked (reason superseded) so its old PKCS#12 stops working."""
        meta = self._index["authorities"][old["issuer"]]
        revoked_at = old["revoked_at"] or utcnow().replace(microsecond=0).isoformat()
        meta.setdefault("retired", []).append({"serial": old["serial"], "revoked_at": revoked_at})
        self._write_crl(old["issuer"])

    def ensure_server(self, simulator: str, *, dns_names: tuple[str, ...] = (),
                      ip_addresses: tuple[str, ...] = ()) -> CertRecord:
        """Server certificate of one simulator, reissued only when the configured names changed."""
        req = server_request(simulator, dns_names, ip_addresses)
        with self._locked():  # check and reissue as one step: two servers starting must not race
            if req.name in self:
                cert = self.certificate(req.name)
                san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
                have = {*san.get_values_for_type(x509.DNSName), *map(str, san.get_values_for_type(x509.IPAddress))}
                if {*req.dns_names, *req.ip_addresses} <= have and cert.not_valid_after_utc > utcnow():
                    return self.get(req.name)
            return self.issue(req, replace=True)

    def revoke(self, name: str) -> CertRecord:
        with self._locked():
            self._reload_if_changed()
            data = self._index["certificates"].get(name)
            if data is None:
                raise PkiError(f"unknown certificate {name!r}")
            if not data["revoked"]:
                data["revoked"] = True
                data["revoked_at"] = utcnow().replace(microsecond=0).isoformat()
                self._save_index()
                self._write_crl(data["issuer"])
            return CertRecord(**data)

    # ----- CRLs -----------------------------------------------------------------------------------
    def crl(self, ca_slug: str) -> x509.CertificateRevocationList:
        return x509.load_der_x509_crl(self.crl_path(ca_slug).read_bytes())

    def ensure_fresh_crls(self) -> bool:
        """Regenerate CRLs that expire within the hour; True when some file changed."""
        now = utcnow()
        with self._locked():
            self._reload_if_changed()
            stale = [s for s in self.ca_slugs() if is_stale(self.crl(s), now)]
            for slug in stale:
                self._write_crl(slug)
        return bool(stale)

    def _write_crl(self, ca_slug: str) -> None:
        authority = self._authority(ca_slug)
        meta = self._index["authorities"][ca_slug]
        meta["crl_number"] = int(meta.get("crl_number", 0)) + 1
        revoked = [RevokedEntry(int(c["serial"], 16), datetime.fromisoformat(c["revoked_at"]))
                   for c in self._index["certificates"].values() if c["issuer"] == ca_slug and c["revoked"]]
        revoked += [RevokedEntry(int(r["serial"], 16), datetime.fromisoformat(r["revoked_at"]),
                                      x509.ReasonFlags.superseded) for r in meta.get("retired", [])]
        path = self.crl_path(ca_slug)
        previous = x509.load_der_x509_crl(path.read_bytes()) if path.exists() else None
        crl = build_crl(authority, revoked, number=meta["crl_number"],
                             now=next_last_update(previous, utcnow()))
        self._write_bytes(f"ca/{ca_slug}.crl", crl_der(crl))
        self._write_pem(f"ca/{ca_slug}.crl.pem", crl_pem(crl))
        self._save_index()
        if all(self.crl_path(s).exists() for s in TRUSTED_CAS):
            self._write_pem("crls.pem", b"".join(self.crl_path(s, pem=True).read_bytes() for s in TRUSTED_CAS))

    # ----- internals ------------------------------------------------------------------------------
    def _authority(self, slug: str) -> Authority:
        if slug not in self._authorities:
            base = self.directory / "ca" / slug
            cert = x509.load_pem_x509_certificate(base.with_suffix(".crt").read_bytes())
            key = serialization.load_pem_private_key(base.with_suffix(".key").read_bytes(), password=None)
            self._authorities[slug] = Authority(slug, cert, key)  # type: ignore[arg-type]
        return self._authorities[slug]

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return self._files.locked()

    def _read_index(self) -> None:
        try:
            self._index = self._files.read_index()
        except (OSError, ValueError) as exc:
            raise PkiError(f"unreadable PKI index ({self.index_path}): {exc}") from exc
        if self._index.get("version") != INDEX_VERSION:
            raise PkiError(f"unexpected index version in {self.index_path}")

    def _reload_if_changed(self) -> None:
        try:
            if self._files.index_changed():
                self._read_index()
        except FileNotFoundError as exc:
            raise PkiError(f"missing PKI index ({self.index_path})") from exc

    def _save_index(self) -> None:
        self._files.save_index(self._index)

    def _write_pem(self, rel: str, data: bytes, *, private: bool = False) -> None:
        self._files.write(rel, data, private=private)

    _write_bytes = _write_pem


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
