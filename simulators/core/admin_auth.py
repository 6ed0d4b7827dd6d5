"""Who may use the admin port: Host allow-list, admin token off trusted networks, no cross-site writes,
and protected sessions.

Policy (README "Exposing the bench on a network"):

- The `Host` header must name the bench (loopback names, the listen address, `tls_names`, `public_host`, the host of
  `public_base_url`, `admin.allowed_hosts`) or be an IP literal: a DNS-rebinding page cannot reach the API
  under its own name.
- A request from outside `admin.trusted_networks` (default: loopback) needs `Authorization: Bearer <token>`.
  The token is `--admin-token` / `SOCLE_BENCH_ADMIN_TOKEN` / `admin.token`, else the one generated at first
  start into `<data_dir>/admin-token` (0600) and printed once.
- State-changing requests (POST, PUT, PATCH, DELETE) refuse a foreign `Origin` or `Sec-Fetch-Site: cross-site`,
  and a body must be JSON or XML: the content types a browser can send cross-site without a preflight
  (text/plain, forms) are refused, so a hostile page cannot drive the bench.
- A session created with a secret is protected: every admin, read, export, reset, delete and fault route that
  names it (URL `<session>`/`<name>`, `?session=`, JSON `"session"`) needs `X-Bench-Session-Secret`; the views
  over all sessions leave it out. Simulator traffic (`/s/<session>/` on the service ports) stays governed by
  each protocol's own credentials (certificates, VIHF, tokens), as on the real services.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

from .files import FILE_MODE, private_dir, write_private

SECRET_HEADER = "X-Bench-Session-Secret"
TOKEN_FILE = "admin-token"
DEFAULT_TRUSTED = ("127.0.0.0/8", "::1/128")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
_WILDCARD_BINDS = ("", "0.0.0.0", "::")  # noqa: S104 - recognises a wildcard bind, binds nothing
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_SESSION_ARGS = ("session", "name")  # URL variables naming a session in admin routes


def _problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json",
                    headers=headers or {})


def load_or_create_token(data_dir: Path | str) -> tuple[str, bool]:
    """The admin token of this data directory, created on first use: (token, created now).
    Exclusive creation: worker processes starting together agree on one token."""
    path = private_dir(data_dir) / TOKEN_FILE
    token = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        for _ in range(50):  # another process is writing it
            existing = path.read_text(encoding="utf-8").strip()
            if existing:
                return existing, False
            time.sleep(0.02)
        write_private(path, token + "\n")
        return token, True
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    return token, True


def policy_from_config(config: Any) -> tuple[AdminPolicy, str]:
    """The admin policy of a `BenchConfig`, and the token when it was generated just now (to print once)."""
    token, created = config.admin.token, False
    if not token:
        token, created = load_or_create_token(config.data_dir)
    policy = AdminPolicy.build(token=token, trusted_networks=config.admin.trusted_networks,
                               allowed_hosts=(*config.admin.allowed_hosts,
                                              *config.server_names),
                               allowed_origins=config.admin.allowed_origins, bind_host=config.host,
                               public_base_url=config.public_base_url)
    return policy, token if created else ""


def host_name(host_header: str) -> str:
    """`Host` header without port, lower-case; IPv6 without brackets."""
    host = (host_header or "").strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


@dataclass
class AdminPolicy:
    token: str = ""
    trusted_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    allowed_hosts: frozenset[str] = frozenset(LOOPBACK_HOSTS)
    allowed_origins: frozenset[str] = frozenset()
    no_network: bool = False  # in-process mode: no socket, every caller is the test itself

    @classmethod
    def build(cls, *, token: str, trusted_networks: Iterable[str] = DEFAULT_TRUSTED,
              allowed_hosts: Iterable[str] = (), allowed_origins: Iterable[str] = (), bind_host: str = "",
              public_base_url: str = "") -> AdminPolicy:
        hosts = set(LOOPBACK_HOSTS) | {host_name(h) for h in allowed_hosts if h}
        if bind_host not in _WILDCARD_BINDS:
            hosts.add(host_name(bind_host))
        if public_base_url:
            hosts.add(host_name(urlsplit(public_base_url).netloc))
        networks = tuple(ipaddress.ip_network(n, strict=False) for n in trusted_networks)
        return cls(token=token, trusted_networks=networks, allowed_hosts=frozenset(hosts),
                   allowed_origins=frozenset(o.rstrip("/").lower() for o in allowed_origins))

    def host_allowed(self, host_header: str) -> bool:
        """Names must be listed; an IP literal is always accepted (DNS rebinding needs a name)."""
        host = host_name(host_header)
        if "*" in self.allowed_hosts or host in self.allowed_hosts:
            return True
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        return True

    def trusted(self, remote_addr: str) -> bool:
        if self.no_network:
            return True
        try:
            address = ipaddress.ip_address((remote_addr or "").partition("%")[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.trusted_networks)

    def token_ok(self, authorization: str) -> bool:
        scheme, _, value = (authorization or "").partition(" ")
        return bool(self.token) and scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), self.token.encode())

    def cross_site(self, method: str, headers: dict[str, str], host_header: str, scheme: str) -> str:
        """Why a state-changing request is refused as cross-site, or ''."""
        if method in _SAFE_METHODS:
            return ""
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            return "requête inter-sites refusée (Sec-Fetch-Site: cross-site)"
        origin = headers.get("origin", "")
        if origin:
            own = f"{scheme}://{host_header}".lower()
            if origin.rstrip("/").lower() not in {own, *self.allowed_origins}:
                return f"origine {origin[:100]!r} refusée : seules les pages du banc peuvent le piloter"
        return ""


def body_type_refused(method: str, content_type: str, content_length: int) -> str:
    """A body a browser could send cross-site without a preflight is refused; JSON (or XML) is required."""
    if method in _SAFE_METHODS or content_length <= 0:
        return ""
    mime = content_type.partition(";")[0].strip().lower()
    main, _, sub = mime.partition("/")
    if main == "application" and (sub in ("json", "xml") or sub.endswith(("+json", "+xml"))):
        return ""
    return f"type de contenu {mime or '(absent)'!r} refusé : application/json attendu"


@dataclass
class SessionAccess:
    """Which protected sessions this request may see (the secret it carried matches theirs)."""

    registry: object  # SessionRegistry
    secret: str = ""
    _protected: dict[str, bool] = field(default_factory=dict)

    def allowed(self, session: str) -> bool:
        if session in ("", "*"):
            return True
        if session not in self._protected:
            self._protected[session] = self.registry.is_protected(session)  # type: ignore[attr-defined]
        if not self._protected[session]:
            return True
        return bool(self.secret) and self.registry.secret_matches(session, self.secret)  # type: ignore[attr-defined]

    def hidden(self) -> tuple[str, ...]:
        """Protected sessions this request may not see: left out of views over every session."""
        return tuple(s for s in self.registry.protected_names() if not self.allowed(s))  # type: ignore[attr-defined]


def session_access() -> SessionAccess:
    """The current admin request's access (views call it for unscoped lists and for objects by id)."""
    access = g.get("session_access")
    if access is None:
        raise RuntimeError("admin guard not installed")
    return access


