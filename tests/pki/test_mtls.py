"""Acceptance: real mutual-TLS handshakes against a bench server over the test PKI.

A valid AUTH_CLI certificate is accepted and its subject reaches the exchange journal; expired,
not-yet-valid, revoked (via CRL), wrong-issuer and wrong-key-usage certificates are refused during
the handshake. The bench is the real one (lifecycle, journaling middleware, admin app).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from cryptography import x509
from flask import Flask, jsonify, request

from simulators.core.bench import Bench, Runtime
from simulators.core.journal import ExchangeQuery
from simulators.core.lifecycle import Lifecycle
from simulators.core.pki import CertRequest, Pki
from simulators.core.service import request_context
from simulators.core.tls import requests_cert, requests_verify
from tests.conftest import make_config

REFUSED = requests.exceptions.ConnectionError  # SSLError is a subclass; TLS 1.3 may surface a reset


class MtlsEcho:
    """Test simulator: one endpoint that requires a client certificate, one that accepts none."""

    name = "mtls"

    def __init__(self, pki: Pki) -> None:
        self.pki = pki

    def __call__(self, rt: Runtime) -> list[Lifecycle]:
        app = Flask("mtls")  # the Bench mounts the CRL blueprint itself when given a PKI

        @app.get("/whoami")
        def whoami():
            ctx = request_context(request.environ)
            ctx.operation = "whoami"
            return jsonify(subject=ctx.caller.subject, kind=ctx.caller.kind, cn=ctx.caller.attributes.get("cn"))

        wrapped = rt.wrap(app, service="mtls")
        return [rt.http_server(wrapped, service="mtls", client_auth="required"),
                rt.http_server(rt.wrap(app, service="mtls-optional"), service="mtls-optional",
                               client_auth="optional")]


@pytest.fixture(scope="module")
def bench(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    config = make_config(tmp_path_factory.mktemp("bench"), tls=True)
    with Bench(config, [MtlsEcho(pki)], pki=pki) as b:
        yield b


def _get(bench: Bench, pki: Pki, cert_name: str | None, service: str = "mtls") -> requests.Response:
    cert = requests_cert(pki, cert_name) if cert_name else None
    return requests.get(bench.url(service) + "/whoami", cert=cert, verify=requests_verify(pki), timeout=10)


def test_valid_client_certificate_is_accepted_and_journaled(bench: Bench, pki: Pki) -> None:
    response = _get(bench, pki, "insi-auto")
    assert response.status_code == 200
    expected = pki.get("insi-auto").subject
    assert response.json() == {"subject": expected, "kind": "tls", "cn": "INSI-AUTO"}
    assert "OU=1750000002" in expected

    rt = bench.runtime
    assert rt is not None and rt.journal.flush(10)
    [exchange] = [e for e in rt.journal.query(ExchangeQuery(service="mtls", operation="whoami"))
                  if e.caller.attributes.get("serial") == pki.get("insi-auto").serial]
    assert exchange.caller.kind == "tls"
    assert exchange.caller.subject == expected
    assert "CN=TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS" in exchange.caller.issuer

    listed = requests.get(bench.admin_url + "/_bench/exchanges", params={"service": "mtls"}, timeout=10).json()
    assert expected in {e["caller"]["subject"] for e in listed["exchanges"]}


def test_cps_person_certificate_is_accepted(bench: Bench, pki: Pki) -> None:
    response = _get(bench, pki, "cps")
    assert response.status_code == 200
    assert response.json()["cn"] == "810001234565"


@pytest.mark.parametrize("cert_name", ["insi-auto-expired", "insi-auto-not-yet-valid", "insi-auto-revoked",
                                       "insi-auto-wrong-issuer", "insi-auto-wrong-key-usage", "org-sign"])
def test_defective_client_certificates_are_refused_in_the_handshake(bench: Bench, pki: Pki,
                                                                    cert_name: str) -> None:
    with pytest.raises(REFUSED):
        _get(bench, pki, cert_name)


def test_missing_client_certificate_is_refused_when_required(bench: Bench, pki: Pki) -> None:
    with pytest.raises(REFUSED):
        _get(bench, pki, None)


def test_optional_client_auth_lets_anonymous_callers_in(bench: Bench, pki: Pki) -> None:
    anonymous = _get(bench, pki, None, service="mtls-optional")
    assert anonymous.status_code == 200 and anonymous.json()["kind"] == "anonymous"
    identified = _get(bench, pki, "insi-manu", service="mtls-optional")
    assert identified.json()["cn"] == "INSI-MANU"
    with pytest.raises(REFUSED):  # a presented certificate is still verified
        _get(bench, pki, "insi-auto-revoked", service="mtls-optional")


def test_revocation_takes_effect_on_a_running_server(bench: Bench, pki: Pki, unique_name: str) -> None:
    pki.issue(CertRequest("auth-cli", name=unique_name, cn="INSI-AUTO", structure_id="1750000002",
                          key_type="ec-p256"))
    assert _get(bench, pki, unique_name).status_code == 200
    pki.revoke(unique_name)
    with pytest.raises(REFUSED):
        _get(bench, pki, unique_name)


def test_revocation_by_another_process_takes_effect(bench: Bench, pki: Pki, unique_name: str) -> None:
    """`socle-bench pki revoke` runs in its own process: only the files on disk are shared."""
    pki.issue(CertRequest("auth-cli", name=unique_name, cn="INSI-MANU", structure_id="1750000002",
                          key_type="ec-p256"))
    assert _get(bench, pki, unique_name).status_code == 200
    Pki.load(pki.directory).revoke(unique_name)
    with pytest.raises(REFUSED):
        _get(bench, pki, unique_name)


def test_crl_is_served_at_the_distribution_point_of_the_certificates(bench: Bench, pki: Pki) -> None:
    cert = pki.certificate("insi-auto-revoked")
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    url = points[0].full_name[0].value
    path = urlparse(url).path  # the PKI was created for the default admin port; the test bench is ephemeral
    response = requests.get(bench.admin_url + path, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None
    issuer = pki.authority_certificate("organisations")
    assert crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]


def test_server_certificate_chains_to_the_test_root(bench: Bench, pki: Pki, tmp_path: Path) -> None:
    """Clients that trust only the test root (as a DUI does) accept the simulator's server certificate."""
    response = requests.get(bench.url("mtls-optional") + "/whoami", verify=str(pki.root_path), timeout=10)
    assert response.status_code == 200
    other = tmp_path / "other-root.pem"
    other.write_bytes(pki.ca_cert_path("rogue").read_bytes())
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(bench.url("mtls-optional") + "/whoami", verify=str(other), timeout=10)
