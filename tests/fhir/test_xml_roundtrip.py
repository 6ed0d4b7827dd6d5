"""The JSON -> XML converter against an independent FHIR implementation: every ROR seed resource and
every Annuaire directory resource, rendered as XML, parses with the R4B models of `fhir.resources`
to the same content as its JSON (element order, attributes, repeats, primitives).

`fhir.resources` drops the `id` attribute of non-resource elements when reading XML (e.g.
`notAvailable id="closingReopeningDate"`), so element ids are compared separately, on the XML itself."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from simulators.annuaire.resources import build_directory
from simulators.fhir.xml import to_xml
from simulators.identities.world import build_world
from simulators.mss.seed import world_mailboxes
from simulators.ror.seed import seed_resources

r4b = pytest.importorskip("fhir.resources.R4B", reason="fhir.resources (R4B models) is a test dependency")
SEED = 20261122


def _without_element_ids(node: Any, top: bool = True) -> Any:
    if isinstance(node, dict):
        return {k: _without_element_ids(v, False) for k, v in node.items() if top or k != "id"}
    if isinstance(node, list):
        return [_without_element_ids(v, False) for v in node]
    return node


def _resources() -> list[dict[str, Any]]:
    directory = build_directory(world_mailboxes(SEED), build_world(SEED).establishments)
    return list(seed_resources(SEED)) + [r for items in directory.resources.values() for r in items.values()]


def test_every_resource_round_trips_through_xml() -> None:
    resources = _resources()
    assert len(resources) > 200
    for resource in resources:
        model = r4b.get_fhir_model_class(resource["resourceType"])
        expected = _without_element_ids(model.model_validate(resource).model_dump(mode="json", exclude_none=True))
        parsed = model.model_validate_xml(to_xml(resource))
        got = _without_element_ids(parsed.model_dump(mode="json", exclude_none=True))
        assert got == expected, f"{resource['resourceType']}/{resource['id']}"


def test_element_ids_are_attributes() -> None:
    resource = next(r for r in seed_resources(SEED) if any("id" in n for n in r.get("notAvailable") or ()))
    root = etree.fromstring(to_xml(resource))
    ids = [e.get("id") for e in root.iter("{http://hl7.org/fhir}notAvailable")]
    assert ids == [n.get("id") for n in resource["notAvailable"]]


def test_a_broken_converter_would_be_caught() -> None:
    """The comparison is not vacuous: swapping two repeated values changes the parsed content."""
    resource = {"resourceType": "Practitioner", "id": "p", "name": [{"family": "A", "given": ["B", "C"]}]}
    model = r4b.get_fhir_model_class("Practitioner")
    tampered = to_xml(resource).replace(b'value="B"', b'value="X"')
    original = model.model_validate(resource).model_dump(mode="json")
    assert model.model_validate_xml(tampered).model_dump(mode="json") != original
