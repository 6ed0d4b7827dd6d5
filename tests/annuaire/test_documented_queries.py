"""Every query published in the Annuaire Santé v2 documentation (tests/fixtures/annuaire/
documented_queries.json, each citing its page) answers with the documented shape; the documented
refusals (`mailbox-mss-type`, an unknown resource type) answer as the real service does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.annuaire.conftest import KEY

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "annuaire" / "documented_queries.json").read_text())


@pytest.mark.parametrize("case", FIXTURE["queries"], ids=[c["query"][:60] for c in FIXTURE["queries"]])
def test_documented_query_answers_a_searchset(annuaire_base: str, case: dict) -> None:
    answer = requests.get(f"{annuaire_base}/{case['query']}", headers={"ESANTE-API-KEY": KEY}, timeout=10)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["Content-Type"].startswith("application/fhir+json")
    bundle = answer.json()
    rtype = case["query"].split("?")[0]
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset" and isinstance(bundle["total"], int)
    assert any(link["relation"] == "self" for link in bundle["link"])
    matches = [e["resource"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]
    assert all(r["resourceType"] == rtype for r in matches)
    assert len(matches) <= 50 or "_count" in case["query"]
    for resource in matches:
        meta = resource["meta"]
        assert meta["versionId"] and meta["source"] == "https://annuaire.sante.fr" and meta["lastUpdated"]
        assert meta["profile"] and (resource.get("language") == "fr" or "_elements" in case["query"])


def test_documented_searches_find_the_bench_data(annuaire_base: str) -> None:
    """Not only well-shaped: the documented idioms select what they say on the bench's data."""
    def get(query: str) -> dict:
        return requests.get(f"{annuaire_base}/{query}", headers={"ESANTE-API-KEY": KEY}, timeout=10).json()
    everyone = get("Practitioner?_count=1000")["total"]
    with_box = get("Practitioner?mailbox-mss:contains=%40")["total"]
    assert 0 < with_box <= everyone
    assert get("Organization?type=LEGAL-ENTITY")["total"] > 0
    geo = get("Organization?type=GEOGRAPHICAL-ENTITY")["total"]
    assert geo > 0 and get("Organization?type:not=LEGAL-ENTITY&type=GEOGRAPHICAL-ENTITY")["total"] == geo
    hospital = get("Organization?type=https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/"
                   "TRE-R66-CategorieEtablissement%7C101&_revinclude=Device:organization")
    assert hospital["total"] == 1
    assert {e["resource"]["resourceType"] for e in hospital["entry"]} == {"Organization", "Device"}
    mri = get("Device?type=https://mos.esante.gouv.fr/NOS/TRE_R272-EquipementMaterielLourd/FHIR/"
              "TRE-R272-EquipementMaterielLourd%7C05602&_include=Device:organization")
    assert {e["search"]["mode"] for e in mri["entry"]} == {"match", "include"}
    named = get("Practitioner?_count=1&_elements=name")["entry"][0]["resource"]
    assert set(named) == {"resourceType", "id", "meta", "name"}
    doctors = get("Practitioner?qualification-code=10")["total"]
    assert doctors == get("Practitioner?qualification-code=https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/"
                          "FHIR/TRE-G15-ProfessionSante%7C10")["total"]
    assert get("Organization?address-postalcode=93")["total"] > 0
    department, town = get("Organization?address-postalcode=93"), get("Organization?address-postalcode=93000")
    assert department["total"] > town["total"] >= 0
    assert get("Device?status=inactive")["total"] == 0 and get("Device?status=active")["total"] >= 1
    fr = get("Organization?_revinclude=Organization:partof&type=LEGAL-ENTITY")
    assert {e["search"]["mode"] for e in fr["entry"]} == {"match", "include"}


@pytest.mark.parametrize("case", FIXTURE["refused"], ids=[c["query"] for c in FIXTURE["refused"]])
def test_documented_refusals(annuaire_base: str, case: dict) -> None:
    answer = requests.get(f"{annuaire_base}/{case['query']}", headers={"ESANTE-API-KEY": KEY}, timeout=10)
    assert answer.status_code == case["status"]
    outcome = answer.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["diagnostics"].startswith(case["diagnostics"])


def test_api_key_checked_against_configured_keys(annuaire_base: str) -> None:
    for headers in ({}, {"ESANTE-API-KEY": "une-cle-inventee"}):
        answer = requests.get(f"{annuaire_base}/Practitioner", headers=headers, timeout=10)
        assert answer.status_code == 401 and answer.json()["resourceType"] == "OperationOutcome"
    assert requests.get(f"{annuaire_base}/Practitioner", headers={"ESANTE-API-KEY": KEY}, timeout=10).ok


def test_paging_through_page_links_and_xml(annuaire_base: str) -> None:
    first = requests.get(f"{annuaire_base}/Practitioner?_count=3", headers={"ESANTE-API-KEY": KEY}, timeout=10).json()
    following = [link["url"] for link in first["link"] if link["relation"] == "next"]
    assert following and "/_page?id=" in following[0]
    seen = [e["resource"]["id"] for e in first["entry"]]
    url = following[0]
    while url:
        page = requests.get(url, headers={"ESANTE-API-KEY": KEY}, timeout=10).json()
        seen += [e["resource"]["id"] for e in page["entry"]]
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), "")
    assert len(seen) == len(set(seen)) == first["total"]
    gone = requests.get(f"{annuaire_base}/_page?id=nope_3", headers={"ESANTE-API-KEY": KEY}, timeout=10)
    assert gone.status_code == 410
    xml = requests.get(f"{annuaire_base}/Organization?_count=1", headers={"ESANTE-API-KEY": KEY,
                                                                          "Accept": "application/fhir+xml"}, timeout=10)
    assert xml.headers["Content-Type"].startswith("application/fhir+xml") and b"<Bundle" in xml.content
