"""INSi benchmark: traits lookups per second over keep-alive mutual-TLS HTTPS, journal on, p50/p99.

The bench runs in its own process (as under `serve`) so the load generator's threads do not share
its interpreter lock; the load client is the one the peers get (loadtests.common.http_load, in its own
process); each of its threads keeps one TLS connection open (keep-alive) with the
INSI-AUTO certificate and sends well-formed requests (fresh MessageID each time) over a mix of
§5 persons giving CR 00, 01 and 02. Every request is journaled; the journal is flushed before the
figures are read, and the number of recorded exchanges is reported next to the number sent.

    python -m loadtests.bench_ins [--duration 10] [--threads 4]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import tempfile
import threading
from pathlib import Path
from typing import Any

from loadtests.production import production_bench, runtime_facts, serving_cpu_s, serving_rss_mb, serving_workers
from loadtests.common import LoadResult, http_load_process
from simulators.core.config import load_config
from simulators.core.pki import Pki
from simulators.core.pki.testing import make_test_pki
from simulators.core.tls import requests_cert, requests_verify
from simulators.ins.client_codec import ACTION_PREFIX, OP_TRAITS, build_request, LpsIdentity
from simulators.ins.model import TraitsQuery
from simulators.ins.server import InsSimulator

MIX = [
    ("ADRTROIS", ("DOMINIQUE",), "F", "1997-02-26"),
    ("ECETINSI", ("PIERRE-ALAIN",), "M", "2009-07-14"),
    ("TCHITCHI", ("CATARINA",), "F", "1936-06-21"),
    ("TCHITCHI", ("OLA",), "F", "1936-06-21"),
    ("HERMANN", ("GATIEN",), "M", "1981-03-24"),
    ("DE VINCI", ("LEONARDO",), "M", "2014-02-01"),
    ("NESSI", ("MICHELANGELO",), "M", "2010-08-07"),
    ("ADRUN", ("ZOE",), "F", "1975-12-31"),
]


def _serve(work_dir: str, conn: Any, journal_keep_bodies: bool,
           workers: int = 1) -> None:  # pragma: no cover - child process

    pki = Pki.load(Path(work_dir) / "pki")
    config = load_config(None, data_dir=Path(work_dir) / "data", tls=True).ephemeral()
    config.journal.keep_bodies = journal_keep_bodies
    with production_bench(config, [InsSimulator()], pki=pki, workers=workers) as bench:
        conn.send(bench.url("ins"))
        conn.recv()  # warm-up over: the measured run starts
        cpu0 = serving_cpu_s(bench)
        conn.recv()  # the parent says when the run is over
        flushed = bench.runtime.journal.flush(60)  # the master's live checks and journal are part of the cost
        spent = [round(after - before, 3) for before, after in zip(cpu0, serving_cpu_s(bench), strict=True)]
        conn.send({"journal_count": bench.runtime.journal.count("bench"), "journal_flushed": flushed,
                   "journal_write_errors": bench.runtime.journal.write_errors, "workers": workers,
                   "server_cpu_s": round(sum(spent), 3),  # every serving process
                   "server_cpu_s_by_process": spent,
                   "facts": runtime_facts(bench), **serving_rss_mb(bench)})


def lookup_body(n: int) -> bytes:
    """The n-th request of the mix, with a fresh MessageID (module level: run in the load process)."""
    body, _, _ = build_request(TraitsQuery(*MIX[n % len(MIX)]), LpsIdentity(idam="BENCH-INS-01"))
    return body


def _headers() -> dict[str, str]:
    return {"Content-Type": f'application/soap+xml;charset=UTF-8;action="{ACTION_PREFIX + OP_TRAITS}"'}


def bench_ins(*, duration_s: float = 10.0, threads: int = 4, warmup_s: float = 1.0,
              keep_bodies: bool = True, key_type: str = "rsa2048", in_process: bool = False,
              workers: int = 1) -> dict[str, Any]:
    """Run the benchmark; returns lookups/s, p50/p99 (ms), counts. Default run ~15 s.

    RSA keys by default, as IGC-Santé certificates; the handshake cost is paid once per connection.
    `in_process` runs the bench in a thread of this process (quick smoke test, lower figures).
    `workers` > 1 serves INSi from that many processes (`serve --workers`); the server CPU then sums
    every serving process.
    """
    with tempfile.TemporaryDirectory(prefix="bench-ins-") as work_dir:
        pki = make_test_pki(Path(work_dir) / "pki", key_type=key_type)
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        runner = threading.Thread if in_process else context.Process
        server = runner(target=_serve, args=(work_dir, child, keep_bodies, workers), daemon=not workers > 1)
        server.start()
        sent: list[str] = []  # the child waits for "go" then "stop", whatever happens here
        try:
            if not parent.poll(60):
                raise RuntimeError("the INSi bench did not start within 60 s")
            url = parent.recv().rsplit("/lps", 1)[0] + "/s/bench/lps"
            chain, key = requests_cert(pki, "insi-auto")
            tls = {"cafile": requests_verify(pki), "certfile": chain, "keyfile": key}
            _run(url, tls, warmup_s, threads)  # TLS handshakes, caches, world
            parent.send("go")
            sent.append("go")
            figures = _run(url, tls, duration_s, threads)
            parent.send("stop")
            sent.append("stop")
            journal = parent.recv() if parent.poll(90) else {}
        finally:
            for message in ("go", "stop")[len(sent):]:
                parent.send(message)
            server.join(30)
            if server.is_alive() and not isinstance(server, threading.Thread):  # a process (not in_process)
                server.terminate()
    result: dict[str, Any] = {
        "service": "ins", "threads": threads, "in_process": in_process, "duration_s": round(figures.seconds, 2),
        "requests": figures.requests, "errors": figures.errors, "lookups_per_s": round(figures.per_second, 1),
        "p50_ms": round(figures.percentile(50), 2), "p99_ms": round(figures.percentile(99), 2),
        "mean_ms": round(statistics.fmean(figures.latencies_ms), 2) if figures.latencies_ms else 0.0,
        **journal,
    }
    if result.get("server_cpu_s") and result["requests"]:
        # CPU the bench spends per lookup (TLS, HTTP, SOAP, journal): stable when the machine is busy
        result["server_cpu_ms_per_lookup"] = round(result["server_cpu_s"] * 1000 / result["requests"], 2)
    return result


def _run(url: str, tls: dict[str, str], seconds: float, threads: int) -> LoadResult:
    """The same load client as the peers' (loadtests.common.http_load, its own process, keep-alive)."""
    return http_load_process(url, tls=tls, method="POST", headers=_headers(), body_factory=lookup_body,
                             threads=threads, duration_s=seconds)


