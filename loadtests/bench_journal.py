"""Journal benchmark: exchanges written per second, and the cost of journaling a trivial request.

The trivial request is a 100-byte POST answered with a fixed body; the same WSGI app is measured bare
on the same server (the floor) and behind the journaling middleware, in one run.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from simulators.core.bench import Runtime
from simulators.core.config import load_config
from simulators.core.db import open_database
from simulators.core.exchange import Caller, Exchange
from simulators.core.journal import Journal
from simulators.core.lifecycle import WsgiServer
from simulators.core.pki.testing import make_test_pki
from simulators.core.tls import server_context

from .common import http_load_process
from .production import production_bench, runtime_facts


def trivial_app(environ, start_response):
    stream = environ["wsgi.input"]
    stream.read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


class TrivialSimulator:
    name = "trivial"

    def __call__(self, rt: Runtime) -> list:
        return [rt.http_server(rt.wrap(trivial_app, service="trivial"), service="trivial")]


def journal_writes(url: str, n: int = 20_000, body_size: int = 2_000) -> dict:
    journal = Journal(open_database(url))
    journal.start()
    body = b"<x>" + b"a" * body_size + b"</x>"
    t0 = time.perf_counter()
    for i in range(n):
        journal.record(Exchange(session="bench", service="ins", operation="op", started_at=time.time(),
                                caller=Caller(kind="tls", subject="CN=INSI-AUTO"), request_body=body,
                                response_body=body, status=200, summary={"i": i}))
    journal.flush(timeout=300)
    seconds = time.perf_counter() - t0
    journal.close()
    return {"exchanges": n, "seconds": round(seconds, 3), "per_second": round(n / seconds, 1)}


def request_overhead(duration_s: float = 5.0, threads: int = 4) -> dict:
    """The same trivial app on the same server and TLS, bare and behind the journal as `serve` runs
    it (live checks, durable journal, bodies kept): the ratio is what journaling costs."""
    body = b"x" * 100
    with tempfile.TemporaryDirectory() as tmp:
        pki = make_test_pki(Path(tmp) / "pki", key_type="ec-p256")
        tls = {"cafile": str(pki.trust_path)}
        with WsgiServer(trivial_app, name="floor", ssl_context=server_context(pki, "localhost", client_auth="optional")) as floor:
            bare = http_load_process(floor.url.replace("localhost", "127.0.0.1") + "/", tls=tls, body=body,
                                     threads=threads, duration_s=duration_s)
        config = load_config(None, data_dir=Path(tmp) / "data", tls=True).ephemeral()
        with production_bench(config, [TrivialSimulator()], pki=pki) as bench:
            journaled = http_load_process(bench.url("trivial").replace("localhost", "127.0.0.1") + "/", tls=tls,
                                          body=body, threads=threads, duration_s=duration_s)
            written = bench.runtime.journal.count("default")
            facts = runtime_facts(bench)
    return {"bare": bare.summary(), "journaled": journaled.summary(), "journaled_rows": written,
            "throughput_ratio": round(journaled.per_second / bare.per_second, 3),
            "p50_overhead_ms": round(journaled.percentile(50) - bare.percentile(50), 3), "facts": facts}


def run(*, quick: bool = False, postgres_url: str | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = journal_writes(f"sqlite:///{tmp}/journal.db", n=5_000 if quick else 20_000)
    result = {"sqlite_writes": sqlite, "request": request_overhead(duration_s=2 if quick else 5)}
    if postgres_url:
        from simulators.core.db import drop_schema

        schema = f"bench_{int(time.time())}"
        db_url = postgres_url
        try:
            result["postgres_writes"] = _pg_writes(db_url, schema, n=5_000 if quick else 20_000)
        finally:
            drop_schema(db_url, schema)
    return result


def _pg_writes(url: str, schema: str, n: int) -> dict:
    journal = Journal(open_database(url, schema=schema))
    journal.start()
    body = b"<x>" + b"a" * 2_000 + b"</x>"
    t0 = time.perf_counter()
    for i in range(n):
        journal.record(Exchange(session="bench", service="ins", operation="op", started_at=time.time(),
                                request_body=body, response_body=body, status=200, summary={"i": i}))
    journal.flush(timeout=300)
    seconds = time.perf_counter() - t0
    journal.close()
    return {"exchanges": n, "seconds": round(seconds, 3), "per_second": round(n / seconds, 1)}


def table(result: dict) -> list[tuple[str, str]]:
    req = result["request"]
    rows = [("journal writes/s (SQLite WAL)", f"{result['sqlite_writes']['per_second']:,.0f}")]
    if "postgres_writes" in result:
        rows.append(("journal writes/s (PostgreSQL)", f"{result['postgres_writes']['per_second']:,.0f}"))
    rows += [("trivial request/s, bare (floor)", f"{req['bare']['per_second']:,.0f}"),
             ("trivial request/s, journaled", f"{req['journaled']['per_second']:,.0f}"),
             ("journaled / bare throughput", f"{req['throughput_ratio']:.2f}"),
             ("p50 latency bare / journaled (ms)",
              f"{req['bare']['p50_ms']:.2f} / {req['journaled']['p50_ms']:.2f}")]
    return rows
