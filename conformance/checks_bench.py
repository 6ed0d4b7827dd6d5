"""``bench@`` checks: protocol hygiene that applies to every service, whatever the socle API."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence

from simulators.core.exchange import Exchange

from conformance.checks import LIVE, SESSION, Check, Finding, expect_true, skip
from conformance.outcomes import Outcome

MALFORMED_HTTP = frozenset({400, 405, 411, 413, 414, 415, 431})
BURST_MAX = 3
BURST_WINDOW_S = 10.0
RETRY_MIN_DELAY_S = 1.0


def response_produced(exchange: Exchange) -> str:
    if exchange.fault:
        skip(f"panne injectée volontairement ({exchange.fault}) : l'absence de réponse est attendue")
    expect_true(exchange.status != 0, "attendu une réponse du simulateur, obtenu aucune (statut 0)")
    return f"réponse {exchange.status}"


def request_well_formed(exchange: Exchange) -> str:
    if exchange.fault:
        skip(f"panne injectée volontairement ({exchange.fault}) : la réponse ne juge pas la requête")
    expect_true(
        exchange.status not in MALFORMED_HTTP,
        f"attendu une requête acceptée au niveau HTTP, obtenu le statut {exchange.status}",
        evidence=[str(exchange.status)],
    )
    return f"statut {exchange.status}"


def content_type_declared(exchange: Exchange) -> str:
    declared = {name.lower(): value for name, value in exchange.request_headers.items()}.get("content-type", "")
    expect_true(bool(declared.strip()), "attendu un en-tête Content-Type pour un corps de requête, obtenu aucun")
    return f"Content-Type: {declared}"


def _identity(exchange: Exchange) -> tuple[str, str, str, str, str]:
    digest = hashlib.sha256(exchange.request_body).hexdigest()
    return (exchange.service, exchange.operation, exchange.method, exchange.path, digest)


def no_identical_burst(exchanges: Sequence[Exchange]) -> Iterable[Finding]:
    groups: dict[tuple[str, ...], list[Exchange]] = defaultdict(list)
    for exchange in exchanges:
        if exchange.protocol in ("http", "smtp"):
            groups[_identity(exchange)].append(exchange)
    findings = []
    for group in groups.values():
        burst = _first_burst(sorted(group, key=lambda e: e.started_at))
        if burst:
            span = burst[-1].started_at - burst[0].started_at
            findings.append(Finding(
                Outcome.FAIL,
                f"attendu au plus {BURST_MAX} envois identiques en {BURST_WINDOW_S:g} s, "
                f"obtenu {len(burst)} envois identiques ({burst[0].operation}) en {span:.1f} s",
                tuple(e.id for e in burst),
            ))
    return findings or [Finding(Outcome.PASS, f"aucune rafale de plus de {BURST_MAX} requêtes identiques")]


def _first_burst(ordered: list[Exchange]) -> list[Exchange]:
    start = 0
    for end, exchange in enumerate(ordered):
        while exchange.started_at - ordered[start].started_at > BURST_WINDOW_S:
            start += 1
        if end - start + 1 > BURST_MAX:
            window = [e for e in ordered[start:] if e.started_at - ordered[start].started_at <= BURST_WINDOW_S]
            return window
    return []


def _service_failed(exchange: Exchange) -> bool:
    return exchange.protocol == "http" and (exchange.status == 0 or exchange.status >= 500)


def backoff_after_error(exchanges: Sequence[Exchange]) -> Iterable[Finding]:
    """The retry of a failed call is the next call of the same operation by the same caller."""
    calls: dict[tuple[str, str, str], list[Exchange]] = defaultdict(list)
    for exchange in sorted(exchanges, key=lambda e: (e.started_at, e.id)):
        calls[(exchange.service, exchange.operation, exchange.caller.subject)].append(exchange)
    failures, findings = 0, []
    for sequence in calls.values():
        for failed, retry in zip(sequence, [*sequence[1:], None], strict=True):
            if not _service_failed(failed):
                continue
            failures += 1
            if retry is None:
                continue
            delay = retry.started_at - (failed.started_at + failed.duration_ms / 1000.0)
            if delay < RETRY_MIN_DELAY_S:
                findings.append(Finding(
                    Outcome.FAIL,
                    f"attendu une relance de {failed.operation} au moins {RETRY_MIN_DELAY_S:g} s après "
                    f"l'erreur {failed.status}, obtenu une relance après {max(delay, 0.0):.2f} s",
                    (failed.id, retry.id),
                ))
    if not failures:
        skip("aucune erreur du service (5xx ou absence de réponse) observée : rien à juger")
    return findings or [Finding(Outcome.PASS, f"{failures} erreur(s) du service, relances espacées")]


def _http(exchange: Exchange) -> bool:
    return exchange.protocol == "http"


def _http_with_body(exchange: Exchange) -> bool:
    return exchange.protocol == "http" and bool(exchange.request_body)


def checks() -> list[Check]:
    return [
        Check("bench.response-produced", "*", LIVE, ("bench@1",), response_produced,
              "Chaque requête reçoit une réponse"),
        Check("bench.request-well-formed", "*", LIVE, ("bench@2",), request_well_formed,
              "Requête HTTP bien formée", applies=_http),
        Check("bench.content-type-declared", "*", LIVE, ("bench@3",), content_type_declared,
              "Content-Type déclaré pour un corps", applies=_http_with_body),
        Check("bench.no-identical-burst", "*", SESSION, ("bench@4",), no_identical_burst,
              "Pas de rafale de requêtes identiques"),
        Check("bench.backoff-after-error", "*", SESSION, ("bench@5",), backoff_after_error,
              "Délai avant relance après une erreur du service"),
    ]
