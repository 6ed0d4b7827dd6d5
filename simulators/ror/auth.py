"""The ROR's Keycloak stand-in: OAuth2 client_credentials (RFC 6749 §4.4) with a client secret for
profile 0 and mutual TLS client authentication (RFC 8705) for profiles 1-5, issuing ES256-signed
JWT access tokens (shared JOSE codec on PyJWT) with `exp` that the FHIR endpoint verifies on every call.

Tokens obtained over mTLS carry `cnf.x5t#S256` (the certificate thumbprint) as RFC 8705 says; the
FHIR side does not demand the same certificate (the real API host does not do mutual TLS,
UNCONFIRMED). Without TLS (unit tests, plain-HTTP demos) the certificate may be stood in for by the
`X-Client-Cert-CN` header, as ror.md §6 allows for test mode.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulators.core.errors import BenchError
from simulators.codecs import jose
from simulators.codecs.jose import JoseError, SigningKey
from simulators.codecs.oauth import OAuthError  # the token endpoint's refusal (RFC 6749 §5.2)
from simulators.core.exchange import Caller
from simulators.ror.model import RorClient, TokenClaims

STAND_IN_HEADER = "X-Client-Cert-CN"
MAX_TOKEN_CHARS = 4096
MAX_VERIFIED = 1024  # distinct tokens whose verification is kept (a DUI reuses one until it expires)


class TokenInvalid(BenchError):
    """Bearer token missing, malformed, badly signed or expired (401 on the FHIR side)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class TokenRequest:
    """What the token endpoint received, after reading the form and the TLS layer."""

    form: dict[str, str]
    basic: tuple[str, str] | None = None  # client_secret_basic
    certificate: Caller | None = None  # TLS client certificate, when one was presented
    stand_in_cn: str = ""  # test-mode header, honoured only without TLS


class TokenIssuer:
    """ES256 access tokens through the shared JOSE codec (`simulators.codecs.jose`, PyJWT). The key
    is random per process: a restart invalidates tokens, as a Keycloak key rotation would. Replicas
    sharing a database pass the one `key` they share (docs/replicas.md)."""

    def __init__(self, issuer: str, *, ttl_s: int = 300, clock: Callable[[], float] = time.time,
                 key: SigningKey | None = None) -> None:
        self.issuer = issuer
        self.ttl_s = ttl_s
        self.clock = clock
        self._key = key or SigningKey.generate()
        self.kid = self._key.kid
        # token -> (its claims, what verify() returns): the signature, issuer and claim checks hold for
        # the same bytes under the same key; only the time checks are run again on every call
        self._verified: dict[str, tuple[dict[str, Any], TokenClaims]] = {}

    def jwks(self) -> dict[str, Any]:
        return jose.jwks([self._key])

    def issue(self, client: RorClient, *, thumbprint: str = "", session: str = "default") -> dict[str, Any]:
        now = int(self.clock())
        claims: dict[str, Any] = {"iss": self.issuer, "sub": client.client_id, "azp": client.client_id,
                                  "aud": "ror-api", "iat": now, "exp": now + self.ttl_s, "jti": uuid.uuid4().hex,
                                  "typ": "Bearer", "scope": "openid", "profil_acces": client.profile,
                                  "bench_session": session}
        if thumbprint:
            claims["cnf"] = {"x5t#S256": thumbprint}
        return {"access_token": jose.sign(claims, self._key), "expires_in": self.ttl_s, "refresh_expires_in": 0,
                "token_type": "Bearer", "not-before-policy": 0, "scope": "openid"}

    def verify(self, token: str) -> TokenClaims:
        """The claims of a valid token, else TokenInvalid. A token already verified by this issuer is
        not verified again (an ES256 check per request is what real gateways cache too): only its
        time claims are, at the current clock, so it expires exactly as an unseen token would."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise TokenInvalid("jeton d'accès mal formé")
        known = self._verified.get(token)
        if known is not None:
            try:
                jose.check_times(known[0], now=self.clock())
            except JoseError as exc:
                self._verified.pop(token, None)
                raise _refusal(exc) from exc
            return known[1]
        try:
            claims = jose.verify(token, [self._key], issuer=self.issuer, now=self.clock())
        except JoseError as exc:
            raise _refusal(exc) from exc
        verified = self._claims(claims)
        if len(self._verified) >= MAX_VERIFIED:
            self._verified.clear()
        self._verified[token] = (claims, verified)
        return verified

    @staticmethod
    def _claims(claims: dict[str, Any]) -> TokenClaims:
        profile = claims.get("profil_acces", 0)
        if isinstance(profile, bool) or not isinstance(profile, int):
            raise TokenInvalid("jeton d'accès refusé : profil_acces invalide")
        cnf = raw if isinstance(raw := claims.get("cnf"), dict) else {}
        return TokenClaims(client_id=str(claims.get("azp", "")), profile=profile, expires_at=int(claims["exp"]),
                           issued_at=int(claims["iat"]) if isinstance(claims.get("iat"), (int, float)) else 0,
                           jti=str(claims.get("jti", "")), bound_thumbprint=str(cnf.get("x5t#S256", "")),
                           session=str(claims.get("bench_session", "")))


def _refusal(exc: JoseError) -> TokenInvalid:
    return TokenInvalid(_TOKEN_REFUSALS.get(exc.reason, f"jeton d'accès refusé : {exc}"))


_TOKEN_REFUSALS = {"malformed": "jeton d'accès mal formé", "algorithm": "algorithme de signature du jeton refusé "
                   "(ES256 attendu)", "signature": "signature du jeton invalide", "issuer": "émetteur du jeton inconnu",
                   "expired": "jeton d'accès expiré"}


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
