"""Bench configuration: defaults, TOML file, command-line overrides.

One immutable-ish dataclass is built at start-up and handed to every simulator factory; services
read their own sub-table from `services[name]` so a new service needs no change here.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from collections.abc import Mapping

from .errors import BenchError

# Fixed ports used by `socle-bench serve` (documented in the README); tests always use port 0.
DEFAULT_PORTS: dict[str, int] = {
    "admin": 8080,
    "ins": 8443,
    "ins-cpx": 8448,
    "dmp": 8444,
    "ror": 8445,
    "annuaire": 8446,
    "psc": 8447,
    "smtp": 8587,
    "imap": 8143,
}


@dataclass
class JournalConfig:
    batch_size: int = 500
    flush_interval_s: float = 0.05
    queue_size: int = 20_000
    keep_bodies: bool = True
    durable: bool = True  # answer only once the exchange is committed (kill -9 loses no acknowledged one)
    keep_secrets: bool = False  # journal bearer tokens, passwords, client secrets as sent (debugging only)


@dataclass
class AdminConfig:
    """Who may use the admin port (simulators/core/admin_auth.py, README "Exposing the bench on a network")."""

    token: str = ""  # empty: generated once into <data_dir>/admin-token
    trusted_networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128")  # no token needed from here
    allowed_hosts: tuple[str, ...] = ()  # extra Host names ("*" = any), besides loopback and tls_names
    allowed_origins: tuple[str, ...] = ()  # extra origins allowed to change state (e.g. a CI portal)


@dataclass
class BenchConfig:
    host: str = "127.0.0.1"
    data_dir: Path = Path(".socle-bench")
    database: str = ""  # empty: SQLite file under data_dir
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    seed: int = 20261122  # = simulators.identities DEFAULT_SEED, so `data export` matches what the services serve
    auto_create_sessions: bool = True
    max_body_bytes: int = 50 * 1024 * 1024
    public_base_url: str = ""  # how clients reach the admin port, e.g. for CRL distribution points
    public_host: str = ""  # the name clients use for this bench (compose/Kubernetes service): advertised URLs
    tls_names: tuple[str, ...] = ()  # extra DNS names in the server certificates (public_host is added)
    journal: JournalConfig = field(default_factory=JournalConfig)
    admin: AdminConfig = field(default_factory=AdminConfig)
    only: tuple[str, ...] = ()
    faults: list[dict[str, Any]] = field(default_factory=list)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    tls: bool = True

    @property
    def server_names(self) -> tuple[str, ...]:
        """DNS names every server certificate carries besides localhost (compose, Kubernetes, a LAN name).

        ``[services.server] tls_names`` is the older spelling of ``tls_names``, still read."""
        names = [*self.tls_names, *self.services.get("server", {}).get("tls_names", ())]
        if self.public_host:
            names.append(self.public_host)
        return tuple(dict.fromkeys(n for n in names if n))

    @property
    def crl_base_url(self) -> str:
        """Where the CRL distribution points of newly issued certificates point."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        return f"http://{self.public_host or '127.0.0.1'}:{self.port('admin') or 8080}"

    @property
    def database_url(self) -> str:
        return self.database or f"sqlite:///{(Path(self.data_dir) / 'bench.db').as_posix()}"

    def port(self, name: str) -> int:
        return int(self.ports.get(name, 0))

    def service_options(self, name: str) -> dict[str, Any]:
        return dict(self.services.get(name, {}))

    @property
    def workers(self) -> int:
        """Processes serving the HTTP simulators (`[services.server] workers`: a number, or "auto" for one
        per usable core; default 1). ConfigError when the value is neither."""
        return parse_workers(self.services.get("server", {}).get("workers", 1))

    def ephemeral(self) -> BenchConfig:
        """Same configuration with every port set to 0 (tests, parallel CI)."""
        return replace(self, ports=dict.fromkeys(self.ports, 0))


class ConfigError(BenchError, ValueError):
    """The configuration file or an option is invalid; the message says which key."""


def parse_workers(value: Any) -> int:
    """A worker count as written in the configuration or on the command line: n >= 1, or "auto"."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "auto":
            return usable_cpus()
        value = int(text) if text.isdigit() else value
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"[services.server] workers must be a number >= 1 or \"auto\", got {value!r}")
    return value


def usable_cpus() -> int:
    """Cores this process may run on (its CPU affinity, e.g. a container's cpuset), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no sched_getaffinity on this platform
        return max(1, os.cpu_count() or 1)


_TOP_KEYS = {"host", "data_dir", "database", "ports", "seed", "auto_create_sessions", "max_body_bytes",
             "public_base_url", "public_host", "tls_names", "journal", "admin", "only", "faults", "services",
             "tls"}


ENVIRONMENT = {  # variable -> configuration key (containers configure the bench through these)
    "SOCLE_BENCH_DATABASE": "database", "SOCLE_BENCH_DATA_DIR": "data_dir", "SOCLE_BENCH_HOST": "host",
    "SOCLE_BENCH_PUBLIC_HOST": "public_host", "SOCLE_BENCH_PUBLIC_BASE_URL": "public_base_url",
    "SOCLE_BENCH_TLS_NAMES": "tls_names", "SOCLE_BENCH_ADMIN_TOKEN": "admin_token",
}


def environment_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """SOCLE_BENCH_* variables as configuration overrides (a comma-separated list for tls_names)."""
    overrides: dict[str, Any] = {}
    for variable, key in ENVIRONMENT.items():
        value = environ.get(variable)
        if value:
            overrides[key] = tuple(n.strip() for n in value.split(",") if n.strip()) if key == "tls_names" else value
    return overrides


def load_config(path: Path | str | None = None, **overrides: Any) -> BenchConfig:
    """Build the configuration from an optional TOML file, then apply non-None overrides."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read configuration {path}: {exc}") from exc
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"unknown configuration keys: {', '.join(sorted(unknown))}")
    config = BenchConfig()
    ports = dict(DEFAULT_PORTS)
    ports.update({k: int(v) for k, v in (data.pop("ports", {}) or {}).items()})
    try:
        journal = JournalConfig(**(data.pop("journal", {}) or {}))
        admin_data: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                      for k, v in (data.pop("admin", {}) or {}).items()}
        admin = AdminConfig(**admin_data)
    except TypeError as exc:
        raise ConfigError(f"[journal] or [admin]: {exc}") from exc
    kwargs: dict[str, Any] = {"ports": ports, "journal": journal, "admin": admin}
    for key, raw in data.items():
        if key == "data_dir":
            kwargs[key] = Path(raw)
        elif key in ("only", "tls_names"):
            kwargs[key] = tuple(raw)
        else:
            kwargs[key] = raw
    for key, value in overrides.items():
        if value is None:
            continue
        if key == "data_dir":
            kwargs[key] = Path(value)
        elif key == "admin_token":
            kwargs["admin"] = replace(kwargs["admin"], token=value)
        else:
            kwargs[key] = value
    try:
        return replace(config, **kwargs)
    except TypeError as exc:
        raise ConfigError(str(exc)) from exc
