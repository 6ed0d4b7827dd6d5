"""Benchmark script: `python -m loadtests.bench [journal|ins|dmp|mss|ror|replicas|all] [--quick] [--json F]`.

Every figure of one run is measured on the same machine in the same process run, so ratios between
them are meaningful; the table is printed and the raw figures are written as JSON.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

# name -> module exposing run(quick: bool, ...) -> dict and table(result) -> rows
SUITES = {
    "journal": "loadtests.bench_journal",
    "ins": "loadtests.bench_ins",
    "dmp": "loadtests.bench_dmp",
    "mss": "loadtests.bench_mss",
    "ror": "loadtests.bench_ror",
    "replicas": "loadtests.bench_replicas",  # N serve processes over PostgreSQL behind HAProxy
}
EXPLICIT = ("replicas",)  # started only when named: needs PostgreSQL and HAProxy

PEERED = ("ins", "dmp", "mss", "ror")  # suites with peer columns (loadtests/compare.py)


def available_suites() -> list[str]:
    found = []
    for name, module in SUITES.items():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        found.append(name)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtests.bench", description=__doc__)
    parser.add_argument("suites", nargs="*", default=["all"], help="journal, ins, dmp, mss, ror, replicas or all (all: without replicas)")
    parser.add_argument("--quick", action="store_true", help="short runs (smoke test of the script)")
    parser.add_argument("--json", type=Path, default=None, help="where to write the figures")
    parser.add_argument("--no-peers", action="store_true",
                        help="skip the peer columns (WireMock, MailDev, floor)")
    parser.add_argument("--postgres", default=os.environ.get("SOCLE_BENCH_BENCH_PG"),
                        help="also measure journal writes on this PostgreSQL URL")
    args = parser.parse_args(argv)
    names = [n for n in available_suites() if n not in EXPLICIT] if "all" in args.suites else args.suites
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(unknown)}")
    results: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                 "platform": platform.platform()}, "started_at": time.time(), "suites": {}}
    for name in names:
        module = importlib.import_module(SUITES[name])
        if not (callable(getattr(module, "run", None)) and callable(getattr(module, "table", None))):
            print(f"\n== {name}: {SUITES[name]} does not expose run(quick) and table(result) yet — suite skipped")
            results["suites"][name] = {"skipped": "run/table missing"}
            continue
        kwargs = {"quick": args.quick}
        if name in ("journal", "replicas") and args.postgres:
            kwargs["postgres_url"] = args.postgres
        t0 = time.perf_counter()
        result = module.run(**kwargs)
        result["wall_seconds"] = round(time.perf_counter() - t0, 1)
        results["suites"][name] = result
        if name in PEERED and not args.no_peers:
            from .compare import compare, rows as peer_rows

            t1 = time.perf_counter()
            result["peers"] = compare(name, result, quick=args.quick, module=module)
            result["peers"]["wall_seconds"] = round(time.perf_counter() - t1, 1)
        rows = module.table(result)
        if "peers" in result:
            rows = list(rows) + peer_rows(result["peers"])
        width = max(len(r[0]) for r in rows)
        print(f"\n== {name} ({result['wall_seconds']} s)")
        for label, value in rows:
            print(f"  {label.ljust(width)}  {value}")
        sys.stdout.flush()
    out = args.json or Path("loadtests/results") / f"bench-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nfigures written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
