"""A refusal recorded on the exchange: the simulator said no, and says why, in a structured way.

Every service's error boundary calls :func:`record_refusal` when it answers with the protocol's own
error (SOAP Fault, XDS RegistryError, SMTP 5xx, FHIR OperationOutcome, OAuth error). The conformance
engine maps ``(service, code)`` to the requirement ids the refusal breaks
(``conformance/refusals.py``), so a request the simulator refused can never yield a green report.

``origin`` says who is to blame: ``dui`` (the software under test sent something wrong), ``injected``
(a fault the bench injected on purpose: not the DUI's fault) or ``bench`` (the simulator itself
failed). The middleware turns a refusal into ``injected`` when the request's fault decision was one.
"""

from __future__ import annotations

from typing import Any

REFUSAL_KEY = "refusal"
ORIGINS = ("dui", "injected", "bench")


def record_refusal(summary: dict[str, Any], code: str, message: str, *, origin: str = "dui",
                   expected: str = "", got: str = "") -> None:
    """Keep the first refusal of the request (the one that decided the answer)."""
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, got {origin!r}")
    if REFUSAL_KEY in summary:
        return
    diagnosis = message
    if expected or got:
        diagnosis = f"{message} : attendu {expected or '—'}, obtenu {got or '—'}"
    summary[REFUSAL_KEY] = {"code": code, "message": diagnosis[:500], "origin": origin}


def mark_injected(summary: dict[str, Any], label: str) -> None:
    """The request's answer was an injected fault: whatever refusal was recorded is the bench's doing."""
    refusal = summary.get(REFUSAL_KEY)
    if refusal is None:
        summary[REFUSAL_KEY] = {"code": "injected", "message": f"défaut injecté : {label}", "origin": "injected"}
    else:
        refusal["origin"] = "injected"


def refusal_of(summary: dict[str, Any]) -> dict[str, Any] | None:
    refusal = summary.get(REFUSAL_KEY) if isinstance(summary, dict) else None
    return refusal if isinstance(refusal, dict) and refusal.get("code") else None


def refuse_in(environ: dict[str, Any], code: str, message: str, *, origin: str = "dui") -> None:
    """Record a refusal on the request being served (views that only hold the WSGI environ)."""
    ctx = environ.get("socle.ctx")  # service.ENVIRON_KEY (not imported: service.py imports this module)
    if ctx is not None:
        record_refusal(ctx.summary, code, message, origin=origin)
