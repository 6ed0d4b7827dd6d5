"""PSC's OAuth 2.0 / OpenID Connect rules, independent of HTTP: who may ask, what a code or a CIBA
request is worth, what each grant returns. Errors are `OAuthError` (RFC 6749 §5.2 / CIBA §11, §13).

Flows (mss.md §2.3; ANS "Pro Santé Connect" technical pages, [S25b]):
- authorization code (RFC 6749 §4.1) with PKCE S256 (RFC 7636), through the e-CPS login page;
- CIBA poll mode, the only mode PSC implements ("Seul le mode Poll est implémenté", ANS CIBA page),
  approved automatically after `ciba_approval_delay_s` as if the professional accepted on the e-CPS
  app, or refused (access_denied) when the fault `ciba_refus` is injected;
- refresh_token; and `password` only when `allow_test_password_grant` is on (a bench convenience
  that the real PSC does not offer to service providers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from simulators.codecs.jose import JoseError

from .codec import PKCE_CHALLENGE_RE, absolute_http_uri, pkce_matches
from .model import AuthorizationCode, AuthorizationRequest, CibaRequest, Client, OAuthError, PscUser
from .seed import DEFAULT_CLIENT_ID, clients_from_options
from .store import GrantStore, SharedGrantStore, new_handle
from .tokens import ACCESS_TTL_S, REFRESH_TTL_S, PscIssuer, identity_claims

KnownAddress = Callable[[str, str], bool]  # (session, address) -> a PER/ORG/CAB (or patient) box exists


@dataclass(frozen=True)
class PscOptions:
    """The options of Pro Santé Connect, read from `[services.mss]` where PSC has always been
    configured (or `[services.psc]` when it runs alone): `psc_password` (the e-CPS code),
    `allow_test_password_grant`, `psc_access_ttl_s`, `psc_refresh_ttl_s`, `psc_ciba_approval_delay_s`,
    `psc_ciba_expires_in_s`, `psc_ciba_interval_s`, `psc_clients` (default: public client `socle-bench-dui`)."""

    ecps_code: str = "socle-bench"  # the code every bench user types on the login page (option psc_password)
    allow_test_password_grant: bool = True
    code_ttl_s: int = 60
    login_ttl_s: int = 600
    ciba_approval_delay_s: float = 2.0
    ciba_expires_in_s: int = 120
    ciba_interval_s: int = 5
    access_ttl_s: int = ACCESS_TTL_S
    refresh_ttl_s: int = REFRESH_TTL_S
    clients: tuple[Client, ...] = (Client(DEFAULT_CLIENT_ID),)

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> PscOptions:
        return cls(ecps_code=str(options.get("psc_password", cls.ecps_code)),
                   allow_test_password_grant=bool(options.get("allow_test_password_grant", True)),
                   ciba_approval_delay_s=float(options.get("psc_ciba_approval_delay_s", cls.ciba_approval_delay_s)),
                   ciba_expires_in_s=int(options.get("psc_ciba_expires_in_s", cls.ciba_expires_in_s)),
                   ciba_interval_s=int(options.get("psc_ciba_interval_s", cls.ciba_interval_s)),
                   access_ttl_s=int(options.get("psc_access_ttl_s", ACCESS_TTL_S)),
                   refresh_ttl_s=int(options.get("psc_refresh_ttl_s", REFRESH_TTL_S)),
                   clients=tuple(clients_from_options(options).values()))

    from_options = from_mapping  # the older name

    @property
    def clients_by_id(self) -> dict[str, Client]:
        return {client.client_id: client for client in self.clients}


class Directory:
    """PSC users by national id (idNat_PS) or RPPS: what a professional types on the e-CPS page and
    what a CIBA `login_hint` carries. `by_email` serves only the bench's own mailbox-based tokens."""

    def __init__(self, users: tuple[PscUser, ...]) -> None:
        self.users = users
        self._by_id = {key: user for user in users for key in (user.national_id, user.rpps) if key}
        self._by_email = {user.email: user for user in users if user.email}

    def find(self, identifier: str) -> PscUser | None:
        return self._by_id.get((identifier or "").strip())

    def by_email(self, address: str) -> PscUser | None:
        return self._by_email.get((address or "").strip().lower())


