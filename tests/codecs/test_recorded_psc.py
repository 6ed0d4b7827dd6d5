"""Pro Santé Connect recorded samples (tests/fixtures/psc, SOURCES.md): the OpenID discovery document and
an ES256 ID token verified through the recorded JWKS only (public key, kid selection: the private key was
discarded after signing); tampered copies are refused with the codec's reason; the bench's discovery
document has the recorded members."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from simulators.codecs.jose import JoseError, PublicKeys, SigningKey, jwks, unverified_claims, verify
from simulators.psc.codec import discovery_document, grant_types
from simulators.psc.tokens import USERINFO_CLAIMS
from tests.codecs.recorded import FIXTURES, read

TOKEN = read("psc", "id-token.jwt").decode("ascii").strip()
CLAIMS = json.loads(read("psc", "id-token.claims.json"))
DISCOVERY = json.loads(read("psc", "discovery.json"))
JWKS = json.loads(read("psc", "jwks.json"))
KEYS = PublicKeys.from_jwks(JWKS)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _header(token: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))


def test_id_token_verifies_through_the_recorded_jwks() -> None:
    claims = verify(TOKEN, KEYS, issuer=DISCOVERY["issuer"], audience="socle-bench-dui", now=CLAIMS["iat"] + 10)
    assert claims == CLAIMS
    assert (claims["sub"], claims["acr"], claims["typ"]) == ("810961130498", "eidas1", "ID")
    [jwk] = JWKS["keys"]
    assert _header(TOKEN) == {"alg": "ES256", "kid": jwk["kid"], "typ": "JWT"}
    core = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
    assert jwk["kid"] == _b64(hashlib.sha256(core.encode()).digest())  # RFC 7638 thumbprint
    assert (jwk["use"], jwk["alg"]) == ("sig", "ES256")


def test_no_private_key_is_recorded() -> None:
    assert not set(JWKS["keys"][0]) & {"d", "p", "q", "k"}
    for path in (FIXTURES / "psc").iterdir():
        assert b"PRIVATE KEY" not in path.read_bytes(), path.name


def _with_header(token: str, **changes: object) -> str:
    return _b64(json.dumps({**_header(token), **changes}).encode()) + token[token.index("."):]


@pytest.mark.parametrize(("mutate", "reason"), [
    (lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"), "signature"),
    (lambda t: t[: t.index(".") + 1] + _b64(json.dumps(dict(CLAIMS, sub="810000000000")).encode()) + t[t.rindex("."):],
     "signature"),
    (lambda t: _with_header(t, kid="cle-inconnue"), "signature"),
    (lambda t: _with_header(t, alg="none"), "algorithm"),
    (lambda t: _with_header(t, alg="HS256"), "algorithm"),
    (lambda t: _b64(b'{"alg":"none","typ":"JWT"}') + t[t.index("."):], "algorithm"),
    (lambda t: t.rsplit(".", 1)[0], "malformed"),
])
def test_tampered_tokens_are_refused(mutate, reason: str) -> None:
    with pytest.raises(JoseError) as caught:
        verify(mutate(TOKEN), KEYS, issuer=DISCOVERY["issuer"], now=CLAIMS["iat"] + 10)
    assert caught.value.reason == reason


def test_another_key_under_the_recorded_kid_does_not_verify_the_token() -> None:
    stranger = jwks([SigningKey.generate()])
    stranger["keys"][0]["kid"] = JWKS["keys"][0]["kid"]  # same kid, different key
    with pytest.raises(JoseError) as caught:
        verify(TOKEN, PublicKeys.from_jwks(stranger), issuer=DISCOVERY["issuer"], now=CLAIMS["iat"] + 10)
    assert caught.value.reason == "signature"


def test_expired_wrong_issuer_and_wrong_audience_are_refused() -> None:
    for kwargs, reason in (({"now": CLAIMS["exp"] + 1}, "expired"),
                           ({"issuer": "https://ailleurs.test/realms/x"}, "issuer"),
                           ({"audience": "mssante"}, "audience")):
        options = {"issuer": DISCOVERY["issuer"], "now": CLAIMS["iat"] + 10, **kwargs}
        with pytest.raises(JoseError) as caught:
            verify(TOKEN, KEYS, **options)
        assert caught.value.reason == reason
    assert unverified_claims(TOKEN)["nonce"] == CLAIMS["nonce"]


def test_discovery_facts() -> None:
    assert DISCOVERY["id_token_signing_alg_values_supported"] == ["ES256"]
    assert DISCOVERY["code_challenge_methods_supported"] == ["S256"]
    issuer = DISCOVERY["issuer"]
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"):
        assert DISCOVERY[name].startswith(issuer + "/protocol/openid-connect/")


def test_bench_discovery_has_the_recorded_members() -> None:
    ours = discovery_document(issuer="https://psc.socle-bench.test/auth/realms/esante-wallet", base="https://psc.socle-bench.test", grants=grant_types(allow_test_password_grant=False),
                              claims=list(USERINFO_CLAIMS))
    assert set(DISCOVERY) <= set(ours)
    for name in ("response_types_supported", "id_token_signing_alg_values_supported", "code_challenge_methods_supported",
                 "acr_values_supported", "grant_types_supported", "claims_supported"):
        assert ours[name] == DISCOVERY[name], name
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert ours[name].rpartition("/esante-wallet/")[2] == DISCOVERY[name].rpartition("/esante-wallet/")[2], name
