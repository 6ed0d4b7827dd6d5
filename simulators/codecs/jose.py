"""JSON Web Tokens on PyJWT (ES256): the one place the bench signs and verifies JWTs.

Used by Pro Santé Connect (`simulators.psc`) and the ROR's Keycloak stand-in (`simulators.ror.auth`).
PyJWT checks the structure, the algorithm allow-list (so `alg: none` and HS256-with-the-public-key
are refused) and the signature; the time claims are checked here, strictly: RFC 7519 §2 defines
`exp`/`nbf`/`iat` as NumericDate, a JSON number, so a string, a list, a boolean, NaN or an infinity
is a refusal ("claims"), never an exception and never "valid forever".

`verify` takes the bench's own `SigningKey`s or `PublicKeys`: verification without any private part,
from a JWKS document (RFC 7517, key chosen by the token's `kid` through `jwt.PyJWKSet`) or from one
public key (PEM or key object), limited to an allow-list of asymmetric JWS algorithms.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from simulators.codecs.errors import ProtocolError

if TYPE_CHECKING:  # jwt.types appeared in PyJWT 2.10; the project accepts 2.8
    from jwt.types import Options

ALGORITHM = "ES256"
MAX_TOKEN_CHARS = 8192
TIME_CLAIMS = ("exp", "nbf", "iat")
# Asymmetric JWS algorithms (RFC 7518 §3, RFC 8037): `none` and the HMAC family can never be allowed
# for public verification (an HMAC "key" taken from a public JWK is the classic confusion attack).
PUBLIC_ALGORITHMS = frozenset({"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                               "EdDSA"})
_EC_CURVES = {"ES256": "secp256r1", "ES384": "secp384r1", "ES512": "secp521r1"}


class JoseError(ProtocolError):
    """A token is refused. `reason` is stable: malformed, algorithm, signature, issuer, audience,
    claims, expired, not-yet-valid. The message is French (shown to the DUI)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SigningKey:
    """An EC P-256 key pair with its JWK key id (RFC 7638 thumbprint)."""

    private_key: ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError("clé de signature JOSE : EC P-256 attendue")
        return cls(key)

    @classmethod
    def load_or_create(cls, path: Path) -> SigningKey:
        """The key persisted at `path` (PEM, 0600), created at first use. Racing processes (gunicorn
        workers) agree: the file is created exclusively and a loser reads the winner's key."""
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            key = cls.generate()
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as out:
                    out.write(key.to_pem())
                return key
        for _ in range(50):  # a racing writer may not have flushed yet
            pem = path.read_bytes()
            if pem.strip().endswith(b"-----"):
                return cls.from_pem(pem)
            time.sleep(0.01)
        return cls.from_pem(path.read_bytes())

    def to_pem(self) -> bytes:
        return self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption())

    def public_jwk(self) -> dict[str, Any]:
        return dict(self._public_jwk)

    @cached_property
    def _public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private_key.public_key()))
        core = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
        thumb = hashlib.sha256(json.dumps(core, separators=(",", ":"), sort_keys=True).encode()).digest()
        kid = jwt.utils.base64url_encode(thumb).decode("ascii")
        return dict(core, use="sig", alg=ALGORITHM, kid=kid)

    @cached_property
    def kid(self) -> str:
        return str(self.public_jwk()["kid"])


@dataclass(frozen=True)
class VerificationKey:
    """One public key, the one algorithm it verifies, and its `kid` (None: a pinned key, any kid)."""

    key: Any  # cryptography public key (EC, RSA or Ed25519)
    algorithm: str
    kid: str | None = None


