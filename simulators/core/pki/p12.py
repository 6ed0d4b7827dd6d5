"""PKCS#12 bundles as a DUI installs them (IGC-Santé ships `.p12` files protected by a password).

The encryption is chosen explicitly (PBES2 / AES-256-CBC, HMAC-SHA256 MAC) rather than "best
available", so that OpenSSL 3, Java keytool and Windows all open the file.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12

from .authority import PrivateKey


def write_pkcs12(name: str, key: PrivateKey, cert: x509.Certificate, cas: list[x509.Certificate],
                 password: str) -> bytes:
    encryption = (PrivateFormat.PKCS12.encryption_builder()
                  .kdf_rounds(10_000)
                  .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
                  .hmac_hash(hashes.SHA256())
                  .build(password.encode("utf-8")))
    return pkcs12.serialize_key_and_certificates(name.encode("utf-8"), key, cert, cas, encryption)


def read_pkcs12(data: bytes, password: str) -> tuple[PrivateKey, x509.Certificate, list[x509.Certificate]]:
    key, cert, cas = pkcs12.load_key_and_certificates(data, password.encode("utf-8"))
    if key is None or cert is None:
        raise ValueError("PKCS#12 without a key or a certificate")
    return key, cert, list(cas)  # type: ignore[return-value]
