"""Moved to `simulators.psc.tokens` (Pro Santé Connect is its own service package); this path is a
thin re-export kept for one release so existing imports keep working."""

from simulators.psc.tokens import ACCESS_TTL_S, AUDIENCE, ISSUER, REFRESH_TTL_S, PscIssuer, TokenError

__all__ = ["ACCESS_TTL_S", "AUDIENCE", "ISSUER", "REFRESH_TTL_S", "PscIssuer", "TokenError"]
