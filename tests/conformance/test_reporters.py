"""Each reporter on one report holding every status, hostile bodies included."""

import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from simulators.codecs.xmlsafe import parse_xml

from conformance.checks import LIVE, SESSION, Check, expect, skip
from conformance.evaluate import build_report
from conformance.registry import CheckRegistry
from conformance.report import REPORT_SCHEMA_VERSION
from conformance.reporters import all_reporters
from conformance.reporters.bodies import highlight, pretty_body
from conformance.reporters.json import report_to_json
from tests.conformance.factories import T0, demo_catalogue, make_exchange

ROOT = Path(__file__).resolve().parents[2]
JUNIT_XSD = ROOT / "tests" / "fixtures" / "junit" / "junit-10.xsd"
REPORT_SCHEMA = ROOT / "conformance" / "report.schema.json"
HOSTILE = b"<Patient><Nom>dupont</Nom><script>alert('x')</script></Patient>"


def _nom_upper(exchange):
    nom = parse_xml(exchange.request_body).findtext("Nom")
    expect(nom, nom.upper(), "nom en majuscules")


def _registry() -> CheckRegistry:
    return CheckRegistry([
        Check("demo.pass", "echo", LIVE, ("demo@1",), lambda e: "conforme <ok>"),
        Check("demo.nom", "echo", LIVE, ("demo@3",), _nom_upper, applies=lambda e: e.request_body.startswith(b"<")),
        Check("demo.warn", "echo", LIVE, ("demo@2",), lambda e: expect(1, 2, "compte \x07")),
        Check("demo.skip", "echo", SESSION, ("demo@1",), lambda es: skip("rien à juger")),
        Check("demo.error", "echo", LIVE, ("demo@3",), lambda e: 1 / 0, operations=("status",)),
    ])


@pytest.fixture
def report():
    exchanges = [
        make_exchange(body=HOSTILE, request_headers={"Content-Type": "application/xml"}),
        make_exchange(operation="status", method="GET", path="/status/503", status=503, body=b"",
                      started_at=T0 + 1),
        make_exchange(body=b'{"a": [1, 2]}', request_headers={"Content-Type": "application/json"},
                      started_at=T0 + 2),
    ]
    return build_report(session="s1", exchanges=exchanges, registry=_registry(), catalogue=demo_catalogue(),
                        source="journal.jsonl", now=T0 + 60)


def test_fixture_report_holds_every_status(report):
    statuses = {v.requirement.id: v.status for v in report.requirements}
    assert statuses == {"demo@1": "skip", "demo@2": "warning", "demo@3": "error", "demo@4": "omit"}
    assert {r.outcome.value for r in report.results} == {"pass", "fail", "skip", "error"}


def test_junit_validates_against_the_common_schema(report):
    schema = etree.XMLSchema(parse_xml(JUNIT_XSD.read_bytes()))
    document = parse_xml(all_reporters()["junit"].render(report).encode("utf-8"))
    assert schema.validate(document), schema.error_log
    suite = document.find("testsuite")
    cases = suite.findall("testcase")
    # demo@1: 3 passes + 1 skipped session result; demo@2: 3 warnings; demo@3: 1 fail + 1 error; demo@4: omit
    assert len(cases) == 3 + 1 + 3 + 2 + 1 == int(suite.get("tests")) == int(document.get("tests"))
    assert suite.get("failures") == "1" and suite.get("errors") == "1" and suite.get("skipped") == "2"
    names = [c.get("name") for c in cases]
    assert all(any(n.startswith(f"demo@{i} ") for n in names) for i in range(1, 5))
    warned = [c for c in cases if c.get("classname") == "echo.demo@2"]
    assert all(c.find("failure") is None and "AVERTISSEMENT" in c.findtext("system-out") for c in warned)
    assert "\x07" not in etree.tostring(document, encoding="unicode")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.tags, self.marks, self._in_mark = set(), [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.ids.update(v for k, v in attrs if k == "id")
        self._in_mark = tag == "mark"

    def handle_data(self, data):
        if self._in_mark:
            self.marks.append(data)
            self._in_mark = False


def test_html_is_self_contained_french_and_lists_every_requirement(report):
    page = all_reporters()["html"].render(report)
    collector = _Collector()
    collector.feed(page)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert {f"req-demo@{i}" for i in range(1, 5)} <= collector.ids
    assert {f"ex-{e.id}" for e in report.exchanges} <= collector.ids
    assert "script" not in collector.tags and "link" not in collector.tags and "src=" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page  # escaped, catalogue and body alike
    # the failing value, highlighted in the pretty-printed request and (echoed) response
    assert collector.marks == ["dupont", "dupont"]
    assert "NON CONFORME" in page and "Non testée : Non observable sur le fil." in page
    assert '"a": [' in page or "&quot;a&quot;: [" in page  # JSON pretty-printed


def test_json_report_follows_its_versioned_schema(report):
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads(all_reporters()["json"].render(report))
    jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())
    assert data["schema_version"] == REPORT_SCHEMA_VERSION
    assert schema["properties"]["schema_version"]["pattern"].startswith("^" + REPORT_SCHEMA_VERSION.split(".")[0])
    assert data["exit_code"] == 1 and data["conformant"] is False and data["outcome"] == "error"
    assert [r["id"] for r in data["requirements"]] == ["demo@1", "demo@2", "demo@3", "demo@4"]
    assert data == report_to_json(report)  # one source of truth for the bundle manifest too


