"""`socle-bench` command line: serve the simulators, manage the PKI and data, judge a session."""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import logging
import os
import signal
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .core.errors import BenchError
from .core.judge import DeferredChecker
from .core.config import ConfigError, environment_overrides, load_config
from .registry import UnknownServiceError, load_simulators

if TYPE_CHECKING:
    from .core.bench import Bench

# The bench itself (runtime, services, dashboard) is imported by `serve` once it has switched the cyclic
# garbage collector off for its start (see `cmd_serve`), not when this module is imported.

# Sub-command groups contributed by other packages: module exposing register(subparsers).
_EXTENSIONS = ("simulators.core.pki.cli", "simulators.identities.cli", "conformance.cli", "simulators.play",
               "simulators.loadcli", "conformance.vendor")


_OWN_COMMANDS = ("serve", "health", "version")  # defined here: they need none of the extensions' modules


def build_parser(*, extensions: bool = True) -> argparse.ArgumentParser:
    """The whole command line; `extensions=False` leaves out the sub-command groups of other packages
    (what `main` does for the commands defined here: `serve` starts without importing them)."""
    parser = argparse.ArgumentParser(prog="socle-bench", description=__doc__)
    parser.add_argument("--version", action="version", version=f"socle-bench {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="start the simulators and the admin API in one process")
    _add_serve_options(serve)
    serve.set_defaults(func=cmd_serve)
    health = sub.add_parser("health", help="exit 0 when a bench answers healthy (container health checks, CI)")
    health.add_argument("--bench-url", help="admin URL (default $SOCLE_BENCH_URL, else the configured admin port "
                                            "on 127.0.0.1)")
    health.add_argument("--config", type=Path, help="TOML configuration file (for the admin port)")
    health.set_defaults(func=cmd_health)
    version = sub.add_parser("version", help="print the version")
    version.set_defaults(func=lambda _a: print(f"socle-bench {__version__}") or 0)
    for module_name in _EXTENSIONS if extensions else ():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # optional component not installed in this tree
            raise
        module.register(sub)
    return parser


def _add_serve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="TOML configuration file")
    p.add_argument("--only", help="comma-separated services to start (default: all)")
    p.add_argument("--database", help="database URL (default: SQLite under the data directory); "
                                      "e.g. postgresql://user@host/db")
    p.add_argument("--data-dir", type=Path, help="state directory (default ./.socle-bench)")
    p.add_argument("--host", help="listen address (default 127.0.0.1; 0.0.0.0 in containers)")
    p.add_argument("--admin-port", type=int, help="admin API port (default 8080)")
    p.add_argument("--seed", type=int, help="seed of the synthetic world and of fault injection")
    p.add_argument("--no-tls", action="store_true", help="serve plain HTTP (demos without certificates)")
    p.add_argument("--workers", help="processes serving the HTTP simulators on the same ports (shared sockets, "
                                     "least connections first), "
                                     "a number or \"auto\" (one per core); default [services.server] workers, else 1")
    p.add_argument("--admin-token", help="bearer token the admin API requires off loopback (default: "
                                         "SOCLE_BENCH_ADMIN_TOKEN, the config, else generated once into the data dir)")


def config_from_args(args: argparse.Namespace):
    """Options win over SOCLE_BENCH_* environment variables (containers), which win over the file."""
    env = os.environ
    overrides = {**environment_overrides(env), "seed": args.seed}
    overrides.update({k: v for k, v in (("database", args.database), ("data_dir", args.data_dir),
                                        ("host", args.host),
                                        ("admin_token", getattr(args, "admin_token", None))) if v})
    if args.only:
        overrides["only"] = tuple(s.strip() for s in args.only.split(",") if s.strip())
    if args.no_tls:
        overrides["tls"] = False
    config = load_config(args.config or env.get("SOCLE_BENCH_CONFIG"), **overrides)
    workers = getattr(args, "workers", None)
    if workers is not None:
        config.services["server"] = {**config.services.get("server", {}), "workers": workers}
    _ = config.workers  # an invalid count is a configuration error, reported before anything starts
    admin_port = args.admin_port if args.admin_port is not None else env.get("SOCLE_BENCH_ADMIN_PORT")
    if admin_port is not None:
        try:
            config.ports["admin"] = int(admin_port)
        except ValueError as exc:
            raise ConfigError(f"admin port: {admin_port!r} is not a number") from exc
    return config


