"""The OAuth 2.0 error of RFC 6749 §5.2 (also OIDC CIBA §13), shared by every token endpoint the bench
simulates (Pro Santé Connect, the ROR's Keycloak-like realm)."""

from __future__ import annotations

from simulators.codecs.errors import ProtocolError


class OAuthError(ProtocolError):
    """Rendered as `{"error", "error_description"}` JSON with `status` (RFC 6749 §5.2)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        """The JSON object of RFC 6749 §5.2."""
        return {"error": self.error, "error_description": self.description}