class ProSanteConnect:
    def __init__(self, issuer: PscIssuer, directory: Directory, clients: dict[str, Client], grants: GrantStore | SharedGrantStore,
                 options: PscOptions, known_address: KnownAddress) -> None:
        self.issuer = issuer
        self.directory = directory
        self.clients = clients
        self.grants = grants
        self.options = options
        self.known_address = known_address
        # (session, secret) -> may a token be minted for that bench session? A protected session (admin
        # API, `secret`) gives tokens, hence its mailboxes over SMTP/IMAP, only to who knows its secret.
        self.session_allowed: Callable[[str, str], bool] = lambda _session, _secret: True

    # -- clients ---------------------------------------------------------------------------
    def client(self, client_id: str) -> Client:
        client = self.clients.get(client_id or "")
        if client is None:
            raise OAuthError(401, "invalid_client", f"client inconnu : {client_id[:64]!r}")
        return client

    def authenticate_client(self, form: dict[str, str], basic: tuple[str, str] | None) -> Client:
        client_id, secret = basic if basic else (form.get("client_id", ""), form.get("client_secret", ""))
        client = self.client(client_id)
        if not client.public and secret != client.secret:
            raise OAuthError(401, "invalid_client", "authentification du client refusée (secret invalide)")
        return client

    # -- authorization code + PKCE ---------------------------------------------------------
    def check_redirect(self, client: Client, redirect_uri: str) -> None:
        if not absolute_http_uri(redirect_uri):
            raise OAuthError(400, "invalid_request", "redirect_uri absente ou invalide (URI http(s) absolue attendue)")
        if client.redirect_uris and redirect_uri not in client.redirect_uris:
            raise OAuthError(400, "invalid_request", "redirect_uri non enregistrée pour ce client")

    def authorize(self, params: dict[str, str], session: str) -> AuthorizationRequest:
        """Validate an authorization request. Errors before the redirect URI is trusted are shown
        on the page (RFC 6749 §4.1.2.1); `redirectable` errors carry the request to redirect to."""
        client = self.client(params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri", "")
        self.check_redirect(client, redirect_uri)
        request = AuthorizationRequest(
            request_id=new_handle(), client_id=client.client_id, redirect_uri=redirect_uri,
            scope=params.get("scope", ""), state=params.get("state", ""), nonce=params.get("nonce", ""),
            code_challenge=params.get("code_challenge", ""), session=session, acr=params.get("acr_values", ""),
            expires_at=self.grants.clock() + self.options.login_ttl_s)
        if params.get("response_type") != "code":
            raise RedirectError(request, "unsupported_response_type", "seul response_type=code est pris en charge")
        if "openid" not in request.scope.split():
            raise RedirectError(request, "invalid_scope", "le scope doit contenir openid")
        method = params.get("code_challenge_method", "")
        if request.code_challenge or method:
            if method != "S256":
                raise RedirectError(request, "invalid_request", "code_challenge_method=S256 attendu (PKCE)")
            if not PKCE_CHALLENGE_RE.match(request.code_challenge):
                raise RedirectError(request, "invalid_request", "code_challenge invalide (base64url SHA-256)")
        elif client.public:
            raise RedirectError(request, "invalid_request", "PKCE requis pour un client public (code_challenge)")
        self.grants.put_request(request)
        return request

    def login(self, request_id: str, identifier: str, code: str) -> tuple[AuthorizationRequest, str]:
        """The e-CPS login: returns the request and the authorization code to redirect with."""
        request = self.grants.request(request_id)
        if request is None:
            raise OAuthError(400, "invalid_request", "demande d'authentification inconnue ou expirée")
        user = self.directory.find(identifier)
        if user is None or code != self.options.ecps_code:
            raise OAuthError(401, "access_denied", "identifiant ou code e-CPS incorrect")
        self.grants.drop_request(request_id)
        now = self.grants.clock()
        grant = AuthorizationCode(code=new_handle(), client_id=request.client_id, redirect_uri=request.redirect_uri,
                                  national_id=user.national_id, scope=request.scope, nonce=request.nonce,
                                  code_challenge=request.code_challenge, session=request.session,
                                  auth_time=int(now), sid=new_handle(12), expires_at=now + self.options.code_ttl_s)
        self.grants.put_code(grant)
        return request, grant.code

    # -- token endpoint --------------------------------------------------------------------
    def exchange_code(self, form: dict[str, str], client: Client) -> dict[str, Any]:
        grant, reused = self.grants.take_code(form.get("code", ""))
        if grant is None or grant.expires_at <= self.grants.clock():
            raise OAuthError(400, "invalid_grant", "code d'autorisation inconnu ou expiré")
        if reused:
            self.grants.end_sid(grant.sid)  # RFC 6749 §4.1.2: a replayed code revokes what it gave
            raise OAuthError(400, "invalid_grant", "code d'autorisation déjà utilisé")
        if grant.client_id != client.client_id:
            raise OAuthError(400, "invalid_grant", "code émis pour un autre client")
        if form.get("redirect_uri", "") != grant.redirect_uri:
            raise OAuthError(400, "invalid_grant", "redirect_uri différente de celle de la demande d'autorisation")
        if grant.code_challenge and not pkce_matches(form.get("code_verifier", ""), grant.code_challenge):
            raise OAuthError(400, "invalid_grant", "code_verifier PKCE incorrect")
        if not grant.code_challenge and form.get("code_verifier"):
            raise OAuthError(400, "invalid_grant", "code_verifier sans code_challenge dans la demande")
        return self._tokens_for(grant.national_id, client.client_id, grant.scope, grant.session, nonce=grant.nonce,
                                sid=grant.sid, auth_time=grant.auth_time)

    def _tokens_for(self, national_id: str, client_id: str, scope: str, session: str, **kwargs: Any) -> dict[str, Any]:
        user = self.directory.find(national_id)
        if user is None:
            raise OAuthError(400, "invalid_grant", "professionnel inconnu de l'annuaire")
        claims = identity_claims(user)
        return self.issuer.issue(user.national_id, email=user.email, session=session, client_id=client_id,
                                 now=self.grants.clock(),
                                 scope=scope or "openid", extra={k: v for k, v in claims.items()
                                                                 if k in ("SubjectRefPro", "given_name",
                                                                          "family_name", "SubjectOrganization")},
                                 **kwargs)

    def refresh(self, form: dict[str, str], client: Client | None) -> dict[str, Any]:
        try:
            claims = self.issuer.verify(form.get("refresh_token", ""), typ="Refresh", now=self.grants.clock())
        except JoseError as exc:
            raise OAuthError(400, "invalid_grant", f"refresh_token refusé : {exc}") from exc
        if client is not None and claims.get("azp") != client.client_id:
            raise OAuthError(400, "invalid_grant", "refresh_token émis pour un autre client")
        if self.grants.sid_ended(str(claims.get("sid", ""))):
            raise OAuthError(400, "invalid_grant", "session Pro Santé Connect terminée (déconnexion)")
        auth_time = claims.get("auth_time")
        keep: dict[str, Any] = {k: claims[k] for k in ("given_name", "family_name", "SubjectOrganization")
                                if k in claims}
        user = self.directory.find(str(claims.get("sub", "")))
        if user is not None:
            keep["SubjectRefPro"] = identity_claims(user)["SubjectRefPro"]
        return self.issuer.issue(str(claims["sub"]), email=str(claims.get("email", "")), now=self.grants.clock(),
                                 session=str(claims.get("session", "")), client_id=str(claims.get("azp", "")),
                                 scope=str(claims.get("scope", "openid")), sid=str(claims.get("sid", "")),
                                 auth_time=auth_time if isinstance(auth_time, int) else None,
                                 extra=keep)

    def password(self, form: dict[str, str], session: str, ttl_s: int | None) -> dict[str, Any]:
        """TEST CONVENIENCE ONLY (option `allow_test_password_grant`): the real PSC has no password grant."""
        if not self.options.allow_test_password_grant:
            raise OAuthError(400, "unsupported_grant_type", "grant_type=password désactivé (allow_test_password_grant)")
        username, secret = form.get("username", "").strip().lower(), form.get("password", "")
        if secret != self.options.ecps_code or not self.known_address(session, username):
            raise OAuthError(401, "invalid_grant", "identifiants e-CPS invalides ou boîte inconnue")
        return self.issue_for_address(username, session=session, ttl_s=ttl_s,
                                      client_id=form.get("client_id", "") or "socle-bench-dui")

    def issue_for_address(self, address: str, *, session: str, ttl_s: int | None = None,
                          client_id: str = "socle-bench-dui") -> dict[str, Any]:
        """Tokens for a mailbox (test grant, admin API): its professional when it is a PER box,
        else (ORG/CAB/patient boxes, bench only) a subject naming the box."""
        user = self.directory.by_email(address)
        if user is not None:
            extra = {k: v for k, v in identity_claims(user).items() if k in ("SubjectRefPro", "given_name",
                                                                              "family_name", "SubjectOrganization")}
            return self.issuer.issue(user.national_id, email=address, session=session, ttl_s=ttl_s,
                                     client_id=client_id, extra=extra, now=self.grants.clock())
        return self.issuer.issue(f"bal:{address}", email=address, session=session, ttl_s=ttl_s, client_id=client_id,
                                 now=self.grants.clock())

    # -- CIBA (poll mode) ------------------------------------------------------------------
    def backchannel(self, form: dict[str, str], client: Client, session: str, *, refused: bool) -> dict[str, Any]:
        if "openid" not in form.get("scope", "").split():
            raise OAuthError(400, "invalid_scope", "le scope doit contenir openid")
        hints = [h for h in ("login_hint", "login_hint_token", "id_token_hint") if form.get(h)]
        if hints != ["login_hint"]:
            raise OAuthError(400, "invalid_request", "un et un seul indice attendu : login_hint (identifiant national)")
        user = self.directory.find(form["login_hint"])
        if user is None:
            raise OAuthError(400, "unknown_user_id", "login_hint : professionnel inconnu ou sans e-CPS")
        now = self.grants.clock()
        request = CibaRequest(auth_req_id=new_handle(), client_id=client.client_id, national_id=user.national_id,
                              scope=form["scope"], session=session,
                              binding_message=form.get("binding_message", "")[:128],
                              ready_at=now + self.options.ciba_approval_delay_s,
                              expires_at=now + self.options.ciba_expires_in_s, denied=refused, sid=new_handle(12))
        self.grants.put_ciba(request)
        return {"auth_req_id": request.auth_req_id, "expires_in": self.options.ciba_expires_in_s,
                "interval": self.options.ciba_interval_s}

    def ciba_token(self, form: dict[str, str], client: Client) -> dict[str, Any]:
        request = self.grants.ciba(form.get("auth_req_id", ""))
        now = self.grants.clock()
        if request is None or request.client_id != client.client_id or request.consumed:
            raise OAuthError(400, "invalid_grant", "auth_req_id inconnu, déjà utilisé ou d'un autre client")
        if request.expires_at <= now:
            raise OAuthError(400, "expired_token", "demande CIBA expirée")
        if request.denied:
            raise OAuthError(403, "access_denied", "le professionnel a refusé la demande sur son e-CPS")
        if request.ready_at > now:
            request.last_poll = now
            raise OAuthError(400, "authorization_pending", "en attente de validation sur l'e-CPS")
        request.consumed = True
        self.grants.put_ciba(request)  # written back: a store shared by replicas holds a copy
        return self._tokens_for(request.national_id, client.client_id, request.scope, request.session,
                                sid=request.sid, auth_time=int(request.ready_at))

    # -- resource side ---------------------------------------------------------------------
    def userinfo(self, token: str) -> dict[str, Any]:
        try:
            claims = self.issuer.verify(token, now=self.grants.clock())
        except JoseError as exc:
            raise OAuthError(401, "invalid_token", str(exc)) from exc
        user = self.directory.find(str(claims.get("sub", "")))
        info = identity_claims(user) if user is not None else {}
        info.update({k: claims[k] for k in ("sub", "email", "preferred_username", "SubjectNameID", "acr")
                     if k in claims})
        return info

    def introspect(self, token: str) -> dict[str, Any]:
        """RFC 7662; `SubjectNameID` only for an access token, as the ANS introspection page says."""
        for typ in ("Bearer", "Refresh"):
            try:
                claims = self.issuer.verify(token, typ=typ, now=self.grants.clock())
            except JoseError:
                continue
            if self.grants.sid_ended(str(claims.get("sid", ""))):
                return {"active": False}
            if typ == "Refresh":
                claims = {k: v for k, v in claims.items() if k != "SubjectNameID"}
            return dict(claims, active=True, client_id=claims.get("azp", ""), token_type=typ)
        return {"active": False}

    def end_session(self, id_token_hint: str) -> str:
        """Ends the login session named by the ID token (its refresh tokens stop working); the sid."""
        if not id_token_hint:
            return ""
        try:
            claims = self.issuer.verify(id_token_hint, typ="ID", check_expiry=False)  # an expired hint still names it
        except JoseError as exc:
            raise OAuthError(400, "invalid_request", f"id_token_hint refusé : {exc}") from exc
        sid = str(claims.get("sid", ""))
        if sid:
            self.grants.end_sid(sid)
        return sid


class RedirectError(OAuthError):
    """An authorization error to send back to the client's redirect URI (RFC 6749 §4.1.2.1)."""

    def __init__(self, request: AuthorizationRequest, error: str, description: str) -> None:
        super().__init__(302, error, description)
        self.request = request
