"""WSGI entry point: one simulator behind several gunicorn worker processes sharing one database.

One `socle-bench serve` process is bounded by one GIL; for loads it cannot hold, the same simulator
runs in N worker processes that share the journal, the sessions and the fault rules through
PostgreSQL (or a SQLite file in WAL mode on one machine)::

    SOCLE_BENCH_SERVICE=ins SOCLE_BENCH_DATABASE=postgresql://bench@db/bench \\
        gunicorn -w 4 -k gthread --threads 8 -b 0.0.0.0:8443 simulators.wsgi:application

Each worker builds its own runtime on its first request (after the fork, so no connection or
writer thread crosses a fork, even with `--preload`). The admin API (`/_bench/...`) is served on the
same port by every worker: a fault rule or a session created through one worker applies in all of
them within a second. Every response carries `X-Socle-Bench-Worker: <pid>` to see the spread.

Environment: SOCLE_BENCH_SERVICE (registry name or "module:attr" factory, required),
SOCLE_BENCH_DATABASE, SOCLE_BENCH_CONFIG, SOCLE_BENCH_DATA_DIR, SOCLE_BENCH_SEED,
SOCLE_BENCH_APP (which HTTP server of the factory to serve; default the service's own),
SOCLE_BENCH_PUBLIC_URL (URL clients use, shown by /_bench/services), SOCLE_BENCH_TLS=1 (gunicorn
terminates TLS with --certfile/--keyfile/--ca-certs; callers are identified by their certificate).
"""

from __future__ import annotations

import atexit
import logging
import os
import ssl
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.live import default_live_checker

from .core.admin import create_admin_app
from .core.admin_auth import install_guard, policy_from_config
from .core.errors import BenchError
from .core.config import BenchConfig, environment_overrides, load_config
from .core.faults import FaultRule
from .core.httpserver import SOCKET_KEY
from .core.lifecycle import Endpoint, WsgiServer
from .core.pki import open_or_init
from .core.runtime import Runtime, build_runtime, close_runtime
from .registry import UnknownServiceError, load_factory, load_service

log = logging.getLogger("socle_bench.wsgi")

WORKER_HEADER = "X-Socle-Bench-Worker"


class WsgiSetupError(BenchError, RuntimeError):
    """The environment does not describe a servable simulator; the message says what to set."""


@dataclass
class WorkerBench:
    """What the admin app needs from a bench (runtime, endpoints), for one worker process."""

    runtime: Runtime
    service: str
    configure: str = ""
    public_url: str = ""
    extra: list[Endpoint] = field(default_factory=list)

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint(self.service, self.public_url, self.configure), *self.extra]

    def close(self) -> None:
        close_runtime(self.runtime)


def config_from_env(env: Mapping[str, str]) -> BenchConfig:
    """The same SOCLE_BENCH_* table as `serve` (database, data dir, names, admin token...), plus the worker's own."""
    seed = env.get("SOCLE_BENCH_SEED")
    config = load_config(env.get("SOCLE_BENCH_CONFIG") or None, **environment_overrides(env),
                         seed=int(seed) if seed else None, tls=env.get("SOCLE_BENCH_TLS", "") in ("1", "true", "yes"))
    return config.ephemeral()  # the factory's own servers are never started: gunicorn listens


def build_worker(env: Mapping[str, str]) -> tuple[WorkerBench, Any, Any]:
    """Build the runtime with `build_runtime` (shared faults and sessions) and return
    (bench, service WSGI app, admin WSGI app). Each worker judges its own exchanges live, like
    `socle-bench serve` (`conformance.live.default_live_checker`)."""
    spec = env.get("SOCLE_BENCH_SERVICE", "")
    if not spec:
        raise WsgiSetupError("SOCLE_BENCH_SERVICE manquant (nom du service, ex. ins, ou module:fabrique)")
    try:
        factory = load_factory(spec) if ":" in spec else load_service(spec)
    except UnknownServiceError as exc:
        raise WsgiSetupError(str(exc)) from exc
    config = config_from_env(env)
    pki = open_or_init(Path(config.data_dir) / "pki", base_url=config.crl_base_url) if config.tls else None
    rt: Runtime = build_runtime(config, live_checker=default_live_checker(), pki=pki, shared=True)
    try:
        return _compose(rt, factory, env)
    except BaseException:
        close_runtime(rt)
        raise


