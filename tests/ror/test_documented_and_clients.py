"""Every query published in the ROR documentation (tests/fixtures/ror/documented_queries.json, each
citing its source) answers with the documented shape; fhirpy (`fetch_all`, `count`, includes) and
fhirclient (CapabilityStatement) work against the ROR simulator over TLS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from simulators.ror.client import RorApiClient
from simulators.ror.model import EXAMPLE_HEADERS as HEADERS

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "ror" / "documented_queries.json").read_text())
DISTANCE = "http://hl7.org/fhir/StructureDefinition/location-distance"


@pytest.mark.parametrize("case", FIXTURE["queries"], ids=[c["where"] for c in FIXTURE["queries"]])
def test_documented_query(client: RorApiClient, case: dict) -> None:
    path, _, query = case["query"].partition("?")
    headers = {"Authorization": f"Bearer {client.access_token()}", **HEADERS}
    answer = requests.get(f"{client.fhir_base}/{path}?{query.replace('|', '%7C')}", headers=headers,
                          verify=client.verify, timeout=10)
    assert answer.status_code == 200, answer.text[:300]
    bundle = answer.json()
    assert bundle["type"] == "searchset" and isinstance(bundle["total"], int)
    entries = bundle.get("entry", [])
    assert all(e["resource"]["resourceType"] == "HealthcareService" for e in entries if e["search"]["mode"] == "match")
    located = [e for e in entries if e["resource"]["resourceType"] == "Location"]
    if "near" in query:  # the seed has no offer around Nantes: 200 with total 0 is the documented answer
        assert all(e["search"]["extension"][0]["url"] == DISTANCE for e in located)


def test_near_insee_code_for_any_commune(client: RorApiClient) -> None:
    """Communes far from the bench's hand-written table (a village of Lozère, Mamoudzou) are known."""
    for commune in ("48001", "97611", "2A004"):
        assert client.search("HealthcareService", [("location.near-insee-code", f"{commune}|5|km")]).total == 0
    near_bench = client.search("HealthcareService", [("location.near-insee-code", "93027|15|km")])
    assert near_bench.total > 0  # La Courneuve is not in the hand-written table; the seed has offers in 93
    headers = {"Authorization": f"Bearer {client.access_token()}", **HEADERS}
    unknown = requests.get(f"{client.fhir_base}/HealthcareService", params={"location.near-insee-code": "99999|5|km"},
                           headers=headers, verify=client.verify, timeout=10)
    assert unknown.status_code == 400


fhirpy = pytest.importorskip("fhirpy", reason="fhirpy is a test dependency (pyproject [test])")


def test_fhirpy_fetch_all_count_and_includes(client: RorApiClient) -> None:
    api = fhirpy.SyncFHIRClient(client.fhir_base, authorization=f"Bearer {client.access_token()}",
                                extra_headers=dict(HEADERS), requests_config={"verify": client.verify})
    offers = api.resources("HealthcareService")
    total = offers.count()
    everything = offers.limit(7).fetch_all()
    assert total > 7 and len(everything) == total == len({o.id for o in everything})
    with_places = api.resources("HealthcareService").include("HealthcareService", "location").limit(3)
    bundle = with_places.fetch_raw()
    assert {e["search"]["mode"] for e in bundle["entry"]} == {"match", "include"}


def test_fhirclient_parses_the_capability_statement(client: RorApiClient) -> None:
    from fhirclient.models.capabilitystatement import CapabilityStatement

    statement = CapabilityStatement(client.metadata(), strict=True)
    assert statement.fhirVersion == "4.0.1" and "application/fhir+xml" in statement.format
    from fhirclient.client import FHIRClient

    smart = FHIRClient(settings={"app_id": "socle-bench", "api_base": client.fhir_base + "/"})
    smart.server.session.verify = client.verify
    smart.server.session.trust_env = False  # requests lets REQUESTS_CA_BUNDLE override Session.verify
    smart.prepare()  # what a fhirclient application does first: GET [base]/metadata
    served = {r.type for r in smart.server.capabilityStatement.rest[0].resource}
    assert {"HealthcareService", "Location", "Organization", "PractitionerRole", "Practitioner"} <= served
