"""Benchmark script: `python -m loadtests.bench [SUITE…|all] [--quick] [--json F] [--html F] [--strict]`.

Every figure of one run is measured on the same machine in the same process run, so ratios between
them are meaningful. Each suite's table is printed, then the notes (the production-mode facts of the
benches measured: loadtests/production.py) and the goals table (loadtests/goals.py: MET / MISS /
NOT MEASURED with the ratio); the raw figures, the goals and the notes are written as JSON, and an
HTML page with the charts next to it (loadtests/report_html.py).

Extra workloads: any module `loadtests/bench_<name>.py` exposing `run(quick)` and `table(result)`
joins `all` as suite `<name>` (after the ones listed in SUITES), and may add goals with a `GOALS`
list; `EXTRA_SUITES` can also be filled by a caller before `main()`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

# name -> module exposing run(quick: bool, ...) -> dict and table(result) -> rows; `all` runs them in order
SUITES = {
    "journal": "loadtests.bench_journal",
    "ins": "loadtests.bench_ins",
    "dmp": "loadtests.bench_dmp",
    "mss": "loadtests.bench_mss",
    "ror": "loadtests.bench_ror",
    "serve": "loadtests.bench_serve",
    "locust": "loadtests.bench_locust",
    "sizes": "loadtests.bench_sizes",
    "replicas": "loadtests.bench_replicas",  # 1 vs N serve processes over PostgreSQL behind HAProxy
}
EXTRA_SUITES: dict[str, str] = {}  # hook: other workloads

PEERED = ("ins", "dmp", "mss", "ror")  # suites with peer columns (loadtests/compare.py)


def known_suites() -> dict[str, str]:
    """SUITES, EXTRA_SUITES, then the `loadtests/bench_<name>.py` modules exposing run and table."""
    found = {**SUITES, **EXTRA_SUITES}
    listed = set(found.values())
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        module = f"loadtests.{info.name}"
        name = info.name.removeprefix("bench_")
        if not info.name.startswith("bench_") or module in listed or name in found:
            continue
        try:
            loaded = importlib.import_module(module)
        except ImportError:
            continue
        if callable(getattr(loaded, "run", None)) and callable(getattr(loaded, "table", None)):
            found[name] = module
    return found


def available_suites() -> list[str]:
    found = []
    for name, module in known_suites().items():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        found.append(name)
    return found


def _run_suite(name: str, module: ModuleType, args: argparse.Namespace) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"quick": args.quick}
    if name in ("journal", "replicas") and args.postgres:
        kwargs["postgres_url"] = args.postgres
    t0 = time.perf_counter()
    try:
        result = module.run(**kwargs)
    except Exception as exc:  # noqa: BLE001 - one suite failing leaves its goals NOT MEASURED, not the run lost
        traceback.print_exc()
        return {"error": f"la suite a échoué : {type(exc).__name__}: {exc}"[:400],
                "wall_seconds": round(time.perf_counter() - t0, 1)}
    result["wall_seconds"] = round(time.perf_counter() - t0, 1)
    if name in PEERED and not args.no_peers:
        from .compare import compare

        t1 = time.perf_counter()
        result["peers"] = compare(name, result, quick=args.quick, module=module)
        result["peers"]["wall_seconds"] = round(time.perf_counter() - t1, 1)
    elif name in PEERED:
        result["peers"] = {"workloads": [], "skipped": "pairs non mesurés (--no-peers)"}
    return result


def _print_table(name: str, module: ModuleType, result: dict[str, Any]) -> None:
    if "error" in result:
        rows: list[tuple[str, str]] = [("error", result["error"])]
    else:
        rows = list(module.table(result))
        if "peers" in result:
            from .compare import rows as peer_rows

            rows += peer_rows(result["peers"])
    width = max((len(r[0]) for r in rows), default=0)
    print(f"\n== {name} ({result['wall_seconds']} s)")
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")
    sys.stdout.flush()


def conclude(results: dict[str, Any], modules: list[ModuleType]) -> list[dict[str, Any]]:
    """Series, goals and notes of a finished run, stored into `results`; returns the goal rows."""
    from .bench_sizes import merge_suite_points
    from .goals import collect, evaluate
    from .production import notes_lines

    sizes = results["suites"].get("sizes")
    series = dict(sizes.get("series", {})) if isinstance(sizes, dict) else {}
    merge_suite_points(series, results["suites"])
    results["series"] = series
    rows = evaluate(results, collect(modules))
    results["goals"] = rows
    results["notes"] = notes_lines(results)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtests.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suites", nargs="*", default=["all"], help=f"{', '.join(known_suites())} or all")
    parser.add_argument("--quick", action="store_true", help="short runs, smallest data sizes (smoke test)")
    parser.add_argument("--json", type=Path, default=None, help="where to write the figures")
    parser.add_argument("--html", type=Path, default=None,
                        help="where to write the HTML report (default: bench-report.html next to the JSON)")
    parser.add_argument("--strict", action="store_true",
                        help="exit code 1 when a goal is not MET (MISS, MET*, NOT MEASURED)")
    parser.add_argument("--no-peers", action="store_true",
                        help="skip the peer columns (WireMock, MailDev, floor)")
    parser.add_argument("--postgres", default=os.environ.get("SOCLE_BENCH_BENCH_PG"),
                        help="also measure journal writes on this PostgreSQL URL")
    args = parser.parse_args(argv)
    suites = known_suites()
    names = available_suites() if "all" in args.suites else args.suites
    unknown = [n for n in names if n not in suites]
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(unknown)}")
    results: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                           "platform": platform.platform()},
                               "started_at": time.time(), "quick": args.quick, "suites": {}}
    modules = []
    for name in names:
        module = importlib.import_module(suites[name])
        modules.append(module)
        if not (callable(getattr(module, "run", None)) and callable(getattr(module, "table", None))):
            print(f"\n== {name}: {suites[name]} does not expose run(quick) and table(result) yet — suite skipped")
            results["suites"][name] = {"skipped": "run/table missing"}
            continue
        results["suites"][name] = _run_suite(name, module, args)
        _print_table(name, module, results["suites"][name])
    rows = conclude(results, modules)
    from .goals import exit_code, table_lines

    print("\n== notes")
    for line in results["notes"]:
        print(f"  {line}")
    print("\n== objectifs (issue 18)")
    for line in table_lines(rows):
        print(f"  {line}")
    out = args.json or Path("loadtests/results") / f"bench-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    html = args.html or out.with_name("bench-report.html")
    from .report_html import render

    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(render(results, rows, results["notes"]), encoding="utf-8")
    print(f"\nfigures written to {out}\nreport written to {html}")
    return exit_code(rows, args.strict)


if __name__ == "__main__":
    sys.exit(main())
