"""The composition root: one `Bench` owns the store, journal, sessions, faults and every server.

Simulators are factories (`SimulatorFactory`) that build their servers from the shared `Runtime`;
they receive storage, journal and fault engine from here and never import them on their own.
"""

from __future__ import annotations

import logging
import ssl
from pathlib import Path
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit, urlunsplit
from typing import Any, Protocol

from flask import Blueprint

from .admin_auth import install_guard, policy_from_config
from .config import BenchConfig
from .db import Database, open_database
from .events import EventBus
from .exchange import Caller
from .faults import FaultEngine, FaultRule
from .files import private_dir
from .journal import Journal, LiveChecker
from .httpserver import HttpLimits
from .lifecycle import Endpoint, Lifecycle, WsgiServer
from .service import ErrorRenderer, Identify, ServiceMiddleware, plain_error

log = logging.getLogger("socle_bench")


@dataclass
class Runtime:
    """What a simulator factory receives."""

    config: BenchConfig
    db: Database
    journal: Journal
    sessions: Any  # SessionRegistry
    faults: FaultEngine
    events: EventBus
    pki: Any = None  # simulators.core.pki.Pki when TLS is on
    admin_blueprints: list[Blueprint] = field(default_factory=list)  # mounted under /_bench
    ui_blueprints: list[Blueprint] = field(default_factory=list)  # mounted at the admin port's root
    shutdown_hooks: list[Callable[[], None]] = field(default_factory=list)

    def server_tls(self, server_name: str, *, client_auth: str = "optional",
                   dns_names: tuple[str, ...] = ()) -> ssl.SSLContext | None:
        """TLS context for a simulator's server, or None when the bench runs without TLS.

        Extra certificate names come from `dns_names` and the configuration's `tls_names` and
        `public_host` (names a DUI uses to reach the bench, e.g. compose service names)."""
        if self.pki is None or not self.config.tls:
            return None
        from . import tls  # imported lazily: the PKI is optional in unit tests

        names = tuple(dns_names) + self.config.server_names
        return tls.server_context(self.pki, server_name, client_auth=client_auth, dns_names=names)

    def identify_tls(self) -> Identify | None:
        if self.pki is None or not self.config.tls:
            return None
        from . import tls
        from .pki.revocation import RevocationIndex

        index = RevocationIndex.of(self.pki)

        def identify(environ: dict) -> Caller | None:
            """The TLS client certificate, checked against the current CRLs on every request: a connection
            kept alive since before a `pki revoke` does not keep its rights."""
            caller = tls.caller_from_environ(environ)
            if caller is not None:
                try:
                    revoked = index.is_revoked_serial(int(str(caller.attributes.get("serial", "")), 16))
                except ValueError:
                    revoked = False
                if revoked:
                    caller.attributes["revoked"] = True
            return caller

        return identify

    def wrap(self, app, *, service: str, render_error: ErrorRenderer = plain_error,
             identify: Identify | None = None) -> ServiceMiddleware:
        if hasattr(app, "config"):  # Flask: let errors reach the middleware, which renders the protocol's own
            app.config["PROPAGATE_EXCEPTIONS"] = True
            _render_http_errors(app, render_error)
        return ServiceMiddleware(app, service=service, journal=self.journal, sessions=self.sessions,
                                 faults=self.faults, identify=identify or self.identify_tls(),
                                 render_error=render_error, max_body_bytes=self.config.max_body_bytes)

    def http_limits(self) -> HttpLimits:
        """Deadlines, body limit and worker threads of every HTTP server (`[server]` table)."""
        return http_limits(self.config)

    def http_server(self, app, *, service: str, port_name: str | None = None,
                    client_auth: str = "optional", configure: str = "", path: str = "") -> WsgiServer:
        return WsgiServer(app, name=service, host=self.config.host,
                          port=self.config.port(port_name or service),
                          ssl_context=self.server_tls("localhost", client_auth=client_auth),
                          configure=configure, path=path, limits=self.http_limits())


_HTTP_ERRORS_FR = {400: "requête invalide", 404: "ressource inconnue", 405: "méthode HTTP non permise",
                   406: "format de réponse non disponible", 413: "requête trop volumineuse",
                   415: "type de contenu non supporté"}


def _render_http_errors(app, render_error: ErrorRenderer) -> None:
    """Flask answers routing errors (unknown path, wrong method...) with its own HTML page, before the
    middleware sees anything: render them in the service's protocol shape instead."""
    from flask import Response, request
    from werkzeug.exceptions import HTTPException

    from .service import ENVIRON_KEY

    def handle(exc: HTTPException) -> Response:
        code = exc.code or 400
        message = f"{_HTTP_ERRORS_FR.get(code, 'requête refusée')} : {request.method} {request.path}"
        status, headers, body = render_error(code, message, request.environ.get(ENVIRON_KEY))
        response = Response(body, status=status, headers=headers)
        for key, value in exc.get_headers():
            if key.lower() == "allow":
                response.headers[key] = value
        return response

    app.register_error_handler(HTTPException, handle)


