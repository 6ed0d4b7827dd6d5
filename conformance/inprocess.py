"""In-process mode: ``requests`` calls to the real socle hostnames answered by the simulators' WSGI apps.

A Python DUI's own unit tests keep their production URLs (``https://qualiflps-services-ps-tlsm.ameli.fr/lps``,
the DMP test platforms, the ROR and Annuaire santé gateways) and run against the bench with no network,
no socket and no server thread: ``responses`` intercepts the calls and hands them to the WSGI app of the
matching simulator, built from a ``Runtime`` exactly as ``socle-bench serve`` builds it (same journal,
sessions, faults), minus the listening sockets. Every call is journaled, so the conformance engine
judges it like any other exchange.

    with InProcessBench(services=("ins",)) as bench:
        my_dui.lookup_ins(...)                       # requests.post("https://qualiflps-services-ps-tlsm.ameli.fr/lps")
        assert bench.exchanges("ins")[0].summary["cr"] == "00"

TLS is not simulated: callers are anonymous (the INSi certificate CN rule is then not applied).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import responses
from werkzeug.test import EnvironBuilder, run_wsgi_app

from simulators.core.admin import create_admin_app
from simulators.core.admin_auth import AdminPolicy, install_guard
from simulators.core.config import load_config
from simulators.core.exchange import Exchange
from simulators.core.journal import ExchangeQuery
from simulators.core.lifecycle import Endpoint
from simulators.core.runtime import Runtime, build_runtime, close_runtime
from simulators.core.sessions import DEFAULT_SESSION
from simulators.core.tls import ClientAuth
from simulators.registry import load_simulators

from conformance.live import default_live_checker

#: Real hostnames of the specs (insi.md §1, dmp.md §9, ror.md §1.2, mss.md §2.3 and §5.1) -> endpoint name.
REAL_HOSTS: dict[str, str] = {
    "qualiflps-services-ps-tlsm.ameli.fr": "ins", "services-ps-tlsm.ameli.fr": "ins",
    "qualiflps.services-ps.ameli.fr": "ins-cpx", "services-ps.ameli.fr": "ins-cpx",
    "bas-api-fhir.qualif.ror.esante.gouv.fr": "ror", "api-fhir.ror.esante.gouv.fr": "ror",
    "api.ror.esante.gouv.fr": "ror", "bas-auth-api.qualif.ror.esante.gouv.fr": "ror",
    "auth-api.ror.esante.gouv.fr": "ror",
    "gateway.api.esante.gouv.fr": "annuaire",
    "wallet.bas.psc.esante.gouv.fr": "psc", "wallet.esw.esante.gouv.fr": "psc",
}
#: DMP test platforms: formation1..5.lps2.dmp.gouv.fr, devN.lps2.dmp.gouv.fr.
DMP_HOST = re.compile(r"^(?:formation\d+|dev\d+)\.lps2\.dmp\.gouv\.fr$")
ADMIN_HOST = "socle-bench.invalid"  # the admin API, for tests that want to read the journal over HTTP
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


@dataclass
class MountedApp:
    """A simulator's WSGI app kept in process: the Lifecycle shape, without a socket."""

    name: str
    app: Any
    path: str = ""
    configure: str = ""

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint(self.name, f"inprocess://{self.name}{self.path}", self.configure)]


@dataclass
class InProcessRuntime(Runtime):
    """A Runtime whose HTTP servers are mounted apps (no port, no thread)."""

    mounted: dict[str, MountedApp] = field(default_factory=dict)

    def http_server(self, app, *, service: str, port_name: str | None = None,
                    client_auth: ClientAuth = "optional", configure: str = "", path: str = "") -> MountedApp:
        mounted = MountedApp(port_name or service, app, path, configure)
        self.mounted[mounted.name] = mounted
        return mounted


def endpoint_for_host(host: str) -> str | None:
    host = host.lower()
    if host in REAL_HOSTS:
        return REAL_HOSTS[host]
    if DMP_HOST.match(host):
        return "dmp"
    return None


