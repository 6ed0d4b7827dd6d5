"""Catalogue and registry must agree: no check cites an unknown id, no generic gap is left."""

import argparse
import io
import re
from pathlib import Path

import conformance
from conformance import checks_dmp

from conformance.checks import LIVE, Check
from conformance.cli import cmd_requirements
from conformance.coverage import coverage
from conformance.registry import SHIPPED_CHECK_MODULES, CheckRegistry, default_registry
from conformance.requirements import load_catalogue
from tests.support import echo_checks


def bad_registry() -> CheckRegistry:
    """Referenced by name from the CLI test below (``--checks``)."""
    return CheckRegistry([Check("demo.unknown", "echo", LIVE, ("nope@1",), lambda e: None)])


def test_shipped_checks_cite_only_catalogued_requirements():
    report = coverage(default_registry(), load_catalogue())
    assert report.unknown_citations == {}


def test_every_requirement_of_every_service_has_a_check_or_a_reason():
    """No service is skipped: a requirement with neither a check nor an ``untested`` reason is a gap."""
    catalogue = load_catalogue()
    report = coverage(default_registry(), catalogue)
    assert len(report.requirements) == len(catalogue)
    assert [c.requirement.id for c in report.gaps()] == []
    assert {c.requirement.id for c in report.by_state("covered")} >= {f"bench@{n}" for n in range(1, 6)}


def test_a_service_without_any_check_is_a_gap_not_a_pass():
    """The meta-test must fail when a whole service loses its checks (the DMP case of issue 14)."""
    modules = tuple(m for m in SHIPPED_CHECK_MODULES if m is not checks_dmp)
    report = coverage(default_registry(modules), load_catalogue())
    gaps = {c.requirement.id for c in report.gaps()}
    assert "dmp@11" in gaps and "dmp@20" in gaps


def _modules_on_disk() -> set[str]:
    root = Path(conformance.__file__).parent
    return {f"conformance.{p.stem}" for p in root.glob("checks_*.py")}


def unregistered_modules(modules=SHIPPED_CHECK_MODULES) -> set[str]:
    return _modules_on_disk() - {m.__name__ for m in modules}


def test_every_check_module_on_disk_is_registered():
    assert _modules_on_disk() >= {"conformance.checks_dmp", "conformance.checks_ins"}
    assert unregistered_modules() == set()
    checks = default_registry().checks()
    for module in SHIPPED_CHECK_MODULES:
        assert {c.id for c in module.checks()} <= {c.id for c in checks}, module.__name__


def test_the_module_meta_test_fails_when_one_module_is_unregistered():
    modules = tuple(m for m in SHIPPED_CHECK_MODULES if m is not checks_dmp)
    assert unregistered_modules(modules) == {"conformance.checks_dmp"}


def test_requirements_coverage_exits_1_on_a_gap(monkeypatch):
    import conformance.registry as registry_module

    monkeypatch.setattr(registry_module, "SHIPPED_CHECK_MODULES",
                        tuple(m for m in SHIPPED_CHECK_MODULES if m is not checks_dmp))
    monkeypatch.setattr(registry_module.default_registry, "__defaults__", (registry_module.SHIPPED_CHECK_MODULES,))
    out = io.StringIO()
    assert cmd_requirements(_args(coverage=True), out) == 1
    assert re.search(r"[1-9][0-9]* sans vérification", out.getvalue())


def test_shipped_coverage_command_ends_with_zero_gaps():
    out = io.StringIO()
    assert cmd_requirements(_args(coverage=True), out) == 0
    assert out.getvalue().rstrip().endswith(", 0 sans vérification")


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
    defaults = {"service": None, "coverage": False, "checks": [], "format": "text"}
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
