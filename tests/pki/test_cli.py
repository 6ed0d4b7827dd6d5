"""`socle-bench pki init | issue | list | revoke` through the argparse registration the CLI uses."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from simulators.core.pki import Pki
from simulators.core.pki.cli import register


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="socle-bench")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return args.func(args)


def test_init_issue_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(tmp_path / "pki")
    assert run("pki", "init", "--dir", d, "--key-type", "ec-p256") == 0
    assert "PKCS#12 password: socle-bench" in capsys.readouterr().out
    index_before = (tmp_path / "pki" / "index.json").read_bytes()
    assert run("pki", "init", "--dir", d) == 0
    assert "already present" in capsys.readouterr().out
    assert (tmp_path / "pki" / "index.json").read_bytes() == index_before

    assert run("pki", "issue", "--dir", d, "--profile", "auth-cli", "--finess", "750000001",
               "--cn", "INSI-AUTO", "--org", "CLINIQUE DE TEST") == 0
    out = capsys.readouterr().out
    assert "auth-cli-insi-auto-1750000001" in out and "CN=INSI-AUTO,OU=1750000001,O=CLINIQUE DE TEST,C=FR" in out
    assert run("pki", "issue", "--dir", d, "--profile", "auth-cli", "--finess", "750000001",
               "--cn", "INSI-AUTO") == 1
    assert "already exists" in capsys.readouterr().err

    assert run("pki", "revoke", "--dir", d, "auth-cli-insi-auto-1750000001") == 0
    capsys.readouterr()
    assert run("pki", "list", "--dir", d, "--json") == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["password"] == "socle-bench"
    issued = {c["name"]: c for c in listing["certificates"]}
    assert issued["auth-cli-insi-auto-1750000001"]["revoked"] is True
    assert {"insi-auto", "insi-manu", "org-sign", "cps", "insi-auto-wrong-issuer"} <= set(issued)

    assert run("pki", "list", "--dir", d) == 0
    table = capsys.readouterr().out
    assert "socle-bench" in table and "revoked" in table and "INSI-MANU" in table
    assert Pki.load(d).get("auth-cli-insi-auto-1750000001").revoked


def test_errors_are_reported_on_stderr_with_exit_code_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("pki", "list", "--dir", str(tmp_path / "none")) == 1
    assert "no PKI" in capsys.readouterr().err
    d = str(tmp_path / "pki")
    assert run("pki", "init", "--dir", d, "--key-type", "ec-p256") == 0
    assert run("pki", "issue", "--dir", d, "--profile", "cps", "--rpps", "12") == 1
    assert "RPPS" in capsys.readouterr().err
    assert run("pki", "revoke", "--dir", d, "inconnu") == 1
