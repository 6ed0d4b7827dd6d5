"""Catalogue and registry must agree: no check cites an unknown id, no generic gap is left."""

import argparse
import io
import re

from conformance.checks import LIVE, Check
from conformance.cli import cmd_requirements
from conformance.coverage import coverage
from conformance.registry import CheckRegistry, default_registry
from conformance.requirements import load_catalogue
from tests.support import echo_checks


def bad_registry() -> CheckRegistry:
    """Referenced by name from the CLI test below (``--checks``)."""
    return CheckRegistry([Check("demo.unknown", "echo", LIVE, ("nope@1",), lambda e: None)])


def test_shipped_checks_cite_only_catalogued_requirements():
    report = coverage(default_registry(), load_catalogue())
    assert report.unknown_citations == {}


def test_services_with_checks_leave_no_uncovered_requirement():
    """Every requirement of a service that ships checks has a check or a written reason."""
    report = coverage(default_registry(), load_catalogue())
    assert [c.requirement.id for c in report.gaps()] == []
    assert {c.requirement.id for c in report.by_state("covered")} >= {f"bench@{n}" for n in range(1, 6)}


def test_demonstration_set_covers_its_own_catalogue():
    registry = default_registry()
    registry.extend(echo_checks.registry())
    report = coverage(registry, load_catalogue().merged(registry.requirements), ["echo"])
    assert report.unknown_citations == {}
    assert [c.requirement.id for c in report.gaps()] == []


def test_unknown_citation_is_detected():
    report = coverage(bad_registry(), load_catalogue())
    assert report.unknown_citations == {"demo.unknown": ("nope@1",)}


def _args(**kw):
    defaults = dict(service=None, coverage=False, checks=[], format="text")
    return argparse.Namespace(**{**defaults, **kw})


def test_requirements_command_lists_and_filters():
    out = io.StringIO()
    assert cmd_requirements(_args(service=["ins"]), out) == 0
    text = out.getvalue()
    assert "insi@1 " in text and "bench@1 " in text and "dmp@1 " not in text


def test_requirements_coverage_shows_checks_and_reasons():
    out = io.StringIO()
    assert cmd_requirements(_args(coverage=True, service=["ins"]), out) == 0
    text = out.getvalue()
    assert "vérifiée : bench.response-produced" in text
    assert "non testée : " in text
    summary = re.search(r"(\d+) exigences : (\d+) vérifiées, (\d+) non testées \(motif donné\), (\d+) sans vérification", text)
    total, checked, untested, missing = map(int, summary.groups())
    assert total == checked + untested + missing
    assert text.count("SANS VÉRIFICATION") == missing


def test_requirements_coverage_fails_on_unknown_citation():
    out = io.StringIO()
    code = cmd_requirements(_args(coverage=True, checks=["tests.conformance.test_coverage:bad_registry"]), out)
    assert code == 1 and "nope@1" in out.getvalue()


def test_requirements_csv_format_and_unknown_service(capsys):
    out = io.StringIO()
    assert cmd_requirements(_args(format="csv", service=["ror"]), out) == 0
    assert out.getvalue().splitlines()[0].startswith("id,service,level,text,source,untested,checks,coverage")
    assert cmd_requirements(_args(service=["insee"]), io.StringIO()) == 2
    assert "service inconnu insee" in capsys.readouterr().err
