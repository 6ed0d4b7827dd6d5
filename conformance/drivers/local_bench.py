"""Reach a bench for the journeys: start one in-process, or attach to a running one (docker).

Both give the same ``BenchTarget`` (admin URL, session, service URLs, world, client credentials),
so the drivers and the steps never know which it is. The in-process bench runs every shipped
simulator on ephemeral ports with TLS from a throw-away test PKI, exactly like ``socle-bench serve``
minus the fixed ports.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.core.bench import Bench
from simulators.core.config import load_config
from simulators.core.errors import BenchError
from simulators.registry import load_service, registered_services
from simulators.identities.world import World, build_world

from conformance.drivers.base import BenchTarget, ClientCredentials, DriverError
from conformance.drivers.probe import BenchProbe, admin_root
from conformance.live import default_live_checker
from simulators.core.pki import Pki, PkiError
from simulators.core.pki.testing import make_test_pki

log = logging.getLogger("socle_bench.journeys")

DEFAULT_SEED = 20261122  # BenchConfig's default seed: the world every simulator seeds itself from

def fresh_session_name(prefix: str = "parcours") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def shipped_factories(only: tuple[str, ...] = ()) -> tuple[list[Any], dict[str, str]]:
    """(factories, {service: why missing}) of the registered simulators (entry points of
    `socle_bench.simulators`) — one that fails to load is reported, never fatal."""
    factories, missing = [], {}
    for name in registered_services():
        if only and name not in only:
            continue
        try:
            factories.append(load_service(name))
        except BenchError as exc:
            missing[name] = str(exc)
    return factories, missing


def pki_credentials(pki: Any) -> ClientCredentials:
    def pair(name: str) -> tuple[str, str] | None:
        if name not in pki:
            return None
        return str(pki.file(name, "cert")), str(pki.file(name, "key"))
    return ClientCredentials(trust_bundle=str(pki.trust_path), org_cert=pair("org-auth-cli"),
                             insi_cert=pair("insi-auto"), sign_cert=pair("org-sign"), pki_dir=str(pki.directory))


@dataclass
class LocalBench:
    """An in-process bench and its throw-away directory; ``stop()`` removes both."""

    bench: Bench
    pki: Any
    missing: dict[str, str]
    _tmp: tempfile.TemporaryDirectory | None = None

    @property
    def admin_url(self) -> str:
        return self.bench.admin_url

    def stop(self) -> None:
        self.bench.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def start_local_bench(directory: Path | None = None, *, seed: int = DEFAULT_SEED, tls: bool = True,
                      only: tuple[str, ...] = (), key_type: str = "rsa2048",
                      pki_dir: Path | None = None) -> LocalBench:
    """Every available simulator, ephemeral ports, SQLite and PKI under ``directory`` (or a temp dir).

    ``pki_dir`` shares one PKI between benches (xdist workers of one run): ``Pki.init`` is idempotent
    and takes a file lock, so the RSA keys are made once (RSA: the DMP signs with it)."""
    tmp = None
    if directory is None:
        tmp = tempfile.TemporaryDirectory(prefix="socle-bench-")
        directory = Path(tmp.name)
    pki = None
    if tls:
        try:
            pki = make_test_pki(pki_dir or directory / "pki", key_type=key_type)
        except PkiError as exc:  # a shared PKI from an older format: make a private one
            log.warning("PKI partagée inutilisable (%s) : PKI neuve", exc)
            pki = make_test_pki(directory / "pki", key_type=key_type)
    config = load_config(None, data_dir=directory / "bench-data", tls=tls, seed=seed).ephemeral()
    factories, missing = shipped_factories(only)
    for name, why in missing.items():
        log.info("simulateur %s indisponible : %s", name, why)
    bench = Bench(config, factories, live_checker=default_live_checker(), pki=pki).start()
    return LocalBench(bench, pki, missing, tmp)


def target_for(admin_url: str, session: str, *, world: World | None = None, seed: int = DEFAULT_SEED,
               credentials: ClientCredentials | None = None, timeout_s: float = 120.0,
               create: bool = True) -> BenchTarget:
    """Describe a bench reachable at ``admin_url`` for one session (created when asked)."""
    probe = BenchProbe(admin_url, session)
    services = probe.services()
    if not services:
        raise DriverError(f"le banc à {admin_url} ne publie aucun service (/_bench/services)")
    if create:
        probe.ensure_session("parcours socle-bench (features)")
    return BenchTarget(admin_url=admin_root(admin_url), session=session, services=services,
                       world=world or build_world(seed), credentials=credentials, timeout_s=timeout_s)


def credentials_from_dir(pki_dir: str | Path | None) -> ClientCredentials | None:
    """Client credentials from the PKI directory of a running bench (``socle-bench pki init``)."""
    if not pki_dir:
        return None
    path = Path(pki_dir)
    if not (path / "trust.pem").exists():
        raise DriverError(f"{path} n'est pas un répertoire de PKI du banc (trust.pem absent)")

    return pki_credentials(Pki.load(path))
