"""The shared FHIR layer: unknown-parameter handling policies, `_has` chains, format negotiation,
JSON -> XML, `_elements` / `_summary`."""

from __future__ import annotations

import pytest
from lxml import etree

from simulators.fhir.bundle import subset, summarise
from simulators.fhir.errors import SearchError
from simulators.fhir.formats import negotiate
from simulators.fhir.query import parse_search, prefer_handling
from simulators.fhir.syntax import parse_name
from simulators.fhir.xml import to_xml

KNOWN = {"name", "identifier", "_id"}.__contains__


def _parse(pairs: list[tuple[str, str]], handling: str):
    return parse_search(pairs, page_max=50, rtype="Practitioner", known=KNOWN, handling=handling,
                        known_names=lambda: ["_id", "identifier", "name"])


@pytest.mark.parametrize(("handling", "underscore_ok", "name_ok"), [
    ("hapi", True, False), ("lenient", True, True), ("strict", False, False), ("gateway", True, False)])
def test_unknown_parameter_policies(handling: str, underscore_ok: bool, name_ok: bool) -> None:
    for pairs, ok in (([("_totalMethod", "count")], underscore_ok), ([("mailbox-mss-type", "ORG")], name_ok)):
        if ok:
            assert _parse(pairs, handling).ignored == [pairs[0][0]]
        else:
            with pytest.raises(SearchError) as error:
                _parse(pairs, handling)
            assert error.value.status == 400
    with pytest.raises(SearchError, match="Parameter mailbox-mss-type not found"):
        _parse([("mailbox-mss-type", "ORG")], "gateway")
    with pytest.raises(SearchError, match="HAPI-0524"):
        _parse([("nom", "x")], "hapi")


def test_known_parameters_still_parse_and_prefer_header() -> None:
    request = _parse([("name:contains", "MA"), ("_count", "500"), ("_sort", "-_id"), ("_summary", "count")], "hapi")
    assert request.clauses[0].modifier == "contains" and request.count == 50 and request.summary_count
    assert prefer_handling("return=minimal, handling=strict", "hapi") == "strict"
    assert prefer_handling('handling="lenient"', "strict") == "lenient"
    assert prefer_handling("", "gateway") == "gateway"


def test_has_with_chain_and_nesting() -> None:
    clause = parse_name("_has:PractitionerRole:service:practitioner.identifier")
    assert clause.has == ("PractitionerRole", "service") and clause.chain == ("practitioner",)
    assert clause.name == "identifier"
    nested = parse_name("_has:PractitionerRole:service:_has:Task:focus:status")
    assert nested.has == ("PractitionerRole", "service") and nested.inner_has == (("Task", "focus"),)
    with pytest.raises(SearchError):
        parse_name("_has:PractitionerRole:service")


def test_format_negotiation() -> None:
    assert negotiate("", "application/fhir+xml") == "xml"
    assert negotiate("", "application/fhir+json;q=0.5, application/fhir+xml;q=0.9") == "xml"
    assert negotiate("json", "application/fhir+xml") == "json"
    assert negotiate("", "text/html") == "json"
    with pytest.raises(SearchError) as error:
        negotiate("text/turtle", "")
    assert error.value.status == 406
    with pytest.raises(SearchError):
        negotiate("xml", "", xml=False)


def test_xml_follows_the_fhir_rules() -> None:
    resource = {"resourceType": "Practitioner", "id": "p1", "meta": {"versionId": "2"}, "language": "fr",
                "active": True, "name": [{"family": "MARTIN", "given": ["Anne", "Marie"]}],
                "birthDate": "1970", "_birthDate": {"extension": [{"url": "u", "valueString": "x"}]},
                "extension": [{"url": "https://example.org/ext", "valueCoding": {"code": "c"}}],
                "text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">Dr</div>'}}
    root = etree.fromstring(to_xml(resource))
    ns = "{http://hl7.org/fhir}"
    children = [c.tag.replace(ns, "") for c in root]
    assert children[:5] == ["id", "meta", "language", "text", "extension"]
    assert root.find(f"{ns}extension").get("url") == "https://example.org/ext"
    assert [g.get("value") for g in root.iter(f"{ns}given")] == ["Anne", "Marie"]
    assert root.find(f"{ns}active").get("value") == "true"
    birth = root.find(f"{ns}birthDate")
    assert birth.get("value") == "1970" and birth.find(f"{ns}extension").get("url") == "u"
    assert root.find(f"{ns}text/{{http://www.w3.org/1999/xhtml}}div").text == "Dr"


def test_elements_and_summary() -> None:
    resource = {"resourceType": "Practitioner", "id": "p", "meta": {}, "name": [{"family": "X"}],
                "telecom": [{"value": "a"}], "extension": [{"url": "u"}], "text": {"div": "d"}}
    assert set(subset(resource, ("name",))) == {"resourceType", "id", "meta", "name"}
    assert set(subset(resource, ("Organization.name",))) == {"resourceType", "id", "meta"}
    assert "extension" not in summarise(resource, "true") and "telecom" in summarise(resource, "true")
    assert "text" not in summarise(resource, "data") and summarise(resource, "false") is resource


def test_normal_reference_shortcut_gives_the_full_rule() -> None:
    from simulators.fhir.values import normal_reference

    def full_rule(ref: str) -> str:
        parts = [p for p in ref.split("/_history/")[0].split("/") if p]
        return "/".join(parts[-2:]) if len(parts) >= 2 else ref

    cases = ["Organization/1", "https://h/fhir/Organization/1/_history/2", "Organization/1/_history/2", "/Location/1",
             "Location/", "/Location", "Location//1", "Location/1/", "a/b/c", "", "x", "/", "//", "Org/_history",
             "Location/_history/3"]
    for ref in cases:
        assert normal_reference(ref) == full_rule(ref), ref


def test_split_or_without_escape_is_the_character_scan() -> None:
    from simulators.fhir import syntax

    def scan(value: str) -> tuple[str, ...]:
        *head, last = syntax.split_or(value + "\\\\")  # an escaped backslash forces the scan
        return (*head, last[:-1])

    for value in ("", "a", "a,b", ",", "a,,b,", "é|x,ü", "http://s|c,http://t|d"):
        assert syntax.split_or(value) == scan(value), value
    assert syntax.split_or("a\\,b,c") == ("a,b", "c")
    with pytest.raises(SearchError):
        syntax.split_or(",".join(["x"] * (syntax.MAX_OR_VALUES + 1)))
