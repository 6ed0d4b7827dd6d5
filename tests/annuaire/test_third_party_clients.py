"""Real third-party FHIR clients nobody on this project wrote, over real sockets: fhirpy (paging with
`fetch_all`, `count`, includes) and fhirclient (starts from the CapabilityStatement)."""

from __future__ import annotations

import pytest

from tests.annuaire.conftest import KEY

fhirpy = pytest.importorskip("fhirpy", reason="fhirpy is a test dependency (pyproject [test])")
fhirclient_client = pytest.importorskip("fhirclient.client", reason="fhirclient is a test dependency")


def test_fhirpy_fetch_all_count_and_includes(annuaire_base: str) -> None:
    client = fhirpy.SyncFHIRClient(annuaire_base, extra_headers={"ESANTE-API-KEY": KEY})
    practitioners = client.resources("Practitioner")
    total = practitioners.count()
    assert total > 5
    everyone = practitioners.limit(4).fetch_all()  # follows the `_page` next links
    assert len(everyone) == total == len({p.id for p in everyone})
    with_box = client.resources("Practitioner").search(**{"mailbox-mss:contains": "@"}).count()
    assert 0 < with_box <= total
    roles = client.resources("PractitionerRole").include("PractitionerRole", "practitioner").limit(5).fetch()
    assert roles and all(r.resourceType == "PractitionerRole" for r in roles)
    org = client.resources("Organization").search(type="LEGAL-ENTITY").first()
    assert org is not None and org["type"][0]["coding"][0]["code"] == "LEGAL-ENTITY"


def test_fhirpy_is_refused_what_the_gateway_refuses(annuaire_base: str) -> None:
    client = fhirpy.SyncFHIRClient(annuaire_base, extra_headers={"ESANTE-API-KEY": KEY})
    with pytest.raises(fhirpy.base.exceptions.OperationOutcome) as refused:
        client.resources("Practitioner").search(**{"mailbox-mss-type": "PER"}).fetch()
    assert "mailbox-mss-type" in str(refused.value)
    stranger = fhirpy.SyncFHIRClient(annuaire_base, extra_headers={"ESANTE-API-KEY": "inconnue"})
    with pytest.raises(Exception):  # noqa: B017 - fhirpy raises its own error class per status
        stranger.resources("Practitioner").fetch()


def test_fhirclient_loads_the_capability_statement(annuaire_base: str) -> None:
    import requests
    from fhirclient.models.capabilitystatement import CapabilityStatement

    raw = requests.get(f"{annuaire_base}/metadata", headers={"ESANTE-API-KEY": KEY}, timeout=10).json()
    statement = CapabilityStatement(raw, strict=True)
    assert statement.fhirVersion == "4.0.1" and statement.date is not None
    [rest] = statement.rest
    served = {r.type: {p.name for p in r.searchParam} for r in rest.resource}
    assert set(served) == {"Practitioner", "PractitionerRole", "Organization", "HealthcareService", "Device"}
    assert {"qualification-code", "mailbox-mss", "data-information-system"} <= served["Practitioner"]
    assert "mailbox-mss-type" not in served["Practitioner"]
    smart = fhirclient_client.FHIRClient(settings={"app_id": "socle-bench", "api_base": annuaire_base + "/"})
    smart.server.session.headers["ESANTE-API-KEY"] = KEY
    smart.prepare()  # fetches and parses [base]/metadata
    assert smart.server.capabilityStatement.fhirVersion == "4.0.1"
