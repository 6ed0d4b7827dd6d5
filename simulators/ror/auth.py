"""The ROR's Keycloak stand-in: OAuth2 client_credentials (RFC 6749 §4.4) with a client secret for
profile 0 and mutual TLS client authentication (RFC 8705) for profiles 1-5, issuing ES256-signed
JWT access tokens with `exp` that the FHIR endpoint verifies on every call.

Tokens obtained over mTLS carry `cnf.x5t#S256` (the certificate thumbprint) as RFC 8705 says; the
FHIR side does not demand the same certificate (the real API host does not do mutual TLS,
UNCONFIRMED). Without TLS (unit tests, plain-HTTP demos) the certificate may be stood in for by the
`X-Client-Cert-CN` header, as ror.md §6 allows for test mode.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from simulators.core.exchange import Caller
from simulators.ror.model import RorClient, TokenClaims

STAND_IN_HEADER = "X-Client-Cert-CN"
MAX_TOKEN_CHARS = 4096


class OAuthError(Exception):
    """Token endpoint refusal, rendered as RFC 6749 §5.2 JSON."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


class TokenInvalid(Exception):
    """Bearer token missing, malformed, badly signed or expired (401 on the FHIR side)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class TokenRequest:
    """What the token endpoint received, after reading the form and the TLS layer."""

    form: dict[str, str]
    basic: tuple[str, str] | None = None  # client_secret_basic
    certificate: Caller | None = None  # TLS client certificate, when one was presented
    stand_in_cn: str = ""  # test-mode header, honoured only without TLS


class TokenIssuer:
    def __init__(self, issuer: str, *, ttl_s: int = 300, clock: Callable[[], float] = time.time) -> None:
        self.issuer = issuer
        self.ttl_s = ttl_s
        self.clock = clock
        self._key = ec.generate_private_key(ec.SECP256R1())
        numbers = self._key.public_key().public_numbers()
        self._jwk = {"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256",
                     "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}
        self.kid = b64url(hashlib.sha256(json.dumps(self._jwk, sort_keys=True).encode()).digest())[:16]
        self._jwk["kid"] = self.kid

    def jwks(self) -> dict[str, Any]:
        return {"keys": [dict(self._jwk)]}

    def issue(self, client: RorClient, *, thumbprint: str = "", session: str = "default") -> dict[str, Any]:
        now = int(self.clock())
        claims: dict[str, Any] = {"iss": self.issuer, "sub": client.client_id, "azp": client.client_id,
                                  "aud": "ror-api", "iat": now, "exp": now + self.ttl_s, "jti": uuid.uuid4().hex,
                                  "typ": "Bearer", "scope": "openid", "profil_acces": client.profile,
                                  "bench_session": session}
        if thumbprint:
            claims["cnf"] = {"x5t#S256": thumbprint}
        header = {"alg": "ES256", "typ": "JWT", "kid": self.kid}
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        r, s = decode_dss_signature(self._key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256())))
        token = f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
        return {"access_token": token, "expires_in": self.ttl_s, "refresh_expires_in": 0,
                "token_type": "Bearer", "not-before-policy": 0, "scope": "openid"}

    def verify(self, token: str) -> TokenClaims:
        if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
            raise TokenInvalid("jeton d'accès mal formé")
        head_b64, claims_b64, sig_b64 = token.split(".")
        try:
            header = json.loads(b64url_decode(head_b64))
            claims = json.loads(b64url_decode(claims_b64))
            signature = b64url_decode(sig_b64)
        except (ValueError, UnicodeDecodeError) as exc:
            raise TokenInvalid("jeton d'accès illisible") from exc
        if not isinstance(header, dict) or header.get("alg") != "ES256" or len(signature) != 64:
            raise TokenInvalid("algorithme de signature du jeton refusé (ES256 attendu)")
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            self._key.public_key().verify(der, f"{head_b64}.{claims_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as exc:
            raise TokenInvalid("signature du jeton invalide") from exc
        if not isinstance(claims, dict) or claims.get("iss") != self.issuer:
            raise TokenInvalid("émetteur du jeton inconnu")
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= self.clock():
            raise TokenInvalid("jeton d'accès expiré")
        return TokenClaims(client_id=str(claims.get("azp", "")), profile=int(claims.get("profil_acces", 0)),
                           expires_at=exp, issued_at=int(claims.get("iat", 0)), jti=str(claims.get("jti", "")),
                           bound_thumbprint=str((claims.get("cnf") or {}).get("x5t#S256", "")),
                           session=str(claims.get("bench_session", "")))


def is_person_certificate(caller: Caller) -> bool:
    """A CPS-like card: issued by the PERSONNES CA, or naming a person (surname / given name)."""
    attributes = caller.attributes
    return ("PERSONNES" in str(attributes.get("issuer_cn", "")).upper()
            or bool(attributes.get("surname") or attributes.get("given_name")))


def authenticate(request: TokenRequest, clients: dict[str, RorClient], *, tls: bool) -> tuple[RorClient, str]:
    """The registered client of a token request and the certificate thumbprint to bind (or "")."""
    form = request.form
    if form.get("grant_type") != "client_credentials":
        raise OAuthError(400, "unsupported_grant_type", "seul grant_type=client_credentials est accepté")
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if request.basic is not None:
        client_id, secret = request.basic
    if not client_id:
        raise OAuthError(400, "invalid_request", "client_id manquant")
    client = clients.get(client_id)
    if client is None:
        raise OAuthError(401, "invalid_client", f"client inconnu : {client_id[:64]}")
    if not client.uses_certificate:
        if not secret or secret != client.secret:
            raise OAuthError(401, "invalid_client", "secret client invalide")
        return client, ""
    if secret:
        raise OAuthError(400, "invalid_request",
                         f"profil {client.profile} : pas de client_secret, "
                         "l'authentification se fait par certificat (mTLS)")
    if request.certificate is not None and request.certificate.kind == "tls":
        cn = str(request.certificate.attributes.get("cn", ""))
        digest = str(request.certificate.attributes.get("sha256", ""))
        if is_person_certificate(request.certificate):
            raise OAuthError(401, "invalid_client", f"certificat de personne {cn!r} (carte CPS) : un éditeur "
                                                    "s'authentifie avec le certificat AUTH_CLI de sa structure")
        if client.cert_sha256 and digest.lower() != client.cert_sha256:
            raise OAuthError(401, "invalid_client", f"certificat {cn!r} non enregistré pour le client {client_id}")
        if client.cert_cn and cn != client.cert_cn:
            raise OAuthError(401, "invalid_client", f"certificat {cn!r} non associé au client {client_id}")
        return client, b64url(bytes.fromhex(digest)) if digest else ""
    if not tls and request.stand_in_cn:
        if client.cert_cn and request.stand_in_cn != client.cert_cn:
            raise OAuthError(401, "invalid_client", "certificat (en-tête de test) non associé au client")
        return client, ""
    raise OAuthError(401, "invalid_client",
                     f"profil {client.profile} : certificat client IGC-Santé (AUTH_CLI) requis en TLS mutuel")