def run(quick: bool = False) -> dict[str, Any]:
    """Entry point of `python -m loadtests.bench ins`."""
    return bench_ins(duration_s=2.0 if quick else 10.0, threads=4, warmup_s=0.5 if quick else 1.0,
                     workers=serving_workers())


def table(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [("load", f"{result['threads']} keep-alive mutual TLS connections (INSI-AUTO), journal on, "
                     f"mix of CR 00/01/02"),
            ("lookups/s", str(result["lookups_per_s"])), ("p50 ms", str(result["p50_ms"])),
            ("p99 ms", str(result["p99_ms"])),
            ("server CPU ms/lookup", str(result.get("server_cpu_ms_per_lookup", "-"))),
            ("serving processes", f"{result.get('workers', 1)} (serve --workers)"),
            ("requests / errors", f"{result['requests']} / {result['errors']}"),
            ("journal", str(result.get("journal_count", "-")))]


def main() -> None:
    parser = argparse.ArgumentParser(description="INSi load benchmark (HTTPS mTLS keep-alive, journal on)")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="processes serving INSi (serve --workers)")
    args = parser.parse_args()
    result = bench_ins(duration_s=args.duration, threads=args.threads, workers=args.workers)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"INSi: {result['lookups_per_s']} lookups/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms "
          f"({result['requests']} requests, {result['errors']} errors, journal {result.get('journal_count')}, "
          f"server CPU {result.get('server_cpu_ms_per_lookup')} ms/lookup)")


if __name__ == "__main__":
    main()
