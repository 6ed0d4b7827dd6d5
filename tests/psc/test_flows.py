"""Pro Santé Connect over real sockets: discovery, code + PKCE, CIBA, refresh, userinfo,
introspection, logout, and the OAuth refusals in RFC 6749 §5.2 shape."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from simulators.core.config import BenchConfig
from simulators.psc.client import DEFAULT_REDIRECT, PscClient, PscClientError, pkce_pair
from simulators.psc.codec import OIDC, REALM
from simulators.psc.seed import world_users
from tests.psc.conftest import REDIRECT

USER = world_users(BenchConfig().seed)[0]


def _error(response: requests.Response) -> str:
    """The RFC 6749 §5.2 shape: JSON object with `error` (and a description), never a page or a trace."""
    assert response.headers["Content-Type"].startswith("application/json"), response.text[:200]
    body = response.json()
    assert set(body) <= {"error", "error_description", "error_uri"} and body["error"], body
    assert "Traceback" not in response.text
    return body["error"]


def test_every_discovery_endpoint_answers(psc: PscClient) -> None:
    doc = psc.discovery()
    assert doc["issuer"].endswith("/auth/realms/esante-wallet")
    assert "urn:openid:params:grant-type:ciba" in doc["grant_types_supported"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["backchannel_token_delivery_modes_supported"] == ["poll"]
    endpoints = {k: v for k, v in doc.items() if k.endswith(("_endpoint", "_uri"))}
    assert len(endpoints) == 7, endpoints
    http = psc.http
    for name, url in endpoints.items():
        answer = (http.post(url, data={}, timeout=10, allow_redirects=False) if name in (
            "token_endpoint", "introspection_endpoint", "backchannel_authentication_endpoint")
                  else http.get(url, timeout=10, allow_redirects=False))
        assert answer.status_code != 404 and answer.status_code < 500, (name, answer.status_code)
    assert http.get(doc["jwks_uri"], timeout=10).json()["keys"][0]["alg"] == "ES256"
    wallet = http.get(psc.base_url + "/auth", timeout=10)  # the wallet host's /auth path answers too
    assert wallet.status_code in (400, 401) and "Demande refusée" in wallet.text


def test_code_pkce_flow_userinfo_introspection_refresh_and_logout(psc: PscClient) -> None:
    tokens = psc.login(USER.rpps)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 300 and tokens["id_token"]
    info = psc.userinfo(tokens["access_token"])
    assert info["sub"] == USER.national_id == info["SubjectNameID"] and "@" not in info["sub"]
    assert info["SubjectRefPro"]["exercices"][0]["codeProfession"] == USER.profession_code
    assert info["SubjectOrganization"] == USER.organisation_name and info["acr"] == "eidas1"
    active = psc.introspect(tokens["access_token"])
    assert active["active"] and active["SubjectNameID"] == USER.national_id and active["client_id"] == psc.client_id
    refreshed = psc.refresh(tokens["refresh_token"])
    assert psc.userinfo(refreshed["access_token"])["sub"] == USER.national_id
    assert "SubjectNameID" not in psc.introspect(tokens["refresh_token"])  # only with the access token (ANS)
    assert psc.introspect("pas-un-jeton") == {"active": False}
    assert psc.logout(tokens["id_token"]) == 200
    with pytest.raises(PscClientError) as ended:
        psc.refresh(refreshed["refresh_token"])
    assert ended.value.error == "invalid_grant"
    assert psc.introspect(tokens["access_token"]) == {"active": False}


def test_wrong_verifier_reused_code_and_redirect_mismatch_are_refused(psc: PscClient) -> None:
    verifier, challenge = pkce_pair()
    code = psc.login_for_code(USER.national_id, "socle-bench", challenge=challenge, state="s1")
    token_url = psc.discovery()["token_endpoint"]
    base = {"grant_type": "authorization_code", "code": code, "redirect_uri": DEFAULT_REDIRECT,
            "client_id": psc.client_id}
    wrong = psc.http.post(token_url, data={**base, "code_verifier": pkce_pair()[0]}, timeout=10)
    assert wrong.status_code == 400 and _error(wrong) == "invalid_grant"
    # the code was spent by the failed attempt: even the right verifier now fails (one use only)
    reused = psc.http.post(token_url, data={**base, "code_verifier": verifier}, timeout=10)
    assert reused.status_code == 400 and _error(reused) == "invalid_grant"

    verifier, challenge = pkce_pair()
    code = psc.login_for_code(USER.national_id, "socle-bench", challenge=challenge, state="s2")
    other = psc.http.post(token_url, data={**base, "code": code, "code_verifier": verifier,
                                           "redirect_uri": "http://ailleurs.test/cb"}, timeout=10)
    assert other.status_code == 400 and _error(other) == "invalid_grant"

    verifier, challenge = pkce_pair()
    code = psc.login_for_code(USER.national_id, "socle-bench", challenge=challenge, state="s3")
    good = psc.http.post(token_url, data={**base, "code": code, "code_verifier": verifier}, timeout=10)
    assert good.status_code == 200 and good.headers["Cache-Control"] == "no-store"
    again = psc.http.post(token_url, data={**base, "code": code, "code_verifier": verifier}, timeout=10)
    assert again.status_code == 400 and _error(again) == "invalid_grant"


def test_authorization_errors(psc: PscClient, confidential: PscClient) -> None:
    auth = psc.discovery()["authorization_endpoint"]
    _, challenge = pkce_pair()
    good = {"response_type": "code", "client_id": psc.client_id, "redirect_uri": DEFAULT_REDIRECT, "scope": "openid",
            "state": "xyz", "code_challenge": challenge, "code_challenge_method": "S256"}
    for broken, error in (({"code_challenge": "", "code_challenge_method": ""}, "invalid_request"),
                          ({"code_challenge_method": "plain"}, "invalid_request"),
                          ({"scope": "profile"}, "invalid_scope"),
                          ({"response_type": "token"}, "unsupported_response_type")):
        answer = psc.http.get(auth, params={**good, **broken}, timeout=10, allow_redirects=False)
        assert answer.status_code == 302, broken
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        assert query["error"] == [error] and query["state"] == ["xyz"], broken
    for untrusted in ({"client_id": "inconnu"}, {"redirect_uri": "pas-une-uri"}):
        page = psc.http.get(auth, params={**good, **untrusted}, timeout=10, allow_redirects=False)
        assert page.status_code in (400, 401) and "Location" not in page.headers  # never redirect to an untrusted URI
    registered = confidential.http.get(auth, params={**good, "client_id": confidential.client_id,
                                                     "redirect_uri": "https://autre.test/cb"}, timeout=10)
    assert registered.status_code == 400  # not among the client's registered redirect URIs
    form = psc.http.get(auth, params=good, timeout=10)
    request_id = form.text.split('name="request_id" value="')[1].split('"')[0]
    denied = psc.http.post(auth, data={"request_id": request_id, "identifier": USER.rpps, "code": "0000"}, timeout=10)
    assert denied.status_code == 401 and "incorrect" in denied.text


def test_confidential_client_and_ciba(confidential: PscClient, psc_root: str, pki) -> None:
    tokens = confidential.ciba_login(USER.national_id, interval_s=0.2, timeout_s=30)
    assert confidential.userinfo(tokens["access_token"])["sub"] == USER.national_id
    assert confidential.introspect(tokens["access_token"])["azp"] == confidential.client_id
    verifier, challenge = pkce_pair()
    code = confidential.login_for_code(USER.rpps, "socle-bench", redirect_uri=REDIRECT, challenge=challenge, state="c")
    assert confidential.exchange_code(code, verifier, redirect_uri=REDIRECT)["access_token"]
    stranger = PscClient(psc_root, client_id=confidential.client_id, client_secret="faux", verify=str(pki.root_path))
    with pytest.raises(PscClientError) as refused:
        stranger.start_ciba(USER.national_id)
    assert refused.value.error == "invalid_client" and refused.value.status == 401
    with pytest.raises(PscClientError) as unknown:
        confidential.start_ciba("899999999999")
    assert unknown.value.error == "unknown_user_id"
    with pytest.raises(PscClientError) as spent:  # an auth_req_id gives tokens once
        confidential.poll_ciba("inconnu")
    assert spent.value.error == "invalid_grant"


def test_ciba_refused_through_the_fault_engine(psc_bench, confidential: PscClient) -> None:
    session = "psc-ciba-refus"
    rule = requests.post(f"{psc_bench.admin_url}/_bench/faults", timeout=10, json={
        "session": session, "service": "psc", "operation": "ciba.auth", "kind": "fault", "fault": "ciba_refus"})
    assert rule.status_code in (200, 201), rule.text
    scoped = PscClient(confidential.base_url + f"/s/{session}", client_id=confidential.client_id,
                       client_secret=confidential.client_secret, verify=confidential.verify)
    with pytest.raises(PscClientError) as refused:
        scoped.ciba_login(USER.national_id, interval_s=0.2, timeout_s=30)
    assert refused.value.error == "access_denied"
    assert confidential.ciba_login(USER.national_id, interval_s=0.2)["access_token"]  # other sessions unaffected


def test_token_endpoint_errors_have_the_oauth_shape(psc: PscClient) -> None:
    url = psc.discovery()["token_endpoint"]
    cases = [({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
             ({}, 400, "unsupported_grant_type"),
             ({"grant_type": "refresh_token", "refresh_token": "x.y.z"}, 400, "invalid_grant"),
             ({"grant_type": "authorization_code", "client_id": "inconnu", "code": "c"}, 401, "invalid_client"),
             ({"grant_type": "urn:openid:params:grant-type:ciba", "client_id": psc.client_id,
               "auth_req_id": "nope"}, 400, "invalid_grant"),
             ({"grant_type": "password", "username": "x@y.test", "password": "socle-bench"}, 401, "invalid_grant")]
    for form, status, error in cases:
        answer = psc.http.post(url, data=form, timeout=10)
        assert answer.status_code == status and _error(answer) == error, (form, answer.text)
    basic = psc.http.post(url, data={"grant_type": "authorization_code"}, headers={"Authorization": "Basic !!!"},
                          timeout=10)
    assert basic.status_code == 401 and _error(basic) == "invalid_client"
    unknown = psc.http.get(psc.base_url + REALM + "/nulle-part", timeout=10)
    assert unknown.status_code == 404 and _error(unknown) == "invalid_request"
    bad_bearer = psc.http.get(psc.base_url + OIDC + "/userinfo", headers={"Authorization": "Bearer a.b.c"}, timeout=10)
    assert bad_bearer.status_code == 401 and _error(bad_bearer) == "invalid_token"
    assert bad_bearer.headers["WWW-Authenticate"].startswith("Bearer")
