"""Machine-readable report, validated by ``conformance/report.schema.json``.

The schema is versioned (``schema_version``, semantic: a minor bump only adds optional fields, a
major bump may break consumers), documented in ``conformance/README.md``. Bodies are left out: the
evidence bundle carries the raw exchanges.
"""

from __future__ import annotations

import json
from datetime import datetime, UTC
from typing import Any

from simulators.core.exchange import Exchange

from conformance.report import REPORT_SCHEMA_VERSION, Report, verdict_to_json

SCHEMA_ID = "https://socle-bench.example/conformance/report.schema.json"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def report_to_json(report: Report) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_ID,
        "schema_version": REPORT_SCHEMA_VERSION,
        "session": report.session,
        "services": list(report.services),
        "source": report.source,
        "since": report.since,
        "generated_at": _iso(report.generated_at),
        "bench_version": report.bench_version,
        "catalogue_version": report.catalogue_version,
        "outcome": report.outcome.value,
        "conformant": not report.blocking,
        "exit_code": report.exit_code,
        "counts": report.counts(),
        "summary": report.summary_json(),
        "requirements": [verdict_to_json(v) for v in report.requirements],
        "exchanges": [_exchange_json(e) for e in report.exchanges],
    }


def _exchange_json(exchange: Exchange) -> dict[str, Any]:
    return {
        "id": exchange.id,
        "session": exchange.session,
        "service": exchange.service,
        "operation": exchange.operation,
        "protocol": exchange.protocol,
        "started_at": _iso(exchange.started_at),
        "duration_ms": exchange.duration_ms,
        "method": exchange.method,
        "path": exchange.path,
        "status": exchange.status,
        "fault": exchange.fault,
        "caller": {"kind": exchange.caller.kind, "subject": exchange.caller.subject,
                   "issuer": exchange.caller.issuer},
        "request_size": len(exchange.request_body),
        "response_size": len(exchange.response_body),
    }


class JsonReporter:
    name = "json"
    filename = "rapport.json"

    def render(self, report: Report) -> str:
        return json.dumps(report_to_json(report), ensure_ascii=False, indent=2) + "\n"
