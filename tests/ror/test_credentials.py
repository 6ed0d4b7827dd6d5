"""ROR credentials as the real service checks them: a token is valid in the session it was issued in only,
an editor authenticates with its structure's AUTH_CLI (never a person's CPS card), a registered certificate
is the only one that gets the client's profile, and the admin API never serves client secrets."""

from __future__ import annotations

import hashlib

import requests
from cryptography.hazmat.primitives import serialization

from simulators.core.bench import Bench
from simulators.core.tls import requests_cert, requests_verify
from simulators.ror.client import RorApiClient
from tests.ror.conftest import HEADERS, urls
from tests.ror.test_api import _outcome


def _token(bench: Bench, pki, session: str, client_id: str, cert: str | None = None, **form: str) -> requests.Response:
    _, _, token_url = urls(bench, session)
    return requests.post(token_url, data={"grant_type": "client_credentials", "client_id": client_id, **form},
                         cert=requests_cert(pki, cert) if cert else None, verify=requests_verify(pki), timeout=10)


def test_a_token_from_session_a_is_refused_on_session_b(ror_bench: Bench, client_factory, session_name: str) -> None:
    in_a: RorApiClient = client_factory(0, session=f"{session_name}-a")
    token = in_a.access_token()
    _, base_b, _ = urls(ror_bench, f"{session_name}-b")
    on_b = requests.get(f"{base_b}/Organization", headers={"Authorization": f"Bearer {token}", **HEADERS},
                        verify=in_a.verify, timeout=10)
    assert "autre session" in _outcome(on_b, 401)
    assert "invalid_token" in on_b.headers["WWW-Authenticate"]
    on_a = requests.get(f"{in_a.fhir_base}/Organization", headers={"Authorization": f"Bearer {token}", **HEADERS},
                        verify=in_a.verify, timeout=10)
    assert on_a.status_code == 200


def test_a_cps_card_gets_no_editor_profile(ror_bench: Bench, pki, session_name: str) -> None:
    for profile in range(1, 6):
        refused = _token(ror_bench, pki, session_name, f"bench-profil-{profile}", "cps")
        assert refused.status_code == 401, refused.text
        assert refused.json()["error"] == "invalid_client" and "CPS" in refused.json()["error_description"]
    assert _token(ror_bench, pki, session_name, "bench-profil-1", "org-auth-cli").status_code == 200


def test_a_registered_certificate_is_the_only_one_accepted(ror_bench: Bench, pki, session_name: str) -> None:
    der = pki.certificate("insi-auto").public_bytes(serialization.Encoding.DER)
    fingerprint = hashlib.sha256(der).hexdigest()
    registered = requests.post(ror_bench.admin_url + "/_bench/ror/clients", timeout=10, json={
        "client_id": "editeur-lie", "profile": 2, "cert_sha256": fingerprint})
    assert registered.status_code == 201
    other = _token(ror_bench, pki, session_name, "editeur-lie", "org-auth-cli")  # same PKI, same structure
    assert other.status_code == 401 and other.json()["error"] == "invalid_client"
    assert _token(ror_bench, pki, session_name, "editeur-lie", "insi-auto").status_code == 200


def test_client_secrets_are_not_served(ror_bench: Bench) -> None:
    registered = requests.post(ror_bench.admin_url + "/_bench/ror/clients", timeout=10, json={
        "client_id": "editeur-secret", "profile": 0, "secret": "tres-secret-0042"})
    assert registered.status_code == 201 and "tres-secret-0042" not in registered.text
    listing = requests.get(ror_bench.admin_url + "/_bench/ror/clients", timeout=10)
    assert listing.status_code == 200
    assert "tres-secret-0042" not in listing.text and "secret-profil-0" not in listing.text
    row = next(c for c in listing.json() if c["client_id"] == "editeur-secret")
    assert row["has_secret"] is True and "secret" not in row
