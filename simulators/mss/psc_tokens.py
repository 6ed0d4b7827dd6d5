"""Deprecated path, kept for one release: use `simulators.psc.tokens` (Pro Santé Connect is its own
service package)."""

from simulators.psc.tokens import ACCESS_TTL_S, AUDIENCE, ISSUER, REFRESH_TTL_S, PscIssuer, TokenError

__all__ = ["ACCESS_TTL_S", "AUDIENCE", "ISSUER", "REFRESH_TTL_S", "PscIssuer", "TokenError"]
