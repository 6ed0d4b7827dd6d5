"""ROR benchmark: geographic + age + category searches per second, p50/p99, over a 20,000-offer
session, HTTPS with a profile-2 token obtained by mutual TLS, journal on. The searches are sent by the
load client the peers get (loadtests.common.http_load, in its own process).

The bench runs in its own process (as under `serve`) with `[services.ror] volume = 20000`, so the
volume is generated and indexed when the session is first used (the warm-up request). Each load
thread keeps one keep-alive TLS connection and reuses one token, like a DUI; searches rotate over
offer types with matching ages and communes, with the includes an orientation screen needs
(place and provider) and a page of 20 offers.

    python -m loadtests.bench_ror [--duration 10] [--threads 4] [--volume 20000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from loadtests.production import production_bench, runtime_facts, serving_cpu_s, serving_rss_mb, serving_workers
from loadtests.common import LoadResult, PreparedRequests, http_load_process, spawned_server
from simulators.core.config import load_config
from simulators.core.pki import Pki
from simulators.core.pki.testing import make_test_pki
from simulators.core.tls import requests_cert, requests_verify
from simulators.ror.client import RorApiClient, token
from simulators.ror.model import TOKEN_PATH
from simulators.ror.server import RorSimulator

SESSION = "bench"
# (offer type TRE_R244, age, commune COG): a geographic + age + category search each time
MIX = [("21", 82, "93048"), ("48", 12, "75056"), ("61", 3, "69123"), ("43", 30, "13055"), ("24", 85, "63113"),
       ("97", 40, "33063"), ("28", 75, "31555"), ("50", 10, "59350"), ("31", 45, "67482"), ("21", 90, "44109")]
RADIUS_KM = 20
PAGE = 20


def _serve(work_dir: str, conn: Any, volume: int, workers: int = 1) -> None:  # pragma: no cover - child process

    pki = Pki.load(Path(work_dir) / "pki")
    config = load_config(None, data_dir=Path(work_dir) / "data", tls=True,
                         services={"ror": {"volume": volume}}).ephemeral()
    with production_bench(config, [RorSimulator()], pki=pki, workers=workers) as bench:
        conn.send(bench.url("ror"))
        cpu_s = -1.0
        if conn.recv() == "start":  # the measured run: CPU of every serving process (all their threads)
            started = sum(serving_cpu_s(bench))
            conn.recv()
            cpu_s = sum(serving_cpu_s(bench)) - started
        flushed = bench.runtime.journal.flush(60)
        conn.send({"journal_count": bench.runtime.journal.count(SESSION), "journal_flushed": flushed,
                   "server_cpu_s": round(cpu_s, 3), "facts": runtime_facts(bench), **serving_rss_mb(bench)})


def search_params(i: int) -> list[tuple[str, str]]:
    category, age, commune = MIX[i % len(MIX)]
    return [("service-category", token("TRE_R244-CategorieOrganisation", category)),
            ("age-range-low", f"le{age}"), ("age-range-high", f"ge{age}"),
            ("location.near-insee-code", f"{commune}|{RADIUS_KM}|km"), ("_count", str(PAGE)),
            ("_include", "HealthcareService:location"), ("_include", "HealthcareService:organization")]


def prepared_searches(path: str, headers: dict[str, str]) -> list[tuple[str, dict[str, str], bytes]]:
    """The MIX as GET requests (path and query, headers, no body), replayed by the peers' load client."""
    return [(f"{path}/HealthcareService?{urlencode(search_params(i))}", headers, b"") for i in range(len(MIX))]


def _warm_every_process(origin: str, tls: dict[str, str], searches: list, workers: int, path: Path, *,
                        timeout_s: float) -> None:
    """Each serving process builds its index on its first search (tens of seconds at 200,000 offers): fresh
    connections, one search each, spread over the processes (least connections first), each waited for as
    long as the first search took, again until a round answers every search (a process still building keeps
    the connections of a round that gave up: the next round goes to the others, then to it once it is done)."""
    warm_up = [searches[n % len(searches)] for n in range(8 * workers)]  # one each, then the thread ends
    for _ in range(5):
        done = http_load_process(origin, tls=tls, method="GET", threads=8 * workers, duration_s=600,
                                 timeout_s=timeout_s, request_factory=PreparedRequests(str(path), warm_up))
        if done.errors == 0:
            return


