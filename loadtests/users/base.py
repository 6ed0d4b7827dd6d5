"""What every load user shares: where the bench is, how a call is measured, and the DUI hand-over.

Users find the services through the bench's admin API (`SOCLE_BENCH_ADMIN_URL`, `/_bench/services`)
and load the session `SOCLE_BENCH_LOAD_SESSION` through the `/s/<session>/` prefix, so a load run
never mixes with a conformance session. Calls made through a reference client (SOAP, FHIR, SMTP,
IMAP) are timed here and fired as locust `request` events, so they appear in locust's statistics,
CSV and HTML exactly like HTTP requests.

With `SOCLE_BENCH_DUI=module:Class` each user hands its business actions (qualify an INS, feed or
consult the DMP, send or read MSSanté mail, search the ROR) to the vendor's DUI driver — the same
`conformance.drivers.base.DuiDriver` plug-in as for the journeys — which calls the DUI's own API
(its address in `SOCLE_BENCH_DUI_URL`); the DUI then calls the bench, which answers as the socle
services. See loadtests/README.md.
"""

from __future__ import annotations

import itertools
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from locust import HttpUser, User
from locust.exception import InterruptTaskSet, RescheduleTask, StopUser
from conformance.drivers import load_driver
from conformance.drivers.local_bench import credentials_from_dir, target_for
from simulators.core.pki import Pki
from simulators.identities.world import build_world

DEFAULT_ADMIN_URL = "http://127.0.0.1:8080"
_PASS_THROUGH = (StopUser, InterruptTaskSet, RescheduleTask)


@dataclass
class Target:
    admin_url: str
    session: str
    services: dict[str, str]
    data_dir: Path
    seed: int = 20261122  # the bench's seed: the world every simulator seeded itself from
    dui_spec: str = ""  # module:Class of the vendor's driver (it reads SOCLE_BENCH_DUI_URL itself)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, timeout_s: float = 30.0) -> Target:
        env = os.environ if env is None else env
        admin = (env.get("SOCLE_BENCH_ADMIN_URL") or DEFAULT_ADMIN_URL).rstrip("/")
        return cls(admin_url=admin, session=env.get("SOCLE_BENCH_LOAD_SESSION", "load"),
                   services=fetch_services(admin, timeout_s=timeout_s),
                   data_dir=Path(env.get("SOCLE_BENCH_DATA_DIR") or ".socle-bench"),
                   seed=int(env.get("SOCLE_BENCH_SEED") or 20261122),
                   dui_spec=env.get("SOCLE_BENCH_DUI", ""))

    def url(self, service: str, *, session: bool = True) -> str:
        """URL of a service endpoint with `/s/<session>` inserted after the origin (the endpoint's own
        path, e.g. `/lps`, is kept after it)."""
        try:
            base = self.services[service].rstrip("/")
        except KeyError:
            raise LookupError(f"the bench ({self.admin_url}) does not serve {service!r}; "
                              f"services: {', '.join(sorted(self.services)) or 'none'}") from None
        if not session:
            return base
        parts = urlsplit(base)
        return f"{parts.scheme}://{parts.netloc}/s/{self.session}{parts.path}"

    def origin(self, service: str) -> str:
        parts = urlsplit(self.url(service, session=False))
        return f"{parts.scheme}://{parts.netloc}"

    def host_port(self, service: str) -> tuple[str, int]:
        """For the non-HTTP endpoints (smtp://localhost:8587)."""
        parts = urlsplit(self.url(service, session=False))
        host = parts.hostname or "127.0.0.1"
        return ("127.0.0.1" if host == "localhost" else host), int(parts.port or 0)

    def world(self) -> Any:
        return build_world(self.seed)

    def pki(self) -> Any:
        """The bench's test PKI, loaded once per load process (users share it)."""
        if "pki" not in self.cache:
            self.cache["pki"] = Pki.load(self.data_dir / "pki")
        return self.cache["pki"]

    def tls_files(self, certificate: str | None = "org-auth-cli") -> tuple[str, tuple[str, str] | None]:
        """(CA bundle, (certificate, key) or None) from the bench's test PKI under the data directory,
        for `requests`' `verify=` and `cert=`."""
        pki = self.pki()
        pair = (str(pki.file(certificate, "chain")), str(pki.file(certificate, "key"))) if certificate else None
        return str(pki.trust_path), pair

    def driver(self) -> Any:
        """The vendor's DUI driver (`conformance.drivers.base.DuiDriver`, the same plug-in as for the
        journeys), opened on this bench and session; None when the load goes straight to the bench."""
        if not self.dui_spec:
            return None

        pki_dir = self.data_dir / "pki"
        credentials = credentials_from_dir(pki_dir) if (pki_dir / "trust.pem").exists() else None
        driver = load_driver(self.dui_spec)
        driver.open(target_for(self.admin_url, self.session, world=self.world(), credentials=credentials))
        return driver


