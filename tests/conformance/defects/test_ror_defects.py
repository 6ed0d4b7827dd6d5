"""Seeded ROR defects: token request, bearer token and its reuse, Ror-* headers, NOS token systems, offer type
versus establishment category, age pairs, _include hierarchy, paging, N+1 reads.

The baseline is the reference MECS search (``simulators.ror.client.RorApiClient.find_offers``: establishment
category 177 by organization.type, the age as a low/high pair, the canonical includes), over mutual TLS with
the organisation certificate (access profile 1); each defect changes one parameter, header or habit.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

import pytest
import requests

from simulators.ror import model as m
from simulators.ror.client import CANONICAL_INCLUDES, token
from tests.conformance.defects.harness import DefectBench, assert_caught

MECS = token("TRE_R66-CategorieEtablissement", "177")
BASE: list[tuple[str, str]] = [("organization.type:above", MECS), ("age-range-low", "le15"), ("age-range-high", "ge15"),
                               *CANONICAL_INCLUDES]
Params = list[tuple[str, str]]


class Kit:
    def __init__(self, bench: DefectBench) -> None:
        self.bench = bench
        self.http = requests.Session()
        self.http.cert = bench.credentials.org_cert

    def urls(self, session: str) -> tuple[str, str]:
        origin = self.bench.target(session).service_url("ror").partition("/ws-diffusion-fhir")[0]
        return f"{origin}/s/{session}/ws-diffusion-fhir", f"{origin}/s/{session}{m.TOKEN_PATH}"

    def token(self, session: str, **form: str) -> str:
        data = {"grant_type": "client_credentials", "client_id": "bench-profil-1", **form}
        reply = self.http.post(self.urls(session)[1], data={k: v for k, v in data.items() if v is not None},
                               verify=self.bench.credentials.trust_bundle, timeout=30)
        return reply.json().get("access_token", "") if reply.status_code == 200 else ""

    def get(self, session: str, path: str, params: Params | None = None, *, bearer: str | None = None,
            headers: dict[str, str | None] | None = None) -> requests.Response:
        sent = {"Accept": m.FHIR_JSON, **m.EXAMPLE_HEADERS}
        if bearer is None:
            bearer = self.token(session)
        if bearer:
            sent["Authorization"] = f"Bearer {bearer}"
        for name, value in (headers or {}).items():
            if value is None:
                sent.pop(name, None)
            else:
                sent[name] = value
        return self.http.get(f"{self.urls(session)[0]}/{path}", params=params, headers=sent,
                             verify=self.bench.credentials.trust_bundle, timeout=30)


def search(params: Params | Callable[[], Params] = BASE, rtype: str = "HealthcareService", **get: Any):
    def defect(kit: Kit, session: str) -> None:
        kit.get(session, rtype, params() if callable(params) else params, **get)
    return defect


def replace(name: str, value: str | None, params: Params = BASE) -> Params:
    out = [(k, v) for k, v in params if k != name]
    return [*out, (name, value)] if value is not None else out


def header(name: str, value: str | None) -> Callable[[Kit, str], None]:
    return search(headers={name: value})


def token_request(**form: str | None) -> Callable[[Kit, str], None]:
    return lambda kit, session: kit.token(session, **form) and None


def new_token_each_call(kit: Kit, session: str) -> None:
    for _ in range(3):
        kit.get(session, "HealthcareService", BASE)  # kit.get asks a token for each call


def paged_not_followed(kit: Kit, session: str) -> None:
    kit.get(session, "HealthcareService", [("_count", "1")])


def n_plus_one(kit: Kit, session: str) -> None:
    bearer = kit.token(session)
    bundle = kit.get(session, "HealthcareService", [("_count", "5")], bearer=bearer).json()
    for entry in bundle.get("entry", [])[:4]:
        reference = (entry["resource"].get("providedBy") or {}).get("reference", "")
        if reference:
            kit.get(session, reference, bearer=bearer)


def read_included(kit: Kit, session: str) -> None:
    bearer = kit.token(session)
    bundle = kit.get(session, "HealthcareService", [*BASE, ("_count", "2")], bearer=bearer).json()
    included = [e["resource"] for e in bundle.get("entry", []) if (e.get("search") or {}).get("mode") == "include"]
    for resource in included[:1]:
        kit.get(session, f"{resource['resourceType']}/{resource['id']}", bearer=bearer)


HEADERS = m.ROR_HEADERS
DEFECTS: list[tuple[str, str, Callable[[Kit, str], None]]] = [
    # ror@1
    ("secret-envoye-en-profil-1", "ror@1", token_request(client_secret="secret-profil-1")),
    ("grant-type-password", "ror@1", token_request(grant_type="password", username="dui", password="x")),
    ("grant-type-absent", "ror@1", token_request(grant_type=None)),
    # ror@2
    ("sans-authorization", "ror@2", search(bearer="")),
    ("jeton-invente", "ror@2", search(bearer="eyJhbGciOiJub25lIn0.e30.")),
    ("authorization-basic", "ror@2", search(bearer="", headers={"Authorization": "Basic ZHVpOnNlY3JldA=="})),
    ("nouveau-jeton-a-chaque-appel", "ror@2", new_token_each_call),
    # ror@3: each header forgotten, then template values left in place
    *[(f"sans-{h.lower()}", "ror@3", header(h, None)) for h in HEADERS],
    ("profil-code-placeholder", "ror@3", header("Ror-Profil-Utilisateur-Code", "XXX")),
    ("profil-system-placeholder", "ror@3", header("Ror-Profil-Utilisateur-System", "string")),
    ("role-code-placeholder", "ror@3", header("Ror-Role-Metier-Code", "<code>")),
    ("role-system-pas-un-oid", "ror@3", header("Ror-Role-Metier-System", "TODO")),
    ("role-system-url-au-lieu-d-oid", "ror@3", header("Ror-Role-Metier-System",
                                                      "https://mos.esante.gouv.fr/NOS/TRE_R85")),
    # ror@4
    ("code-nu-sans-systeme", "ror@4", search(replace("organization.type:above", "177"))),
    ("systeme-vide", "ror@4", search(replace("organization.type:above", "|177"))),
    ("systeme-http", "ror@4", search(replace("organization.type:above", MECS.replace("https://", "http://")))),
    ("systeme-tre-et-fhir-differents", "ror@4", search(replace(
        "organization.type:above", "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/"
                                   "TRE-R02-SecteurActivite|177"))),
    ("systeme-oid", "ror@4", search(replace("organization.type:above", "urn:oid:1.2.250.1.71.4.2.2|177"))),
    ("service-category-code-nu", "ror@4", search([("service-category", "30")])),
    # ror@5
    ("mecs-par-service-category", "ror@5", search([("service-category", MECS)])),
    ("type-d-offre-dans-organization-type", "ror@5", search([
        ("organization.type", token("TRE_R244-CategorieOrganisation", "30"))])),
    # ror@6
    ("age-egal", "ror@6", search(replace("age-range-high", None, replace("age-range-low", "15")))),
    ("age-bas-seul", "ror@6", search(replace("age-range-high", None))),
    ("age-prefixes-inverses", "ror@6", search(replace("age-range-high", "le15", replace("age-range-low", "ge15")))),
    # ror@7
    ("double-underscore-include", "ror@7", search([*BASE, ("__include", "HealthcareService:organization")])),
    ("revincluded", "ror@7", search([*BASE, ("_revincluded", "PractitionerRole:service")])),
    ("include-partof-sans-iterate", "ror@7", search([(k, v) for k, v in BASE if k != "_include:iterate"]
                                                    + [("_include", "Organization:partof")])),
    # ror@8
    ("page-suivante-ignoree", "ror@8", paged_not_followed),
    # ror@9 (RECOMMANDATION)
    ("lectures-n-plus-un", "ror@9", n_plus_one),
    ("relecture-d-une-entree-incluse", "ror@9", read_included),
]


@pytest.fixture(scope="module")
def kit(defect_bench: DefectBench) -> Kit:
    return Kit(defect_bench)


@pytest.mark.parametrize(("name", "expected", "defect"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_ror_defect_is_caught(kit: Kit, request: pytest.FixtureRequest, name: str, expected: str, defect) -> None:
    session = kit.bench.session("ror")
    defect(kit, session)
    assert_caught(request.node, kit.bench, session, service="ror", defect=name, expected=expected)
