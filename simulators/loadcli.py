"""`socle-bench load` (locust profiles judged against thresholds) and `socle-bench bench` (benchmark).

Registered by `simulators.cli` through `register(subparsers)`; the load machinery lives in `loadtests`
and is imported only when a command runs, so `serve` never pays for locust.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from loadtests.profiles import PROFILES
from loadtests.runner import LoadOptions, LoadUsageError, parse_fault, run_load

from .extras import require_extra


def register(sub: argparse._SubParsersAction) -> None:
    load = sub.add_parser(
        "load", help="run a locust load profile headless and check its thresholds",
        description="Headless load (locust) against a running bench, or one started for the run; "
                    "writes locust's CSV/HTML and checks the thresholds (exit code 1 when missed). "
                    "Arguments after `--` are passed to locust (e.g. -- --master --expect-workers 2).")
    load.add_argument("--profile", default="esms-day", help="esms-day, ins, dmp, mss, ror (default esms-day)")
    load.add_argument("--list", action="store_true", help="list the profiles and exit")
    load.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    load.add_argument("--spawn-rate", type=float, help="users started per second (default users/5)")
    load.add_argument("--duration", default="1m", help="run time: 30s, 2m, 1h30m (default 1m)")
    load.add_argument("--target", help="admin URL of a running bench (default $SOCLE_BENCH_ADMIN_URL or "
                                       "http://127.0.0.1:8080)")
    start = load.add_mutually_exclusive_group()
    start.add_argument("--start", dest="start", action="store_const", const="always",
                       help="always start a bench in this process (ephemeral ports)")
    start.add_argument("--no-start", dest="start", action="store_const", const="never",
                       help="fail when no bench answers at the target")
    load.add_argument("--services", help="services of a started bench (default: the profile's); "
                                         "names or module:factory")
    load.add_argument("--config", type=Path, help="bench TOML configuration (started bench)")
    load.add_argument("--data-dir", type=Path, help="bench state directory (PKI of the client certificates)")
    load.add_argument("--seed", type=int, help="seed of the running bench, when not the default (its world)")
    load.add_argument("--locustfile", type=Path, help="run this locustfile instead of the profile's")
    load.add_argument("--thresholds", type=Path, help="thresholds TOML (default loadtests/thresholds.toml)")
    load.add_argument("--out", type=Path, help="results directory (default loadtests/results/load-...)")
    load.add_argument("--include-ramp-up", action="store_true",
                      help="judge the whole run; by default statistics restart once every user runs")
    load.add_argument("--session", default="load", help="bench session the load runs in (default load)")
    load.add_argument("--fault", action="append", default=[], metavar="RULE",
                      help="fault rule for the run, JSON or key=value list, e.g. "
                           "service=dmp,kind=latency,latency_ms=3000,duration_s=600 (repeatable)")
    load.add_argument("--dui", default="", metavar="MODULE:CLASS",
                      help="drive the vendor's DUI through this driver instead of calling the bench")
    load.add_argument("--dui-url", default="", help="base URL of the DUI's API, given to the driver")
    load.add_argument("locust_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    load.set_defaults(func=cmd_load, start="auto")

    bench = sub.add_parser("bench", help="benchmark the simulators against their peers (WireMock, MailDev, floor)",
                           description="Same as python -m loadtests.bench: every suite, then the notes "
                                       "(production-mode facts) and the goals table (MET/MISS/NOT MEASURED).")
    bench.add_argument("suites", nargs="*", default=["all"],
                       help="journal, ins, dmp, mss, ror, serve, locust, sizes (and extra bench_*.py) or all")
    bench.add_argument("--quick", action="store_true", help="short runs, smallest data sizes (smoke test)")
    bench.add_argument("--json", type=Path, help="where to write the figures")
    bench.add_argument("--html", type=Path, help="where to write the HTML report (default: next to the JSON)")
    bench.add_argument("--strict", action="store_true", help="exit code 1 when a goal is not MET")
    bench.add_argument("--no-peers", action="store_true", help="skip the WireMock / MailDev / floor columns")
    bench.add_argument("--postgres", help="also measure journal writes on this PostgreSQL URL")
    bench.set_defaults(func=cmd_bench)


def cmd_load(args: argparse.Namespace) -> int:
    if not args.list and not require_extra("load", "load", ("locust",)):
        return 2
    if args.list:
        for profile in PROFILES:
            print(f"{profile.name:10} {profile.description}")
        return 0
    try:
        faults = [parse_fault(text) for text in args.fault]
    except LoadUsageError as exc:
        print(f"socle-bench load: {exc}")
        return 2
    services = tuple(s.strip() for s in (args.services or "").split(",") if s.strip())
    return run_load(LoadOptions(
        profile=args.profile, users=args.users, duration=args.duration, spawn_rate=args.spawn_rate,
        target=args.target, start=args.start, services=services, config=args.config, data_dir=args.data_dir,
        locustfile=args.locustfile, thresholds=args.thresholds, out=args.out, session=args.session,
        faults=faults, dui=args.dui, dui_url=args.dui_url, locust_args=list(args.locust_args),
        include_ramp_up=args.include_ramp_up, seed=args.seed))


def cmd_bench(args: argparse.Namespace) -> int:
    if not require_extra("bench", "load"):
        return 2
    # lazy: the benchmark imports every simulator (DMP, MSS, INSi, ROR stacks); `socle-bench --help` does not
    from loadtests.bench import main

    argv = list(args.suites) + (["--quick"] if args.quick else []) + (["--no-peers"] if args.no_peers else [])
    argv += ["--json", str(args.json)] if args.json else []
    argv += ["--html", str(args.html)] if args.html else []
    argv += ["--strict"] if args.strict else []
    argv += ["--postgres", args.postgres] if args.postgres else []
    return main(argv)
