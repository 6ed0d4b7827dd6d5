"""ROR and Annuaire Santé recorded samples (tests/fixtures/{ror,annuaire}, SOURCES.md): searchset Bundles
with paging links and `_include`d entries, and OperationOutcomes, loaded with fhir.resources (R4B models)
and with the project's FHIR layer; broken copies are refused; the Annuaire simulator's live answer has
the recorded element structure."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from simulators.fhir.bundle import loads_resource, searchset
from simulators.fhir.errors import SearchError
from tests.annuaire.conftest import KEY, annuaire_base  # noqa: F401 - module-scoped bench fixture
from tests.codecs.recorded import json_paths, read

r4b = pytest.importorskip("fhir.resources.R4B", reason="fhir.resources (R4B models) is a test dependency")

BUNDLES = {("annuaire", "practitionerrole-search-include.json"): ("PractitionerRole", ["Practitioner", "Organization"]),
           ("ror", "healthcareservice-search-include.json"): ("HealthcareService", ["Organization"])}
OUTCOMES = [("annuaire", "operationoutcome-unknown-parameter.json"), ("ror", "operationoutcome-unknown-parameter.json")]


@pytest.mark.parametrize(("service", "name"), sorted(BUNDLES))
def test_searchset_facts(service: str, name: str) -> None:
    raw = read(service, name)
    data = loads_resource(raw)
    bundle = r4b.get_fhir_model_class("Bundle").model_validate(data)
    match, included = BUNDLES[(service, name)]
    assert bundle.type == "searchset" and bundle.total == 2
    assert [link.relation for link in bundle.link] == ["self", "next"]
    assert [e.search.mode for e in bundle.entry] == ["match"] + ["include"] * len(included)
    assert [e.resource.__resource_type__ for e in bundle.entry] == [match, *included]
    for entry in bundle.entry:
        assert entry.fullUrl.endswith(f"/{entry.resource.__resource_type__}/{entry.resource.id}")
    # every reference of the match resolves to an included entry
    refs = {f"{e.resource.__resource_type__}/{e.resource.id}" for e in bundle.entry[1:]}
    match_json = data["entry"][0]["resource"]
    pointed = {v["reference"] for k, v in match_json.items() if isinstance(v, dict) and "reference" in v}
    assert pointed & refs == refs
    # the project's layer writes the same Bundle skeleton
    ours = searchset(total=data["total"], entries=data["entry"], links=[(lk["relation"], lk["url"]) for lk in data["link"]],
                     bundle_id=data["id"], last_updated=data["meta"]["lastUpdated"])
    assert list(ours) == list(data) and ours == data


@pytest.mark.parametrize(("service", "name"), OUTCOMES)
def test_operation_outcome_facts(service: str, name: str) -> None:
    outcome = r4b.get_fhir_model_class("OperationOutcome").model_validate(loads_resource(read(service, name)))
    [issue] = outcome.issue
    assert (issue.severity, issue.code) == ("error", "processing") and issue.diagnostics.startswith("HAPI-0524")


def test_broken_copies_are_refused() -> None:
    raw = read("ror", "healthcareservice-search-include.json")
    with pytest.raises(SearchError, match="JSON invalide"):
        loads_resource(raw[: len(raw) // 2])
    with pytest.raises(SearchError, match="resourceType"):
        loads_resource(raw.replace(b'"resourceType": "Bundle"', b'"kind": "Bundle"', 1))
    data = json.loads(raw)
    del data["type"]  # Bundle.type is 1..1
    with pytest.raises(Exception, match="type"):
        r4b.get_fhir_model_class("Bundle").model_validate(data)
    data = json.loads(raw)
    data["total"] = "deux"  # Bundle.total is an unsignedInt
    with pytest.raises(Exception, match="total"):
        r4b.get_fhir_model_class("Bundle").model_validate(data)


def _skeleton(data: dict[str, Any]) -> set[str]:
    """Paths of the Bundle envelope and of each entry's wrapper (resource contents differ by data)."""
    return {p for p in json_paths(data) if not p.startswith(".entry[].resource.") and p != ".meta.lastUpdated"}


def test_annuaire_live_answer_has_the_recorded_structure(annuaire_base: str) -> None:  # noqa: F811
    recorded = json.loads(read("annuaire", "practitionerrole-search-include.json"))
    query = "PractitionerRole?_include=PractitionerRole:practitioner&_include=PractitionerRole:organization&_count=1"
    live = requests.get(f"{annuaire_base}/{query}", headers={"ESANTE-API-KEY": KEY}, timeout=10).json()
    assert _skeleton(live) == _skeleton(recorded)
    assert [e["search"]["mode"] for e in live["entry"]] == [e["search"]["mode"] for e in recorded["entry"]]
    assert [e["resource"]["resourceType"] for e in live["entry"]] == [e["resource"]["resourceType"] for e in recorded["entry"]]
    for kind in ("PractitionerRole", "Practitioner", "Organization"):
        ours = next(e["resource"] for e in live["entry"] if e["resource"]["resourceType"] == kind)
        theirs = next(e["resource"] for e in recorded["entry"] if e["resource"]["resourceType"] == kind)
        assert list(theirs)[:4] == list(ours)[:4]  # resourceType, id, meta, language first
        assert ours["meta"]["profile"] == theirs["meta"]["profile"]
    oo = requests.get(f"{annuaire_base}/Practitioner?mailbox-mss-type=PER", headers={"ESANTE-API-KEY": KEY}, timeout=10)
    assert json_paths(oo.json()) == json_paths(json.loads(read("annuaire", "operationoutcome-unknown-parameter.json")))