def fetch_services(admin_url: str, *, timeout_s: float = 30.0) -> dict[str, str]:
    """{service: url} from the admin API, waiting for a bench that is still starting."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            reply = requests.get(f"{admin_url}/_bench/services", timeout=5)
            reply.raise_for_status()
            return {e["service"]: e["url"] for e in reply.json()}
        except (requests.RequestException, ValueError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def target_of(environment: Any) -> Target:
    """One Target per locust environment (one admin query per load process, not per user)."""
    target = getattr(environment, "socle_target", None)
    if target is None:
        target = Target.from_env()
        environment.socle_target = target
    return target


@dataclass
class Measure:
    """Filled by the measured block: what the answer weighed, and a failure seen without exception."""

    length: int = 0
    failure: Exception | None = None
    context: dict[str, Any] = field(default_factory=dict)

    def fail(self, message: str) -> None:
        self.failure = AssertionError(message)


@contextmanager
def measured(environment: Any, request_type: str, name: str) -> Iterator[Measure]:
    """Time the block and fire one locust request event; an exception is a failed request, not a crash."""
    measure = Measure()
    error: Exception | None = None
    started = time.perf_counter()
    try:
        yield measure
    except _PASS_THROUGH:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure of the call is reported to locust
        error = exc
    finally:
        environment.events.request.fire(
            request_type=request_type, name=name, response_time=(time.perf_counter() - started) * 1000.0,
            response_length=measure.length, response=None, context=measure.context,
            exception=error or measure.failure)


class BenchUser(User):
    """A user driving one service through its reference client (or a DUI driver)."""

    abstract = True

    _numbers = itertools.count()

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.target = target_of(environment)
        self.dui = self.target.driver()
        self.rng = random.Random(f"{self.target.seed}:{type(self).__name__}:{next(self._numbers)}")

    def measure(self, request_type: str, name: str) -> Any:
        return measured(self.environment, request_type, name)

    def act(self, request_type: str, name: str, direct: Callable[[Measure], None],
            via_dui: Callable[[Any], Any] | None = None) -> None:
        """One business action: through the vendor's DUI driver when one is configured (reported as
        request type "DUI"), otherwise straight to the bench with the reference client (`direct`
        fills the Measure). An action the driver cannot do is not measured."""
        if self.dui is None:
            with self.measure(request_type, name) as m:
                direct(m)
            return
        if via_dui is None:
            return
        with self.measure("DUI", name) as m:
            result = via_dui(self.dui)
            m.length = len(result) if hasattr(result, "__len__") else 0

    def on_stop(self) -> None:
        if self.dui is not None:
            self.dui.close()


class BenchHttpUser(HttpUser):
    """locust's own HTTP user, aimed at a bench service inside the load session (over TLS with the
    bench's test PKI and the `client_certificate` when the bench serves HTTPS)."""

    abstract = True
    service: str = ""
    client_certificate: str | None = "org-auth-cli"

    def __init__(self, environment: Any) -> None:
        self.target = target_of(environment)
        self.host = self.target.url(self.service)
        super().__init__(environment)
        if self.host.startswith("https:"):
            verify, cert = self.target.tls_files(self.client_certificate)
            self.client.verify = verify
            if cert is not None:
                self.client.cert = cert