class PublicKeys:
    """Keys a token is verified against, public parts only. Built from a JWKS document (`from_jwks`)
    or one public key (`from_public_key`); a key set that cannot be used is a ValueError at load time
    (configuration), never at verification."""

    def __init__(self, keys: Sequence[VerificationKey]) -> None:
        if not keys:
            raise ValueError("clés de vérification JOSE : aucune clé")
        for key in keys:
            _check_public(key.key, key.algorithm)
        self.keys = tuple(keys)

    @property
    def algorithms(self) -> frozenset[str]:
        return frozenset(key.algorithm for key in self.keys)

    @classmethod
    def from_jwks(cls, document: Mapping[str, Any] | str | bytes, *,
                  algorithms: Collection[str] = (ALGORITHM,)) -> PublicKeys:
        """The signing keys of a JWKS document whose algorithm is in `algorithms` (a JWK's `alg`, or
        the one its `kty`/`crv` implies). Encryption keys (`use: enc`) are left out; a member holding a
        private part (`d`, …) is refused: a published key set never carries one."""
        allowed = _allow_list(algorithms)
        data = json.loads(document) if isinstance(document, (str, bytes)) else document
        members = data.get("keys") if isinstance(data, Mapping) else None
        if not isinstance(members, list):
            raise ValueError("JWKS : membre 'keys' (liste) attendu")  # noqa: TRY004 - callers catch ValueError
        if any(isinstance(m, Mapping) and set(m) & {"d", "p", "q", "k"} for m in members):
            raise ValueError("JWKS : une clé contient une partie privée ou secrète")
        try:
            keyset = jwt.PyJWKSet(members)
        except jwt.PyJWTError as exc:
            raise ValueError(f"JWKS inutilisable : {exc}") from exc
        keys = [VerificationKey(jwk.key, jwk.algorithm_name, jwk.key_id) for jwk in keyset.keys
                if jwk.public_key_use in (None, "sig") and jwk.algorithm_name in allowed]
        if not keys:
            raise ValueError(f"JWKS : aucune clé de signature pour {sorted(allowed)}")
        return cls(keys)

    @classmethod
    def from_public_key(cls, key: Any, *, algorithm: str = ALGORITHM, kid: str | None = None) -> PublicKeys:
        """One public key (a PEM document or a `cryptography` public key) for `algorithm`. Without
        `kid` the key is pinned: whatever `kid` a token names, only this key is tried."""
        _allow_list([algorithm])
        if isinstance(key, (bytes, str)):
            key = serialization.load_pem_public_key(key.encode() if isinstance(key, str) else key)
        return cls([VerificationKey(key, algorithm, kid)])

    @classmethod
    def of(cls, keys: Sequence[SigningKey]) -> PublicKeys:
        """The public halves of the bench's own signing keys (what `jwks(keys)` publishes)."""
        return cls([VerificationKey(k.private_key.public_key(), ALGORITHM, k.kid) for k in keys])

    def candidates(self, header: Mapping[str, Any]) -> list[VerificationKey]:
        alg, kid = header.get("alg"), header.get("kid")
        usable = [k for k in self.keys if k.algorithm == alg]
        if kid is None:
            return usable
        return [k for k in usable if k.kid is None or k.kid == kid]


def _allow_list(algorithms: Collection[str]) -> frozenset[str]:
    refused = set(algorithms) - PUBLIC_ALGORITHMS
    if refused or not algorithms:
        raise ValueError(f"algorithmes JOSE refusés pour une vérification publique : {sorted(refused) or 'aucun'}")
    return frozenset(algorithms)


def _check_public(key: Any, algorithm: str) -> None:
    family = (ed25519.Ed25519PublicKey if algorithm == "EdDSA" else
              ec.EllipticCurvePublicKey if algorithm.startswith("ES") else rsa.RSAPublicKey)
    if not isinstance(key, family):
        raise ValueError(  # noqa: TRY004 - a key of the wrong family is a refused value; callers catch ValueError
            f"clé de vérification JOSE : clé publique {type(key).__name__} inadaptée à {algorithm}")
    curve = _EC_CURVES.get(algorithm)  # an ES* key passed the family check above: an EllipticCurvePublicKey
    if curve is not None and isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name != curve:
        raise ValueError(f"clé de vérification JOSE : courbe {key.curve.name} inadaptée à {algorithm}")


