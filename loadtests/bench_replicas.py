"""Replicas benchmark: throughput of 1 and N `socle-bench serve` replicas over one PostgreSQL, behind
HAProxy (docs/replicas.md). `socle-bench bench replicas [--postgres URL]`, also part of `all` (skipped with the reason when
HAProxy is absent; NOT MEASURED when PostgreSQL cannot be reached).

The same request (ROR CapabilityStatement over TLS: middleware, fault engine and a journaled exchange
written to PostgreSQL) is sent through HAProxy by two client processes, first with one replica behind
it, then with N; the ratio N/1 is printed. It is bounded by the machine: on a 2-core machine the
replicas, the clients, HAProxy and PostgreSQL share the same cores, so the ratio says how much the
shared database and the proxy cost rather than how far the design scales. No number is asserted.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from simulators.ror.model import DEFAULT_BASE

from .common import LoadResult, http_load_process, percentile
from .goals import Goal
from .haproxy import haproxy_binary
from .replicas import replica_cluster

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def _load(url: str, *, clients: int, threads: int, duration_s: float) -> dict:
    tls = {"cafile": None}  # through 127.0.0.1: the certificate names localhost, no verification here
    with ThreadPoolExecutor(clients) as pool:
        results: list[LoadResult] = list(pool.map(
            lambda _i: http_load_process(url, tls=tls, method="GET", threads=threads, duration_s=duration_s),
            range(clients)))
    latencies = [x for r in results for x in r.latencies_ms]
    return {"requests": sum(r.requests for r in results), "errors": sum(r.errors for r in results),
            "per_second": round(sum(r.per_second for r in results), 1),
            "p50_ms": round(percentile(latencies, 0.50), 2), "p95_ms": round(percentile(latencies, 0.95), 2)}


def _measure(url: str, count: int, *, clients: int, threads: int, duration_s: float) -> dict:
    from simulators.core.db import drop_schema, open_database

    schema = f"bench_rep_{uuid.uuid4().hex[:10]}"
    open_database(url, schema=schema).dispose()
    try:
        with tempfile.TemporaryDirectory(prefix="socle-replicas-") as work, \
                replica_cluster(f"{url}?options=-csearch_path%3D{schema}", Path(work), count=count,
                                only="ror") as cluster:
            target = cluster.url("ror").replace("localhost", "127.0.0.1") + f"/s/bench-replicas{DEFAULT_BASE}/metadata"
            _load(target, clients=clients, threads=threads, duration_s=1.0)  # warm-up (seeding, connections)
            return _load(target, clients=clients, threads=threads, duration_s=duration_s)
    finally:
        drop_schema(url, schema)


# Joined to the goals table of `bench all` (loadtests/goals.py collects a suite's GOALS).
GOALS = [
    Goal("replicas-scale", "Répliques : débit de N répliques ≥ 1,0 × une réplique (même PostgreSQL, HAProxy)",
         "Replicas: N replicas' throughput >= 1.0x one replica (same PostgreSQL, HAProxy)",
         "suites.replicas.many.per_second", ">=", 1.0, "suites.replicas.one.per_second", "1 réplique", "/s"),
]


def run(quick: bool = False, postgres_url: str | None = None, replicas: int = 2) -> dict:
    url = postgres_url or os.environ.get("SOCLE_BENCH_BENCH_PG") or DEFAULT_PG
    if haproxy_binary() is None:
        return {"skipped": "haproxy absent (make replicas-deps)"}
    duration = 3.0 if quick else 15.0
    clients, threads = 2, 8
    one = _measure(url, 1, clients=clients, threads=threads, duration_s=duration)
    many = _measure(url, replicas, clients=clients, threads=threads, duration_s=duration)
    return {"replicas": replicas, "duration_s": duration, "clients": clients, "threads": threads,
            "cpus": os.cpu_count(), "one": one, "many": many,
            "ratio": round(many["per_second"] / one["per_second"], 2) if one["per_second"] else 0.0}


def table(result: dict) -> list[tuple[str, str]]:
    if "skipped" in result:
        return [("replicas", f"skipped: {result['skipped']}")]
    n = result["replicas"]
    one, many = result["one"], result["many"]
    return [("ROR metadata/s via HAProxy, 1 replica", f"{one['per_second']:,.0f} ({one['errors']} errors)"),
            (f"ROR metadata/s via HAProxy, {n} replicas", f"{many['per_second']:,.0f} ({many['errors']} errors)"),
            (f"{n} replicas / 1 replica throughput", f"{result['ratio']:.2f} (machine: {result['cpus']} CPUs)"),
            ("p50 / p95 latency 1 replica (ms)", f"{one['p50_ms']:.2f} / {one['p95_ms']:.2f}"),
            (f"p50 / p95 latency {n} replicas (ms)", f"{many['p50_ms']:.2f} / {many['p95_ms']:.2f}")]
