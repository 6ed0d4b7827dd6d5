"""Official ids on every verdict (item 5 of issue 14) and reports that say what was not judged (item 8)."""

from __future__ import annotations

import argparse
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest

from conformance.cli import cmd_requirements
from conformance.evaluate import build_report
from conformance.outcomes import Outcome
from conformance.registry import default_registry
from conformance.report import RequirementVerdict
from conformance.reporters import all_reporters
from conformance.requirements import CatalogueError, load_catalogue, parse_catalogue, parse_official_ids
from simulators.core.exchange import Exchange
from tests.conformance.factories import report_with, requirement, result

SCHEMA = Path(__file__).resolve().parents[2] / "conformance" / "report.schema.json"
ROOT = Path(__file__).resolve().parents[2]
# The project's research note on the official ids (written for the project, kept in docs/ so the check
# below always runs; the project space's shared/ copy is where it is edited).
RESEARCH_NOTE = ROOT / "docs" / "segur-requirements.md"
SCHEMES = re.compile(r"^(INS/va1\.\d+|EX_[A-Z0-9.]+-\d+|REC_[\d.]+-\d+|CNDA test [\d.]+-\d+|INSi Test 1\.0\d|"
                     r"SEL-GCONFORM_INSi|ECO(\.\d+){3}|SC\.[A-Z]+(/[A-Z]+)?\.\d+|MSS/va1\.\d+|ANN/va1\.\d+|"
                     r"SENTINELLE\.\d+|SC\.CDA/INT\.\d+|SC\.MSS/(CONF|UX)\.\d+|CI-SIS-CR-CDA-N1-Create_doc-Sc1)$")


def test_official_ids_follow_known_schemes_and_both_confidences_are_used():
    catalogue = load_catalogue()
    ids = [o for r in catalogue for o in r.official_ids]
    assert ids and {o.confidence for o in ids} == {"officiel", "probable"}
    for official in ids:
        assert SCHEMES.match(official.id), official.id
    for service, prefix in (("ins", "insi@"), ("dmp", "dmp@"), ("mss", "mss@")):
        assert any(o.confidence == "officiel" for r in catalogue if r.id.startswith(prefix) for o in r.official_ids), service
    assert not any(r.official_ids for r in catalogue if r.id.startswith("ror@"))  # no ROR id is known: none printed


def ids_missing_from(note: str, ids: set[str]) -> list[str]:
    """The official ids a note does not write (the "CNDA test " / "INSi Test " prefixes are the catalogue's)."""
    return sorted(i for i in ids if i.removeprefix("CNDA test ").removeprefix("INSi Test ") not in note)


def test_every_official_id_is_in_the_research_note():
    """Never invent an id: each one is written in the research note (docs/segur-requirements.md)."""
    ids = {o.id for r in load_catalogue() for o in r.official_ids}
    assert ids and ids_missing_from(RESEARCH_NOTE.read_text(encoding="utf-8"), ids) == []


def test_an_official_id_missing_from_the_research_note_is_found():
    note = RESEARCH_NOTE.read_text(encoding="utf-8")
    real = sorted({o.id for r in load_catalogue() for o in r.official_ids})[0]
    assert ids_missing_from(note, {real, "EX_9.9.9-9999"}) == ["EX_9.9.9-9999"]


def test_official_ids_parse_and_reject_an_unknown_confidence():
    assert [str(o) for o in parse_official_ids("EX_2.1-1260 (officiel) ; ECO.2.4.2 (probable)")] == [
        "EX_2.1-1260 (officiel)", "ECO.2.4.2 (probable)"]
    with pytest.raises(CatalogueError, match="identifiant officiel mal formé"):
        parse_official_ids("EX_2.1-1260 (sûr)")
    csv = "id,service,level,text,source,untested,official_ids\ndemo@1,echo,EXIGENCE,Texte un,demo.md,,X (peut-être)\n"
    with pytest.raises(CatalogueError):
        parse_catalogue(csv)


