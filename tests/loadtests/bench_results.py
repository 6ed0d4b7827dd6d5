"""A synthetic result set of one `bench all` run, for the goals and report tests (no measurement)."""

from __future__ import annotations

import copy
from typing import Any

PRODUCTION_FACTS = {"live_checks": True, "journal_durable": True, "journal_keep_bodies": True,
                    "journal_keep_secrets": False, "tls": True, "database": "sqlite"}


def _workload(label: str, bench: float, wiremock: dict[str, Any]) -> dict[str, Any]:
    return {"label": label, "bench": {"per_second": bench, "p99_ms": 5.0},
            "peers": {"wiremock": wiremock, "floor": {"per_second": bench * 2, "p99_ms": 1.0}}}


def _series(name: str, points: list[dict[str, Any]]) -> dict[str, Any]:
    from loadtests.bench_sizes import describe

    return {**describe(name), "points": points}


def synthetic() -> dict[str, Any]:
    facts = copy.deepcopy(PRODUCTION_FACTS)
    return {
        "machine": {"python": "3.11", "cpus": 2, "platform": "test"},
        "suites": {
            "ins": {"lookups_per_s": 120.0, "p99_ms": 9.0, "facts": facts,
                    "peers": {"workloads": [_workload("INSi lookups/s", 120.0, {"per_second": 100.0, "p99_ms": 3.0})]}},
            # 49.9 / 100 = 0.499: just below the 0.5 target
            "dmp": {"iti41_documents_per_s": 49.9, "registry_documents": 10_000, "facts": facts,
                    "peers": {"workloads": [_workload("DMP ITI-41 documents/s", 49.9, {"per_second": 100.0, "p99_ms": 2.0})]}},
            "ror": {"searches_per_s": 80.0, "p99_ms": 12.0, "volume": 20_000, "facts": facts,
                    "peers": {"workloads": [_workload("ROR searches/s", 80.0, {"unavailable": "Java absent de la machine"})]}},
            "mss": {"operator": {"accepted_per_s": 30.0, "smtp_p99_ms": 80.0,
                                 "facts": {**facts, "live_checks": False}},
                    "maildev": {"accepted_per_s": 20.0, "smtp_p99_ms": 30.0}},
            "journal": {"request": {"bare": {"per_second": 1000.0}, "journaled": {"per_second": 850.0}, "facts": facts}},
            "serve": {"warm_ready_s": 1.0, "facts": facts},
            "locust": {"users": 50, "p99_ms": 900.0, "errors": 0, "facts": facts},
            "sizes": {"series": {
                "dmp": _series("dmp", [
                    {"size": 10_000, "iti18_p50_ms": 4.0, "iti18_p99_ms": 9.0, "iti18_per_s": 300.0, "rss_mb": 150.0,
                     "seed_s": 3.0, "facts": facts},
                    {"size": 100_000, "iti18_p50_ms": 6.0, "iti18_p99_ms": 19.99, "iti18_per_s": 250.0,
                     "rss_mb": 180.0, "seed_s": 16.0, "facts": facts},
                    {"size": 1_000_000, "missing": True, "error": "RuntimeError: disque plein"}]),
                "ror": _series("ror", [
                    {"size": 2_000, "p50_ms": 5.0, "p99_ms": 11.0, "searches_per_s": 90.0, "rss_mb": 140.0, "seed_s": 1.0,
                     "facts": facts},
                    {"size": 20_000, "p50_ms": 9.0, "p99_ms": 30.01, "searches_per_s": 70.0, "seed_s": 4.0, "facts": facts},
                    {"size": 200_000, "missing": True, "skipped": "taille non mesurée en mode --quick"}]),
                "journal": _series("journal", [
                    {"size": 10_000, "journal_page_p99_ms": 30.0, "journal_middle_page_p99_ms": 20.0,
                     "dashboard_api_p99_ms": 60.0, "rss_mb": 80.0, "seed_s": 0.5, "facts": facts},
                    {"size": 100_000, "journal_page_p99_ms": 35.0, "journal_middle_page_p99_ms": 22.0,
                     "dashboard_api_p99_ms": 80.0, "rss_mb": 90.0, "seed_s": 5.0, "facts": facts},
                    {"size": 300_000, "missing": True, "error": "TimeoutError"},
                    {"size": 1_000_000, "journal_page_p99_ms": 40.0, "journal_middle_page_p99_ms": 25.0,
                     "dashboard_api_p99_ms": 300.0, "rss_mb": 95.0, "seed_s": 50.0, "facts": facts},
                    {"size": 3_000_000, "journal_page_p99_ms": 45.0, "journal_middle_page_p99_ms": 26.0,
                     "dashboard_api_p99_ms": 900.0, "rss_mb": 99.0, "seed_s": 150.0, "facts": facts}]),
            }},
        },
    }


def with_series(results: dict[str, Any]) -> dict[str, Any]:
    """What `bench.conclude` does before judging: the series at the top level."""
    return {**results, "series": results["suites"]["sizes"]["series"]}
