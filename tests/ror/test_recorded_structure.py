"""The ROR simulator's live answers against the recorded samples (tests/fixtures/ror, SOURCES.md), over the
module's HTTPS bench with OAuth client credentials (profile 0: secret; profile 2: certificate over mutual
TLS): a searchset Bundle with an `_include` and paging has the recorded structure (envelope and entry
element paths, link relations and their URL shapes, search modes, resource types, profiles, element order
and extensions), and an unknown search parameter is the recorded HAPI-0524 OperationOutcome. Structure,
not values: identifiers, dates and counts come from the bench's seeded world."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from simulators.ror.client import RorApiClient
from simulators.ror.model import FHIR_JSON
from tests.codecs.recorded import json_paths, read
from tests.ror.conftest import HEADERS

RECORDED = json.loads(read("ror", "healthcareservice-search-include.json"))
OUTCOME = json.loads(read("ror", "operationoutcome-unknown-parameter.json"))
FINESS = "https://finess.esante.gouv.fr"


def _get(client: RorApiClient, url: str) -> requests.Response:
    return requests.get(url, headers={"Authorization": f"Bearer {client.access_token()}", **HEADERS},
                        verify=client.verify, timeout=30)


def _link_shape(url: str) -> tuple[str, list[str]]:
    """What a link URL looks like once the origin and values are gone: its last path segment and the
    names of its query parameters, in order."""
    parts = urlsplit(url)
    return parts.path.rsplit("/", 1)[-1], [name for name, _ in parse_qsl(parts.query, keep_blank_values=True)]


def bundle_shape(bundle: dict[str, Any]) -> dict[str, Any]:
    """The structure of a searchset page (no values): envelope and entry wrapper paths, link relations
    and URL shapes, and per entry its search mode, resource type, fullUrl shape and profiles."""
    return {
        "resourceType": bundle.get("resourceType"), "type": bundle.get("type"),
        "paths": sorted(p for p in json_paths(bundle) if not p.startswith(".entry[].resource.")),
        "links": [(link.get("relation"), _link_shape(link.get("url", ""))) for link in bundle.get("link", [])],
        "entries": [(e.get("search", {}).get("mode"), e["resource"].get("resourceType"),
                     e.get("fullUrl", "").endswith(f"/{e['resource'].get('resourceType')}/{e['resource'].get('id')}"),
                     e["resource"].get("meta", {}).get("profile")) for e in bundle.get("entry", [])],
    }


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(name in it for name in short)


def resource_differences(recorded: dict[str, Any], live: dict[str, Any]) -> list[str]:
    """Where a live resource lacks the recorded structure: element order, extension URLs, element paths
    (a live resource may carry more, since the seeded world is richer than the recorded sample)."""
    problems = []
    if not _is_subsequence(list(recorded), list(live)):
        problems.append(f"ordre des éléments : {list(recorded)} hors de {list(live)}")
    urls = {e.get("url") for e in live.get("extension", [])}
    problems += [f"extension absente : {e.get('url')}" for e in recorded.get("extension", []) if e.get("url") not in urls]
    problems += [f"élément absent : {p}" for p in sorted(json_paths(recorded) - json_paths(live))]
    return problems


@pytest.fixture
def organization_with_two_offers(client: RorApiClient) -> str:
    """The FINESS number of a seeded establishment with exactly two offers, found through the API."""
    offers = client.search("HealthcareService", [("_count", "200"), ("_elements", "providedBy")]).matches
    counts = Counter(o["providedBy"]["reference"] for o in offers if "providedBy" in o)
    reference = next(ref for ref, n in sorted(counts.items()) if n == 2)
    organization = client.read(*reference.split("/"))
    return next(i["value"] for i in organization["identifier"] if i.get("system") == FINESS)


@pytest.mark.parametrize("profile", [0, 2])
def test_live_searchset_has_the_recorded_structure(client_factory: Callable[..., RorApiClient],
                                                   organization_with_two_offers: str, profile: int) -> None:
    client = client_factory(profile)
    recorded_query = urlsplit(next(lk["url"] for lk in RECORDED["link"] if lk["relation"] == "self")).query
    query = re.sub(r"organization\.identifier=[^&]+", f"organization.identifier={organization_with_two_offers}",
                   recorded_query)
    assert query != recorded_query  # the recorded query, aimed at a seeded establishment
    response = _get(client, f"{client.fhir_base}/HealthcareService?{query}")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"].startswith(FHIR_JSON)
    live = response.json()
    assert bundle_shape(live) == bundle_shape(RECORDED)
    assert [e["resource"]["resourceType"] for e in live["entry"]] == ["HealthcareService", "Organization"]
    for ours, theirs in zip(live["entry"], RECORDED["entry"], strict=False):
        assert resource_differences(theirs["resource"], ours["resource"]) == []
    match = live["entry"][0]["resource"]
    assert match["providedBy"]["reference"] == f"Organization/{live['entry'][1]['resource']['id']}"
    # the next link is followed as recorded (HAPI `_getpages`): the second match, its organization included
    page = _get(client, next(lk["url"] for lk in live["link"] if lk["relation"] == "next"))
    assert page.status_code == 200, page.text[:300]
    second = page.json()
    assert [(e["search"]["mode"], e["resource"]["resourceType"]) for e in second["entry"]] == [
        ("match", "HealthcareService"), ("include", "Organization")]
    assert "next" not in {lk["relation"] for lk in second["link"]}
    assert {p for p in json_paths(second) if not p.startswith((".entry[].resource.", ".link"))} == {
        p for p in json_paths(RECORDED) if not p.startswith((".entry[].resource.", ".link"))}


def test_live_unknown_parameter_is_the_recorded_operation_outcome(client: RorApiClient) -> None:
    response = _get(client, f"{client.fhir_base}/HealthcareService?commune=93051")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith(FHIR_JSON)
    live = response.json()
    assert json_paths(live) == json_paths(OUTCOME)
    assert live["resourceType"] == OUTCOME["resourceType"] == "OperationOutcome"
    [ours], [theirs] = live["issue"], OUTCOME["issue"]
    assert (ours["severity"], ours["code"]) == (theirs["severity"], theirs["code"])
    shape = re.compile(r'HAPI-0524: Unknown search parameter "commune" for resource type "HealthcareService"\. '
                       r"Valid search parameters for this search are: \[[^\]]+\]")
    assert shape.fullmatch(theirs["diagnostics"]) and shape.fullmatch(ours["diagnostics"])


# --- the comparison can fail --------------------------------------------------------------------------


def test_the_structure_comparison_sees_a_broken_copy() -> None:
    def broken(mutate: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        data = json.loads(json.dumps(RECORDED))
        mutate(data)
        return data

    reference = bundle_shape(RECORDED)
    for mutate in (lambda d: d["link"].pop(),  # no next link
                   lambda d: d["link"][1].update(relation="suivant"),
                   lambda d: d["link"][1].update(url=d["link"][1]["url"].replace("_getpages=", "page=")),
                   lambda d: d["entry"][1]["search"].update(mode="match"),
                   lambda d: d["entry"].reverse(),
                   lambda d: d["entry"][0].update(fullUrl="urn:uuid:1"),
                   lambda d: d["entry"][0]["resource"]["meta"].update(profile=["http://hl7.org/fhir/x"]),
                   lambda d: d.pop("total"),
                   lambda d: d["entry"][0].pop("search")):
        assert bundle_shape(broken(mutate)) != reference
    resource = RECORDED["entry"][0]["resource"]
    assert resource_differences(resource, resource) == []
    reordered = dict(reversed(list(resource.items())))
    assert resource_differences(resource, reordered)
    assert resource_differences(resource, {**resource, "extension": resource["extension"][1:]})
    assert resource_differences(resource, {k: v for k, v in resource.items() if k != "specialty"})
