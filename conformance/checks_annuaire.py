"""``annuaire@`` checks: how a DUI uses the Annuaire Santé FHIR API v2 (mss.md §5), from the HTTP exchanges."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from simulators.core.exchange import Exchange

from conformance.checks import LIVE, SESSION, Check, Finding, expect_true, skip
from conformance.outcomes import Outcome

RATE_LIMIT_PER_S = 17


def _is_directory_call(exchange: Exchange) -> bool:
    return exchange.service == "annuaire" and exchange.protocol == "http"


def api_key(exchange: Exchange) -> str:
    """Read from the request itself: the summary only says it on the routes the simulator serves."""
    sent = any(name.lower() == "esante-api-key" and str(value).strip() for name, value in exchange.request_headers.items())
    expect_true(sent or bool(exchange.summary.get("api_key")), "attendu l'en-tête ESANTE-API-KEY, obtenu absent",
                exchanges=[exchange])
    return "clé d'API présente"


def read_only_v2(exchange: Exchange) -> str:
    path = exchange.path.split("?")[0]
    expect_true("/fhir/v2/" in path + "/", f"attendu l'API FHIR v2 (/fhir/v2), obtenu {path}", exchanges=[exchange])
    allowed = exchange.method == "GET" or (exchange.method == "POST" and path.endswith("/_search"))
    expect_true(allowed, f"attendu GET ou POST …/_search, obtenu {exchange.method} {path}", exchanges=[exchange])
    return f"{exchange.method} {path}"


def rate_limit(exchanges: Sequence[Exchange]) -> Iterable[Finding]:
    calls = sorted((e for e in exchanges if _is_directory_call(e)), key=lambda e: e.started_at)
    if not calls:
        skip("aucun appel à l'Annuaire Santé")
    start = 0
    for end, call in enumerate(calls):
        while call.started_at - calls[start].started_at >= 1.0:
            start += 1
        if end - start + 1 > RATE_LIMIT_PER_S:
            window = calls[start:end + 1]
            return [Finding(Outcome.FAIL, f"attendu au plus {RATE_LIMIT_PER_S} appels par seconde, obtenu "
                                          f"{len(window)} en moins d'une seconde", tuple(e.id for e in window))]
    return [Finding(Outcome.PASS, f"{len(calls)} appel(s), jamais plus de {RATE_LIMIT_PER_S} par seconde")]


def directory_search_params(exchanges: Sequence[Exchange]) -> str:
    searches = [e for e in exchanges if _is_directory_call(e) and e.operation.endswith(".search")]
    if not searches:
        skip("aucune recherche dans l'Annuaire Santé")
    used = [e for e in searches if {"mailbox-mss", "identifier"} & {p.split(":")[0] for p in e.summary.get("params", [])}]
    expect_true(bool(used), "attendu une recherche par mailbox-mss ou identifier, obtenu seulement "
                f"{sorted({p for e in searches for p in e.summary.get('params', [])})}", exchanges=searches[:5])
    return f"{len(used)} recherche(s) par mailbox-mss/identifier"


def follows_next_links(exchanges: Sequence[Exchange]) -> str:
    searches = sorted((e for e in exchanges if _is_directory_call(e) and e.operation.endswith(".search")),
                      key=lambda e: e.started_at)
    # first pages only: a DUI may stop once it found what it looked for, but must know pages exist
    paged = [e for e in searches if e.summary.get("offset", 0) == 0
             and e.summary.get("total", 0) > e.summary.get("returned", 0)]
    if not paged:
        skip("aucune réponse paginée")
    for first in paged:
        wanted = first.summary.get("offset", 0) + first.summary.get("returned", 0)
        follow = [e for e in searches if e.started_at > first.started_at and e.operation == first.operation
                  and e.summary.get("offset") == wanted]
        expect_true(bool(follow), f"attendu la lecture de la page suivante (lien next, _offset={wanted}), obtenu aucune",
                    exchanges=[first])
    return f"{len(paged)} pagination(s) suivie(s)"


def checks() -> list[Check]:
    return [
        Check("annuaire.api-key", "annuaire", LIVE, ("annuaire@1",), api_key, "En-tête ESANTE-API-KEY",
              applies=_is_directory_call),
        Check("annuaire.read-only-v2", "annuaire", LIVE, ("annuaire@2",), read_only_v2, "API v2 en lecture",
              applies=_is_directory_call),
        Check("annuaire.rate-limit", "annuaire", SESSION, ("annuaire@3",), rate_limit, "17 appels par seconde"),
        Check("annuaire.search-params", "annuaire", SESSION, ("annuaire@4",), directory_search_params,
              "Recherche par mailbox-mss ou identifier"),
        Check("annuaire.next-links", "annuaire", SESSION, ("annuaire@5",), follows_next_links, "Liens next suivis"),
    ]