class InProcessBench:
    """The simulators as WSGI apps behind the real hostnames, for the duration of a ``with`` block.

    ``session``: the bench session every routed call lands in (real URLs carry no ``/s/<session>/``).
    ``services``: simulators to build (default: every registered one, see ``simulators.registry``); ``factories``
    replaces them (e.g. a test-only simulator) and ``hosts`` adds hostname -> endpoint routes.
    """

    def __init__(self, directory: Path | str | None = None, *, services: tuple[str, ...] = (),
                 session: str = DEFAULT_SESSION, seed: int | None = None, factories: list[Any] | None = None,
                 hosts: dict[str, str] | None = None, passthrough: tuple[str, ...] = ()) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="socle-bench-inprocess-") if directory is None else None
        self.directory = Path(directory if directory is not None else self._tmp.name)  # type: ignore[union-attr]
        self.services = services
        self.session = session
        self.seed = seed
        self.factories = factories
        self.hosts = {**REAL_HOSTS, **{k.lower(): v for k, v in (hosts or {}).items()}}
        self.passthrough = passthrough  # URL prefixes left to the real network (e.g. the DUI's own test server)
        self.runtime: InProcessRuntime | None = None
        self.mock: responses.RequestsMock | None = None
        self.admin_app: Any = None

    # --- lifecycle ---------------------------------------------------------------------------------
    def __enter__(self) -> InProcessBench:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        overrides: dict[str, Any] = {"tls": False}
        if self.seed is not None:
            overrides["seed"] = self.seed
        config = load_config(None, data_dir=self.directory / "bench-data", **overrides).ephemeral()
        factories = self.factories if self.factories is not None else load_simulators(self.services)
        rt = build_runtime(config, live_checker=default_live_checker(), runtime_class=InProcessRuntime)
        self.runtime = rt
        try:
            for factory in factories:
                factory(rt)
        except BaseException:
            self.stop()
            raise
        self.admin_app = _admin_app(rt)
        self.mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for prefix in self.passthrough:
            self.mock.add_passthru(prefix)
        pattern = re.compile(r"^https?://(?P<host>[^/:]+)(?::\d+)?(?P<rest>/.*)?$")
        for method in METHODS:
            self.mock.add_callback(method, pattern, callback=self._dispatch)
        self.mock.start()

    def stop(self) -> None:
        if self.mock is not None:
            self.mock.stop()
            self.mock.reset()
            self.mock = None
        rt = self.runtime
        if rt is not None:
            close_runtime(rt)
            self.runtime = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # --- routing ---------------------------------------------------------------------------------
    def app_for(self, host: str) -> tuple[Any, bool] | None:
        """(WSGI app, needs the session prefix) for a hostname, None when it is not a socle host."""
        assert self.runtime is not None, "in-process bench not started"
        if host.lower() == ADMIN_HOST:
            return self.admin_app, False
        name = self.hosts.get(host.lower()) or endpoint_for_host(host)
        mounted = self.runtime.mounted.get(name or "")
        if mounted is None and name == "ins-cpx":
            mounted = self.runtime.mounted.get("ins")
        return (mounted.app, True) if mounted is not None else None

    def _dispatch(self, request: Any) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(request.url)
        target = self.app_for(parts.hostname or "")
        if target is None:
            raise requests.ConnectionError(f"socle-bench en processus : hôte non simulé {parts.hostname!r} "
                                  f"(hôtes connus : {', '.join(sorted(REAL_HOSTS))}, formationN.lps2.dmp.gouv.fr)")
        app, prefixed = target
        path = parts.path or "/"
        if prefixed and self.session != DEFAULT_SESSION and not path.startswith("/s/"):
            path = f"/s/{self.session}{path}"
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, (bytes, bytearray)):
            body = b"".join(body)  # a generator or file-like body (streamed upload)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        builder = EnvironBuilder(path=path, base_url=f"{parts.scheme}://{parts.netloc}", query_string=parts.query,
                                 method=request.method, headers=headers, data=bytes(body))
        environ = builder.get_environ()
        app_iter, status, response_headers = run_wsgi_app(app, environ, buffered=True)
        content = b"".join(app_iter)
        return int(status.split(" ", 1)[0]), {k: v for k, v in response_headers.items()
                                              if k.lower() not in ("content-length", "transfer-encoding")}, content

    # --- reading what was received --------------------------------------------------------------------
    def exchanges(self, service: str | None = None, *, session: str | None = None) -> list[Exchange]:
        assert self.runtime is not None, "in-process bench not started"
        return self.runtime.journal.query(ExchangeQuery(session=session or self.session, service=service))


def _admin_app(rt: InProcessRuntime) -> Any:
    """The admin API over the same runtime (its ``bench`` argument only needs endpoints())."""
    class _View:
        runtime = rt

        @staticmethod
        def endpoints() -> list[Endpoint]:
            return [e for m in rt.mounted.values() for e in m.endpoints()]

    app = create_admin_app(_View, rt.admin_blueprints, [])
    # no socket, no browser: any host name and caller may use it, protected sessions still need their secret
    policy = AdminPolicy(token="", allowed_hosts=frozenset({"*"}), no_network=True)
    install_guard(app, policy, rt.sessions)
    return app


@contextmanager
def inprocess_bench(**kwargs: Any) -> Iterator[InProcessBench]:
    """``with inprocess_bench(services=("ins",)) as bench:`` — see InProcessBench."""
    with InProcessBench(**kwargs) as bench:
        yield bench


def pytest_fixture(services: tuple[str, ...] = (), session: str = DEFAULT_SESSION) -> Any:
    """A function-scoped pytest fixture ``socle_inprocess`` for a DUI's own test suite::

        # conftest.py
        from conformance.inprocess import pytest_fixture
        socle_inprocess = pytest_fixture(services=("ins", "ror"))
    """
    import pytest

    @pytest.fixture(name="socle_inprocess")
    def _fixture(tmp_path: Path) -> Iterator[InProcessBench]:
        with InProcessBench(tmp_path, services=services, session=session) as bench:
            yield bench

    return _fixture
