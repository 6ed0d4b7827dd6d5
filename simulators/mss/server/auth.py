"""Who is logging in on SMTP/IMAP: bearer tokens (XOAUTH2, OAUTHBEARER) and organisation certificates.

Session convention (bench-wide, shared by SMTP and IMAP):
- a PSC token issued by the bench carries the session in its `session` claim (token endpoint
  parameter `session=`, default: the session of the `/s/<session>/` URL it was asked on);
- otherwise the SASL user may be written `<session>/<address>`; a bare `<address>` means the
  session "default";
- when both are given they must agree, else the login is refused.

PER/ORG/CAB boxes (and, bench-only, patient boxes so tests can act as the patient) authenticate with
a bearer token whose `email` is the box; APP boxes authenticate by the TLS client certificate
obtained after STARTTLS (SASL EXTERNAL; the authorisation id, when given, picks one of the APP boxes
mapped to the certificate's CN). How an APP login completes after the handshake is UNCONFIRMED
(mss.md §2.3), so PLAIN/LOGIN with the box address as user are accepted too when the option
`app_plain_login` is on: the certificate authenticates, the password is ignored. Nothing here is
ever allowed without TLS.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from simulators.core.errors import BenchError
from simulators.codecs.jose import unverified_claims
from simulators.core.exchange import Caller
from simulators.core.sessions import DEFAULT_SESSION, valid_session_name
from simulators.core.tls import caller_from_der

from simulators.psc.tokens import PscIssuer, TokenError

from ..store import MssStore

OAUTHBEARER_RE = re.compile(rb"^n,(?:a=(?P<authzid>[^,]*))?,(?P<kv>.*)$", re.DOTALL)


class AuthError(BenchError):
    """Login refused; `reason` is stable for the journal, the message French."""

    def __init__(self, reason: str, message: str, session: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.session = session  # the session the attempt claimed, for the journal only


@dataclass
class Principal:
    session: str
    address: str
    kind: str
    method: str
    caller: Caller = field(default_factory=Caller)
    claims: dict[str, Any] = field(default_factory=dict)


def split_login(login: str) -> tuple[str | None, str]:
    login = (login or "").strip()
    if "/" in login:
        session, _, address = login.partition("/")
        return session, address.strip().lower()
    return None, login.lower()


def parse_xoauth2(blob: bytes) -> tuple[str, str]:
    """`user=<u>^Aauth=Bearer <t>^A^A` -> (user, token)."""
    fields = dict(part.split("=", 1) for part in blob.decode("utf-8", "replace").split("\x01") if "=" in part)
    auth = fields.get("auth", "")
    if not auth.lower().startswith("bearer "):
        raise AuthError("malformed", "réponse XOAUTH2 mal formée (auth=Bearer <jeton> attendu)")
    return fields.get("user", ""), auth[7:].strip()


def parse_oauthbearer(blob: bytes) -> tuple[str, str]:
    """RFC 7628 `n,a=<user>,^Ahost=..^Aauth=Bearer <t>^A^A` -> (user, token)."""
    match = OAUTHBEARER_RE.match(blob)
    if not match:
        raise AuthError("malformed", "réponse OAUTHBEARER mal formée (RFC 7628)")
    fields = dict(p.split("=", 1) for p in match.group("kv").decode("utf-8", "replace").split("\x01") if "=" in p)
    auth = fields.get("auth", "")
    if not auth.lower().startswith("bearer "):
        raise AuthError("malformed", "réponse OAUTHBEARER sans auth=Bearer")
    user = (match.group("authzid") or b"").decode("utf-8", "replace").replace("=2C", ",").replace("=3D", "=")
    return user, auth[7:].strip()


def oauth_failure_challenge(reason: str) -> bytes:
    """The JSON error of RFC 7628 §3.2.2 (also what Gmail-style XOAUTH2 clients expect)."""
    status = "invalid_token" if reason in ("expired", "signature", "issuer", "type", "malformed", "algorithm", "claims",
                                           "not-yet-valid", "audience") else "invalid_request"
    return json.dumps({"status": status, "schemes": "bearer", "scope": "openid email profile scope_all",
                       "reason": reason}).encode("ascii")


class MailAuthenticator:
    def __init__(self, store: MssStore, issuer: PscIssuer, sessions: Any) -> None:
        self.store = store
        self.issuer = issuer
        self.sessions = sessions

    def _session(self, from_login: str | None, from_token: str | None) -> str:
        if from_login and from_token and from_login != from_token:
            raise AuthError("session", f"session du jeton ({from_token}) différente de celle de l'identifiant "
                                       f"({from_login})")
        session = from_token or from_login or DEFAULT_SESSION
        if not valid_session_name(session):
            raise AuthError("session", f"nom de session invalide : {session!r}")
        try:
            return self.sessions.resolve(session)
        except Exception as exc:
            raise AuthError("session", str(exc)) from exc

    def bearer(self, user: str, token: str, *, method: str, tls: bool) -> Principal:
        try:
            return self._bearer(user, token, method=method, tls=tls)
        except AuthError as exc:
            exc.session = exc.session or claimed_session(user, token)
            raise

    def _bearer(self, user: str, token: str, *, method: str, tls: bool) -> Principal:
        if not tls:
            raise AuthError("cleartext", "authentification refusée hors TLS : STARTTLS obligatoire")
        try:
            claims = self.issuer.verify(token)
        except TokenError as exc:
            raise AuthError(exc.reason, str(exc)) from exc
        login_session, login_address = split_login(user)
        address = str(claims.get("email", "")).lower()
        session = self._session(login_session, claims.get("session") or None)
        if login_address and login_address != address:
            address = self._organisation_box(session, address, login_address)
        box = self.store.mailbox(session, address)
        if box is None or box.kind == "APP":
            raise AuthError("mailbox", f"boîte {address} inconnue ou applicative (certificat attendu)")
        caller = Caller(kind="oauth", subject=str(claims.get("sub", "")), issuer=str(claims.get("iss", "")),
                        attributes={"email": address, "method": method, "exp": claims.get("exp")})
        return Principal(session, address, box.kind, method, caller, claims)

    def _organisation_box(self, session: str, personal: str, wanted: str) -> str:
        """A professional's PSC token opens the ORG/CAB boxes of their own structure (same idNat_Struct)
        when the SASL user names one; PSC identifies people, the operator decides which shared boxes
        they may open (mss.md §2.3)."""
        own, shared = self.store.mailbox(session, personal), self.store.mailbox(session, wanted)
        if own is None or shared is None or shared.kind not in ("ORG", "CAB") or not own.idnst \
                or own.idnst != shared.idnst:
            raise AuthError("mismatch", f"le jeton est celui de {personal}, pas de {wanted}")
        return wanted

    def certificate(self, user: str, peer_der: bytes | None, *, tls: bool) -> Principal:
        try:
            return self._certificate(user, peer_der, tls=tls)
        except AuthError as exc:
            exc.session = exc.session or claimed_session(user, "")
            raise

    def _certificate(self, user: str, peer_der: bytes | None, *, tls: bool) -> Principal:
        if not tls:
            raise AuthError("cleartext", "authentification refusée hors TLS : STARTTLS obligatoire")
        if not peer_der:
            raise AuthError("no-certificate", "aucun certificat client présenté lors de la négociation TLS")
        caller = caller_from_der(peer_der)
        login_session, login_address = split_login(user)
        session = self._session(login_session, None)
        boxes = self.store.boxes_for_certificate(session, str(caller.attributes.get("cn", "")))
        fingerprint = str(caller.attributes.get("sha256", "")).lower()
        boxes = [b for b in boxes if not b.cert_sha256 or b.cert_sha256.lower() == fingerprint]
        if login_address:
            boxes = [b for b in boxes if b.address.lower() == login_address]
        if not boxes:
            raise AuthError("mailbox", f"aucune BAL applicative associée au certificat {caller.subject}")
        box = boxes[0]
        caller.attributes["mailbox"] = box.address
        return Principal(session, box.address.lower(), box.kind, "EXTERNAL", caller)


def claimed_session(user: str, token: str) -> str:
    """The session an attempt names (login prefix, else the unverified token claim); journal use only."""
    session, _ = split_login(user)
    if not session and token.count(".") == 2:
        session = str(unverified_claims(token).get("session", ""))
    return session if session and valid_session_name(session) else DEFAULT_SESSION
