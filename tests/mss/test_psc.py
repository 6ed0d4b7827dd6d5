"""Mock Pro Santé Connect: discovery, password and refresh grants, JWKS, userinfo, refusals."""

from __future__ import annotations

import requests

from tests.mss.test_operator import CRIP, ERGO

REALM = "/auth/realms/esante-wallet"


def test_discovery_token_userinfo_and_refusals(mss_bench, pki) -> None:
    verify = str(pki.root_path)
    root = mss_bench.url("psc").split("/auth/")[0]
    discovery = requests.get(root + REALM + "/.well-known/wallet-openid-configuration", verify=verify, timeout=10).json()
    assert discovery["issuer"].endswith("/realms/esante-wallet")
    assert requests.get(discovery["jwks_uri"], verify=verify, timeout=10).json()["keys"][0]["alg"] == "ES256"
    token = requests.post(discovery["token_endpoint"], verify=verify, timeout=10, data={
        "grant_type": "password", "username": ERGO, "password": "socle-bench"}).json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 300
    info = requests.get(discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"},
                        verify=verify, timeout=10).json()
    assert info["email"] == ERGO
    for form in ({"grant_type": "password", "username": ERGO, "password": "faux"},
                 {"grant_type": "password", "username": "lps.crip@cd93.mssante.test", "password": "socle-bench"},
                 {"grant_type": "refresh_token", "refresh_token": token["access_token"]},
                 {"grant_type": "client_credentials"}):
        refused = requests.post(discovery["token_endpoint"], data=form, verify=verify, timeout=10)
        assert refused.status_code in (400, 401) and "error" in refused.json()
    scoped = requests.post(root + "/s/psc-session" + REALM + "/protocol/openid-connect/token", verify=verify,
                           timeout=10, data={"grant_type": "password", "username": CRIP, "password": "socle-bench"})
    introspect = requests.post(discovery["introspection_endpoint"], data={"token": scoped.json()["access_token"]},
                               verify=verify, timeout=10).json()
    assert introspect["active"] and introspect["session"] == "psc-session"
