"""Seeded Annuaire santé defects: API key, API version and read-only use, rate limit, search parameters, paging.

The baseline is the reference DUI's lookup (``conformance.drivers.reference_mss.AnnuairePart``): GET on
``/fhir/v2`` with ESANTE-API-KEY, by mailbox-mss or identifier.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

import pytest
import requests

from conformance.drivers.reference_mss import API_KEY
from features.steps.cast import Cast
from tests.conformance.defects.harness import DefectBench, assert_caught


class Kit:
    def __init__(self, bench: DefectBench) -> None:
        cast = Cast(bench.world, "elise")
        self.bench = bench
        self.reader = cast.professional("l'assistante sociale référente ASE").mss_address
        self.idnst = cast.establishment("la MECS Les Tilleuls").idnst
        self.http = requests.Session()

    def base(self, session: str, version: str = "/fhir/v2") -> str:
        return self.bench.target(session).session_url("annuaire", version)

    def get(self, session: str, resource: str, params: dict[str, str] | None = None, *, method: str = "GET",
            key: str | None = API_KEY, version: str = "/fhir/v2", url: str | None = None) -> requests.Response:
        headers = {"Accept": "application/fhir+json"}
        if key is not None:
            headers["ESANTE-API-KEY"] = key
        return self.http.request(method, url or f"{self.base(session, version)}/{resource}", params=params,
                                 headers=headers, verify=self.bench.credentials.trust_bundle, timeout=30)


def all_pages(kit: Kit, session: str) -> None:
    reply = kit.get(session, "PractitionerRole", {"active": "true", "_count": "20"}).json()  # few pages: 17 calls/s max
    for _ in range(100):
        following = next((link["url"] for link in reply.get("link", []) if link.get("relation") == "next"), None)
        if following is None:
            return
        reply = kit.get(session, "", url=following).json()


def call(resource: str = "PractitionerRole", params: dict[str, str] | None = None, **get: Any
         ) -> Callable[[Kit, str], None]:
    def defect(kit: Kit, session: str) -> None:
        kit.get(session, resource, params if params is not None else {"mailbox-mss": kit.reader}, **get)
    return defect


def burst(kit: Kit, session: str) -> None:
    """40 lookups fired at once by 10 workers (a DUI refreshing a whole address book): far above 17 per second
    even on a loaded machine."""
    from concurrent.futures import ThreadPoolExecutor

    url = f"{kit.base(session)}/PractitionerRole"

    def lookup(_: int) -> int:
        return requests.get(url, params={"mailbox-mss": kit.reader}, headers={"ESANTE-API-KEY": API_KEY},
                            verify=kit.bench.credentials.trust_bundle, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lookup, range(40)))


def paged_not_followed(kit: Kit, session: str) -> None:
    kit.get(session, "PractitionerRole", {"active": "true", "_count": "5"})


DEFECTS: list[tuple[str, str, Callable[[Kit, str], None]]] = [
    ("sans-cle-api", "annuaire@1", call(key=None)),
    ("cle-api-vide", "annuaire@1", call(key="")),
    ("sans-cle-sur-une-ressource-inconnue", "annuaire@1", call("Patient", {}, key=None)),
    ("sans-cle-sur-la-racine-v1", "annuaire@1", call("Practitioner", {}, key=None, version="/fhir/v1")),
    ("api-v1", "annuaire@2", call(version="/fhir/v1")),
    ("api-sans-version", "annuaire@2", call(version="/fhir")),
    ("put", "annuaire@2", call(method="PUT")),
    ("delete", "annuaire@2", call("PractitionerRole/123", {}, method="DELETE")),
    ("post-sans-search", "annuaire@2", call(method="POST")),
    ("plus-de-17-appels-par-seconde", "annuaire@3", burst),
    ("recherche-par-nom-seulement", "annuaire@4", call("Practitioner", {"family": "MARTIN"})),
    ("page-suivante-ignoree", "annuaire@5", paged_not_followed),
]


@pytest.fixture(scope="module")
def kit(defect_bench: DefectBench) -> Kit:
    return Kit(defect_bench)


@pytest.mark.parametrize(("name", "expected", "defect"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_annuaire_defect_is_caught(kit: Kit, request: pytest.FixtureRequest, name: str, expected: str, defect) -> None:
    session = kit.bench.session("annuaire")
    defect(kit, session)
    assert_caught(request.node, kit.bench, session, service="annuaire", defect=name, expected=expected)
