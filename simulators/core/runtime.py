"""The one place the shared runtime is built: journal, database, sessions, faults, events, live checker, PKI.

Every way the bench runs (`socle-bench serve` through `Bench`, the in-process mode of
`conformance.inprocess`, gunicorn workers in `simulators.wsgi`, load runs in `loadtests.runner`)
calls `build_runtime`, so they cannot differ in what the journal judges or how a session reset
propagates. The live checker is a required argument: the core never imports the conformance
engine, the apps layer passes `conformance.live.default_live_checker()` (or None, said out loud).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from . import tls
from .config import BenchConfig, ConfigError
from .db import Database, open_database
from .events import EventBus
from .faults import FaultEngine, SharedFaultStore
from .files import private_dir
from .httpserver import HttpLimits
from .memory import release
from .journal import Journal, LiveChecker
from .lifecycle import Lifecycle, WsgiServer
from .pki.blueprint import crl_blueprint
from .pki.revocation import RevocationIndex
from .service import ENVIRON_KEY, ErrorRenderer, Identify, ServiceMiddleware, plain_error
from .sessions import SessionRegistry

__all__ = ["Runtime", "build_runtime", "close_runtime", "http_limits"]

@dataclass
class Runtime:
    """What a simulator factory receives."""

    config: BenchConfig
    db: Database
    journal: Journal
    sessions: SessionRegistry
    faults: FaultEngine
    events: EventBus
    pki: Any = None  # simulators.core.pki.Pki when TLS is on
    admin_blueprints: list[Blueprint] = field(default_factory=list)  # mounted under /_bench
    ui_blueprints: list[Blueprint] = field(default_factory=list)  # mounted at the admin port's root
    shutdown_hooks: list[Callable[[], None]] = field(default_factory=list)
    shared_ports: bool = False  # HTTP simulator ports served by every process (`serve --workers`, docs/workers.md)

    def server_tls(self, server_name: str, *, client_auth: tls.ClientAuth = "optional",
                   dns_names: tuple[str, ...] = ()) -> ssl.SSLContext | None:
        """TLS context for a simulator's server, or None when the bench runs without TLS.

        Extra certificate names come from `dns_names` and the configuration's `tls_names` and
        `public_host` (names a DUI uses to reach the bench, e.g. compose service names)."""
        if self.pki is None or not self.config.tls:
            return None
        names = tuple(dns_names) + self.config.server_names
        return tls.server_context(self.pki, server_name, client_auth=client_auth, dns_names=names)

    def identify_tls(self) -> Identify | None:
        """The TLS client certificate, checked against the current CRLs on every request (`tls.TlsIdentify`)."""
        if self.pki is None or not self.config.tls:
            return None
        return tls.TlsIdentify(RevocationIndex.of(self.pki))

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
                    client_auth: tls.ClientAuth = "optional", configure: str = "", path: str = "") -> Lifecycle:
        return WsgiServer(app, name=service, host=self.config.host,
                          port=self.config.port(port_name or service), port_name=port_name or service,
                          ssl_context=self.server_tls("localhost", client_auth=client_auth),
                          configure=configure, path=path, limits=self.http_limits(), shared=self.shared_ports)


_HTTP_ERRORS_FR = {400: "requête invalide", 404: "ressource inconnue", 405: "méthode HTTP non permise",
                   406: "format de réponse non disponible", 413: "requête trop volumineuse",
                   415: "type de contenu non supporté"}


def _render_http_errors(app, render_error: ErrorRenderer) -> None:
    """Flask answers routing errors (unknown path, wrong method...) with its own HTML page, before the
    middleware sees anything: render them in the service's protocol shape instead."""
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
    try:
        return HttpLimits.from_options(config.service_options("server"), max_body_bytes=config.max_body_bytes)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


R = TypeVar("R", bound=Runtime)


def build_runtime(config: BenchConfig, *, live_checker: LiveChecker | None, pki: Any = None,
                  db_schema: str | None = None, shared: bool = False,
                  runtime_class: Callable[..., R] = Runtime) -> R:  # type: ignore[assignment]
    """Open the store and start the journal and sessions of one bench process.

    `live_checker` has no default on purpose: every caller states which hook judges the exchanges.
    `shared=True` (gunicorn workers, `serve --workers N`), or a database several processes can share
    (PostgreSQL: the bench may be one of several replicas, docs/replicas.md), opens the database as shared
    (`Database.shared`: change feed, signing keys and grants in the database) and reloads sessions and
    fault rules from it, so several processes behave as one bench; otherwise they stay in this process.
    The journal writer and the session watcher are started; the caller stops them with `close_runtime`
    (or `Bench.stop`)."""
    private_dir(config.data_dir)
    db = open_database(config.database_url, schema=db_schema, shared=shared)
    try:
        events = EventBus()
        jc = config.journal
        journal = Journal(db, events=events, live_checker=live_checker, batch_size=jc.batch_size,
                          flush_interval_s=jc.flush_interval_s, queue_size=jc.queue_size,
                          keep_bodies=jc.keep_bodies, durable=jc.durable, keep_secrets=jc.keep_secrets)
        journal.start()
    except BaseException:
        db.dispose()
        raise
    shared = shared or db.shared
    try:
        sessions = SessionRegistry(db, auto_create=config.auto_create_sessions, events=events, shared=shared)
        sessions.start()
        store = None
        if shared:
            store = SharedFaultStore(db)
            store.create_tables()
        faults = FaultEngine(config.seed, store=store)
    except BaseException:
        journal.close()
        db.dispose()
        raise
    sessions.on_reset(lambda _name: release())  # what the reset drops goes back to the collector first
    sessions.on_reset(journal.delete_session)
    sessions.on_reset(faults.reseed)
    rt = runtime_class(config=config, db=db, journal=journal, sessions=sessions, faults=faults,
                       events=events, pki=pki)
    if pki is not None:
        rt.admin_blueprints.append(crl_blueprint(pki))  # CRL distribution points under /_bench/pki
    return rt


def close_runtime(rt: Runtime) -> None:
    """Stop what `build_runtime` started, after the servers: shutdown hooks, journal (flushed), store."""
    rt.faults.stopping.set()
    for hook in rt.shutdown_hooks:
        hook()
    rt.journal.close()
    rt.db.dispose()
