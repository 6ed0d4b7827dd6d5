"""Compact exchange rows: what the sequence view needs for one arrow, nothing more.

The live feed and the paged history both send these instead of `Exchange.to_json(bodies=False)`:
headers, summaries and caller attributes can weigh kilobytes per exchange, and a browser holding
tens of thousands of arrows must keep only what it draws (the detail panel fetches the rest).
"""

from __future__ import annotations

from typing import Any

from simulators.core.exchange import Exchange

# error > fail > warning > pass > skip > omit for an arrow: a check that did not apply (skip) must not
# grey out an exchange the other checks judged (an MSSanté send with its XDM checks "non applicable"
# looked inactive beside the green authentication). The reports keep conformance.outcomes' order.
# "warning" is a failed RECOMMANDATION.
_RANK = {"omit": 0, "skip": 0.5, "pass": 1, "warning": 2.5, "fail": 3, "error": 4}


def verdict_status(outcome: str, level: str) -> str:
    """A failed RECOMMANDATION is shown as a warning, as in the conformance reports."""
    return "warning" if outcome == "fail" and level == "RECOMMANDATION" else outcome


def worst_status(verdicts: list[dict[str, Any]]) -> str:
    """Colour of an arrow: the worst presented status among the checks that judged it ("skip" only when
    none applied), "none" when no live check ran."""
    worst = "none"
    for verdict in verdicts:
        status = verdict_status(str(verdict.get("outcome", "omit")), str(verdict.get("level", "")))
        if worst == "none" or _RANK.get(status, 0) > _RANK.get(worst, 0):
            worst = status
    return worst


def compact_row(data: dict[str, Any]) -> dict[str, Any]:
    """One arrow, from the JSON form of an exchange (as published on the event bus)."""
    verdicts = data.get("verdicts") or []
    caller = data.get("caller") or {}
    summary = data.get("summary") or {}
    return {
        "id": data.get("id", ""),
        "session": data.get("session", ""),
        "service": data.get("service", ""),
        "operation": data.get("operation", ""),
        "protocol": data.get("protocol", "http"),
        "t": data.get("started_at", 0.0),
        "ms": round(float(data.get("duration_ms") or 0.0), 1),
        "status": data.get("status", 0),
        "fault": data.get("fault", ""),
        "caller": caller.get("subject") or caller.get("kind", ""),
        "verdict": worst_status(verdicts),
        "failed": [v.get("message", "") for v in verdicts
                   if v.get("outcome") in ("fail", "error")][:3],
        "label": _label(summary),
    }


def _label(summary: dict[str, Any]) -> str:
    """A short hint drawn on the arrow, taken from the summary keys services commonly fill."""
    for key in ("label", "result", "code_cr", "cr", "code", "subject"):
        value = summary.get(key)
        if isinstance(value, (str, int)) and str(value):
            return str(value)[:60]
    return ""


def exchange_row(exchange: Exchange) -> dict[str, Any]:
    return compact_row(exchange.to_json(bodies=False))
