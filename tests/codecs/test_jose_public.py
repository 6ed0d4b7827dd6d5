"""Public verification in the JOSE codec (`PublicKeys`: a JWKS document with kid selection through
PyJWT's PyJWKSet, or one public key): what verifies, what is refused with which JoseError reason, and
which key sets are refused at load time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from simulators.codecs import jose
from simulators.codecs.jose import JoseError, PublicKeys, SigningKey

ISS = "https://iss.test/realms/r"
AUD = "socle-bench-dui"
KEY, OTHER = SigningKey.generate(), SigningKey.generate()
JWKS = jose.jwks([OTHER, KEY])  # two keys: the kid must pick the right one


def _claims(**extra: object) -> dict[str, object]:
    return {"iss": ISS, "aud": AUD, "exp": time.time() + 60, "iat": int(time.time()), **extra}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _refusal(token: str, keys: PublicKeys, **kwargs: object) -> JoseError:
    with pytest.raises(JoseError) as refused:
        jose.verify(token, keys, issuer=ISS, audience=AUD, **kwargs)  # type: ignore[arg-type]
    return refused.value


def _public_pem(key: SigningKey) -> bytes:
    return key.private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("document", [JWKS, json.dumps(JWKS), json.dumps(JWKS).encode()])
def test_good_token_verifies_with_the_jwks(document: object) -> None:
    keys = PublicKeys.from_jwks(document)  # type: ignore[arg-type]
    assert [k.kid for k in keys.keys] == [OTHER.kid, KEY.kid] and keys.algorithms == {"ES256"}
    for signer in (KEY, OTHER):
        assert jose.verify(jose.sign(_claims(), signer), keys, issuer=ISS, audience=AUD)["aud"] == AUD


def test_good_token_verifies_with_one_public_key() -> None:
    token = jose.sign(_claims(), KEY)
    for pinned in (PublicKeys.from_public_key(_public_pem(KEY)), PublicKeys.from_public_key(KEY.private_key.public_key()),
                   PublicKeys.of([KEY])):
        assert jose.verify(token, pinned, issuer=ISS, audience=AUD)["iss"] == ISS
    assert _refusal(token, PublicKeys.from_public_key(_public_pem(OTHER))).reason == "signature"


def test_wrong_kid_is_refused() -> None:
    keys = PublicKeys.from_jwks(JWKS)
    # signed by a key of the set but naming a kid the set does not have: kid selection, not a blind try
    renamed = jwt.encode(_claims(), KEY.private_key, algorithm="ES256", headers={"kid": "inconnu"})
    refused = _refusal(renamed, keys)
    assert refused.reason == "signature" and "kid" in str(refused)
    # signed by a key outside the set, under its own kid, and with no kid at all
    stranger = SigningKey.generate()
    assert _refusal(jose.sign(_claims(), stranger), keys).reason == "signature"
    unnamed = jwt.encode(_claims(), stranger.private_key, algorithm="ES256")
    assert _refusal(unnamed, keys).reason == "signature"
    # naming the other key of the set while signed by KEY: the named key's signature check fails
    swapped = jwt.encode(_claims(), KEY.private_key, algorithm="ES256", headers={"kid": OTHER.kid})
    assert _refusal(swapped, keys).reason == "signature"
    # a token without kid is tried against every key of its algorithm
    assert jose.verify(jwt.encode(_claims(), KEY.private_key, algorithm="ES256"), keys, issuer=ISS, audience=AUD)


def test_alg_none_and_confused_algorithms_are_refused() -> None:
    keys = PublicKeys.from_jwks(JWKS)
    body = jose.sign(_claims(), KEY).split(".")[1]
    assert _refusal(jwt.encode(_claims(), None, algorithm="none"), keys).reason == "algorithm"
    assert _refusal(f"{_b64({'alg': 'none', 'kid': KEY.kid})}.{body}.", keys).reason == "algorithm"
    # HS256 keyed with the published public key (the key confusion attack)
    hmac_header = _b64({"alg": "HS256", "kid": KEY.kid, "typ": "JWT"})
    mac = hmac.new(_public_pem(KEY), f"{hmac_header}.{body}".encode(), hashlib.sha256).digest()
    forged = f"{hmac_header}.{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert _refusal(forged, keys).reason == "algorithm"
    es384 = jwt.encode(_claims(), ec.generate_private_key(ec.SECP384R1()), algorithm="ES384", headers={"kid": KEY.kid})
    assert _refusal(es384, keys).reason == "algorithm"


def test_tampered_signature_and_payload_are_refused() -> None:
    keys = PublicKeys.from_jwks(JWKS)
    head, body, sig = jose.sign(_claims(), KEY).split(".")
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    assert _refusal(f"{head}.{body}.{flipped}", keys).reason == "signature"
    assert _refusal(f"{head}.{_b64(_claims(sub='admin'))}.{sig}", keys).reason == "signature"
    assert _refusal(f"{head}.{body}.", keys).reason == "signature"


def test_expired_wrong_audience_and_wrong_issuer_are_refused() -> None:
    keys = PublicKeys.from_jwks(JWKS)
    assert _refusal(jose.sign(_claims(exp=time.time() - 1), KEY), keys).reason == "expired"
    assert _refusal(jose.sign(_claims(aud="mssante"), KEY), keys).reason == "audience"
    assert _refusal(jose.sign(_claims(iss="https://ailleurs.test"), KEY), keys).reason == "issuer"
    assert _refusal(jose.sign(_claims(exp="demain"), KEY), keys).reason == "claims"


def test_rsa_jwks_when_allowed_and_only_then() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_jwk = dict(json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key())), kid="rsa-1", use="sig")
    mixed = {"keys": [rsa_jwk, *JWKS["keys"]]}
    token = jwt.encode(_claims(), private, algorithm="RS256", headers={"kid": "rsa-1"})
    assert _refusal(token, PublicKeys.from_jwks(mixed)).reason == "algorithm"  # default allow-list: ES256
    both = PublicKeys.from_jwks(mixed, algorithms=("ES256", "RS256"))
    assert jose.verify(token, both, issuer=ISS, audience=AUD)["aud"] == AUD
    assert jose.verify(jose.sign(_claims(), KEY), both, issuer=ISS, audience=AUD)


@pytest.mark.parametrize(("document", "algorithms", "message"), [
    ({"keys": [dict(JWKS["keys"][0], d="AAAA")]}, ("ES256",), "privée"),
    ({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}]}, ("ES256",), "privée"),
    ({"keys": [dict(JWKS["keys"][0], use="enc")]}, ("ES256",), "aucune clé"),
    ({"keys": []}, ("ES256",), "inutilisable"),
    ({"clés": []}, ("ES256",), "'keys'"),
    ([JWKS["keys"][0]], ("ES256",), "'keys'"),
    (JWKS, ("none",), "refusés"),
    (JWKS, ("HS256", "ES256"), "refusés"),
    (JWKS, (), "refusés"),
    (JWKS, ("ES384",), "aucune clé"),
    ({"keys": [dict(JWKS["keys"][0], alg="ES384")]}, ("ES384",), "inutilisable|courbe"),
])
def test_unusable_key_sets_are_refused_at_load(document: object, algorithms: tuple[str, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PublicKeys.from_jwks(document, algorithms=algorithms)  # type: ignore[arg-type]


def test_unusable_public_keys_are_refused_at_load() -> None:
    with pytest.raises(ValueError, match="refusés"):
        PublicKeys.from_public_key(_public_pem(KEY), algorithm="HS256")
    with pytest.raises(ValueError, match="inadaptée"):
        PublicKeys.from_public_key(_public_pem(KEY), algorithm="RS256")
    with pytest.raises(ValueError, match="courbe"):
        PublicKeys.from_public_key(ec.generate_private_key(ec.SECP384R1()).public_key(), algorithm="ES256")
    with pytest.raises(ValueError, match="aucune clé"):
        PublicKeys([])
