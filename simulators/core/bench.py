"""The composition root of `socle-bench serve`: one `Bench` owns the runtime and every server.

The runtime (store, journal, sessions, faults) is built by `simulators.core.runtime.build_runtime`,
the same function every other mode calls. Simulators are factories (`SimulatorFactory`, or a
`ServiceDefinition`) that build their servers from the shared `Runtime`; they receive storage,
journal and fault engine from here and never import them on their own.

With `workers=N` (N > 1) this bench is the master of N-1 worker processes serving the HTTP simulators on
the same ports (`simulators.core.workers`, docs/workers.md); the database is then opened as shared.
"""

from __future__ import annotations

import logging
from pathlib import Path
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from flask import Response, request

from .admin import create_admin_app
from .admin_auth import install_guard, policy_from_config
from .config import BenchConfig
from .faults import FaultRule
from .journal import LiveChecker
from .lifecycle import Endpoint, Lifecycle, WsgiServer
from .judge import load_soon
from .memory import settle
from .runtime import Runtime, build_runtime, close_runtime, http_limits
from .workers import WorkerPool, WorkerSpec

__all__ = ["Bench", "Runtime", "SimulatorFactory", "http_limits"]

log = logging.getLogger("socle_bench")


def _with_host(url: str, host: str) -> str:
    parts = urlsplit(url)
    if not parts.hostname:
        return url  # e.g. "smtp://" forms without a host, left as they are
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class SimulatorFactory(Protocol):
    @property
    def name(self) -> str: ...

    def __call__(self, runtime: Runtime, /) -> Sequence[Lifecycle]: ...


class Bench:
    def __init__(self, config: BenchConfig, simulators: list[SimulatorFactory] | None = None, *,
                 live_checker: LiveChecker | None = None, pki: Any = None, db_schema: str | None = None,
                 workers: int = 1, live_checker_factory: Callable[[], LiveChecker | None] | None = None) -> None:
        """`workers`: processes serving the HTTP simulators (this one included). Each worker builds its own
        live checker: with `workers > 1`, give `live_checker_factory` (a module-level function, sent by
        name) or a picklable `live_checker`."""
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.config = config
        self.simulator_factories = list(simulators or [])
        self.live_checker_factory = live_checker_factory
        self.live_checker = live_checker if live_checker is not None or live_checker_factory is None \
            else live_checker_factory()
        self.pki = pki
        self.db_schema = db_schema
        self.workers = workers
        self.pool: WorkerPool | None = None
        self.runtime: Runtime | None = None
        self.servers: list[Lifecycle] = []
        self.admin: WsgiServer | None = None
        self.admin_token_created = ""  # the generated admin token, for `serve` to print once
        self.admin_token_file = Path(config.data_dir) / "admin-token"

    def start(self) -> Bench:
        cfg = self.config
        shared = self.workers > 1
        rt: Runtime = build_runtime(cfg, live_checker=self.live_checker, pki=self.pki, db_schema=self.db_schema,
                                    shared=shared)
        rt.shared_ports = shared
        self.runtime = rt
        faults, sessions = rt.faults, rt.sessions
        fault_store = faults.store
        try:
            for factory in self.simulator_factories:
                self.servers.extend(factory(rt))
            for i, rule in enumerate(cfg.faults):
                if fault_store is None:
                    faults.add(FaultRule.from_json(dict(rule)))
                else:  # every replica puts the configured rules under fixed ids, without restarting their clock
                    data = {"id": f"config-{i}", **dict(rule)}
                    fault_store.put(FaultRule.from_json(data).validate(faults.catalogues), replace=False)
            faults.refresh(force=True)
            admin_app = create_admin_app(self, rt.admin_blueprints, rt.ui_blueprints)
            policy, self.admin_token_created = policy_from_config(cfg)
            install_guard(admin_app, policy, sessions)
            if shared:
                admin_app.after_request(self._tell_workers)
            self.admin = WsgiServer(admin_app, name="admin",
                                    host=cfg.host, port=cfg.port("admin"), limits=rt.http_limits(),
                                    configure="bench admin API (/_bench/) and dashboard (/)", path="/_bench/")
            self.admin.start()
            if shared:  # the workers inherit these sockets; every process accepts on them in turn
                served = self._shared_servers()
                self.pool = WorkerPool(self._worker_spec(rt), self.workers - 1, rt.events,
                                       listening={s.port_name: s.listening_socket for s in served})
                for shared_server in served:
                    port_balance = self.pool.balance.port(shared_server.port)
                    if port_balance is not None:
                        shared_server.share(port_balance)
            for server in self.servers:
                server.start()
            if self.pool is not None:
                self.pool.start()
            settle()  # the world, bases and indexes built so far: out of the cyclic collector's walks
        except BaseException:
            self.stop()
            raise
        load_soon(self.live_checker)  # a deferred checker builds now, while the bench already answers
        return self

    def _shared_servers(self) -> list[WsgiServer]:
        return [s for s in self.servers if isinstance(s, WsgiServer) and s.shared]

    def _worker_spec(self, rt: Runtime) -> WorkerSpec:
        """The workers serve this bench's HTTP simulator ports (the master's sockets, inherited), nothing else:
        they build their servers on ephemeral ports, then accept on the inherited sockets instead."""
        http = {s.port_name: s.port for s in self._shared_servers()}
        config = replace(self.config, ports=dict.fromkeys(self.config.ports, 0))
        directory = getattr(self.pki, "directory", None)
        return WorkerSpec(config=config, factories=self.simulator_factories, http_ports=http,
                          live_checker=None if self.live_checker_factory else self.live_checker,
                          live_checker_factory=self.live_checker_factory,
                          pki_dir=str(directory) if directory is not None else None, db_schema=self.db_schema,
                          log_level=logging.getLogger().getEffectiveLevel())

    def _tell_workers(self, response: Response) -> Response:
        """After an admin write, the workers reload sessions, fault rules and caches before the answer leaves:
        a DUI told "rule set" finds it on whichever process serves its next connection."""
        pool = self.pool
        writes = request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400
        if pool is not None and writes and not pool.refresh():
            log.warning("a worker did not confirm the reload after %s %s", request.method, request.path)
        return response

    @property
    def worker_pids(self) -> list[int]:
        """Process ids of the worker processes ([] with `workers=1`)."""
        return self.pool.pids if self.pool is not None else []

    def stop(self) -> None:
        rt = self.runtime
        if self.pool is not None:  # the workers stop (and flush their journals) while this process stops its servers
            self.pool.begin_stop()
        if rt is not None:
            rt.faults.stopping.set()  # injected delays end now, before the servers wait for their threads
        for server in reversed(self.servers):
            try:
                server.stop()
            except Exception:
                log.exception("error stopping %s", getattr(server, "name", server))
        self.servers = []
        if self.pool is not None:
            self.pool.stop()
            self.pool = None
        if self.admin is not None:
            self.admin.stop()
            self.admin = None
        if rt is not None:
            close_runtime(rt)
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
    def started_runtime(self) -> Runtime:
        """The runtime of a started bench (AssertionError before `start`)."""
        assert self.runtime is not None, "bench not started"
        return self.runtime

    @property
    def admin_url(self) -> str:
        assert self.admin is not None, "bench not started"
        return self.admin.url

    def __enter__(self) -> Bench:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
