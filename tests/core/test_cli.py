"""`socle-bench serve` as a user runs it: a real process, readiness line, health, clean Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from simulators.cli import build_parser, main
from simulators.core.config import DEFAULT_PORTS

ROOT = Path(__file__).resolve().parents[2]


def ephemeral_config(tmp_path: Path, extra: str = "") -> Path:
    cfg = tmp_path / "bench.toml"
    ports = "\n".join(f"{name} = 0" for name in DEFAULT_PORTS)
    cfg.write_text(f"[ports]\n{ports}\n{extra}", encoding="utf-8")
    return cfg


def start_serve(cmd: list[str], tmp_path: Path) -> tuple[subprocess.Popen, str, list[str]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path, env=env)
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"admin (http://\S+)/_bench/health", line)
        if match:
            return proc, match.group(1), lines
    proc.kill()
    raise AssertionError("no readiness line:\n" + "".join(lines))


def stop_serve(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    return out


def test_serve_prints_the_table_answers_health_and_stops_on_ctrl_c(tmp_path):
    cmd = [sys.executable, "-m", "simulators.cli", "serve", "--config", str(ephemeral_config(tmp_path)),
           "--data-dir", str(tmp_path / "state")]
    proc, admin, lines = start_serve(cmd, tmp_path)
    try:
        text = "".join(lines)
        assert "service" in text and "configure in the DUI" in text and "ready in" in text
        health = requests.get(admin + "/_bench/health", timeout=5).json()
        assert health["status"] == "ok"
    finally:
        out = stop_serve(proc)
    assert proc.returncode == 0, out
    assert "stopping the bench" in out and "Traceback" not in out
    assert (tmp_path / "state" / "bench.db").exists()


def test_unknown_service_and_bad_config_exit_2(tmp_path, capsys):
    assert main(["serve", "--only", "nope", "--data-dir", str(tmp_path)]) == 2
    assert "service(s) inconnu(s) : nope" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("colour = 1\n", encoding="utf-8")
    assert main(["serve", "--config", str(bad)]) == 2
    assert "colour" in capsys.readouterr().err


def test_parser_knows_every_documented_command():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert {"serve", "version"} <= set(sub.choices)


@pytest.mark.postgres
def test_serve_on_postgresql(tmp_path, postgres_url, pg_schema):
    """`--database postgresql://...` path through the Bench (schema-isolated for parallel runs)."""
    from simulators.core.bench import Bench
    from tests.conftest import make_config
    from tests.support.echo import EchoSimulator

    with Bench(make_config(tmp_path, database=postgres_url), [EchoSimulator()], db_schema=pg_schema) as b:
        assert requests.post(b.url("echo") + "/s/pg/echo", data=b"pg", timeout=5).text == "pg"
        page = requests.get(b.admin_url + "/_bench/exchanges", params={"session": "pg"}, timeout=5).json()
        assert [e["summary"]["text"] for e in page["exchanges"]] == ["pg"]
    with Bench(make_config(tmp_path, database=postgres_url), [EchoSimulator()], db_schema=pg_schema) as b:
        page = requests.get(b.admin_url + "/_bench/exchanges", params={"session": "pg"}, timeout=5).json()
        assert len(page["exchanges"]) == 1  # survives a restart


def test_admin_token_option_and_environment(monkeypatch):
    from simulators.cli import config_from_args

    parser = build_parser()
    monkeypatch.setenv("SOCLE_BENCH_ADMIN_TOKEN", "from-the-environment")
    assert config_from_args(parser.parse_args(["serve"])).admin.token == "from-the-environment"
    args = parser.parse_args(["serve", "--admin-token", "from-the-option"])
    assert config_from_args(args).admin.token == "from-the-option"
    monkeypatch.delenv("SOCLE_BENCH_ADMIN_TOKEN")
    assert config_from_args(parser.parse_args(["serve"])).admin.token == ""


def test_serve_is_parsed_without_the_extension_commands(monkeypatch) -> None:
    """`socle-bench serve` does not import the other packages' sub-commands (start-up time); every other
    command line still sees them."""
    import simulators.cli as cli

    seen: list[bool] = []
    real = cli.build_parser

    def spy(*, extensions: bool = True):
        seen.append(extensions)
        return real(extensions=extensions)

    monkeypatch.setattr(cli, "build_parser", spy)
    monkeypatch.setattr(cli, "cmd_serve", lambda args: 0)
    assert cli.main(["-v", "serve", "--no-tls"]) == 0 and seen == [False]
    assert "pki" not in real(extensions=False)._subparsers._group_actions[0].choices
    assert "pki" in real()._subparsers._group_actions[0].choices
    with pytest.raises(SystemExit):
        cli.main(["pki", "--help"])
    assert seen[-1] is True
