"""Pro Santé Connect-like JWTs (ES256): issue, refresh, verify. Sans-IO.

The signing key is derived from the bench seed, so a token issued before a restart still verifies
after it (a DUI keeps working across restarts) and runs are reproducible. Expiry mirrors PSC
(access token ~5 min, mss.md §2.3) and is configurable so tests can get expired tokens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

ISSUER = "https://psc.socle-bench.test/auth/realms/esante-wallet"
AUDIENCE = "mssante"
ACCESS_TTL_S = 300
REFRESH_TTL_S = 1800
_CURVE_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


class TokenError(ValueError):
    """The bearer token is refused; `reason` is a stable code ("expired", "signature", ...)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class PscIssuer:
    seed: int
    issuer: str = ISSUER
    access_ttl_s: int = ACCESS_TTL_S
    refresh_ttl_s: int = REFRESH_TTL_S

    def __post_init__(self) -> None:
        secret = int.from_bytes(hashlib.sha256(f"psc-{self.seed}".encode()).digest(), "big") % (_CURVE_ORDER - 1) + 1
        self._key = ec.derive_private_key(secret, ec.SECP256R1())
        self.kid = hashlib.sha256(str(self._key.public_key().public_numbers().x).encode()).hexdigest()[:16]

    def jwks(self) -> dict[str, Any]:
        numbers = self._key.public_key().public_numbers()
        return {"keys": [{"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": self.kid,
                          "x": _b64(numbers.x.to_bytes(32, "big")), "y": _b64(numbers.y.to_bytes(32, "big"))}]}

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"alg": "ES256", "typ": "JWT", "kid": self.kid}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        der = self._key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def issue(self, subject: str, *, email: str, session: str = "", ttl_s: int | None = None,
              now: float | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """An OAuth token response (access + refresh), PSC-shaped claims."""
        now = time.time() if now is None else now
        ttl = self.access_ttl_s if ttl_s is None else ttl_s
        base = {"iss": self.issuer, "sub": subject, "iat": int(now), "jti": str(uuid.uuid4()),
                "email": email, "preferred_username": subject, "SubjectNameID": subject, "acr": "eidas1",
                "azp": "socle-bench-dui", "scope": "openid email profile scope_all"}
        if session:
            base["session"] = session
        base.update(extra or {})
        access = dict(base, typ="Bearer", aud=AUDIENCE, exp=int(now + ttl))
        refresh = dict(base, typ="Refresh", aud=self.issuer, exp=int(now + self.refresh_ttl_s),
                       jti=str(uuid.uuid4()))
        return {"access_token": self.sign(access), "refresh_token": self.sign(refresh), "token_type": "Bearer",
                "expires_in": ttl, "refresh_expires_in": self.refresh_ttl_s, "scope": base["scope"]}

    def verify(self, token: str, *, typ: str = "Bearer", now: float | None = None) -> dict[str, Any]:
        parts = (token or "").strip().split(".")
        if len(parts) != 3:
            raise TokenError("malformed", "jeton mal formé (JWT attendu)")
        try:
            header = json.loads(_unb64(parts[0]))
            claims = json.loads(_unb64(parts[1]))
            signature = _unb64(parts[2])
        except (ValueError, UnicodeDecodeError) as exc:
            raise TokenError("malformed", f"jeton illisible : {exc}") from exc
        if not isinstance(header, dict) or header.get("alg") != "ES256" or len(signature) != 64:
            raise TokenError("algorithm", "algorithme de signature non accepté (ES256 attendu)")
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            self._key.public_key().verify(der, f"{parts[0]}.{parts[1]}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as exc:
            raise TokenError("signature", "signature du jeton invalide (émetteur inconnu)") from exc
        if not isinstance(claims, dict) or claims.get("iss") != self.issuer:
            raise TokenError("issuer", f"émetteur inattendu : {claims.get('iss') if isinstance(claims, dict) else '?'}")
        if claims.get("typ") != typ:
            raise TokenError("type", f"jeton de type {claims.get('typ')!r}, {typ!r} attendu")
        if float(claims.get("exp", 0)) <= (time.time() if now is None else now):
            raise TokenError("expired", "jeton Pro Santé Connect expiré")
        return claims
