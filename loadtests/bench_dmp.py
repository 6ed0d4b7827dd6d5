"""DMP benchmark: ITI-41 documents per second (30 KB CDA, signed VIHF and signed lot, MTOM over
mutual TLS) and ITI-18 FindDocuments p50/p99 with 100,000 documents in the registry.

The registry is bulk-seeded straight into the tables before the server starts (simulators.dmp.bulk:
batched transactions, no checks), with small document bodies since only the registry is measured by the
queries; the ITI-41 phase then feeds real 30 KB CDA documents through the whole stack. The bench
runs in its own process (as under `serve`); load threads keep one TLS connection each.

    python -m loadtests.bench_dmp [--documents 100000] [--duration 8] [--threads 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from loadtests.production import production_bench, rss_mb, runtime_facts
from loadtests.common import percentile, spawned_server
from loadtests.seedcache import schema_digest, seeded_file, working_copy
from simulators.core.config import load_config
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


def _serve(work_dir: str, conn: Any, seed: int) -> None:  # pragma: no cover - child process

    pki = Pki.load(Path(work_dir) / "pki")
    config = load_config(None, data_dir=Path(work_dir) / "data", tls=True, seed=seed).ephemeral()
    with production_bench(config, [DmpSimulator()], pki=pki) as bench:
        conn.send(bench.url("dmp"))
        while conn.recv() == "cpu":  # the journal's live checks are part of each request's cost
            bench.runtime.journal.flush(60)
            conn.send(time.process_time())
        bench.runtime.journal.flush(60)
        conn.send({"journal_count": bench.runtime.journal.count(SESSION), "facts": runtime_facts(bench), **rss_mb()})


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



def _client(url: str, pki: Any, world: Any, professional: str) -> Any:
    return DmpClient(url, identity_for(pki, world, professional), verify=requests_verify(pki), session=SESSION)


def _feed_worker(client: Any, world: Any, deadline: float, latencies: list[float], errors: list[str]) -> None:
    body = b"%PDF-1.4\n" + os.urandom(CDA_BYTES * 3 // 4 - 40)  # ~30 KB once base64-encoded in the CDA
    while time.perf_counter() < deadline:
        spec = cda_for(world, "elise", "medecin-elise", "ordonnance", body=body)
        t = time.perf_counter()
        try:
            result = client.feed([(spec, ())])
        except Exception as exc:  # noqa: BLE001 - counted, not fatal
            errors.append(repr(exc))
            continue
        latencies.append(time.perf_counter() - t)
        if not result.ok:
            errors.append(result.errors[0].code if result.errors else result.status)


def _query_worker(client: Any, targets: list[tuple[str, str]], deadline: float, latencies: list[float],
                  errors: list[str], results: list[int], offset: int) -> None:
    n = offset
    while time.perf_counter() < deadline:
        ins, oid = targets[n % len(targets)]
        n += 1
        t = time.perf_counter()
        try:
            found = client.find_documents(ins, oid, extra={"$XDSDocumentEntryTypeCode": ["68817-6^^2.16.840.1.113883.6.1"]})
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
            continue
        latencies.append(time.perf_counter() - t)
        if found.errors:
            errors.append(found.errors[0].code)
        results.append(len(found.entries))


def _server_cpu(parent: Any) -> float:
    """The server process's CPU seconds so far, once its journal (and live checks) caught up."""
    parent.send("cpu")
    if not parent.poll(90):
        raise RuntimeError("the DMP bench did not report its CPU time within 90 s")
    return float(parent.recv())


