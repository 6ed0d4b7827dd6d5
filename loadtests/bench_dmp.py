"""DMP benchmark: ITI-41 documents per second (30 KB CDA, signed VIHF and signed lot, MTOM over
mutual TLS) and ITI-18 FindDocuments p50/p99 with 100,000 documents in the registry.

The registry is bulk-seeded straight into the tables before the server starts (simulators.dmp.bulk:
batched transactions, no checks), with small document bodies since only the registry is measured by the
queries; the ITI-41 phase then feeds real 30 KB CDA documents through the whole stack. The bench
runs in its own process (as under `serve`); the requests, built beforehand by the reference client, are
sent by the peers' load client, whose threads keep one TLS connection each.

    python -m loadtests.bench_dmp [--documents 100000] [--duration 8] [--threads 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from loadtests.production import production_bench, runtime_facts, serving_cpu_s, serving_rss_mb, serving_workers
from loadtests.common import LoadResult, PreparedRequests, http_load_process, spawned_server
from loadtests.seedcache import schema_digest, seeded_file, working_copy
from simulators.core.config import load_config
from simulators.core.errors import BenchError
from simulators.core.db import open_database
from simulators.core.pki import Pki
from simulators.core.pki.testing import make_test_pki
from simulators.core.tls import requests_verify
from simulators.dmp import bulk
from simulators.dmp.cda import CdaSpec, KINDS
from simulators.dmp.client import DmpClient
from simulators.dmp.journey import cda_for, identity_for
from simulators.dmp.metadata import document_entry, xds_author
from simulators.dmp.model import Code
from simulators.dmp.seed import professional_identity
from simulators.dmp.simulator import DmpSimulator
from simulators.dmp.store import DmpStore
from simulators.identities.nir import with_key
from simulators.identities.world import build_world

SESSION = "bench"
QUERY_PATIENTS = ("elise", "fanny", "elliot", "yanis", "lucas", "adrien", "irene", "louis", "samir", "claude")
CDA_BYTES = 30_000
SEED_VERSION = 1  # bump when bulk_seed changes the rows it writes (a new cached registry is built)


def _serve(work_dir: str, conn: Any, seed: int, workers: int = 1) -> None:  # pragma: no cover - child process

    pki = Pki.load(Path(work_dir) / "pki")
    config = load_config(None, data_dir=Path(work_dir) / "data", tls=True, seed=seed).ephemeral()
    with production_bench(config, [DmpSimulator()], pki=pki, workers=workers) as bench:
        conn.send(bench.url("dmp"))
        while conn.recv() == "cpu":  # the journal's live checks are part of each request's cost
            bench.runtime.journal.flush(60)
            time.sleep(0.2 if bench.worker_pids else 0)  # the workers' judges catch up too
            conn.send(sum(serving_cpu_s(bench)))
        bench.runtime.journal.flush(60)
        conn.send({"journal_count": bench.runtime.journal.count(SESSION), "facts": runtime_facts(bench),
                   **serving_rss_mb(bench)})


def bulk_seed(database_url: str, seed: int, documents: int, *, batch: int = 20_000) -> float:
    """Insert `documents` entries (and small contents) for the session; returns seconds taken.

    Each of the ten journey patients the queries read gets 100 documents of five types (what a
    child's DMP holds after years of follow-up); the rest spreads over 2,000 synthetic INS, so every
    FindDocuments has to pick its rows out of the whole table through the indexes."""
    world = build_world(seed)
    t0 = time.perf_counter()
    db = open_database(database_url)
    store = DmpStore(db)
    store.create_tables()
    person, structure = professional_identity(world, "medecin-elise")
    spec: CdaSpec = cda_for(world, "elise", "medecin-elise", "bilan-sante-enfant")
    content = b"<ClinicalDocument/>" * 10
    template = document_entry(spec, content, xds_author(person, structure), unique_id="0",
                              service_start="20250101000000")
    template.repository_uid = "1.2.250.1.213.4.1.1.1.1"
    kinds = [KINDS[k] for k in ("bilan-sante-enfant", "ordonnance", "bilan-fonctionnel", "dlu", "projet-personnalise")]
    types = [(Code(k.type_code, k.type_system, k.display), Code(k.class_code, "1.2.250.1.213.1.1.4.1")) for k in kinds]
    journey = [f"{p.known_ins.value}^^^&{p.known_ins.oid}&ISO^NH" for p in (world.person(i) for i in QUERY_PATIENTS)]
    others = [f"{with_key(f'1{80 + n % 20:02d}0175{n:06d}'[:13])}^^^&1.2.250.1.213.1.4.10&ISO^NH" for n in range(2000)]
    per_journey_patient = min(100, documents // 20)

    def rows() -> Any:
        for n in range(documents):
            pid = journey[n // per_journey_patient] if n < per_journey_patient * 10 else others[n % 2000]
            when = f"2025{1 + n % 12:02d}{1 + n % 28:02d}100000"
            type_code, class_code = types[n % len(types)]
            yield {"entry_uuid": f"urn:uuid:{uuid.UUID(int=n + 1)}", "unique_id": f"2.25.{n + 1}", "patient_id": pid,
                   "type_code": type_code, "class_code": class_code, "creation_time": when, "service_start": when,
                   "created": float(n)}

    bulk.bulk_seed(store, SESSION, template, rows(), content=content, batch=batch, rebuild_indexes=True)
    db.dispose()
    return time.perf_counter() - t0



TYPE_FILTER = {"$XDSDocumentEntryTypeCode": ["68817-6^^2.16.840.1.113883.6.1"]}
PREPARED_FEEDS = 1500  # documents built before the ITI-41 run; the run ends early if they are used up


def _client(url: str, pki: Any, world: Any, professional: str) -> Any:
    return DmpClient(url, identity_for(pki, world, professional), verify=requests_verify(pki), session=SESSION)


class _Captured(BenchError):
    """Raised by the recorder once it holds the request: the client stops before sending."""


class _Recorder:
    """Stands for the client's HTTP session: keeps the request the client built, sends nothing."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.request: tuple[str, dict[str, str], bytes] | None = None

    def post(self, url: str, data: bytes = b"", headers: dict[str, str] | None = None, **_: Any) -> Any:
        self.request = (url.removeprefix(self.origin), dict(headers or {}), data)
        raise _Captured


def captured(client: Any, call: Callable[[Any], Any]) -> tuple[str, dict[str, str], bytes]:
    """The HTTP request `call(client)` would send (path, headers, body): built by the reference client,
    with its VIHF, signatures and MTOM, but not sent."""
    parts = urlsplit(client.endpoint("registry"))
    recorder, kept = _Recorder(f"{parts.scheme}://{parts.netloc}"), client.http
    client.http = recorder
    try:
        call(client)
    except _Captured:
        pass
    finally:
        client.http = kept
    assert recorder.request is not None, "the client sent nothing"
    return recorder.request


def feed_accepted(status: int, body: bytes) -> bool:
    return status == 200 and b"ResponseStatusType:Success" in body


def query_answered(status: int, body: bytes) -> bool:
    return status == 200 and b"ResponseStatusType:Success" in body and b"RegistryError " not in body


def _prepared_feeds(client: Any, world: Any, count: int) -> list[tuple[str, dict[str, str], bytes]]:
    body = b"%PDF-1.4\n" + os.urandom(CDA_BYTES * 3 // 4 - 40)  # ~30 KB once base64-encoded in the CDA
    return [captured(client, lambda c: c.feed([(cda_for(world, "elise", "medecin-elise", "ordonnance", body=body), ())]))
            for _ in range(count)]


def _prepared_queries(client: Any, targets: list[tuple[str, str]], per_target: int) -> list[tuple[str, dict[str, str], bytes]]:
    def query(ins: str, oid: str) -> Callable[[Any], Any]:
        return lambda c: c.find_documents(ins, oid, extra=TYPE_FILTER)

    return [captured(client, query(ins, oid)) for _ in range(per_target) for ins, oid in targets]


def _server_cpu(parent: Any) -> float:
    """The server process's CPU seconds so far, once its journal (and live checks) caught up."""
    parent.send("cpu")
    if not parent.poll(90):
        raise RuntimeError("the DMP bench did not report its CPU time within 90 s")
    return float(parent.recv())


def seeded_registry(documents: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The cached registry of `documents` entries (built once by `bulk_seed`, see loadtests/seedcache)."""
    probe = open_database("sqlite://")
    DmpStore(probe).create_tables()
    digest = schema_digest(probe.metadata, SEED_VERSION)
    probe.dispose()
    return seeded_file(f"dmp-{seed}", documents, digest,
                       lambda path: bulk_seed(f"sqlite:///{path}", seed, documents))


def bench_dmp(*, documents: int = 100_000, duration_s: float = 8.0, threads: int = 4, seed: int = 20261122,
              feed: bool = True, workers: int = 1) -> dict[str, Any]:
    """Run both phases (`feed=False`: ITI-18 only, for the cost-against-size series); returns
    documents/s, FindDocuments p50/p99 (ms), counts, the server's RSS. Default ~50 s.

    The requests are built beforehand by the reference client (CDA, signed lot, VIHF, MTOM: the DUI's
    own work, not timed) and sent by the load client the peers get (loadtests.common.http_load, its own
    process, keep-alive); an answer counts only if the DMP accepted it (RegistryResponse Success)."""
    world = build_world(seed)
    with tempfile.TemporaryDirectory(prefix="bench-dmp-") as work_dir:
        pki = make_test_pki(Path(work_dir) / "pki")
        cached, seeding = seeded_registry(documents, seed)
        working_copy(cached, Path(work_dir) / "data" / "bench.db")
        with spawned_server(_serve, work_dir, seed, workers, daemon=workers == 1) as parent:
            if not parent.poll(90):
                raise RuntimeError("the DMP bench did not start within 90 s")
            url = parent.recv()
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
            feeder, reader = _client(url, pki, world, "medecin-elise"), _client(url, pki, world, "pmi-medecin")
            targets = [(p.known_ins.value, p.known_ins.oid) for p in (world.person(i) for i in QUERY_PATIENTS)]
            for ins, oid in targets:
                reader.set_authorization(ins, oid)
            counts = [len(reader.find_documents(ins, oid, extra=TYPE_FILTER).entries) for ins, oid in targets]
            tls = _tls(pki, feeder)  # the structure's AUTH_CLI certificate: the one its VIHF is tied to
            queries = PreparedRequests(str(Path(work_dir) / "queries.pickle"),
                                       _prepared_queries(reader, targets, 10), cycle=True)
            for setup in (feeder, reader):  # their idle keep-alive connections would count on one process
                setup.http.close()
            feed_figures, feed_cpu = None, 0.0
            if feed:
                warm = PreparedRequests(str(Path(work_dir) / "warm.pickle"), _prepared_feeds(feeder, world, 4 * threads))
                _load(origin, tls, warm, 60.0, threads, feed_accepted)
                feeds = PreparedRequests(str(Path(work_dir) / "feeds.pickle"), _prepared_feeds(feeder, world, PREPARED_FEEDS))
                cpu0 = _server_cpu(parent)
                feed_figures = _load(origin, tls, feeds, duration_s, threads, feed_accepted)
                feed_cpu = _server_cpu(parent) - cpu0
            tls = _tls(pki, reader)
            _load(origin, tls, queries, 1.0, max(threads, 8 * workers), query_answered)  # every process warm
            cpu0 = _server_cpu(parent)
            query_figures = _load(origin, tls, queries, duration_s, threads, query_answered)
            query_cpu = _server_cpu(parent) - cpu0
            parent.send("stop")
            journal = parent.recv() if parent.poll(90) else {}
    result: dict[str, Any] = {
        "service": "dmp", "threads": threads, "workers": workers, "registry_documents": documents,
        "bulk_seed_s": seeding["seed_s"], "seed_cached": seeding["cached"],
        "iti41_documents": 0, "iti41_errors": 0, "iti41_p50_ms": 0.0, "iti41_p99_ms": 0.0}
    if feed_figures is not None:
        done = max(feed_figures.requests, 1)
        result.update({"iti41_documents": feed_figures.requests, "iti41_errors": feed_figures.errors,
                       "iti41_documents_per_s": round(feed_figures.per_second, 1),
                       "iti41_server_cpu_ms": round(feed_cpu * 1000 / done, 2),
                       "iti41_p50_ms": round(feed_figures.percentile(50), 1),
                       "iti41_p99_ms": round(feed_figures.percentile(99), 1)})
    result.update({
        "iti18_queries": query_figures.requests, "iti18_errors": query_figures.errors,
        "iti18_per_s": round(query_figures.per_second, 1),
        "iti18_p50_ms": round(query_figures.percentile(50), 1),
        "iti18_p99_ms": round(query_figures.percentile(99), 1),
        "iti18_server_cpu_ms": round(query_cpu * 1000 / max(query_figures.requests, 1), 2),
        "iti18_mean_results": round(statistics.fmean(counts), 1) if counts else 0.0,
        **journal,
    })
    return result


def _tls(pki: Any, client: Any) -> dict[str, str]:
    chain, key = client.identity.tls_cert
    return {"cafile": requests_verify(pki), "certfile": chain, "keyfile": key}


def _load(origin: str, tls: dict[str, str], requests: PreparedRequests, seconds: float, threads: int,
          ok: Callable[[int, bytes], bool]) -> LoadResult:
    return http_load_process(origin, tls=tls, method="POST", threads=threads, duration_s=seconds,
                             request_factory=requests, ok=ok)


def run(quick: bool = False) -> dict[str, Any]:
    """Entry point of `python -m loadtests.bench dmp`."""
    workers = serving_workers()
    return bench_dmp(documents=10_000, duration_s=2.0, workers=workers) if quick else bench_dmp(workers=workers)


def table(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("registry", f"{result['registry_documents']} documents (loaded in {result['bulk_seed_s']} s"
                     f"{', cached' if result.get('seed_cached') else ''})"),
        ("ITI-41 (30 KB CDA, signed VIHF)", f"{result.get('iti41_documents_per_s', '-')} documents/s, p50 {result['iti41_p50_ms']} ms, "
                                           f"p99 {result['iti41_p99_ms']} ms, server CPU {result.get('iti41_server_cpu_ms', '-')} ms/document "
                                           f"({result['iti41_errors']} errors)"),
        ("ITI-18 FindDocuments", f"p50 {result['iti18_p50_ms']} ms, p99 {result['iti18_p99_ms']} ms, "
                                 f"{result['iti18_per_s']} req/s, server CPU {result.get('iti18_server_cpu_ms', '-')} ms/query, "
                                 f"{result['iti18_mean_results']} entries/response "
                                 f"({result['iti18_errors']} errors)"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="DMP load benchmark (ITI-41 and ITI-18 over 100,000 documents)")
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="processes serving the DMP (serve --workers)")
    args = parser.parse_args()
    result = bench_dmp(documents=args.documents, duration_s=args.duration, threads=args.threads, workers=args.workers)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    for label, value in table(result):
        print(f"{label}: {value}")


if __name__ == "__main__":
    main()
