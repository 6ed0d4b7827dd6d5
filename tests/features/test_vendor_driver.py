"""A vendor's view: the journeys run with a plug-in driver with seeded defects fail where they should,
with messages a vendor can act on; and --dui errors are explained."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import features
from conformance.drivers import DriverLoadError, load_driver
from conformance.drivers.observe import ObserveDriver
from conformance.drivers.reference import ReferenceDui
from conformance.drivers.probe import BenchProbe
from conformance.pytest_plugin import plugin_args

ROOT = Path(__file__).resolve().parents[2]
FEATURES = Path(features.__file__).parent

pytest_plugins = ["pytester"]
# the scenarios where each seeded defect shows (Élise's INS, the judge twice, the rapport d'échéance),
# plus three that the defective DUI still passes (Fanny's and Elliot's names carry no accent)
SELECTION = "qualifi or Justice or hors or échéance"


def test_load_driver_builtins_and_plugins() -> None:
    assert isinstance(load_driver("reference"), ReferenceDui)
    assert isinstance(load_driver("observe", timeout_s=1), ObserveDriver)
    assert load_driver("tests.features.defective_dui:DefectiveDui").name == "defectueux"
    with pytest.raises(DriverLoadError, match=r"paquet.module:Classe"):
        load_driver("pas-un-pilote")
    with pytest.raises(DriverLoadError, match="impossible de charger"):
        load_driver("tests.features.absent:Driver")
    with pytest.raises(DriverLoadError, match="n'est pas un pilote de DUI"):
        load_driver("pathlib:PurePath")


@pytest.fixture(autouse=True)
def _shared_pki(pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The inner runs reuse the outer run's test PKI (RSA keys are the slow part of a bench start)."""
    cache = getattr(pytestconfig, "cache", None)
    shared = cache.mkdir("socle-bench-pki") if cache is not None else tmp_path_factory.mktemp("pki")
    monkeypatch.setenv("SOCLE_BENCH_PKI_CACHE", str(shared))


def _run_features(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makeconftest("from features.steps import *  # noqa\n")
    pytester.makepyfile(test_parcours=(
        "from pytest_bdd import scenarios\n"
        f"scenarios({str(FEATURES / 'fanny.feature')!r}, {str(FEATURES / 'elliot.feature')!r}, "
        f"{str(FEATURES / 'elise.feature')!r})\n"))
    env_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    pytester._monkeypatch.setenv("PYTHONPATH", env_path)  # the subprocess imports tests.*
    return pytester.runpytest_subprocess(*plugin_args(), "-p", "no:cacheprovider",
                                         "-p", "no:xdist", "-q", "-rA", *args, timeout=120)


def test_defective_plugin_driver_against_a_running_bench(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """A vendor's CI in the docker variant: --bench-url/--bench-pki of a bench already running (here in
    this process), a plug-in driver with seeded defects, the conformance report next to --junitxml."""
    from conformance.drivers.local_bench import start_local_bench

    running = start_local_bench(tmp_path / "banc", pki_dir=Path(os.environ["SOCLE_BENCH_PKI_CACHE"]))
    try:
        result = _run_features(pytester, "--dui", "tests.features.defective_dui:DefectiveDui", "-k", SELECTION,
                               f"--junitxml={tmp_path / 'junit.xml'}", "--bench-session", "recette-editeur",
                               "--bench-url", running.admin_url, "--bench-pki", str(running.pki.directory))
        sessions = [s["name"] for s in BenchProbe(running.admin_url, "x").get_json("/sessions")]
    finally:
        running.stop()
    assert "recette-editeur" in sessions
    out = result.stdout.str()
    # traits upper-cased but not normalised: Élise's accent and apostrophe reach INSi
    assert "traits envoyés à INSi non normalisés : attendu nom \"D'ALMEIDA-ROCHE\" et prénom 'ELISE', obtenu nom " \
           "'D’ALMEIDA-ROCHE' et prénom 'ÉLISE'" in out, out[-4000:]
    # the report for the judge went through MSSanté and was refused by the operator
    assert "le DUI a tenté d'envoyer par MSSanté hors de l'espace de confiance" in out
    assert "xavier.delmas@tribunal-judiciaire.justice.test (refusé : 550 5.7.1" in out
    # the educational report was pushed to the DMP
    assert "« rapport d'échéance » est un document éducatif ou social : il ne se verse jamais au DMP" in out
    outcomes = result.parseoutcomes()
    assert (outcomes.get("failed"), outcomes.get("passed")) == (4, 3), out[-3000:]
    assert "socle-bench : rapport de conformité" in out
    judged = json.loads((tmp_path / "conformance.json").read_text(encoding="utf-8"))
    assert judged["session"] == "recette-editeur" and judged["conformant"] is False and judged["exit_code"] == 1
    status = {r["id"]: r["status"] for r in judged["requirements"]}
    assert status["parcours@1"] == "fail" and status["parcours@2"] == "fail"
    assert {"ins", "mss", "dmp"} <= set(judged["services"])
    assert "<testsuites" in (tmp_path / "conformance-junit.xml").read_text(encoding="utf-8")
    assert (tmp_path / "conformance.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
