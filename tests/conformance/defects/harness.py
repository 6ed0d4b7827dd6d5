"""The seeded-defect harness: one real bench per test process, one fresh session per defect, one verdict.

A defect is a realistic mistake of a vendor's DUI (a junior developer's: traits, dates, OIDs, headers,
VIHF attributes, metadata pairs, MIME structure, receipts, paging, tokens), made by the reference
clients with one thing changed or written on the wire, against the real simulators over real
sockets (TLS, mutual TLS). The session is then judged with the default registry exactly as
``socle-bench check`` judges it, and the defect must be caught with the requirement id it breaks.

Every judged defect is recorded on the test (``user_properties``) so the run ends with the count and
the catch rate per service (``summary.py``), also under xdist.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Callable

from simulators.identities.world import World, build_world

from conformance.drivers.base import BenchTarget
from conformance.drivers.local_bench import DEFAULT_SEED, LocalBench, pki_credentials, target_for
from conformance.evaluate import build_report
from conformance.registry import CheckRegistry, default_registry
from conformance.report import Report
from conformance.requirements import load_catalogue
from conformance.sources import fetch_exchanges

_counter = itertools.count(1)
PROPERTY = "seeded_defect"


def judging_registry() -> CheckRegistry:
    """The default registry (what ``socle-bench check`` uses), every shipped check set included."""
    registry = default_registry()
    from conformance import checks_dmp  # registered by default once issue 14 is merged; harmless after

    for check in checks_dmp.checks():
        if registry.get(check.id) is None:
            registry.add(check)
    return registry


@dataclass
class Verdict:
    report: Report

    @property
    def statuses(self) -> dict[str, str]:
        return {v.requirement.id: v.status for v in self.report.requirements}

    def failed(self) -> list[str]:
        return sorted(i for i, s in self.statuses.items() if s in ("fail", "error", "warning"))

    def messages(self, requirement_id: str) -> list[str]:
        return [r.message for v in self.report.requirements if v.requirement.id == requirement_id for r in v.results
                if r.outcome.value != "pass"]

    def explain(self) -> str:
        lines = []
        for v in self.report.requirements:
            lines.extend(f"{v.requirement.id} {v.status} {r.check}: {r.message[:200]}"
                         for r in v.results if r.outcome.value not in ("pass",))
        return "\n".join(lines)


class DefectBench:
    """A started bench plus what a DUI needs to talk to it (credentials, world, fresh sessions)."""

    def __init__(self, local: LocalBench, world: World | None = None) -> None:
        self.local = local
        self.admin_url = local.admin_url
        self.credentials = pki_credentials(local.pki)
        self.world = world or build_world(DEFAULT_SEED)
        self.registry = judging_registry()
        self.catalogue = load_catalogue().merged(self.registry.requirements)

    @property
    def pki(self) -> Any:
        return self.local.pki

    def session(self, prefix: str = "defaut") -> str:
        return f"{prefix}-{os.getpid()}-{next(_counter)}"

    def target(self, session: str) -> BenchTarget:
        return target_for(self.admin_url, session, world=self.world, credentials=self.credentials)

    def url(self, endpoint: str, session: str, path: str = "") -> str:
        return self.target(session).session_url(endpoint, path)

    def wait_for_exchanges(self, session: str, timeout_s: float = 5.0) -> int:
        """SMTP/IMAP exchanges are journaled by the mail server's loop: wait until the count settles."""
        import time

        import requests

        deadline, last, stable = time.monotonic() + timeout_s, -1, 0
        while time.monotonic() < deadline and stable < 3:
            info = requests.get(f"{self.admin_url}/_bench/sessions/{session}", timeout=5)
            count = info.json().get("exchanges", 0) if info.status_code == 200 else 0
            stable = stable + 1 if count == last and count > 0 else 0
            last = count
            time.sleep(0.05)
        return max(last, 0)

    def judge(self, session: str, services: tuple[str, ...] | None = None) -> Verdict:
        exchanges = fetch_exchanges(self.admin_url, session=session, services=list(services) if services else None)
        report = build_report(session=session, exchanges=exchanges, registry=self.registry,
                              catalogue=self.catalogue, services=list(services) if services else None,
                              source=self.admin_url)
        return Verdict(report)


def record(node: Any, *, service: str, defect: str, expected: str, verdict: Verdict) -> bool:
    """Store the outcome of one seeded defect on the test item; True when caught with the expected id."""
    status = verdict.statuses.get(expected, "omit")
    caught = status in ("fail", "warning", "error")
    node.user_properties.append((PROPERTY, json.dumps({
        "service": service, "defect": defect, "expected": expected, "status": status, "caught": caught,
        "also_failed": [i for i in verdict.failed() if i != expected]})))
    return caught


def assert_caught(node: Any, bench: DefectBench, session: str, *, service: str, defect: str, expected: str,
                  services: tuple[str, ...] | None = None) -> Verdict:
    verdict = bench.judge(session, services)
    caught = record(node, service=service, defect=defect, expected=expected, verdict=verdict)
    assert caught, (f"défaut « {defect} » non détecté par {expected} "
                    f"(statut {verdict.statuses.get(expected, 'omit')}):\n{verdict.explain()}")
    return verdict


Defect = Callable[..., Any]
__all__ = ["PROPERTY", "DefectBench", "Path", "Verdict", "assert_caught", "judging_registry", "record"]
