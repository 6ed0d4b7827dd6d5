"""Builders for synthetic exchanges and reports used across the conformance tests."""

from __future__ import annotations

import itertools
from typing import Any

from simulators.core.exchange import Caller, Exchange

from conformance.checks import LIVE, SESSION, Check, CheckResult
from conformance.outcomes import Outcome
from conformance.registry import CheckRegistry
from conformance.report import Report, RequirementVerdict
from conformance.requirements import Catalogue, Requirement, parse_catalogue

T0 = 1_790_000_000.0
_ids = itertools.count(1)


def make_exchange(**fields: Any) -> Exchange:
    """An echo exchange by default; every field can be overridden. Ids are unique and sortable."""
    body = fields.pop("body", b"BONJOUR")
    defaults: dict[str, Any] = {
        "id": f"{next(_ids):032x}", "session": "s1", "service": "echo", "operation": "echo", "started_at": T0,
        "duration_ms": 3.0, "method": "POST", "path": "/s/s1/echo", "request_headers": {"Content-Type": "text/plain"},
        "request_body": body, "status": 200, "response_headers": {"Content-Type": "text/plain"}, "response_body": body,
        "summary": {"length": len(body), "text": body.decode("utf-8", "replace")[:200]},
        "caller": Caller(kind="anonymous"),
    }
    defaults.update(fields)
    return Exchange(**defaults)


CATALOGUE_CSV = """id,service,level,text,source,untested
demo@1,echo,EXIGENCE,Exigence un,demo.md §1,
demo@2,echo,RECOMMANDATION,Recommandation deux,demo.md §2,
demo@3,echo,EXIGENCE,Exigence trois <script>alert('x')</script>,demo.md §3,
demo@4,echo,EXIGENCE,Exigence non testée,demo.md §4,Non observable sur le fil.
"""


def demo_catalogue() -> Catalogue:
    return parse_catalogue(CATALOGUE_CSV, origin="demo.csv")


def requirement(rid: str = "demo@1", level: str = "EXIGENCE", service: str = "echo") -> Requirement:
    return Requirement(rid, service, level, f"texte {rid}", "demo.md §1")


def result(outcome: Outcome, rid: str = "demo@1", *, exchange_ids: list[str] | None = None,
           level: str = "EXIGENCE", message: str = "", evidence: list[str] | None = None) -> CheckResult:
    return CheckResult(check=f"check.{outcome.value}", outcome=outcome, requirements=[rid],
                       message=message or f"attendu X, obtenu {outcome.value}", exchange_ids=exchange_ids or [],
                       level=level, service="echo", evidence=evidence or [])


def report_with(verdicts: list[RequirementVerdict], exchanges: list[Exchange] | None = None) -> Report:
    results = [r for v in verdicts for r in v.results]
    return Report(session="s1", services=["echo"], source="journal.jsonl", generated_at=T0,
                  bench_version="0.1.0", catalogue_version="sha256:" + "0" * 64, requirements=verdicts,
                  results=results, exchanges=exchanges or [])


def one_check_registry(function: Any, *, kind: str = LIVE, rid: str = "demo@1", **kwargs: Any) -> CheckRegistry:
    registry = CheckRegistry()
    registry.add(Check(f"demo.{function.__name__}", kwargs.pop("service", "echo"), kind, (rid,), function, **kwargs))
    return registry


__all__ = [
    "LIVE",
    "SESSION",
    "T0",
    "demo_catalogue",
    "make_exchange",
    "one_check_registry",
    "report_with",
    "requirement",
    "result",
]
