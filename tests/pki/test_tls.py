"""TLS helpers: context settings and the caller identity taken from a client certificate."""

from __future__ import annotations

import ssl

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from simulators.core.pki import Pki
from simulators.core.tls import (caller_from_der, caller_from_environ, client_context, requests_cert,
                                 server_context)


def test_server_context_requires_tls12_and_checks_leaf_crls(pki: Pki) -> None:
    context = server_context(pki, "localhost", client_auth="required")
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.verify_flags & ssl.VERIFY_CRL_CHECK_LEAF
    assert context.cert_store_stats()["crl"] >= 3
    assert context.sni_callback is not None
    assert pki.get("server-localhost").profile == "server"


def test_server_context_variants(pki: Pki) -> None:
    optional = server_context(pki, "localhost", client_auth="optional", check_crl=False)
    assert optional.verify_mode == ssl.CERT_OPTIONAL
    assert not optional.verify_flags & ssl.VERIFY_CRL_CHECK_LEAF
    assert server_context(pki, "server", client_auth="none").verify_mode == ssl.CERT_NONE
    with pytest.raises(ValueError):
        server_context(pki, "localhost", client_auth="maybe")  # type: ignore[arg-type]


def test_client_context_trusts_the_test_root_and_presents_a_certificate(pki: Pki) -> None:
    context = client_context(pki, "insi-auto")
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 1
    chain, key = requests_cert(pki, "insi-auto")
    assert chain.endswith("insi-auto.chain.pem") and key.endswith("insi-auto.key")


def test_caller_from_a_person_certificate(pki: Pki) -> None:
    cert = pki.certificate("cps")
    caller = caller_from_der(cert.public_bytes(Encoding.DER))
    assert caller.kind == "tls"
    assert caller.subject == pki.get("cps").subject
    assert caller.subject.startswith("CN=810001234565,GN=JEAN,SN=MEDECIN-TEST")
    assert caller.issuer.startswith("CN=TEST AC IGC-SANTE ELEMENTAIRE PERSONNES")
    attrs = caller.attributes
    assert attrs["cn"] == "810001234565" and attrs["ou"] == "1750000002" and attrs["title"] == "Médecin"
    assert attrs["serial"] == pki.get("cps").serial and attrs["not_after"] == pki.get("cps").not_after


def test_caller_from_werkzeug_environ(pki: Pki) -> None:
    pem = pki.certificate("insi-manu").public_bytes(Encoding.PEM).decode("ascii")
    caller = caller_from_environ({"SSL_CLIENT_CERT": pem})
    assert caller is not None and caller.attributes["cn"] == "INSI-MANU"
    assert caller_from_environ({}) is None
    assert caller_from_environ({"SSL_CLIENT_CERT": "not a certificate"}) is None


def test_crls_are_reloaded_for_clients_that_send_no_sni(pki: Pki, unique_name: str) -> None:
    """The refresh hook runs on every ClientHello, also when the client connects by IP address."""
    import socket

    from flask import Flask

    from simulators.core.lifecycle import WsgiServer
    from simulators.core.pki import CertRequest

    pki.issue(CertRequest("auth-cli", name=unique_name, cn="INSI-AUTO", structure_id="1750000002",
                          key_type="ec-p256"))
    app = Flask("no_sni")
    app.get("/")(lambda: "ok")

    def status_line(port: int) -> bytes:
        context = client_context(pki, unique_name, check_hostname=False)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, context.wrap_socket(raw) as tls:
            tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
            return tls.recv(64).split(b"\r\n")[0]

    with WsgiServer(app, ssl_context=server_context(pki, "localhost")) as server:
        assert status_line(server.port) == b"HTTP/1.1 200 OK"
        pki.revoke(unique_name)
        with pytest.raises((ssl.SSLError, ConnectionError)):
            status_line(server.port)
