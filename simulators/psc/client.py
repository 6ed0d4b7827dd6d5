"""Reference Pro Santé Connect client (what a DUI does), on `requests` only: discovery, the
authorization code flow with PKCE driven headlessly through the e-CPS login page, CIBA polling,
refresh, userinfo, introspection, logout. Used by the tests, the reference DUI and demos."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from .codec import REALM, s256
from .model import CIBA_GRANT
from simulators.core.errors import BenchError

DISCOVERY = REALM + "/.well-known/wallet-openid-configuration"
DEFAULT_CLIENT = "socle-bench-dui"
DEFAULT_REDIRECT = "http://dui.socle-bench.test/callback"
_HIDDEN_RE = re.compile(r'name="request_id" value="([^"]*)"')
_FORM_RE = re.compile(r'<form method="post" action="([^"]*)"')


class PscClientError(BenchError):
    """PSC answered with an OAuth error (`error`, `description`) or an unexpected page."""

    def __init__(self, error: str, description: str = "", status: int = 0) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400 or not isinstance(body, dict):
        raise PscClientError(str(body.get("error", response.status_code)) if isinstance(body, dict) else "http",
                             str(body.get("error_description", "")) if isinstance(body, dict) else "",
                             response.status_code)
    return body


class _Session(requests.Session):
    """A session whose `verify` wins over REQUESTS_CA_BUNDLE (requests lets the environment
    override `Session.verify`, psf/requests#3829)."""

    def __init__(self, verify: str | bool) -> None:
        super().__init__()
        self.verify = verify

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("verify", self.verify)
        return super().request(method, url, *args, **kwargs)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, s256(verifier)


@dataclass
class PscClient:
    base_url: str  # scheme://host:port, optionally with the bench's /s/<session> prefix
    client_id: str = DEFAULT_CLIENT
    client_secret: str = ""
    verify: str | bool = True

    def __post_init__(self) -> None:
        self.http = _Session(self.verify)
        self._discovery: dict[str, Any] | None = None

    def discovery(self) -> dict[str, Any]:
        if self._discovery is None:
            self._discovery = _json(self.http.get(self.base_url.rstrip("/") + DISCOVERY, timeout=10))
        return self._discovery

    def _auth(self) -> tuple[str, str] | None:
        return (self.client_id, self.client_secret) if self.client_secret else None

    def _client_form(self) -> dict[str, str]:
        return {} if self.client_secret else {"client_id": self.client_id}

    def authorization_url(self, *, redirect_uri: str, challenge: str, state: str, nonce: str = "",
                          scope: str = "openid scope_all") -> str:
        params = {"response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri, "scope": scope,
                  "state": state, "nonce": nonce or secrets.token_urlsafe(8), "code_challenge": challenge,
                  "code_challenge_method": "S256", "acr_values": "eidas1"}
        return self.discovery()["authorization_endpoint"] + "?" + urlencode(params)

    def login_for_code(self, identifier: str, ecps_code: str, *, redirect_uri: str = DEFAULT_REDIRECT,
                       challenge: str, state: str) -> str:
        """Fill the e-CPS page like a user would; returns the authorization code of the redirect."""
        page = self.http.get(self.authorization_url(redirect_uri=redirect_uri, challenge=challenge, state=state),
                             timeout=10, allow_redirects=False)
        hidden, action = _HIDDEN_RE.search(page.text), _FORM_RE.search(page.text)
        if page.status_code != 200 or not hidden or not action:
            raise PscClientError("login_page", f"page de connexion inattendue ({page.status_code})", page.status_code)
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.base_url))
        answer = self.http.post(origin + unescape(action.group(1)), timeout=10, allow_redirects=False,
                                data={"request_id": unescape(hidden.group(1)), "identifier": identifier,
                                      "code": ecps_code})
        if answer.status_code != 302:
            raise PscClientError("access_denied", "connexion e-CPS refusée", answer.status_code)
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        if query.get("state", [""])[0] != state:
            raise PscClientError("state", "state différent de celui envoyé")
        if "error" in query:
            raise PscClientError(query["error"][0], query.get("error_description", [""])[0])
        return query["code"][0]

    def exchange_code(self, code: str, verifier: str, *, redirect_uri: str = DEFAULT_REDIRECT) -> dict[str, Any]:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": verifier, **self._client_form()}
        return _json(self.http.post(self.discovery()["token_endpoint"], data=data, auth=self._auth(), timeout=10))

    def login(self, identifier: str, ecps_code: str = "socle-bench") -> dict[str, Any]:
        """The whole authorization code + PKCE flow; the token response."""
        verifier, challenge = pkce_pair()
        code = self.login_for_code(identifier, ecps_code, challenge=challenge, state=secrets.token_urlsafe(8))
        return self.exchange_code(code, verifier)

    def start_ciba(self, login_hint: str, *, binding_message: str = "") -> dict[str, Any]:
        data = {"scope": "openid scope_all", "login_hint": login_hint, **self._client_form()}
        if binding_message:
            data["binding_message"] = binding_message
        return _json(self.http.post(self.discovery()["backchannel_authentication_endpoint"], data=data,
                                    auth=self._auth(), timeout=10))

    def poll_ciba(self, auth_req_id: str) -> dict[str, Any]:
        data = {"grant_type": CIBA_GRANT, "auth_req_id": auth_req_id, **self._client_form()}
        return _json(self.http.post(self.discovery()["token_endpoint"], data=data, auth=self._auth(), timeout=10))

    def ciba_login(self, login_hint: str, *, timeout_s: float = 60.0,
                   interval_s: float | None = None) -> dict[str, Any]:
        """CIBA poll mode until the professional approves on the e-CPS app (or refuses: error)."""
        started = self.start_ciba(login_hint)
        deadline = time.monotonic() + timeout_s
        wait = float(started.get("interval", 5)) if interval_s is None else interval_s
        while True:
            try:
                return self.poll_ciba(started["auth_req_id"])
            except PscClientError as exc:
                if exc.error not in ("authorization_pending", "slow_down") or time.monotonic() > deadline:
                    raise
                wait += 5 if exc.error == "slow_down" else 0
            time.sleep(wait)

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token, **self._client_form()}
        return _json(self.http.post(self.discovery()["token_endpoint"], data=data, auth=self._auth(), timeout=10))

    def userinfo(self, access_token: str) -> dict[str, Any]:
        return _json(self.http.get(self.discovery()["userinfo_endpoint"], timeout=10,
                                   headers={"Authorization": f"Bearer {access_token}"}))

    def introspect(self, token: str) -> dict[str, Any]:
        return _json(self.http.post(self.discovery()["introspection_endpoint"], data={"token": token,
                                    **self._client_form()}, auth=self._auth(), timeout=10))

    def logout(self, id_token: str) -> int:
        return self.http.get(self.discovery()["end_session_endpoint"], params={"id_token_hint": id_token},
                             timeout=10, allow_redirects=False).status_code