def bench_ror(*, duration_s: float = 10.0, threads: int = 4, volume: int = 20_000, workers: int = 1) -> dict[str, Any]:
    """Run the benchmark; returns searches/s, p50/p99 (ms), counts. Default run ~30 s. With `workers` > 1
    (`serve --workers`) each process builds its index on its first search: the warm-up opens enough
    fresh connections for every process to have served one before the measured run."""
    with tempfile.TemporaryDirectory(prefix="bench-ror-") as work_dir:
        pki = make_test_pki(Path(work_dir) / "pki", key_type="ec-p256")
        with spawned_server(_serve, work_dir, volume, workers, daemon=workers == 1) as parent:
            if not parent.poll(60):
                raise RuntimeError("the ROR bench did not start within 60 s")
            origin = parent.recv().split("/ws-diffusion-fhir")[0]
            base = f"{origin}/s/{SESSION}/ws-diffusion-fhir"
            cert, verify = requests_cert(pki, "org-auth-cli"), requests_verify(pki)
            client = RorApiClient(base, f"{origin}/s/{SESSION}{TOKEN_PATH}", client_id="bench-profil-2", cert=cert,
                                  verify=verify, timeout_s=max(120.0, volume / 500))
            t0 = time.perf_counter()
            warm = client.search("HealthcareService", [*search_params(0)[:-3], ("_count", "1")], max_pages=1)
            index_s = time.perf_counter() - t0
            headers = {"Authorization": f"Bearer {client.access_token()}", "Accept": "application/fhir+json",
                       **client.ror_headers}
            totals = [client.search("HealthcareService", search_params(i), max_pages=1).total for i in range(len(MIX))]
            client.http.close()  # its idle keep-alive connection would count on one process (least connections)
            tls = {"cafile": verify, "certfile": cert[0], "keyfile": cert[1]}
            searches = prepared_searches(urlsplit(base).path, headers)
            requests = PreparedRequests(str(Path(work_dir) / "searches.pickle"), searches, cycle=True)
            if workers > 1:
                _warm_every_process(origin, tls, searches, workers, Path(work_dir) / "warm.pickle",
                                    timeout_s=client.timeout_s)
            _run(origin, tls, requests, 1.0, threads)
            parent.send("start")
            figures = _run(origin, tls, requests, duration_s, threads)
            parent.send("stop")
            journal = parent.recv() if parent.poll(90) else {}
    cpu_s = journal.get("server_cpu_s", -1.0)
    return {
        "service": "ror", "volume": volume, "threads": threads, "workers": workers, "page_size": PAGE, "radius_km": RADIUS_KM,
        "first_search_s": round(index_s, 2), "warm_total": warm.total, "duration_s": round(figures.seconds, 2),
        "requests": figures.requests, "errors": figures.errors, "searches_per_s": round(figures.per_second, 1),
        "p50_ms": round(figures.percentile(50), 2), "p99_ms": round(figures.percentile(99), 2),
        "mean_ms": round(statistics.fmean(figures.latencies_ms), 2) if figures.latencies_ms else 0.0,
        "mean_total": round(statistics.fmean(totals), 1) if totals else 0.0,
        # server CPU per search (process time of the serving processes over the measured run, every thread:
        # requests, journal, live checks): the figure that does not swing with the machine's load
        "server_cpu_ms_per_search": round(cpu_s * 1000 / figures.requests, 2) if cpu_s >= 0 and figures.requests else None,
        **journal,
    }


def _run(origin: str, tls: dict[str, str], requests: PreparedRequests, seconds: float, threads: int) -> LoadResult:
    """The same load client as the peers' (loadtests.common.http_load, its own process, keep-alive)."""
    return http_load_process(origin, tls=tls, method="GET", threads=threads, duration_s=seconds,
                             request_factory=requests)


def run(quick: bool = False) -> dict[str, Any]:
    """Entry point of `python -m loadtests.bench ror`."""
    return bench_ror(duration_s=3.0 if quick else 10.0, threads=4, workers=serving_workers())


def table(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [("data set", f"{result['volume']} offers, session \"{SESSION}\""),
            ("search", f"offer type + age + near-insee-code {result['radius_km']} km, "
                          f"_count={result['page_size']}, _include location and organization"),
            ("1st search (generation + index)", f"{result['first_search_s']} s"),
            ("serving processes", f"{result.get('workers', 1)} (serve --workers)"),
            ("searches/s", str(result["searches_per_s"])), ("p50 ms", str(result["p50_ms"])),
            ("p99 ms", str(result["p99_ms"])), ("server CPU ms / search", str(result.get("server_cpu_ms_per_search"))),
            ("mean results (total)", str(result["mean_total"])),
            ("requests / errors", f"{result['requests']} / {result['errors']}"),
            ("journal", str(result.get("journal_count", "-")))]


def main() -> None:
    parser = argparse.ArgumentParser(description="ROR load benchmark (FHIR over HTTPS, mTLS token, journal on)")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--volume", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1, help="processes serving the ROR (serve --workers)")
    args = parser.parse_args()
    result = bench_ror(duration_s=args.duration, threads=args.threads, volume=args.volume, workers=args.workers)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"ROR: {result['searches_per_s']} searches/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms "
          f"({result['requests']} requests, {result['errors']} errors, {result['volume']} offers, "
          f"server CPU {result.get('server_cpu_ms_per_search')} ms/search)")


if __name__ == "__main__":
    main()
