"""Every FHIR response the simulator gives validates against the R4(B) models of `fhir.resources`:
a battery of exchanges (searches with includes and distances, paging, reads of every resource
type, metadata, every kind of error) is played, then every response body recorded in the journal
for the session is validated — so a new endpoint is covered as soon as the battery calls it."""

from __future__ import annotations

import json

import pytest
import requests

from simulators.core.bench import Bench
from simulators.core.journal import ExchangeQuery
from simulators.ror import rules
from simulators.ror.client import RorApiClient, token
from simulators.ror.seed import seed_resources
from tests.ror.conftest import HEADERS

fhir_r4b = pytest.importorskip("fhir.resources.R4B", reason="fhir.resources (R4B models) is a test dependency")
from fhir.resources.R4B import get_fhir_model_class  # noqa: E402


def _play_battery(client: RorApiClient, seed: int) -> None:
    client.find_offers(establishment_category="177", age=15, near_commune="93048", radius_km=30, with_places=True)
    client.find_offers(offer_type="24", age=82, near=(45.89, 3.11), radius_km=25)
    client.search("HealthcareService", [("_count", "5"), ("_elements", "name,category")])
    client.search("Location", [("near", "48.86|2.45|10|km"), ("_include", "Location:organization")])
    client.search("Organization", [("type:above", token("TRE_R66-CategorieEtablissement", "500")),
                                   ("_revinclude", "HealthcareService:organization")])
    client.search("PractitionerRole", [("_include", "PractitionerRole:practitioner")])
    client.search("Practitioner", [("name", "fournier")])
    client.search("HealthcareService", [("_summary", "count")])
    client.metadata()
    for resource in seed_resources(seed):
        if not rules.is_sensitive(resource):  # hidden from profile 0 (404, validated below)
            client.read(resource["resourceType"], resource["id"])
    headers = {"Authorization": f"Bearer {client.access_token()}", **HEADERS}
    for path, params, extra in [("HealthcareService", {"bogus": "1"}, {}), ("Nope", {}, {}),
                                ("HealthcareService/absent", {}, {}), ("HealthcareService", {}, {"Authorization": ""}),
                                ("HealthcareService", {}, {"Ror-Role-Metier-System": ""}),
                                ("HealthcareService", {"_filter": "(name eq"}, {})]:
        requests.get(f"{client.fhir_base}/{path}", params=params, headers={**headers, **extra},
                     verify=client.verify, timeout=10)


def test_every_response_validates_as_fhir_r4(ror_bench: Bench, client: RorApiClient, session_name: str) -> None:
    _play_battery(client, ror_bench.config.seed)
    journal = ror_bench.runtime.journal
    journal.flush()
    exchanges = journal.query(ExchangeQuery(session=session_name, service="ror", limit=5000))
    fhir_bodies = [e for e in exchanges
                   if e.response_headers.get("Content-Type", "").startswith("application/fhir+json")]
    assert len(fhir_bodies) > 100
    kinds = set()
    for exchange in fhir_bodies:
        data = json.loads(exchange.response_body)
        kinds.add(data["resourceType"])
        try:
            get_fhir_model_class(data["resourceType"]).model_validate(data)
        except Exception as exc:  # noqa: BLE001 - report which exchange broke
            pytest.fail(f"{exchange.method} {exchange.path} -> {exchange.status}: invalid FHIR R4: {exc}")
    assert {"Bundle", "OperationOutcome", "CapabilityStatement", "HealthcareService", "Location", "Organization",
            "PractitionerRole", "Practitioner"} <= kinds
