"""The image runs what `make serve` runs: same install target, same console script. No Docker engine
runs here, so the entrypoint is executed locally and the files are checked against each other."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
import requests
import yaml

from simulators.cli import build_parser
from simulators.registry import SHIPPED
from tests.core.test_cli import ephemeral_config, start_serve, stop_serve

ROOT = Path(__file__).resolve().parents[2]


def test_dockerfile_installs_with_the_make_target_and_copies_every_package():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^RUN make install\b", dockerfile, re.M)
    assert re.search(r"^serve: install$", makefile, re.M)
    assert "$(BIN)/socle-bench serve" in makefile
    assert 'ENTRYPOINT ["/opt/socle-bench/docker/entrypoint.sh"]' in dockerfile
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    packages = re.search(r'include = \[(.*?)\]', pyproject).group(1)
    for pattern in re.findall(r'"(\w+)\*"', packages):
        assert f"COPY {pattern} ./{pattern}" in dockerfile, pattern
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text(encoding="utf-8")
    assert 'exec .venv/bin/socle-bench "$@"' in entrypoint


def test_compose_commands_are_valid_cli_invocations():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    parser = build_parser()
    for name, service in compose["services"].items():
        if "command" not in service:
            continue
        args = parser.parse_args(service["command"])
        if args.command == "serve" and args.only:
            for only in args.only.split(","):
                if SHIPPED:  # every compose service must be a shipped simulator once they exist
                    assert only in SHIPPED or only not in ("ins", "dmp", "mss", "ror"), (name, only)


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "socle-bench").exists(), reason="needs the make-created .venv")
def test_entrypoint_runs_the_bench_locally(tmp_path):
    env_host = os.environ.get("SOCLE_BENCH_HOST")
    cmd = ["sh", str(ROOT / "docker" / "entrypoint.sh"), "serve", "--config", str(ephemeral_config(tmp_path)),
           "--data-dir", str(tmp_path / "state")]
    proc, admin, _lines = start_serve(cmd, tmp_path)
    try:
        assert requests.get(admin + "/_bench/health", timeout=5).json()["status"] == "ok"
    finally:
        out = stop_serve(proc)
    assert proc.returncode == 0, out
    assert env_host == os.environ.get("SOCLE_BENCH_HOST")
    assert sys.executable


def test_image_runs_as_an_unprivileged_user():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert "install -d -m 0700" in dockerfile


def test_compose_publishes_on_loopback_and_never_postgresql():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("${SOCLE_BENCH_PUBLISH:-127.0.0.1}:"), (name, port)
    assert "ports" not in compose["services"]["postgres"]
