"""Every answer of the Annuaire simulator validates against the R4(B) models of `fhir.resources`:
the documented queries, reads of every resource, the CapabilityStatement, and every kind of error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.annuaire.conftest import KEY

r4b = pytest.importorskip("fhir.resources.R4B", reason="fhir.resources (R4B models) is a test dependency")
FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "annuaire" / "documented_queries.json").read_text())


def test_every_answer_is_valid_fhir_r4(annuaire_base: str) -> None:
    paths = [c["query"] for c in FIXTURE["queries"]] + [c["query"] for c in FIXTURE["refused"]]
    paths += ["metadata", "Practitioner?bogus=1", "Practitioner/absent", "_page?id=x_1",
              "Organization?_include=Organization:nope", "Practitioner?_summary=count", "Organization?_summary=true"]
    bodies = [requests.get(f"{annuaire_base}/{path}", headers={"ESANTE-API-KEY": KEY}, timeout=10).json()
              for path in paths]
    bodies.append(requests.get(f"{annuaire_base}/Practitioner", headers={"ESANTE-API-KEY": "x"}, timeout=10).json())
    for bundle in [b for b in bodies if b["resourceType"] == "Bundle"][:5]:
        for entry in bundle.get("entry", [])[:3]:
            rtype, rid = entry["resource"]["resourceType"], entry["resource"]["id"]
            bodies.append(requests.get(f"{annuaire_base}/{rtype}/{rid}", headers={"ESANTE-API-KEY": KEY},
                                       timeout=10).json())
    kinds = set()
    for body in bodies:
        kinds.add(body["resourceType"])
        try:
            r4b.get_fhir_model_class(body["resourceType"]).model_validate(body)
        except Exception as exc:  # noqa: BLE001 - say which answer broke
            pytest.fail(f"{body['resourceType']} invalid FHIR R4: {str(exc)[:400]}")
    assert {"Bundle", "OperationOutcome", "CapabilityStatement", "Practitioner"} <= kinds
