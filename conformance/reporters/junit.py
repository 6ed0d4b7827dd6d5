"""JUnit XML (the Jenkins/Ant ``junit-10.xsd`` dialect every CI tool renders natively).

One testsuite per service and one testcase per (requirement, check, exchange), so a CI page shows
exactly which exchange broke which requirement. A failed RECOMMANDATION is a passing testcase with
an "AVERTISSEMENT" note: CI gates on failures and warnings must not gate.
"""

from __future__ import annotations

import socket
from datetime import datetime, UTC

from lxml import etree

from conformance.checks import CheckResult
from conformance.outcomes import display_status
from conformance.report import Report, RequirementVerdict, official_ids_text, service_label


class JUnitReporter:
    name = "junit"
    filename = "junit.xml"

    def render(self, report: Report) -> str:
        root = etree.Element("testsuites", name=f"socle-bench — session {report.session}")
        totals = dict.fromkeys(("tests", "failures", "errors"), 0)
        timestamp = datetime.fromtimestamp(report.generated_at, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        for service, verdicts in report.verdicts_by_service().items():
            suite = etree.SubElement(root, "testsuite", name=f"conformité {service_label(service)}")
            properties = etree.SubElement(suite, "properties")
            for name, value in (("session", report.session), ("bench_version", report.bench_version),
                                ("catalogue_version", report.catalogue_version), ("source", report.source)):
                etree.SubElement(properties, "property", name=name, value=_clean(value))
            for verdict in verdicts:  # testcases carry no properties in junit-10.xsd: the suite does
                if verdict.requirement.official_ids:
                    etree.SubElement(properties, "property", name=f"exigences_officielles.{verdict.requirement.id}",
                                     value=_clean(official_ids_text(verdict.requirement)))
            counts = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
            for verdict in verdicts:
                for case in _testcases(verdict):
                    suite.append(case)
                    counts["tests"] += 1
                    for kind, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
                        counts[key] += len(case.findall(kind))
            suite.set("tests", str(counts["tests"]))
            suite.set("failures", str(counts["failures"]))
            suite.set("errors", str(counts["errors"]))
            suite.set("skipped", str(counts["skipped"]))
            suite.set("time", "0")
            suite.set("timestamp", timestamp)
            suite.set("hostname", _clean(socket.gethostname()))
            for key in totals:
                totals[key] += counts[key]
        for key, total in totals.items():
            root.set(key, str(total))
        return etree.tostring(root, encoding="unicode", pretty_print=True)


def _testcases(verdict: RequirementVerdict) -> list[etree._Element]:
    requirement = verdict.requirement
    classname = f"{'tous-services' if requirement.service == '*' else requirement.service}.{requirement.id}"
    if not verdict.results:
        case = etree.Element("testcase", name=f"{requirement.id} {_clean(requirement.text[:80])}",
                             classname=classname, time="0")
        reason = f"non évaluée : {verdict.not_evaluated_reason}"
        etree.SubElement(case, "skipped", message=_clean(reason))
        return [case]
    cases = []
    for result in verdict.results:
        for exchange_id in result.exchange_ids or [""]:
            name = f"{requirement.id} {result.check}" + (f" échange {exchange_id}" if exchange_id else "")
            case = etree.Element("testcase", name=name, classname=classname, time="0")
            _judge(case, result, requirement.level, requirement.text, official_ids_text(requirement))
            cases.append(case)
    return cases


def _judge(case: etree._Element, result: CheckResult, level: str, text: str, official: str = "") -> None:
    status = display_status(result.outcome, level)
    message = _clean(result.message)
    if status == "fail":
        failure = etree.SubElement(case, "failure", message=message, type=level)
        failure.text = _clean(f"{text}\n{result.message}")
    elif status == "error":
        error = etree.SubElement(case, "error", message=message, type="erreur du banc")
        error.text = _clean(result.detail or result.message)
    elif status == "skip":
        etree.SubElement(case, "skipped", message=message)
    out = etree.SubElement(case, "system-out")
    prefix = "AVERTISSEMENT (RECOMMANDATION non respectée) : " if status == "warning" else ""
    out.text = _clean(prefix + result.message + (f"\nExigences officielles : {official}" if official else ""))


def _clean(value: str) -> str:
    """XML 1.0 forbids most control characters; a DUI can put them anywhere."""
    return "".join(ch if _xml_char(ord(ch)) else "\ufffd" for ch in str(value))


def _xml_char(code: int) -> bool:
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000
