"""Test PKI shaped like IGC-Santé (test range), built with `cryptography`.

Root "TEST AC RACINE IGC-SANTE ELEMENTAIRE", intermediates "TEST AC IGC-SANTE ELEMENTAIRE
ORGANISATIONS" (server, AUTH_CLI, SIGN) and "... PERSONNES" (CPS-like), plus a foreign root
"TEST AC RACINE ETRANGERE" for wrong-issuer tests. Every issued certificate is written as PEM
(certificate, unencrypted PKCS#8 key, chain) and as PKCS#12.

PKCS#12 password: "socle-bench" (DEFAULT_PASSWORD; also recorded in index.json and shown by
`socle-bench pki list`).
"""

from pathlib import Path

from .defaults import DEFAULT_PASSWORD
from .profiles import PROFILES, VARIANTS, CertRequest, ProfileError, structure_id_from_finess
from .store import DEFAULT_BASE_URL, DEFAULT_DIR, CertRecord, Pki, PkiError


def open_or_init(directory: Path | str = DEFAULT_DIR, *, base_url: str | None = None,
                 key_type: str = "rsa2048") -> Pki:
    """What `serve` calls: create the PKI on first start, reuse it afterwards.

    `base_url` is the public origin of the admin API (e.g. http://127.0.0.1:8080); certificates point
    their CRL distribution points at `<base_url>/_bench/pki/<ca>.crl`. It is fixed at creation.
    """
    crl_base = None
    if base_url:
        base_url = base_url.rstrip("/")
        crl_base = base_url if base_url.endswith("/pki") else f"{base_url}/_bench/pki"
    return Pki.init(directory, base_url=crl_base, key_type=key_type)

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_DIR", "DEFAULT_PASSWORD", "PROFILES", "VARIANTS", "CertRecord",
           "CertRequest", "Pki", "PkiError", "ProfileError", "open_or_init",
           "structure_id_from_finess"]