def _threads(target: Any, args_for: Any, threads: int) -> None:
    workers = [threading.Thread(target=target, args=args_for(i)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def seeded_registry(documents: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The cached registry of `documents` entries (built once by `bulk_seed`, see loadtests/seedcache)."""
    probe = open_database("sqlite://")
    DmpStore(probe).create_tables()
    digest = schema_digest(probe.metadata, SEED_VERSION)
    probe.dispose()
    return seeded_file(f"dmp-{seed}", documents, digest,
                       lambda path: bulk_seed(f"sqlite:///{path}", seed, documents))


def bench_dmp(*, documents: int = 100_000, duration_s: float = 8.0, threads: int = 4, seed: int = 20261122,
              feed: bool = True) -> dict[str, Any]:
    """Run both phases (`feed=False`: ITI-18 only, for the cost-against-size series); returns
    documents/s, FindDocuments p50/p99 (ms), counts, the server's RSS. Default ~50 s."""
    world = build_world(seed)
    with tempfile.TemporaryDirectory(prefix="bench-dmp-") as work_dir:
        pki = make_test_pki(Path(work_dir) / "pki")
        cached, seeding = seeded_registry(documents, seed)
        working_copy(cached, Path(work_dir) / "data" / "bench.db")
        with spawned_server(_serve, work_dir, seed) as parent:
            if not parent.poll(90):
                raise RuntimeError("the DMP bench did not start within 90 s")
            url = parent.recv()
            feeders = [_client(url, pki, world, "medecin-elise") for _ in range(threads)]
            readers = [_client(url, pki, world, "pmi-medecin") for _ in range(threads)]
            targets = [(p.known_ins.value, p.known_ins.oid) for p in (world.person(i) for i in QUERY_PATIENTS)]
            for ins, oid in targets:
                readers[0].set_authorization(ins, oid)
            feed_lat: list[float] = []
            feed_err: list[str] = []
            feed_elapsed = 0.0
            feed_cpu = 0.0
            if feed:
                _threads(_feed_worker, lambda i: (feeders[i], world, time.perf_counter() + 1.0, [], []), threads)
                cpu0 = _server_cpu(parent)
                started = time.perf_counter()
                deadline = started + duration_s
                _threads(_feed_worker, lambda i: (feeders[i], world, deadline, feed_lat, feed_err), threads)
                feed_elapsed = time.perf_counter() - started
                feed_cpu = _server_cpu(parent) - cpu0
            q_lat: list[float] = []
            q_err: list[str] = []
            counts: list[int] = []
            _threads(_query_worker, lambda i: (readers[i], targets, time.perf_counter() + 1.0, [], [], [], i), threads)
            cpu0 = _server_cpu(parent)
            started = time.perf_counter()
            deadline = started + duration_s
            _threads(_query_worker, lambda i: (readers[i], targets, deadline, q_lat, q_err, counts, i), threads)
            query_elapsed = time.perf_counter() - started
            query_cpu = _server_cpu(parent) - cpu0
            parent.send("stop")
            journal = parent.recv() if parent.poll(90) else {}
    return {
        "service": "dmp", "threads": threads, "registry_documents": documents, "bulk_seed_s": seeding["seed_s"],
        "seed_cached": seeding["cached"], "iti41_documents": len(feed_lat), "iti41_errors": len(feed_err),
        **({"iti41_documents_per_s": round(len(feed_lat) / feed_elapsed, 1)} if feed else {}),
        **({"iti41_server_cpu_ms": round(feed_cpu * 1000 / len(feed_lat), 2)} if feed_lat else {}),
        "iti41_p50_ms": round(percentile(feed_lat, 0.5) * 1000, 1),
        "iti41_p99_ms": round(percentile(feed_lat, 0.99) * 1000, 1),
        "iti18_queries": len(q_lat), "iti18_errors": len(q_err),
        "iti18_per_s": round(len(q_lat) / query_elapsed, 1),
        "iti18_p50_ms": round(percentile(q_lat, 0.5) * 1000, 1),
        "iti18_p99_ms": round(percentile(q_lat, 0.99) * 1000, 1),
        **({"iti18_server_cpu_ms": round(query_cpu * 1000 / len(q_lat), 2)} if q_lat else {}),
        "iti18_mean_results": round(statistics.fmean(counts), 1) if counts else 0.0,
        **journal,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Entry point of `python -m loadtests.bench dmp`."""
    return bench_dmp(documents=10_000, duration_s=2.0) if quick else bench_dmp()


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
    args = parser.parse_args()
    result = bench_dmp(documents=args.documents, duration_s=args.duration, threads=args.threads)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    for label, value in table(result):
        print(f"{label}: {value}")


if __name__ == "__main__":
    main()