def http_limits(config: BenchConfig) -> HttpLimits:
    from .config import ConfigError

    try:
        return HttpLimits.from_options(config.service_options("server"), max_body_bytes=config.max_body_bytes)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _with_host(url: str, host: str) -> str:
    parts = urlsplit(url)
    if not parts.hostname:
        return url  # e.g. "smtp://" forms without a host, left as they are
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class SimulatorFactory(Protocol):
    name: str

    def __call__(self, runtime: Runtime) -> list[Lifecycle]: ...


class Bench:
    def __init__(self, config: BenchConfig, simulators: list[SimulatorFactory] | None = None, *,
                 live_checker: LiveChecker | None = None, pki: Any = None, db_schema: str | None = None) -> None:
        self.config = config
        self.simulator_factories = list(simulators or [])
        self.live_checker = live_checker
        self.pki = pki
        self.db_schema = db_schema
        self.runtime: Runtime | None = None
        self.servers: list[Lifecycle] = []
        self.admin: WsgiServer | None = None
        self.admin_token_created = ""  # the generated admin token, for `serve` to print once
        self.admin_token_file = Path(config.data_dir) / "admin-token"

    def start(self) -> "Bench":
        from .admin import create_admin_app
        from .sessions import SessionRegistry

        cfg = self.config
        private_dir(cfg.data_dir)
        db = open_database(cfg.database_url, schema=self.db_schema)
        events = EventBus()
        journal = Journal(db, events=events, live_checker=self.live_checker,
                          batch_size=cfg.journal.batch_size, flush_interval_s=cfg.journal.flush_interval_s,
                          queue_size=cfg.journal.queue_size, keep_bodies=cfg.journal.keep_bodies,
                          durable=cfg.journal.durable, keep_secrets=cfg.journal.keep_secrets)
        journal.start()
        sessions = SessionRegistry(db, auto_create=cfg.auto_create_sessions, events=events)
        sessions.start()
        faults = FaultEngine(cfg.seed)
        sessions.on_reset(journal.delete_session)
        sessions.on_reset(faults.reseed)
        rt = Runtime(config=cfg, db=db, journal=journal, sessions=sessions, faults=faults,
                     events=events, pki=self.pki)
        self.runtime = rt
        if self.pki is not None:
            from .pki.blueprint import crl_blueprint

            rt.admin_blueprints.append(crl_blueprint(self.pki))  # CRL distribution points
        try:
            for factory in self.simulator_factories:
                self.servers.extend(factory(rt))
            for rule in cfg.faults:
                faults.add(FaultRule.from_json(dict(rule)))
            admin_app = create_admin_app(self, rt.admin_blueprints, rt.ui_blueprints)
            policy, self.admin_token_created = policy_from_config(cfg)
            install_guard(admin_app, policy, sessions)
            self.admin = WsgiServer(admin_app, name="admin",
                                    host=cfg.host, port=cfg.port("admin"), limits=rt.http_limits(),
                                    configure="bench admin API (/_bench/) and dashboard (/)", path="/_bench/")
            self.admin.start()
            for server in self.servers:
                server.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        rt = self.runtime
        if rt is not None:
            rt.faults.stopping.set()
        for server in reversed(self.servers):
            try:
                server.stop()
            except Exception:
                log.exception("error stopping %s", getattr(server, "name", server))
        self.servers = []
        if self.admin is not None:
            self.admin.stop()
            self.admin = None
        if rt is not None:
            for hook in rt.shutdown_hooks:
                hook()
            rt.journal.close()
            rt.db.dispose()
            self.runtime = None

    def endpoints(self) -> list[Endpoint]:
        """What runs, with the URLs a client uses: on `public_host` when the bench has a public name."""
        result = self.admin.endpoints() if self.admin else []
        for server in self.servers:
            result.extend(server.endpoints())
        if self.config.public_host:
            result = [replace(e, url=_with_host(e.url, self.config.public_host)) for e in result]
        return result

    def url(self, name: str) -> str:
        for endpoint in self.endpoints():
            if endpoint.service == name:
                return endpoint.url
        raise KeyError(name)

    @property
    def admin_url(self) -> str:
        assert self.admin is not None, "bench not started"
        return self.admin.url

    def __enter__(self) -> "Bench":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
