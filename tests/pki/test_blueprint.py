"""CRLs and CA certificates published by the admin app (blueprint mounted under /_bench)."""

from __future__ import annotations

from cryptography import x509
from flask import Flask

from simulators.core.pki import Pki
from simulators.core.pki.blueprint import crl_blueprint


def _client(pki: Pki):
    app = Flask("admin")
    app.register_blueprint(crl_blueprint(pki), url_prefix="/_bench/pki")
    return app.test_client()


def test_crl_and_ca_certificates_are_served_as_der(pki: Pki) -> None:
    client = _client(pki)
    response = client.get("/_bench/pki/organisations.crl")
    assert response.status_code == 200 and response.mimetype == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.data)
    assert crl.issuer == pki.authority_certificate("organisations").subject
    revoked = int(pki.get("insi-auto-revoked").serial, 16)
    assert crl.get_revoked_certificate_by_serial_number(revoked) is not None

    root = client.get("/_bench/pki/root.crt")
    assert root.mimetype == "application/pkix-cert"
    assert x509.load_der_x509_certificate(root.data) == pki.authority_certificate("root")
    assert client.get("/_bench/pki/trust.pem").data == pki.trust_path.read_bytes()


def test_unknown_authority_is_404(pki: Pki) -> None:
    client = _client(pki)
    assert client.get("/_bench/pki/inconnue.crl").status_code == 404
    assert client.get("/_bench/pki/..%2Findex.crt").status_code == 404