def _args(**kw):
    defaults = {"service": None, "coverage": False, "checks": [], "format": "text", "official": None}
    defaults.update(kw)
    return argparse.Namespace(**defaults)


def test_requirements_official_lists_the_bench_requirements_preparing_an_id():
    out = io.StringIO()
    assert cmd_requirements(_args(official="INS/va1.53"), out) == 0
    text = out.getvalue()
    assert "insi@13" in text and "mss@14" in text and "vu dans une source officielle" in text
    assert "dmp@12" not in text
    out = io.StringIO()
    assert cmd_requirements(_args(official="EX_9.9-0000"), out) == 1
    assert "aucune exigence du banc" in out.getvalue()


def _dmp_report():
    """A real DMP report (shipped catalogue), so official ids come from requirements.csv."""
    catalogue = load_catalogue()
    exchange = Exchange(session="s", service="dmp", operation="ITI-41", started_at=1.0, status=200, method="POST",
                        path="/repository", summary={})
    return build_report(session="s", exchanges=[exchange], registry=default_registry(), catalogue=catalogue,
                        services=["ins", "dmp", "mss"], now=1.0)


def test_junit_html_console_and_json_show_official_ids_with_their_confidence():
    report = _dmp_report()
    reporters = all_reporters()
    junit = reporters["junit"].render(report)
    assert 'name="exigences_officielles.dmp@12" value="EX_2.1-1260 (vu dans une source officielle)"' in junit
    assert 'name="exigences_officielles.insi@13"' in junit and 'name="exigences_officielles.mss@13"' in junit
    assert "ECO.2.4.2 (vu dans une source officielle)" in junit and "(correspondance probable)" in junit
    page = reporters["html"].render(report)
    assert "<code>EX_2.1-1260</code>" in page and "vu dans une source officielle" in page
    assert "exigences officielles : EX_2.1-1260 (vu dans une source officielle)" in reporters["console"].render(report)
    data = json.loads(reporters["json"].render(report))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    [dmp12] = [r for r in data["requirements"] if r["id"] == "dmp@12"]
    assert dmp12["official_ids"][0] == {"id": "EX_2.1-1260", "confidence": "officiel",
                                        "confidence_label": "vu dans une source officielle"}


def test_the_summary_separates_evaluated_from_not_evaluated():
    verdicts = [
        RequirementVerdict(requirement("demo@1"), [result(Outcome.PASS)]),
        RequirementVerdict(requirement("demo@2"), [result(Outcome.SKIP, "demo@2")]),
        RequirementVerdict(requirement("demo@3"), [], checks=["demo.c"]),
    ]
    report = report_with(verdicts)
    assert [v.requirement.id for v in report.evaluated()] == ["demo@1"]
    assert report.headline() == "CONFORME sur 1 exigence(s) évaluée(s) ; 2 exigence(s) non évaluée(s)"
    text = all_reporters()["console"].render(report)
    assert "Non évaluées (2) : demo@2, demo@3" in text
    assert text.rstrip().endswith("Résultat : CONFORME sur 1 exigence(s) évaluée(s) ; 2 exigence(s) non évaluée(s)")
    page = all_reporters()["html"].render(report)
    assert "2 exigence(s) non évaluée(s)" in page and "aucun échange de la session ne la concernait" in page
    data = json.loads(all_reporters()["json"].render(report))
    assert data["summary"]["evaluated"] == 1 and data["summary"]["not_evaluated"] == 2
    assert [r["evaluated"] for r in data["requirements"]] == [True, False, False]


def test_a_report_where_nothing_was_evaluated_never_reads_as_plain_conforme():
    report = report_with([RequirementVerdict(requirement("demo@1"), [result(Outcome.SKIP)])])
    assert report.exit_code == 0
    assert report.headline().startswith("CONFORME sur 0 exigence(s) évaluée(s)")
