"""Pro Santé Connect recorded samples (tests/fixtures/psc, SOURCES.md): the OpenID discovery document and
an ES256 ID token, read with the project's JOSE codec; tampered copies are refused with the codec's
reason; the bench's discovery document has the recorded members."""

from __future__ import annotations

import base64
import json

import pytest

from simulators.codecs.jose import JoseError, SigningKey, unverified_claims, verify
from simulators.psc.codec import discovery_document, grant_types
from simulators.psc.tokens import USERINFO_CLAIMS
from tests.codecs.recorded import read

KEY = SigningKey.from_pem(read("psc", "test-signing-key.pem"))
TOKEN = read("psc", "id-token.jwt").decode("ascii").strip()
CLAIMS = json.loads(read("psc", "id-token.claims.json"))
DISCOVERY = json.loads(read("psc", "discovery.json"))


def test_id_token_facts() -> None:
    claims = verify(TOKEN, [KEY], issuer=DISCOVERY["issuer"], audience="socle-bench-dui", now=CLAIMS["iat"] + 10)
    assert claims == CLAIMS
    assert (claims["sub"], claims["acr"], claims["typ"]) == ("810961130498", "eidas1", "ID")
    header = json.loads(base64.urlsafe_b64decode(TOKEN.split(".")[0] + "=="))
    assert header == {"alg": "ES256", "kid": KEY.kid, "typ": "JWT"}
    assert json.loads(read("psc", "jwks.json")) == {"keys": [KEY.public_jwk()]}


@pytest.mark.parametrize(("mutate", "reason"), [
    (lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"), "signature"),
    (lambda t: base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode() + t[t.index("."):], "algorithm"),
    (lambda t: t.rsplit(".", 1)[0], "malformed"),
])
def test_tampered_tokens_are_refused(mutate, reason: str) -> None:  # noqa: ANN001
    with pytest.raises(JoseError) as caught:
        verify(mutate(TOKEN), [KEY], issuer=DISCOVERY["issuer"], now=CLAIMS["iat"] + 10)
    assert caught.value.reason == reason


def test_expired_wrong_issuer_and_wrong_audience_are_refused() -> None:
    for kwargs, reason in (({"now": CLAIMS["exp"] + 1}, "expired"),
                           ({"issuer": "https://ailleurs.test/realms/x"}, "issuer"),
                           ({"audience": "mssante"}, "audience")):
        options = {"issuer": DISCOVERY["issuer"], "now": CLAIMS["iat"] + 10, **kwargs}
        with pytest.raises(JoseError) as caught:
            verify(TOKEN, [KEY], **options)
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
