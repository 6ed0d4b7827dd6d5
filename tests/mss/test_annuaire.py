"""Annuaire Santé FHIR v2 mock: API key, searches of mss.md §5.3, mailbox representation, paging."""

from __future__ import annotations

import pytest
import requests

from simulators.annuaire.model import EMAIL_TYPE_URL, METADATA_URL
from tests.mss.test_operator import CRIP, ERGO, WORLD

KEY = {"ESANTE-API-KEY": "socle-bench-test-key"}


@pytest.fixture(scope="module")
def fhir(mss_bench, pki):
    base = mss_bench.url("annuaire")

    def get(path: str, params=None, headers=KEY, method: str = "GET"):
        if method == "POST":
            return requests.post(base + path, data=params, headers=headers, verify=str(pki.root_path), timeout=10)
        return requests.get(base + path, params=params, headers=headers, verify=str(pki.root_path), timeout=10)
    return get


def _addresses(bundle: dict) -> set[str]:
    return {t["value"] for e in bundle["entry"] for t in e["resource"].get("telecom", [])}


def test_api_key_is_mandatory(fhir) -> None:
    response = fhir("/Practitioner", headers={})
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


def test_mailbox_search_and_representation(fhir) -> None:
    bundle = fhir("/Practitioner", {"mailbox-mss": ERGO}).json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset" and bundle["total"] == 1
    [telecom] = [t for t in bundle["entry"][0]["resource"]["telecom"] if t["value"] == ERGO]
    assert telecom["system"] == "email"
    email_type, metadata = telecom["extension"]
    assert email_type["url"] == EMAIL_TYPE_URL and email_type["valueCoding"]["code"] == "MSSANTE"
    assert metadata["url"] == METADATA_URL
    kinds = [x["valueCodeableConcept"]["coding"][0]["code"] for x in metadata["extension"] if x["url"] == "type"]
    assert kinds == ["PER"]
    assert not any(x["url"] == "responsible" for x in metadata["extension"])
    orgs = fhir("/Organization/_search", {"mailbox-mss:contains": "@cd93.mssante.test"}, method="POST").json()
    assert CRIP in _addresses(orgs)


def test_identifier_name_and_includes(fhir) -> None:
    ergo = WORLD.professional("ergotherapeute-fanny")
    by_rpps = fhir("/Practitioner", {"identifier": f"https://rpps.esante.gouv.fr|{ergo.rpps}"}).json()
    assert by_rpps["total"] == 1
    assert fhir("/Practitioner", {"identifier": f"8{ergo.rpps}"}).json()["total"] == 1
    by_name = fhir("/Practitioner", {"family": ergo.last_name[:4].lower()}).json()
    assert any(e["resource"]["id"] == by_rpps["entry"][0]["resource"]["id"] for e in by_name["entry"])
    roles = fhir("/PractitionerRole", {"mailbox-mss": ERGO, "_include": "PractitionerRole:organization"}).json()
    modes = {e["search"]["mode"] for e in roles["entry"]}
    assert modes == {"match", "include"}


def test_liste_rouge_and_patients_are_hidden(fhir) -> None:
    hidden = WORLD.professional("mecs-psychologue").mss_address
    assert fhir("/Practitioner", {"mailbox-mss": hidden}).json()["total"] == 0
    assert fhir("/Practitioner", {"mailbox-mss:contains": "patient.mssante.fr"}).json()["total"] == 0


def test_paging_with_next_links(fhir, pki) -> None:
    page = fhir("/Practitioner", {"mailbox-mss:contains": "@", "_count": "10"}).json()
    total, seen = page["total"], []
    while True:
        seen += [e["resource"]["id"] for e in page["entry"] if e["search"]["mode"] == "match"]
        following = [link["url"] for link in page["link"] if link["relation"] == "next"]
        if not following:
            break
        page = requests.get(following[0], headers=KEY, verify=str(pki.root_path), timeout=10).json()
    assert total > 10 and len(seen) == total == len(set(seen))
    capped = fhir("/Practitioner", {"mailbox-mss:contains": "@", "_count": "500"}).json()
    assert len(capped["entry"]) == min(total, 500)  # the gateway accepts _count up to 10000 (50 by default)


def test_unknown_parameter_and_writes_are_refused(fhir, mss_bench, pki) -> None:
    response = fhir("/Practitioner", {"bogus": "1"})
    assert response.status_code == 400 and "bogus" in response.json()["issue"][0]["diagnostics"]
    base = mss_bench.url("annuaire")
    put = requests.put(base + "/Practitioner/x", headers=KEY, json={}, verify=str(pki.root_path), timeout=10)
    assert put.status_code == 405


def test_organization_revinclude_and_app_boxes(fhir) -> None:
    org = fhir("/Organization", {"mailbox-mss": CRIP, "_revinclude": "PractitionerRole:organization"}).json()
    assert org["total"] == 1
    included = [e["resource"] for e in org["entry"] if e["search"]["mode"] == "include"]
    assert included and all(r["resourceType"] == "PractitionerRole" for r in included)
    kinds = {x["valueCodeableConcept"]["coding"][0]["code"]
             for t in org["entry"][0]["resource"]["telecom"] for ext in t["extension"] if ext["url"] == METADATA_URL
             for x in ext["extension"] if x["url"] == "type"}
    assert kinds == {"ORG", "APP"}