def _compose(rt: Runtime, factory: Any, env: Mapping[str, str]) -> tuple[WorkerBench, Any, Any]:
    config, faults, store = rt.config, rt.faults, rt.faults.store
    assert store is not None, "a shared runtime keeps its fault rules in the database"
    lifecycles = factory(rt)
    wanted = env.get("SOCLE_BENCH_APP") or factory.name
    http = [s for s in lifecycles if isinstance(s, WsgiServer)]
    chosen = next((s for s in http if s.name == wanted), None)
    for server in http:
        server.stop()  # never started: only releases the ephemeral socket bound at construction
    if chosen is None:
        raise WsgiSetupError(f"{factory.name}: aucun serveur HTTP {wanted!r} à servir ; choisir avec "
                             f"SOCLE_BENCH_APP parmi : {', '.join(s.name for s in http) or 'aucun'}")
    for i, rule in enumerate(config.faults):
        data = dict(rule)
        data.setdefault("id", f"config-{i}")
        store.put(FaultRule.from_json(data).validate(faults.catalogues), replace=False)
    faults.refresh(force=True)
    bench = WorkerBench(rt, service=chosen.name, configure=chosen.configure,
                        public_url=env.get("SOCLE_BENCH_PUBLIC_URL", "").rstrip("/"))
    admin = create_admin_app(bench, rt.admin_blueprints, rt.ui_blueprints)
    policy, created = policy_from_config(config)
    if created:
        log.warning("admin token generated into %s/admin-token (required off loopback)", config.data_dir)
    install_guard(admin, policy, rt.sessions)
    return bench, chosen.app, admin


def _peer_certificate_pem(environ: dict) -> str | None:
    """gunicorn does not put the client certificate in the environ; SSL_CLIENT_CERT (as the bench's own
    server sets it) is what the caller identification reads."""
    sock = environ.get("gunicorn.socket")
    if not isinstance(sock, ssl.SSLSocket):
        return None
    der = sock.getpeercert(binary_form=True)
    return ssl.DER_cert_to_PEM_cert(der) if der else None


class WorkerApplication:
    """The gunicorn `application`: builds this process's runtime on first use, then dispatches
    `/_bench/...` to the admin app and everything else to the simulator."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._env = env
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._built: tuple[WorkerBench, Any, Any] | None = None

    def _worker(self) -> tuple[WorkerBench, Any, Any]:
        built = self._built
        if built is not None and self._pid == os.getpid():
            return built
        with self._lock:
            if self._built is None or self._pid != os.getpid():
                self._built = build_worker(self._env if self._env is not None else os.environ)
                self._pid = os.getpid()
                atexit.register(self._built[0].close)
            return self._built

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        bench, service_app, admin_app = self._worker()
        path = environ.get("PATH_INFO", "") or "/"
        is_admin = path == "/_bench" or path.startswith("/_bench/")
        if is_admin and not bench.public_url:
            host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
            bench.public_url = f"{environ.get('wsgi.url_scheme', 'http')}://{host}"
        if "gunicorn.socket" in environ:  # lets "drop" faults close the connection, as under the bench's server
            environ.setdefault(SOCKET_KEY, environ["gunicorn.socket"])
        pem = _peer_certificate_pem(environ)
        if pem:
            environ["SSL_CLIENT_CERT"] = pem
        pid = str(self._pid)

        def tagged(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            return start_response(status, [*headers, (WORKER_HEADER, pid)], exc_info)

        return (admin_app if is_admin else service_app)(environ, tagged)


application = WorkerApplication()
