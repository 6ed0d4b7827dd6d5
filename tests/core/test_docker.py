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

from simulators.cli import build_parser, main
from simulators.core.config import DEFAULT_PORTS
from simulators.registry import SHIPPED
from tests.core.test_cli import ephemeral_config, start_serve, stop_serve

ROOT = Path(__file__).resolve().parents[2]


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_dockerfile_builds_the_wheel_from_every_package_into_a_slim_and_a_full_target():
    dockerfile = _dockerfile()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    packages = re.search(r'include = \[(.*?)\]', pyproject).group(1)
    for pattern in re.findall(r'"(\w+)\*"', packages):
        assert f"COPY {pattern} ./{pattern}" in dockerfile, pattern
    assert re.search(r"^RUN python -m pip wheel .*--no-deps.* \.$", dockerfile, re.M)
    stages = re.findall(r"^FROM \S+ AS (\w+)$", dockerfile, re.M)
    assert stages == ["build", "runtime", "full"]
    runtime = dockerfile.split(" AS runtime")[1].split(" AS full")[0]
    assert "[test" not in runtime and "make install" not in runtime  # slim: runtime dependencies only
    assert "[test,load]" in dockerfile.split(" AS full")[1]
    assert 'ENTRYPOINT ["/opt/socle-bench/docker/entrypoint.sh"]' in dockerfile
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text(encoding="utf-8")
    assert 'exec .venv/bin/socle-bench "$@"' in entrypoint


def test_dockerfile_exposes_every_default_port_and_checks_health_on_the_configured_one():
    dockerfile = _dockerfile()
    exposed = {int(p) for line in re.findall(r"^EXPOSE (.+)$", dockerfile, re.M) for p in line.split()}
    assert exposed == set(DEFAULT_PORTS.values())  # 8448 (INSi CPx) included
    assert f"SOCLE_BENCH_ADMIN_PORT={DEFAULT_PORTS['admin']}" in dockerfile
    health = re.search(r"^HEALTHCHECK .*CMD (.+)$", dockerfile, re.M).group(1)
    assert "socle-bench" in health and "health" in health and not re.search(r"\b80\d\d\b", health)


def test_health_command_follows_the_configured_admin_port(tmp_path, monkeypatch):
    cmd = [sys.executable, "-m", "simulators.cli", "serve", "--config", str(ephemeral_config(tmp_path)),
           "--data-dir", str(tmp_path / "state")]
    proc, admin, _lines = start_serve(cmd, tmp_path)
    try:
        monkeypatch.delenv("SOCLE_BENCH_URL", raising=False)
        monkeypatch.setenv("SOCLE_BENCH_ADMIN_PORT", admin.rsplit(":", 1)[1])
        assert main(["health"]) == 0
    finally:
        stop_serve(proc)
    assert main(["health"]) == 1  # nothing answers there any more


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
