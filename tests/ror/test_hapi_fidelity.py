"""The ROR behaves as its production server (HAPI FHIR 6.4.4, ror.md §0) where clients notice:
XML as well as JSON (the production CapabilityStatement lists both), ETag / If-None-Match -> 304,
`_has` with a chained inner parameter (published in the ROR documentation), `_summary`."""

from __future__ import annotations

import requests
from lxml import etree

from simulators.ror.client import RorApiClient
from simulators.ror.model import EXAMPLE_HEADERS as HEADERS

FHIR = "{http://hl7.org/fhir}"


def _get(client: RorApiClient, path: str, params: object = None, **extra: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {client.access_token()}", **HEADERS, **extra}
    return requests.get(f"{client.fhir_base}/{path}", params=params, headers=headers, verify=client.verify, timeout=10)


def test_xml_by_format_parameter_and_by_accept(client: RorApiClient) -> None:
    by_param = _get(client, "Organization/camsp-bondy", {"_format": "xml"})
    by_accept = _get(client, "Organization/camsp-bondy", Accept="application/fhir+xml")
    for answer in (by_param, by_accept):
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/fhir+xml")
        root = etree.fromstring(answer.content)
        assert root.tag == f"{FHIR}Organization"
        assert root.find(f"{FHIR}id").get("value") == "camsp-bondy"
        assert root.find(f"{FHIR}name").get("value") == "CAMSP de Bondy"
    xml_bundle = _get(client, "HealthcareService", {"_count": "2", "_format": "application/fhir+xml"})
    bundle = etree.fromstring(xml_bundle.content)
    assert bundle.tag == f"{FHIR}Bundle"
    assert len(bundle.findall(f"{FHIR}entry/{FHIR}resource/{FHIR}HealthcareService")) == 2
    links = {link.find(f"{FHIR}relation").get("value"): link.find(f"{FHIR}url").get("value")
             for link in bundle.findall(f"{FHIR}link")}
    following = requests.get(links["next"], headers={"Authorization": f"Bearer {client.access_token()}", **HEADERS},
                             verify=client.verify, timeout=10)
    assert following.headers["Content-Type"].startswith("application/fhir+xml")  # next pages keep the format
    json_answer = _get(client, "Organization/camsp-bondy", Accept="application/fhir+json")
    assert json_answer.headers["Content-Type"].startswith("application/fhir+json")
    refused = _get(client, "Organization/camsp-bondy", {"_format": "text/turtle"})
    assert refused.status_code == 406 and refused.json()["resourceType"] == "OperationOutcome"


def test_xml_errors_are_operation_outcomes(client: RorApiClient) -> None:
    answer = _get(client, "Organization/nope", {"_format": "xml"})
    assert answer.status_code == 404
    assert etree.fromstring(answer.content).tag == f"{FHIR}OperationOutcome"


def test_etag_and_if_none_match(client: RorApiClient) -> None:
    first = _get(client, "Organization/camsp-bondy")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = _get(client, "Organization/camsp-bondy", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    assert _get(client, "Organization/camsp-bondy", **{"If-None-Match": 'W/"999"'}).status_code == 200


def test_has_with_chained_inner_parameter(client: RorApiClient) -> None:
    roles = client.search("PractitionerRole", [("_count", "200"), ("_include", "PractitionerRole:practitioner")])
    role = next(r for r in roles.matches if r.get("healthcareService"))
    practitioner = client.read("Practitioner", role["practitioner"]["reference"].split("/")[-1])
    idnps = practitioner["identifier"][0]["value"]
    found = client.search("HealthcareService", [("_has:PractitionerRole:service:practitioner.identifier", idnps)])
    service_id = role["healthcareService"][0]["reference"].split("/")[-1]
    assert service_id in {r["id"] for r in found.matches}
    none = client.search("HealthcareService", [("_has:PractitionerRole:service:practitioner.identifier", "0000")])
    assert none.total == 0


def test_summary_count_and_true(client: RorApiClient) -> None:
    counted = _get(client, "HealthcareService", {"_summary": "count"}).json()
    assert counted["total"] > 0 and "entry" not in counted
    summary = _get(client, "HealthcareService", {"_summary": "true", "_count": "1"}).json()["entry"][0]["resource"]
    assert "extension" not in summary and "SUBSETTED" in {t["code"] for t in summary["meta"]["tag"]}
    assert _get(client, "HealthcareService", {"_summary": "bogus"}).status_code == 400


def test_capability_statement_lists_xml(client: RorApiClient) -> None:
    assert {"application/fhir+xml", "application/fhir+json"} <= set(client.metadata()["format"])


def test_a_search_reads_its_query_once_and_still_honours_format(client: RorApiClient, monkeypatch) -> None:
    """The view, the `_format` negotiation (twice) and the answer share one parse of the query string."""
    from simulators.ror import server

    parsed: list[str] = []
    real = server.codec.parse_query

    def counting(query: str):
        parsed.append(query)
        return real(query)

    monkeypatch.setattr(server.codec, "parse_query", counting)
    answer = _get(client, "HealthcareService", [("_count", "2"), ("_format", "xml"), ("_format", "json"),
                                                ("_include", "HealthcareService:organization")])
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/fhir+xml")
    assert len(parsed) == 1, parsed  # the first `_format` wins, as werkzeug's args.get gave it
