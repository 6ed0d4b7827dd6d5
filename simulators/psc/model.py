"""Domain objects of Pro Santé Connect: the professional who logs in, the OAuth clients, the
short-lived grants (authorization codes, CIBA requests) and the OAuth error of RFC 6749 §5.2."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulators.codecs.oauth import OAuthError as OAuthError  # PSC's refusals: the shared RFC 6749 error

CIBA_GRANT = "urn:openid:params:grant-type:ciba"


@dataclass(frozen=True)
class PscUser:
    """A professional as PSC's directory (the Annuaire Santé) knows them."""

    national_id: str  # idNat_PS: "8" + RPPS (or "0" + ADELI)
    rpps: str
    civility: str
    first_name: str
    last_name: str
    profession_code: str
    profession_label: str
    specialty_code: str = ""
    email: str = ""  # the professional's MSSanté (PER) box: what the bench's operator maps the login to
    organisation_id: str = ""  # idNat_Struct of the place of practice
    organisation_name: str = ""
    finess: str = ""


@dataclass(frozen=True)
class Client:
    """A registered service provider. An empty secret is a public client (PKCE required)."""

    client_id: str
    secret: str = ""
    redirect_uris: tuple[str, ...] = ()  # empty: any absolute http(s) URI (bench convenience)

    @property
    def public(self) -> bool:
        return not self.secret


@dataclass
class AuthorizationRequest:
    """A validated `/auth` request waiting for the login form."""

    request_id: str
    client_id: str
    redirect_uri: str
    scope: str
    state: str
    nonce: str
    code_challenge: str
    session: str
    acr: str
    expires_at: float


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    national_id: str
    scope: str
    nonce: str
    code_challenge: str
    session: str
    auth_time: int
    sid: str
    expires_at: float
    used: bool = False


@dataclass
class CibaRequest:
    auth_req_id: str
    client_id: str
    national_id: str
    scope: str
    session: str
    binding_message: str
    ready_at: float
    expires_at: float
    denied: bool = False
    consumed: bool = False
    last_poll: float = 0.0
    sid: str = field(default="")