def serve_bench(config, simulators: list | None = None) -> Bench:
    """The bench `serve` runs (not started): the configured services, the trainers' page on the admin port
    whatever `only` says, the guides' samples at /_bench/examples, live checks built after the start."""
    from .core.bench import Bench  # lazy: imported by `serve` with the collector off (cmd_serve)
    from .dashboard import Dashboard  # lazy: idem
    from .examples.server import Examples  # lazy: idem

    simulators = load_simulators(config.only) if simulators is None else simulators
    pki = _open_pki(config)  # created on first start (idempotent)
    return Bench(config, [*simulators, Dashboard(scenarios="reference"), Examples()],
                 live_checker_factory=_live_checker, pki=pki, workers=config.workers)


def cmd_serve(args: argparse.Namespace) -> int:
    # The start imports about a thousand modules and builds the bench's long-lived data: the cyclic collector
    # would walk that growing heap dozens of times for nothing (a tenth of the start). It is off until the
    # bench is started, whose last step freezes what is alive (`settle`), then on again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        started = _start_serving(args)
    finally:
        if collecting:
            gc.enable()
    if isinstance(started, int):
        return started
    bench, stop, t0 = started
    try:
        print_endpoints(bench)
        if bench.admin_token_created:
            print(f"admin token (required off loopback, shown once; kept in {bench.admin_token_file}): "
                  f"{bench.admin_token_created}", flush=True)
        if bench.worker_pids:
            print(f"HTTP simulators served by {bench.workers} processes (pids {os.getpid()}, "
                  f"{', '.join(map(str, bench.worker_pids))}) on the same ports", flush=True)
        print(f"socle-bench {__version__} ready in {time.perf_counter() - t0:.2f} s — "
              f"admin {bench.admin_url}/_bench/health, dashboard {bench.admin_url}/ (Ctrl-C to stop)",
              flush=True)
        stop.wait()
    finally:
        print("stopping the bench…", flush=True)
        bench.stop()
    return 0


def _start_serving(args: argparse.Namespace) -> tuple[Bench, threading.Event, float] | int:
    """The started bench, the event Ctrl-C sets and when the start began; else the exit status."""
    try:
        config = config_from_args(args)
        simulators = load_simulators(config.only)
    except (ConfigError, UnknownServiceError) as exc:
        print(f"socle-bench: {exc}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    bench = serve_bench(config, simulators)
    try:
        bench.start()
    except (OSError, BenchError) as exc:
        print(f"socle-bench: cannot start: {exc}", file=sys.stderr)
        return 1
    return bench, stop, t0


def cmd_health(args: argparse.Namespace) -> int:
    """One GET of /_bench/health; the admin port comes from the same configuration `serve` reads."""
    url = args.bench_url or os.environ.get("SOCLE_BENCH_URL")
    if not url:
        try:
            config = load_config(args.config or os.environ.get("SOCLE_BENCH_CONFIG"))
        except ConfigError as exc:
            print(f"socle-bench health: {exc}", file=sys.stderr)
            return 2
        port = os.environ.get("SOCLE_BENCH_ADMIN_PORT") or config.port("admin")
        url = f"http://127.0.0.1:{port}"
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/_bench/health", timeout=3) as answer:  # noqa: S310 - the bench's own admin URL (http/https), given by the operator
            status = json.loads(answer.read()).get("status")
    except (OSError, ValueError) as exc:
        print(f"socle-bench health: {url}: {exc}", file=sys.stderr)
        return 1
    print(f"{url}: {status}")
    return 0 if status == "ok" else 1


def print_endpoints(bench) -> None:
    rows = [("service", "URL / port", "configure in the DUI")]
    rows += [(e.service, e.url, e.configure) for e in bench.endpoints()]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def _open_pki(config):
    """Create the test PKI on first start (idempotent) when TLS is on."""
    if not config.tls:
        return None
    from .core.pki import open_or_init  # lazy: only with TLS

    return open_or_init(Path(config.data_dir) / "pki", base_url=config.crl_base_url)


def _live_checker() -> DeferredChecker:
    """Live conformance verdicts on every exchange (the shipped check registry), built in the background
    once the bench answers: `serve` is ready without waiting for the registry's imports."""
    return DeferredChecker(_shipped_checker)


def _shipped_checker():
    from conformance.live import default_live_checker  # lazy: built after the start, see _live_checker

    return default_live_checker()


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    command = next((w for w in words if not w.startswith("-")), None)
    parser = build_parser(extensions=command not in _OWN_COMMANDS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