def jwks(keys: Sequence[SigningKey]) -> dict[str, Any]:
    return {"keys": [key.public_jwk() for key in keys]}


def sign(claims: dict[str, Any], key: SigningKey, *, typ: str = "JWT") -> str:
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": typ})


def _numeric(claims: dict[str, Any], name: str) -> float | None:
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise JoseError("claims", f"revendication {name!r} invalide : NumericDate (nombre) attendu, "
                                  f"reçu {json.dumps(value, allow_nan=True)[:40]}")
    return float(value)


def check_times(claims: dict[str, Any], *, now: float, leeway: float = 0.0) -> None:
    exp, nbf, iat = (_numeric(claims, name) for name in TIME_CLAIMS)
    if exp is None:
        raise JoseError("claims", "revendication 'exp' absente")
    if exp <= now - leeway:
        raise JoseError("expired", "jeton expiré")
    if nbf is not None and nbf > now + leeway:
        raise JoseError("not-yet-valid", "jeton pas encore valide (nbf)")
    if iat is not None and iat > now + leeway + 60:
        raise JoseError("claims", "revendication 'iat' dans le futur")


def verify(token: str, keys: Sequence[SigningKey] | PublicKeys, *, issuer: str, audience: str | None = None,
           now: float | None = None, leeway: float = 0.0, check_expiry: bool = True) -> dict[str, Any]:
    """The claims of a token signed by one of `keys` for `issuer` (and `audience`), else JoseError.
    With the bench's `SigningKey`s the `kid` only orders the tries (ES256); with `PublicKeys` the
    token's `alg` must be one of the set's and its `kid`, when present, must name a key of the set.
    `check_expiry=False` still demands numeric time claims (an expired ID token may name a session)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise JoseError("malformed", "jeton mal formé (JWT compact attendu)")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise JoseError("malformed", "en-tête du jeton illisible") from exc
    alg = header.get("alg")
    if isinstance(keys, PublicKeys):
        if not isinstance(alg, str) or alg not in keys.algorithms:
            raise JoseError("algorithm", f"algorithme {str(alg)[:20]!r} refusé ({', '.join(sorted(keys.algorithms))} "
                                         f"attendu)")
        candidates = keys.candidates(header)
        if not candidates:
            raise JoseError("signature", f"clé du jeton inconnue (kid {str(header.get('kid'))[:60]!r} absent du JWKS)")
    else:
        if alg != ALGORITHM:
            raise JoseError("algorithm", f"algorithme {str(alg)[:20]!r} refusé ({ALGORITHM} attendu)")
        signing = [k for k in keys if k.kid == header.get("kid")] or list(keys)
        candidates = [VerificationKey(k.private_key.public_key(), ALGORITHM, k.kid) for k in signing]
    claims = _decode(token, candidates)
    if not isinstance(claims, dict) or claims.get("iss") != issuer:
        raise JoseError("issuer", "émetteur du jeton inattendu")
    if audience is not None:
        aud = claims.get("aud")
        if audience != aud and not (isinstance(aud, list) and audience in aud):
            raise JoseError("audience", "audience du jeton inattendue")
    if check_expiry:
        check_times(claims, now=time.time() if now is None else now, leeway=leeway)
    else:
        for name in TIME_CLAIMS:
            _numeric(claims, name)
    return claims


def _decode(token: str, candidates: Sequence[VerificationKey]) -> Any:
    """The payload under the first candidate whose signature holds (PyJWT: structure, alg, signature)."""
    options: Options = {"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False,
               "verify_iss": False, "require": []}
    for candidate in candidates:
        try:
            return jwt.decode(token, candidate.key, algorithms=[candidate.algorithm], options=options)
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise JoseError("malformed", "jeton illisible") from exc
    raise JoseError("signature", "signature du jeton invalide (émetteur ou clé inconnus)")


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload without any check: for journaling which session an attempt named, never for trust."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        return {}
    return claims if isinstance(claims, dict) else {}
