"""DMP under locust: the `dmp` load profile (ITI-41 feeding, ITI-18 search, ITI-43 retrieval through
the reference client: mutual TLS, signed VIHF) with 200 users, judged on p99 and errors.

The bench is built as `serve` builds it (production mode, test PKI created as on a first start) in
its own process, with the profile's services; `socle-bench load` then drives locust against it
(`--no-start`), statistics taken once every user runs (steady state).

    python -m loadtests.bench locust [--quick]
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from loadtests.common import spawned_server
from loadtests.production import production_bench, runtime_facts, serving_rss_mb, serving_workers
from loadtests.profiles import find_profile
from loadtests.runner import LoadOptions, run_load
from loadtests.thresholds import read_stats
from simulators.core.config import load_config
from simulators.core.pki import open_or_init
from simulators.registry import load_factory, SHIPPED

PROFILE = "dmp"
USERS = 200


def _serve(work_dir: str, conn: Any, services: tuple[str, ...], workers: int = 1) -> None:  # pragma: no cover - child process

    config = load_config(None, data_dir=Path(work_dir) / "data", tls=True).ephemeral()
    pki = open_or_init(Path(config.data_dir) / "pki", base_url="http://127.0.0.1:8080")
    with production_bench(config, [load_factory(SHIPPED[s]) for s in services], pki=pki, workers=workers) as bench:
        conn.send({"admin": bench.admin_url, "facts": runtime_facts(bench), "seed": config.seed})
        conn.recv()
        conn.send(serving_rss_mb(bench))


def run(quick: bool = False, users: int = USERS) -> dict[str, Any]:
    duration = "30s" if quick else "90s"
    profile = find_profile(PROFILE)
    with tempfile.TemporaryDirectory(prefix="bench-locust-") as work_dir:
        workers = serving_workers()
        with spawned_server(_serve, work_dir, profile.services, workers, daemon=workers == 1) as parent:
            if not parent.poll(180):
                raise RuntimeError("the locust bench did not start within 180 s")
            info = parent.recv()
            out = io.StringIO()
            results = Path(work_dir) / "results"
            code = run_load(LoadOptions(profile=PROFILE, users=users, duration=duration, target=info["admin"],
                                        start="never", data_dir=Path(work_dir) / "data", out=results,
                                        seed=info["seed"], session="load"), out=out)
            parent.send("stop")
            memory = parent.recv() if parent.poll(60) else {}
        stats = results / "locust_final.json"
        if not stats.exists():
            return {"users": users, "duration": duration, "error": f"locust n'a produit aucune statistique "
                                                                   f"(code {code}) : {out.getvalue()[-300:]}"}
        rows = read_stats(stats)
    total = rows[-1]
    return {"profile": PROFILE, "users": users, "workers": workers, "duration": duration, "requests": total.requests,
            "errors": total.failures, "p50_ms": total.median_ms, "p95_ms": total.p95_ms, "p99_ms": total.p99_ms,
            "requests_per_s": round(total.rps, 1), "thresholds_exit_code": code,
            "per_request": [{"name": r.name, "requests": r.requests, "errors": r.failures, "p99_ms": r.p99_ms}
                            for r in rows[:-1]],
            "facts": info["facts"], **memory}


def table(result: dict[str, Any]) -> list[tuple[str, str]]:
    if "error" in result:
        return [("locust", result["error"])]
    rows = [("load", f"profile {result['profile']}, {result['users']} users, {result['duration']} (steady state)"),
            ("all requests", f"{result['requests']} requests, {result['errors']} errors, p50 {result['p50_ms']} ms, "
                             f"p99 {result['p99_ms']} ms, {result['requests_per_s']} req/s")]
    rows += [(f"  {r['name']}", f"{r['requests']} requests, {r['errors']} errors, p99 {r['p99_ms']} ms")
             for r in result["per_request"]]
    return rows