def refuse_session(session: str) -> Response:
    return _problem(403, "Session protégée",
                    f"la session {session!r} est protégée : en-tête {SECRET_HEADER} requis")


# What any client must reach, under any name and without the token: CRL distribution points and CA
# certificates (a DUI in another container fetches them by the name its certificates carry), the
# health probe. Read-only, public by nature; the client bundle (keys) is not in this list.
PUBLIC_PATHS = re.compile(r"^/_bench/(health|pki/[a-z]+\.(crl|crt)|pki/trust\.pem)$")


def install_guard(app: Flask, policy: AdminPolicy, sessions: object) -> None:
    @app.before_request
    def guard() -> Response | None:
        g.session_access = SessionAccess(sessions, request.headers.get(SECRET_HEADER, ""))
        if request.method in ("GET", "HEAD") and PUBLIC_PATHS.match(request.path):
            return None
        if not policy.host_allowed(request.host):
            return _problem(421, "Hôte non autorisé",
                            f"hôte {host_name(request.host)[:100]!r} absent de admin.allowed_hosts")
        if not policy.trusted(request.remote_addr or "") and not policy.token_ok(
                request.headers.get("Authorization", "")):
            return _problem(401, "Authentification requise",
                            "hors du réseau de confiance, l'API d'administration exige le jeton "
                            "(Authorization: Bearer …)", {"WWW-Authenticate": 'Bearer realm="socle-bench"'})
        reason = policy.cross_site(request.method, {k.lower(): v for k, v in request.headers.items()},
                                   request.host, request.scheme)
        if reason:
            return _problem(403, "Requête inter-sites refusée", reason)
        reason = body_type_refused(request.method, request.content_type or "", request.content_length or 0)
        if reason:
            return _problem(415, "Type de contenu refusé", reason)
        for name in _targets():
            if not g.session_access.allowed(name):
                return refuse_session(name)
        return None


def _targets() -> list[str]:
    names = [str(v) for k, v in (request.view_args or {}).items() if k in _SESSION_ARGS]
    if "session" in request.args:
        names.append(request.args.get("session", ""))
    if request.method not in _SAFE_METHODS and request.is_json:
        data = request.get_json(silent=True)
        if isinstance(data, dict) and isinstance(data.get("session"), str):
            names.append(data["session"])
    return [n for n in names if n]
