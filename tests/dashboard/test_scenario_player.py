"""The real scenario player over HTTP (no browser): the contract of README "Lecteur de scénarios"
with the shipped journeys, played by the reference DUI against a real bench."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from simulators.core.bench import Bench
from tests.dashboard.real_bench import start_real_bench

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def real_bench(tmp_path: Path, pytestconfig: pytest.Config) -> Iterator[Bench]:
    bench = start_real_bench(pytestconfig, tmp_path)
    try:
        yield bench
    finally:
        bench.stop()


def test_journeys_are_listed_with_their_french_steps(real_bench: Bench) -> None:
    base = real_bench.admin_url + "/_bench/scenarios"
    assert requests.get(real_bench.admin_url + "/ui/api/meta", timeout=10).json()["scenarios"]["available"]
    journeys = {j["id"]: j for j in requests.get(base, params={"session": "liste"}, timeout=10).json()["journeys"]}
    from features.catalog import JOURNEYS

    assert set(journeys) == set(JOURNEYS)  # the sixteen, each with its sector
    assert journeys["daniel"]["sector_label"] == "Personnes âgées" and journeys["elise"]["sector"] == "pde"
    elise = journeys["elise"]
    assert elise["title"].startswith("Élise, 15 ans") and elise["next"] == 1 and not elise["finished"]
    assert len(elise["steps"]) == 10
    second = elise["steps"][1]
    assert second["n"] == 2 and second["status"] == "pending" and second["services"] == ["mss"]
    assert second["narration"].startswith("Quand l'assistante sociale de la CRIP transmet le rapport au juge des enfants d'Élise")
    assert "Étant donné le parcours" not in second["narration"]  # the background is not narrated


def test_steps_play_one_at_a_time_in_the_page_session_and_reset(real_bench: Bench) -> None:
    base = real_bench.admin_url + "/_bench/scenarios"
    first = requests.post(f"{base}/elise/step", json={"session": "joue"}, timeout=60).json()
    assert first["step"]["n"] == 1 and first["step"]["status"] == "done", first["step"]
    assert any("crip@" in line and "distribué" in line for line in first["step"]["received"])
    assert first["step"]["verdicts"][0].startswith("conformité :")
    assert first["journey"]["next"] == 2 and first["journey"]["steps"][0]["status"] == "done"
    recorded = requests.get(real_bench.admin_url + "/_bench/exchanges", params={"session": "joue"}, timeout=10).json()
    assert {e["id"] for e in recorded["exchanges"]} >= set(first["step"]["exchanges"]) != set()

    second = requests.post(f"{base}/elise/step", json={"session": "joue"}, timeout=60).json()["step"]
    assert second["status"] == "done" and second["exchanges"] == []  # the judge is reached off the bench
    assert second["demo"]["session"] == "joue-demo"
    assert "550 5.7.1" in second["message"] and "hors de l'espace de confiance" in second["message"]

    other = requests.get(base, params={"session": "autre"}, timeout=10).json()["journeys"][2]
    assert other["next"] == 1  # per session
    reset = requests.post(f"{base}/elise/reset", json={"session": "joue"}, timeout=10).json()["journey"]
    assert reset["next"] == 1 and {s["status"] for s in reset["steps"]} == {"pending"}
    unknown = requests.post(f"{base}/nobody/step", json={"session": "joue"}, timeout=10)
    assert unknown.status_code == 404 and "parcours inconnu" in unknown.json()["detail"]


FEATURE = '''# language: fr
Fonctionnalité: Essai — une phrase inconnue
  Contexte:
    Étant donné le parcours d'"Élise" sur le banc socle-bench

  @mss
  Scénario: 1. Une phrase que la bibliothèque ne connaît pas
    Quand "l'infirmière scolaire" envoie par MSSanté "le rapport de situation" d'"Élise" à "la CRIP"
    Alors la CRIP danse la carmagnole

  Scénario: 2. Une vérification qui échoue
    Alors la boîte MSSanté de "la CRIP" a reçu "l'ordonnance"
'''


def test_a_failing_step_says_why_in_french_and_the_journey_goes_on(tmp_path: Path,
                                                                   pytestconfig: pytest.Config) -> None:
    from conformance.drivers.scenario_player import ScenarioPlayer
    from simulators.core.config import load_config
    from simulators.dashboard import Dashboard
    from simulators.registry import load_simulators
    from tests.dashboard.real_bench import shared_pki

    (tmp_path / "essai.feature").write_text(FEATURE, encoding="utf-8")
    player = ScenarioPlayer(journeys=("essai",), directory=tmp_path)
    config = load_config(None, data_dir=tmp_path / "bench-data", tls=True).ephemeral()
    bench = Bench(config, [*load_simulators(("mss",)), Dashboard(scenarios=player)],
                  pki=shared_pki(pytestconfig, tmp_path)).start()
    try:
        base = bench.admin_url + "/_bench/scenarios/essai/step"
        first = requests.post(base, json={"session": "essai"}, timeout=60).json()["step"]
        assert first["status"] == "failed"
        assert first["message"] == ("aucune étape de la bibliothèque ne correspond à "
                                    "« Alors la CRIP danse la carmagnole »")
        assert any("distribué" in line for line in first["received"])  # the first sentence was played
        second = requests.post(base, json={"session": "essai"}, timeout=60).json()
        assert second["step"]["status"] == "failed" and "ordonnance" in second["step"]["message"]
        assert second["journey"]["finished"] and second["journey"]["next"] is None
        again = requests.post(base, json={"session": "essai"}, timeout=10)
        assert again.status_code == 409 and "Recommencer" in again.json()["detail"]
    finally:
        bench.stop()
