"""The shared JOSE codec (PyJWT): what is refused, with which stable reason; never an exception."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from simulators.codecs import jose
from simulators.codecs.jose import JoseError, SigningKey

KEY = SigningKey.generate()
ISS = "https://iss.test"


def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _reason(token: object, keys: list[SigningKey] = [KEY]) -> str:  # noqa: B006 - read only
    with pytest.raises(JoseError) as refused:
        jose.verify(token, keys, issuer=ISS)  # type: ignore[arg-type]
    return refused.value.reason


def test_round_trip_and_jwks() -> None:
    token = jose.sign({"iss": ISS, "exp": time.time() + 60, "iat": int(time.time())}, KEY)
    assert jose.verify(token, [SigningKey.generate(), KEY], issuer=ISS)["iss"] == ISS
    jwk = jose.jwks([KEY])["keys"][0]
    assert jwk["kid"] == KEY.kid and jwk["alg"] == "ES256" and "d" not in jwk


@pytest.mark.parametrize("exp", [float("nan"), float("inf"), [1], "99999999999", True, None, {"a": 1}])
def test_time_claims_must_be_numbers(exp: object) -> None:
    assert _reason(jose.sign({"iss": ISS, "exp": exp}, KEY)) == "claims"


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_nbf_and_iat_must_be_numbers_too(claim: str) -> None:
    assert _reason(jose.sign({"iss": ISS, "exp": time.time() + 60, claim: "1"}, KEY)) == "claims"
    assert _reason(jose.sign({"iss": ISS, "exp": time.time() + 60, claim: float("nan")}, KEY)) == "claims"


def test_expiry_not_before_issuer() -> None:
    assert _reason(jose.sign({"iss": ISS, "exp": time.time() - 1}, KEY)) == "expired"
    assert _reason(jose.sign({"iss": ISS, "exp": time.time() + 60, "nbf": time.time() + 30}, KEY)) == "not-yet-valid"
    assert _reason(jose.sign({"iss": ISS}, KEY)) == "claims"  # no exp: never "valid forever"
    assert _reason(jose.sign({"iss": "https://autre.test", "exp": time.time() + 60}, KEY)) == "issuer"


def test_forged_unsigned_and_confused_tokens() -> None:
    claims = {"iss": ISS, "exp": time.time() + 60}
    assert _reason(jose.sign(claims, SigningKey.generate())) == "signature"
    assert _reason(jwt.encode(claims, None, algorithm="none")) == "algorithm"
    assert _reason(jwt.encode(claims, "s" * 32, algorithm="HS256")) == "algorithm"
    token = jose.sign(claims, KEY)
    head, body, sig = token.split(".")
    assert _reason(f"{head}.{_b64(dict(claims, iss=ISS, admin=True))}.{sig}") == "signature"  # payload tampered
    assert _reason(f"{_b64({'alg': 'none'})}.{body}.") == "algorithm"
    assert _reason(f"{head}.{body}.") == "signature"
    rsa_like = jwt.encode(claims, ec.generate_private_key(ec.SECP384R1()), algorithm="ES384")
    assert _reason(rsa_like) == "algorithm"
    for garbage in ("", "a.b", "a.b.c", "x" * 9000, None, 12, f"{_b64(b'[1]')}.{body}.{sig}",
                    f"{head}.{_b64(b'[1]')}.{sig}"):
        assert _reason(garbage) in ("malformed", "signature", "algorithm"), garbage


def test_key_file_is_private_and_stable(tmp_path) -> None:
    path = tmp_path / "data" / "k.pem"
    first = SigningKey.load_or_create(path)
    assert path.stat().st_mode & 0o777 == 0o600 and SigningKey.load_or_create(path).kid == first.kid
    assert SigningKey.load_or_create(tmp_path / "other" / "k.pem").kid != first.kid  # random per data dir
