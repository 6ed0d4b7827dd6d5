"""`ror@` checks over real exchanges: the reference client passes, a careless DUI fails each rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import requests

from conformance.checks import run_check
from conformance.checks_ror import checks
from conformance.outcomes import Outcome
from conformance.requirements import load_catalogue
from simulators.core.bench import Bench
from simulators.core.journal import ExchangeQuery
from simulators.core.tls import requests_cert, requests_verify
from simulators.ror.client import RorApiClient, token
from simulators.ror.model import nos
from tests.ror.conftest import HEADERS, urls


def verdicts(bench: Bench, session: str) -> dict[str, set[Outcome]]:
    journal = bench.runtime.journal
    journal.flush()
    exchanges = journal.query(ExchangeQuery(session=session, service="ror", limit=5000))
    outcomes: dict[str, set[Outcome]] = defaultdict(set)
    for check in checks():
        if check.kind == "live":
            for exchange in [e for e in exchanges if check.applies_to(e)]:
                outcomes[check.id] |= {f.outcome for f in run_check(check, exchange, [exchange.id])}
        else:
            outcomes[check.id] |= {f.outcome for f in run_check(check, exchanges, [])}
    return outcomes


def test_every_check_cites_a_known_requirement() -> None:
    from pathlib import Path

    catalogue = load_catalogue(Path(__file__).parents[2] / "conformance" / "requirements.csv")
    known = {r.id for r in catalogue}
    cited = {rid for check in checks() for rid in check.requirements}
    assert cited <= known
    assert {f"ror@{n}" for n in range(1, 10)} <= cited


def test_reference_client_passes(ror_bench: Bench, client: RorApiClient, session_name: str) -> None:
    client.find_offers(establishment_category="177", age=15, near_commune="93048", radius_km=30, with_places=True)
    client.find_offers(offer_type="61", age=3, near_commune="93064", radius_km=15)
    client.search("HealthcareService", [("_count", "5"), ("service-type", token("TRE_R227-ChampActivite", "04"))])
    outcomes = verdicts(ror_bench, session_name)
    failing = {cid: o for cid, o in outcomes.items() if Outcome.FAIL in o or Outcome.ERROR in o}
    assert not failing
    for cid in ("ror.bearer-valid", "ror.headers", "ror.full-tokens", "ror.offer-type-vs-category", "ror.age-pair",
                "ror.include-hierarchy", "ror.next-links"):
        assert Outcome.PASS in outcomes[cid], cid


def test_careless_dui_fails_each_rule(ror_bench: Bench, pki, session_name: str,
                                      client_factory: Callable[..., RorApiClient]) -> None:
    _, base, token_url = urls(ror_bench, session_name)
    verify = requests_verify(pki)

    def new_token() -> str:
        form = {"grant_type": "client_credentials", "client_id": "bench-profil-0", "client_secret": "secret-profil-0"}
        return requests.post(token_url, data=form, verify=verify, timeout=10).json()["access_token"]

    def get(path: str, params: list[tuple[str, str]], headers: dict | None = None) -> requests.Response:
        return requests.get(f"{base}/{path}", params=params, verify=verify, timeout=10,
                            headers=headers if headers is not None else {"Authorization": f"Bearer {new_token()}",
                                                                          **HEADERS})

    get("HealthcareService", [("service-category", "61")])  # bare code, and a fresh token every call
    get("HealthcareService", [("service-category", f"{nos('TRE_R66-CategorieEtablissement')}|177")])
    get("HealthcareService", [("age-range-low", "15"), ("age-range-high", "15")])
    get("HealthcareService", [("_include", "HealthcareService:organization"), ("_include", "Organization:partof")])
    get("HealthcareService", [("__include", "HealthcareService:organization")])
    get("HealthcareService", [("_count", "3")])  # never follows next
    no_role = {"Authorization": f"Bearer {new_token()}", **HEADERS}
    del no_role["Ror-Role-Metier-System"]
    get("Organization", [], headers=no_role)
    get("HealthcareService", [("service-category", token("TRE_R244-CategorieOrganisation", "24"))])
    for org in ("ehpad-les-volcans", "ehpad-la-roseraie", "ehpad-le-clos-fleuri"):
        get(f"Organization/{org}", [])  # N+1 reads after a search without _include
    requests.post(token_url, data={"grant_type": "client_credentials", "client_id": "bench-profil-2",
                                   "client_secret": "x"}, cert=requests_cert(pki, "org-auth-cli"), verify=verify,
                  timeout=10)
    outcomes = verdicts(ror_bench, session_name)
    for cid in ("ror.token-request", "ror.token-reused", "ror.headers", "ror.full-tokens",
                "ror.offer-type-vs-category", "ror.age-pair", "ror.include-hierarchy", "ror.next-links",
                "ror.no-n-plus-one"):
        assert Outcome.FAIL in outcomes[cid], cid
    assert not any(Outcome.ERROR in o for o in outcomes.values())


def test_query_read_once_per_exchange_and_again_when_the_request_differs() -> None:
    from conformance.checks_ror import CRITERIA_MEMO, criteria, query_pairs
    from simulators.core.exchange import Exchange

    def search(path: str) -> Exchange:
        return Exchange(session="s", service="ror", operation="search-HealthcareService", started_at=0.0, method="GET",
                        path=path, status=200)

    good = "/fhir/HealthcareService?service-category=" + nos("TRE_R244-CategorieOrganisation").replace(":", "%3A") \
        + "%7C21&age-range-low=le82&age-range-high=ge82&_include=HealthcareService:location"
    bare = "/fhir/HealthcareService?service-category=21&age-range-low=82"
    exchange = search(good)
    first = criteria(exchange)
    assert CRITERIA_MEMO in exchange.decoded and criteria(exchange) is first  # read once, shared by the checks
    assert first == criteria(search(good)) and query_pairs(exchange) == query_pairs(search(good))
    by_check = {c.id: c for c in checks()}
    memo_free = {cid: [f.outcome for f in run_check(by_check[cid], search(bare), ["x"])]
                 for cid in ("ror.full-tokens", "ror.age-pair")}
    exchange.path = bare  # the same record with another request line is read again, not taken from the memo
    assert criteria(exchange) == criteria(search(bare)) != first
    assert {cid: [f.outcome for f in run_check(by_check[cid], exchange, ["x"])] for cid in memo_free} == memo_free
    assert memo_free == {"ror.full-tokens": [Outcome.FAIL], "ror.age-pair": [Outcome.FAIL]}
