"""Sans-IO pieces of PSC's OAuth/OIDC wire format: PKCE, client credentials, error bodies,
the discovery document."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from typing import Any
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit, parse_qsl

from .model import CIBA_GRANT, OAuthError

REALM = "/auth/realms/esante-wallet"
OIDC = REALM + "/protocol/openid-connect"
WALLET_AUTH = "/auth"  # the authorization endpoint's path on the wallet host (wallet.bas.psc.esante.gouv.fr/auth)
PKCE_VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 §4.1
PKCE_CHALLENGE_RE = re.compile(r"^[A-Za-z0-9\-_]{43}$")  # base64url(SHA-256) without padding


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_matches(verifier: str, challenge: str) -> bool:
    if not PKCE_VERIFIER_RE.match(verifier or ""):
        return False
    return hmac.compare_digest(s256(verifier), challenge)


def basic_credentials(header: str) -> tuple[str, str] | None:
    """RFC 6749 §2.3.1 client_secret_basic (form-urlencoded id and secret inside Basic)."""
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise OAuthError(401, "invalid_client", "en-tête Authorization Basic illisible") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError(401, "invalid_client", "en-tête Authorization Basic sans ':'")
    return unquote_plus(client_id), unquote_plus(secret)


def error_body(error: OAuthError) -> dict[str, str]:
    return {"error": error.error, "error_description": error.description}


def add_query(uri: str, params: dict[str, str]) -> str:
    """`uri` with `params` appended to its query (the redirect of RFC 6749 §4.1.2)."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def absolute_http_uri(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment


def discovery_document(*, issuer: str, base: str, grants: list[str], claims: list[str]) -> dict[str, Any]:
    """What `.well-known/wallet-openid-configuration` advertises; every endpoint listed is served."""
    return {
        "issuer": issuer,
        "authorization_endpoint": base + OIDC + "/auth",
        "token_endpoint": base + OIDC + "/token",
        "userinfo_endpoint": base + OIDC + "/userinfo",
        "introspection_endpoint": base + OIDC + "/token/introspect",
        "end_session_endpoint": base + OIDC + "/logout",
        "jwks_uri": base + OIDC + "/certs",
        "backchannel_authentication_endpoint": base + OIDC + "/ext/ciba/auth",
        "backchannel_token_delivery_modes_supported": ["poll"],
        "backchannel_user_code_parameter_supported": False,
        "grant_types_supported": grants,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "userinfo_signing_alg_values_supported": ["ES256"],
        "scopes_supported": ["openid", "scope_all", "email", "profile"],
        "claims_supported": claims,
        "acr_values_supported": ["eidas1"],
        "authorization_response_iss_parameter_supported": True,
    }


def grant_types(*, allow_test_password_grant: bool) -> list[str]:
    grants = ["authorization_code", "refresh_token", CIBA_GRANT]
    return grants + (["password"] if allow_test_password_grant else [])
