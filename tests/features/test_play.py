"""``socle-bench play``: the journey narrated in French, step by step, with what each service received."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from simulators.play import JOURNEYS, play, register


def test_play_is_a_subcommand_with_the_sixteen_journeys() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["play", "elise", "--bench-url", "http://127.0.0.1:8080"])
    assert (args.journey, args.bench_url, args.dui) == ("elise", "http://127.0.0.1:8080", "reference")
    assert len(JOURNEYS) == 16 and {"fanny", "irene", "daniel", "louis_domicile", "lucas_dime"} <= set(JOURNEYS)
    assert parser.parse_args(["play", "irene"]).journey == "irene"
    with pytest.raises(SystemExit):
        parser.parse_args(["play", "louis"])  # a person with two journeys: play one of them


def test_play_elliot_narrates_steps_exchanges_and_verdicts(pytestconfig: pytest.Config, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    cache = getattr(pytestconfig, "cache", None)
    monkeypatch.setenv("SOCLE_BENCH_PKI_CACHE", str(cache.mkdir("socle-bench-pki") if cache else tmp_path / "pki"))
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    code = play("elliot", out=out)
    text = out.getvalue()
    assert code == 0, text[-3000:]
    assert "━━ Elliot, 14 ans — AEMO judiciaire" in text
    assert "▶ 3. Au premier rendez-vous, la secrétaire qualifie l'INS d'Elliot" in text
    assert "→ ins       rechercherInsAvecTraitsIdentite" in text and "traits DUMONTIER ELLIOT → CR 00" in text
    assert "112067511408440@patient.mssante.fr distribué" in text  # his own Mon espace santé address
    assert "conformité : " in text and "vérification(s) réussie(s)" in text
    assert "Bilan : 6/6 scénario(s) réussi(s)" in text
