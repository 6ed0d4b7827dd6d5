"""Pro Santé Connect (ANS), the OpenID Connect provider of French health professionals: discovery,
authorization code + PKCE through an e-CPS login page, CIBA (poll), refresh, userinfo,
introspection, JWKS, end_session. Mounted by the MSSanté simulator (port `psc`)."""

from .factory import PscService, build_psc
from .rules import PscOptions, ProSanteConnect
from .tokens import ISSUER, PscIssuer, TokenError

__all__ = ["ISSUER", "ProSanteConnect", "PscIssuer", "PscOptions", "PscService", "TokenError", "build_psc"]
