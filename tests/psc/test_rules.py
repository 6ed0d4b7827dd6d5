"""PSC's rules without HTTP, on a fake clock: CIBA pending -> token, expiries, code lifetime."""

from __future__ import annotations

import pytest

from simulators.codecs.jose import SigningKey
from simulators.psc.codec import grant_types, s256
from simulators.psc.model import Client, OAuthError
from simulators.psc.rules import Directory, ProSanteConnect, PscOptions
from simulators.psc.seed import world_users
from simulators.psc.store import GrantStore
from simulators.psc.tokens import PscIssuer

USERS = world_users(42)
CLIENT = Client("dui")


def _psc(now: list[float], **options) -> ProSanteConnect:
    return ProSanteConnect(PscIssuer(SigningKey.generate()), Directory(USERS), {"dui": CLIENT},
                           GrantStore(clock=lambda: now[0]), PscOptions(**options), lambda _s, _a: False)


def _error(call) -> str:
    with pytest.raises(OAuthError) as refused:
        call()
    return refused.value.error


def test_ciba_pending_then_token_then_spent() -> None:
    now = [1000.0]
    psc = _psc(now, ciba_approval_delay_s=10, ciba_expires_in_s=60)
    started = psc.backchannel({"scope": "openid", "login_hint": USERS[0].national_id}, CLIENT, "s", refused=False)
    poll = {"auth_req_id": started["auth_req_id"]}
    assert _error(lambda: psc.ciba_token(poll, CLIENT)) == "authorization_pending"
    now[0] += 10
    tokens = psc.ciba_token(poll, CLIENT)
    assert psc.issuer.verify(tokens["access_token"], now=now[0])["sub"] == USERS[0].national_id
    assert _error(lambda: psc.ciba_token(poll, CLIENT)) == "invalid_grant"
    assert _error(lambda: psc.ciba_token(poll, Client("autre"))) == "invalid_grant"


def test_ciba_expiry_refusal_and_hints() -> None:
    now = [1000.0]
    psc = _psc(now, ciba_approval_delay_s=100, ciba_expires_in_s=60)
    started = psc.backchannel({"scope": "openid", "login_hint": USERS[0].rpps}, CLIENT, "s", refused=False)
    now[0] += 61
    assert _error(lambda: psc.ciba_token({"auth_req_id": started["auth_req_id"]}, CLIENT)) == "expired_token"
    refused = psc.backchannel({"scope": "openid", "login_hint": USERS[0].rpps}, CLIENT, "s", refused=True)
    assert _error(lambda: psc.ciba_token({"auth_req_id": refused["auth_req_id"]}, CLIENT)) == "access_denied"
    assert _error(lambda: psc.backchannel({"scope": "openid"}, CLIENT, "s", refused=False)) == "invalid_request"
    assert _error(lambda: psc.backchannel({"scope": "email", "login_hint": "x"}, CLIENT, "s",
                                          refused=False)) == "invalid_scope"


def test_code_expires_and_pkce_is_s256() -> None:
    now = [1000.0]
    psc = _psc(now)
    verifier = "v" * 43
    auth = psc.authorize({"response_type": "code", "client_id": "dui", "redirect_uri": "https://d.test/cb",
                          "scope": "openid", "code_challenge": s256(verifier), "code_challenge_method": "S256"}, "s")
    _, code = psc.login(auth.request_id, USERS[0].national_id, "socle-bench")
    now[0] += 61
    form = {"code": code, "redirect_uri": "https://d.test/cb", "code_verifier": verifier}
    assert _error(lambda: psc.exchange_code(form, CLIENT)) == "invalid_grant"
    # RFC 7636 appendix B
    assert s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_password_grant_is_only_a_test_convenience() -> None:
    psc = _psc([1000.0], allow_test_password_grant=False)
    form = {"username": USERS[0].email, "password": "socle-bench"}
    assert _error(lambda: psc.password(form, "s", None)) == "unsupported_grant_type"


def test_identifiers_and_advertised_grants() -> None:
    psc = _psc([1000.0])
    user = USERS[0]
    assert psc.directory.find(user.rpps) == psc.directory.find(user.national_id) == user
    assert psc.directory.find(user.email) is None  # PSC identifies people by national id, not by mail address
    assert "password" not in grant_types(allow_test_password_grant=False)
    assert "password" in grant_types(allow_test_password_grant=True)
    tokens = psc.issue_for_address(user.email, session="s")
    assert psc.issuer.verify(tokens["access_token"], now=1000.0)["sub"] == user.national_id
