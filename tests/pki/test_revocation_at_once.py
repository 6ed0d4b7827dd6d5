"""`pki revoke` takes effect at once, also for a TLS client whose connection was kept alive since before:
the next request on that connection is refused with the service's own error."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from simulators.core.bench import Bench
from simulators.core.pki import CertRequest
from simulators.core.pki.revocation import RevocationIndex
from simulators.core.tls import client_context
from simulators.ror.model import TOKEN_PATH
from simulators.ror.server import RorSimulator
from tests.conftest import make_config


def test_revocation_index_follows_pki_revoke(pki) -> None:
    record = pki.issue(CertRequest("auth-cli", name="revocation-index", cn="REVOCATION-INDEX", organisation="TEST",
                                   structure_id="1750000001"), exist_ok=True)
    index = RevocationIndex.of(pki)
    cert = pki.certificate(record.name)
    assert not index.is_revoked(cert)
    pki.revoke(record.name)
    assert index.is_revoked(cert) and index.is_revoked_serial(cert.serial_number)


def test_a_kept_alive_tls_client_loses_its_rights_at_once(tmp_path, pki) -> None:
    record = pki.issue(CertRequest("auth-cli", name="keepalive-revoked", cn="KEEPALIVE-DUI", organisation="TEST",
                                   structure_id="1750000003"), exist_ok=True)
    with Bench(make_config(tmp_path, tls=True), [RorSimulator()], pki=pki) as bench:
        origin = bench.url("ror").split("/ws-diffusion-fhir")[0]
        parts = urlsplit(origin)
        context = client_context(pki, record.name)
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, context=context, timeout=10)
        body = "grant_type=client_credentials&client_id=bench-profil-1"
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        try:
            conn.request("POST", f"/s/revoke{TOKEN_PATH}", body=body, headers=headers)
            first = conn.getresponse()
            first.read()
            assert first.status == 200
            sock = conn.sock
            pki.revoke(record.name)
            conn.request("POST", f"/s/revoke{TOKEN_PATH}", body=body, headers=headers)
            assert conn.sock is sock  # the same TLS connection: no new handshake checked the CRL
            refused = conn.getresponse()
            text = refused.read().decode()
            assert refused.status == 403 and "révoqué" in text
        finally:
            conn.close()
