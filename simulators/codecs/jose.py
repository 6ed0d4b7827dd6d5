"""JSON Web Tokens on PyJWT (ES256): the one place the bench signs and verifies JWTs.

Used by Pro Santé Connect (`simulators.psc`) and the ROR's Keycloak stand-in (`simulators.ror.auth`).
PyJWT checks the structure, the algorithm allow-list (so `alg: none` and HS256-with-the-public-key
are refused) and the signature; the time claims are checked here, strictly: RFC 7519 §2 defines
`exp`/`nbf`/`iat` as NumericDate, a JSON number, so a string, a list, a boolean, NaN or an infinity
is a refusal ("claims"), never an exception and never "valid forever".
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from simulators.core.errors import ProtocolError

ALGORITHM = "ES256"
MAX_TOKEN_CHARS = 8192
TIME_CLAIMS = ("exp", "nbf", "iat")


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


def verify(token: str, keys: Sequence[SigningKey], *, issuer: str, audience: str | None = None,
           now: float | None = None, leeway: float = 0.0, check_expiry: bool = True) -> dict[str, Any]:
    """The claims of a token signed by one of `keys` for `issuer` (and `audience`), else JoseError.
    `check_expiry=False` still demands numeric time claims (an expired ID token may name a session)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise JoseError("malformed", "jeton mal formé (JWT compact attendu)")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise JoseError("malformed", "en-tête du jeton illisible") from exc
    if header.get("alg") != ALGORITHM:
        raise JoseError("algorithm", f"algorithme {str(header.get('alg'))[:20]!r} refusé ({ALGORITHM} attendu)")
    candidates = [k for k in keys if k.kid == header.get("kid")] or list(keys)
    options = {"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False,
               "verify_iss": False, "require": []}
    claims: Any = None
    for key in candidates:
        try:
            claims = jwt.decode(token, key.private_key.public_key(), algorithms=[ALGORITHM], options=options)
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise JoseError("malformed", "jeton illisible") from exc
    if claims is None:
        raise JoseError("signature", "signature du jeton invalide (émetteur ou clé inconnus)")
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


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload without any check: for journaling which session an attempt named, never for trust."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        return {}
    return claims if isinstance(claims, dict) else {}
