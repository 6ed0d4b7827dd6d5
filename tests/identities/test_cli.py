"""``data show`` and ``data export`` through register() on a parser built here."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from simulators.identities.cli import register
from simulators.identities.world import build_world


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="socle-bench")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_show_fanny(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["data", "show", "fanny"]) == 0
    out = capsys.readouterr().out
    fanny = build_world().person("fanny")
    assert "Fanny Lavergne (fanny)" in out
    assert "— OID 1.2.250.1.213.1.4.10 (test INS-NIR)" in out
    assert "FANNY LEA" in out and fanny.ins.value in out and "Initial identity status: PROV (provisoire)" in out
    assert "Birth name: LAVERGNE" in out and "Given names (ListePrenom): FANNY LEA" in out
    assert "Sophie Lavergne (fanny-mere, parental authority)" in out


def test_show_daniel_lists_his_cousin(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["data", "show", "daniel"]) == 0
    out = capsys.readouterr().out
    assert "conjoint: Monique Perrin (daniel-epouse)" in out
    assert "cousin: Gilles Perrin (daniel-cousin)" in out
    assert _run(["data", "show", "daniel-cousin"]) == 0
    out = capsys.readouterr().out
    assert "Gilles Perrin (daniel-cousin)" in out and "63800 Cournon-d'Auvergne" in out
    assert "cousin: Daniel Perrin (daniel)" in out


def test_show_other_kinds_and_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["data", "show", "crip-93"]) == 0
    card = capsys.readouterr().out
    assert "Organisational mailbox (BAL): crip@cd93.mssante.test" in card and "Address: " in card
    assert _run(["data", "show", "mecs-les-tilleuls"]) == 0
    card = capsys.readouterr().out
    assert "category 177" in card and '(offer type -): ages 12-18, ' in card and "places available" in card
    assert _run(["data", "show", "juge-des-enfants"]) == 0
    assert "MSSanté: none (outside the trust space)" in capsys.readouterr().out
    assert _run(["data", "show", "list"]) == 0
    assert "elise" in capsys.readouterr().out
    assert _run(["data", "show", "personne"]) == 2
    assert "unknown: 'personne'" in capsys.readouterr().err


def test_export_file_is_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert _run(["data", "export", "--format", "json", "--seed", "5", "--output", str(first)]) == 0
    assert _run(["data", "export", "--seed", "5", "-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text("utf-8"))
    assert data["format"] == "socle-bench-world" and data["seed"] == 5
    assert {"persons", "professionals", "establishments", "mss_domains", "communes"} <= set(data)
    assert first.read_text("utf-8") == build_world(5).to_json()


def test_export_to_stdout_with_oid(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["data", "export", "--persona-oid", "1.2.250.1.213.1.4.8"]) == 0
    data = json.loads(capsys.readouterr().out)
    fanny = next(p for p in data["persons"] if p["id"] == "fanny")
    assert fanny["ins"]["oid"] == "1.2.250.1.213.1.4.8"
