"""`socle-bench load`: one headless locust run against a bench, judged against thresholds.

locust runs in its own process (it patches the standard library with gevent, which the bench must not
be): this process finds or starts the bench, installs the requested fault rules through the admin
API, runs locust with CSV and HTML output, removes the rules, and judges the statistics.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import requests

from conformance.live import default_live_checker
from simulators.core.bench import Bench
from simulators.core.config import load_config
from simulators.core.pki import open_or_init
from simulators.registry import UnknownServiceError, load_factory, load_service, load_simulators

from .profiles import find_profile
from .thresholds import judge, load_limits, read_stats
from simulators.core.errors import BenchError

ROOT = Path(__file__).resolve().parent.parent
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")


class LoadUsageError(BenchError, ValueError):
    """Bad options; the message says which."""


@dataclass
class LoadOptions:
    profile: str = "esms-day"
    users: int = 50
    duration: str = "1m"
    spawn_rate: float | None = None
    target: str | None = None  # admin URL of a running bench
    start: str = "auto"  # auto: start one when none answers at the target | always | never
    services: tuple[str, ...] = ()  # what to start (default: the profile's); names or module:attr
    config: Path | None = None
    data_dir: Path | None = None
    locustfile: Path | None = None
    thresholds: Path | None = None
    out: Path | None = None
    session: str = "load"
    faults: list[dict[str, Any]] = field(default_factory=list)
    dui: str = ""
    dui_url: str = ""
    locust_args: list[str] = field(default_factory=list)
    include_ramp_up: bool = False  # default: statistics restart once every user is running
    seed: int | None = None  # the bench's seed (its world: persons, mailboxes); default BenchConfig's


def duration_seconds(text: str) -> int:
    match = _DURATION.match(text.strip())
    if not text.strip() or not match or not any(match.groups()):
        raise LoadUsageError(f"invalid duration {text!r} (examples: 30s, 2m, 1h30m)")
    h, m, s = (int(g or 0) for g in match.groups())
    return h * 3600 + m * 60 + s


def parse_fault(text: str) -> dict[str, Any]:
    """A fault rule as JSON, or as `key=value,key=value` (numbers and booleans converted)."""
    text = text.strip()
    if text.startswith("{"):
        try:
            parsed: dict[str, Any] = json.loads(text)  # text starts with "{": an object or a ValueError
        except ValueError as exc:
            raise LoadUsageError(f"invalid JSON fault rule: {exc}") from exc
        return parsed
    rule: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise LoadUsageError(f"fault rule: expected key=value, got {item!r}")
        rule[key.strip()] = _scalar(value.strip())
    return rule


def _scalar(value: str) -> Any:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(value.lower(), value)


def run_load(opts: LoadOptions, out: TextIO | None = None) -> int:
    """Returns 0 when every threshold holds, 1 when one is missed, 2 on bad usage, 3 when locust failed."""
    out = out or sys.stdout
    try:
        profile = find_profile(opts.profile) if opts.locustfile is None else None
        locustfile = opts.locustfile or profile.locustfile  # type: ignore[union-attr]
        seconds = duration_seconds(opts.duration)
        limits = load_limits(opts.profile, opts.thresholds)
        if opts.users < 1:
            raise LoadUsageError("--users must be >= 1")
    except (LookupError, ValueError) as exc:
        print(f"socle-bench load: {exc}", file=sys.stderr)
        return 2
    results = opts.out or Path("loadtests/results") / f"load-{opts.profile}-{time.strftime('%Y%m%d-%H%M%S')}"
    results.mkdir(parents=True, exist_ok=True)
    (results / "locust_final.json").unlink(missing_ok=True)  # never judge a previous run's figures
    services = opts.services or (profile.services if profile else ())
    with ExitStack() as stack:
        try:
            admin_url = stack.enter_context(_bench(opts, services, out))
            # a rule without a session targets the load run's own session (the bench default is "default")
            rule_ids = _install_faults(admin_url, [{"session": opts.session, **rule} for rule in opts.faults])
        except (LoadUsageError, OSError, requests.RequestException) as exc:
            print(f"socle-bench load: {exc}", file=sys.stderr)
            return 2
        stack.callback(_remove_faults, admin_url, rule_ids)
        code = _run_locust(opts, locustfile, admin_url, results, seconds, out)
    stats = results / "locust_final.json"
    if not stats.exists():
        print(f"socle-bench load: locust produced no statistics (exit code {code}); "
              f"see {results / 'locust.log'}", file=sys.stderr)
        return 3
    rows = read_stats(stats)
    verdicts = judge(rows, limits)
    _print_summary(rows, verdicts, results, out)
    (results / "thresholds.json").write_text(json.dumps(
        {"profile": opts.profile, "users": opts.users, "duration": opts.duration,
         "verdicts": [{**v.__dict__, "message": v.message} for v in verdicts]}, indent=2, ensure_ascii=False),
        encoding="utf-8")
    return 0 if all(v.ok for v in verdicts) else 1


@contextmanager
def _bench(opts: LoadOptions, services: tuple[str, ...], out: TextIO) -> Iterator[str]:
    """The admin URL of the bench to load: the one given, the one answering, or one started here."""
    target = (opts.target or os.environ.get("SOCLE_BENCH_ADMIN_URL") or "http://127.0.0.1:8080").rstrip("/")
    if opts.start != "always" and _healthy(target):
        print(f"bench running: {target}", file=out)
        yield target
        return
    if opts.start == "never" or opts.dui:
        raise LoadUsageError(f"no bench answers at {target}/_bench/health")
    with ExitStack() as stack:
        if opts.data_dir is None and not os.environ.get("SOCLE_BENCH_DATA_DIR"):
            opts.data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="socle-load-")))
        bench = _start_bench(opts, services)
        stack.callback(bench.stop)
        print(f"bench started for the load: {bench.admin_url} ({', '.join(services) or 'all services'})",
              file=out)
        yield bench.admin_url


def _healthy(admin_url: str) -> bool:
    try:
        return requests.get(f"{admin_url}/_bench/health", timeout=3).status_code == 200
    except requests.RequestException:
        return False


def _start_bench(opts: LoadOptions, services: tuple[str, ...]) -> Bench:
    """The bench a load run starts when none answers: `Bench` (hence `build_runtime`), with the live
    checker like `serve`, so the journal of a load run carries the same verdicts."""
    env = os.environ
    data_dir = opts.data_dir or env.get("SOCLE_BENCH_DATA_DIR")
    config = load_config(opts.config or env.get("SOCLE_BENCH_CONFIG"), data_dir=data_dir,
                         database=env.get("SOCLE_BENCH_DATABASE") or None).ephemeral()
    try:
        factories = [load_factory(s) if ":" in s else load_service(s) for s in services] or load_simulators()
    except UnknownServiceError as exc:
        raise LoadUsageError(f"service(s) not available in this bench: {exc}") from exc
    pki = None
    if config.tls:
        pki = open_or_init(Path(config.data_dir) / "pki", base_url=config.public_base_url or "http://127.0.0.1:8080")
    opts.data_dir = Path(config.data_dir)
    opts.seed = config.seed
    return Bench(config, factories, live_checker=default_live_checker(), pki=pki).start()


def _install_faults(admin_url: str, rules: list[dict[str, Any]]) -> list[str]:
    ids: list[str] = []
    for rule in rules:
        reply = requests.post(f"{admin_url}/_bench/faults", json=rule, timeout=10)
        if reply.status_code != 201:
            _remove_faults(admin_url, ids)
            detail = reply.json().get("detail", reply.text) if reply.headers.get("content-type", "").endswith(
                "json") else reply.text
            raise LoadUsageError(f"fault rule refused by the bench: {detail}")
        ids.append(reply.json()["id"])
    return ids


def _remove_faults(admin_url: str, ids: list[str]) -> None:
    for rule_id in ids:
        with suppress(requests.RequestException):
            requests.delete(f"{admin_url}/_bench/faults/{rule_id}", timeout=10)


def _run_locust(opts: LoadOptions, locustfile: Path, admin_url: str, results: Path, seconds: int,
                out: TextIO) -> int:
    rate = opts.spawn_rate or max(1.0, opts.users / 5)
    extra = [a for a in opts.locust_args if a != "--"]
    # statistics restart when every user runs, unless the run is too short for a steady state
    reset = not opts.include_ramp_up and seconds >= 20 and opts.users / rate <= seconds / 2
    cmd = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", str(opts.users),
           "-r", str(rate), "-t", f"{seconds}s", "--csv", str(results / "locust"),
           "--html", str(results / "locust.html"), "--json-file", str(results / "locust_final"),
           "--stop-timeout", "10", "--only-summary",
           "--loglevel", "WARNING", *(["--reset-stats"] if reset else []), *extra]
    env = {**os.environ, "SOCLE_BENCH_ADMIN_URL": admin_url, "SOCLE_BENCH_LOAD_SESSION": opts.session,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    if opts.data_dir:
        env["SOCLE_BENCH_DATA_DIR"] = str(opts.data_dir)
    if opts.seed is not None:
        env["SOCLE_BENCH_SEED"] = str(opts.seed)
    if opts.dui:
        env.update(SOCLE_BENCH_DUI=opts.dui, SOCLE_BENCH_DUI_URL=opts.dui_url)
    print(f"locust: {opts.users} users (+{rate:g}/s), {seconds} s, profile {opts.profile}, statistics "
          f"{'of the steady state' if reset else 'of the whole run'} -> {results}", file=out, flush=True)
    with (results / "locust.log").open("w", encoding="utf-8") as log:
        proc = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=seconds + 120, check=False)
    return proc.returncode


def _print_summary(rows: list, verdicts: list, results: Path, out: TextIO) -> None:
    header = ("type", "request", "count", "failures", "p50 ms", "p95 ms", "p99 ms", "req/s")
    table = [header] + [(r.type, r.name, str(r.requests), str(r.failures), f"{r.median_ms:.0f}",
                         f"{r.p95_ms:.0f}", f"{r.p99_ms:.0f}", f"{r.rps:.1f}") for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]) for i, c in enumerate(row)), file=out)
    print("", file=out)
    for verdict in verdicts:
        print(verdict.message, file=out)
    passed = all(v.ok for v in verdicts)
    print(f"\n{'thresholds met' if passed else 'THRESHOLDS MISSED'} — CSV: {results}/locust_stats.csv, "
          f"HTML: {results}/locust.html", file=out, flush=True)