def test_json_schema_rejects_a_wrong_report(report):
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    data = report_to_json(report)
    data["requirements"][0]["status"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_console_groups_by_service_and_states_the_verdict(report):
    text = all_reporters()["console"].render(report)
    assert "[echo]" in text and "demo@2" in text and "avertissement" in text
    assert "Résultat : NON CONFORME — 1 exigence(s) bloquante(s) : demo@3" in text
    assert "non testée : Non observable sur le fil." in text


def test_bodies_pretty_print_and_highlight_safely():
    assert pretty_body(b"<a><b>1</b></a>") == "<a>\n  <b>1</b>\n</a>"
    assert pretty_body(b'{"a":1}', {"content-type": "application/fhir+json"}) == '{\n  "a": 1\n}'
    doctype = b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'
    assert pretty_body(doctype) == doctype.decode()  # hardened parser refuses; shown raw, never expanded
    assert highlight("a <b> a", ["<b>", "a"]) == '<mark class="ko">a</mark> <mark class="ko">&lt;b&gt;</mark> ' \
                                                 '<mark class="ko">a</mark>'
    assert highlight("abc", ["abc", "b"]) == '<mark class="ko">abc</mark>'


def test_html_caps_exchanges_but_keeps_every_failing_one(monkeypatch):
    from conformance.reporters import html as html_reporter

    monkeypatch.setattr(html_reporter, "MAX_EXCHANGES", 2)
    exchanges = [make_exchange(started_at=T0 + i, body=f"M{i}".encode()) for i in range(4)]
    exchanges.append(make_exchange(status=415, started_at=T0 + 9))
    from conformance.registry import default_registry
    from conformance.requirements import load_catalogue

    report = build_report(session="s1", exchanges=exchanges, registry=default_registry(), catalogue=load_catalogue(),
                          now=T0)
    page = html_reporter.HtmlReporter().render(report)
    assert "2 échanges affichés sur 5" in page
    assert f'id="ex-{exchanges[-1].id}"' in page and f'id="ex-{exchanges[0].id}"' in page
    assert f'id="ex-{exchanges[1].id}"' not in page


def test_html_report_opens_in_a_browser_with_every_requirement(report, tmp_path, browser):
    """The vendor opens the report in a browser: it renders (no script, no network) and shows every
    requirement of the catalogue with its verdict."""
    from tests.dashboard.browser import open_page, screenshot

    path = tmp_path / "rapport.html"
    path.write_text(all_reporters()["html"].render(report), encoding="utf-8")
    with open_page(browser) as page:
        page.goto(path.as_uri())
        text = page.inner_text("body")
        assert len(report.requirements) >= 4
        for verdict in report.requirements:
            assert verdict.requirement.id in text, verdict.requirement.id
            assert verdict.status_label in text
        assert "NON CONFORME" in text
        screenshot(page, "rapport-conformite")
