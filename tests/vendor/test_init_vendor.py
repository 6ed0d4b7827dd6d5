"""`socle-bench init-vendor` and the CI templates, run as far as this machine allows.

The templates are the vendor's day one: a test that only reads them could not fail when a command in
them is wrong. So each template's commands are executed here, in the generated project, against a bench
started as the template starts it: the certificates fetched, the journeys played, the JUnit written
where the template uploads it.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.util
import os
import re
import shlex
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conformance.vendor import IMAGE, driver_actions, write_project
from simulators import __version__
from simulators.cli import main
from simulators.core.config import DEFAULT_PORTS
from tests.core.test_cli import ephemeral_config, start_serve, stop_serve

BIN = Path(sys.executable).parent


def test_project_has_every_file_and_a_driver_with_every_action(tmp_path: Path) -> None:
    project = tmp_path / "vendor"
    assert main(["init-vendor", str(project), "--package", "acme_dui", "--driver-class", "AcmePilote"]) == 0
    for rel in ("README.md", "requirements.txt", "pytest.ini", "tests/conftest.py", "tests/test_parcours.py",
                "acme_dui/__init__.py", "acme_dui/pilote.py", ".github/workflows/socle-bench.yml", ".gitlab-ci.yml",
                "ci/run-conformance.sh"):
        assert (project / rel).is_file(), rel
    assert os.access(project / "ci/run-conformance.sh", os.X_OK)
    source = (project / "acme_dui/pilote.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "AcmePilote")
    methods = {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}
    for name, _signature, _doc in driver_actions():
        assert name in methods and ast.get_docstring(methods[name]), name
    spec = importlib.util.spec_from_file_location("acme_pilote", project / "acme_dui/pilote.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the generated code imports and defines a real driver
    driver = module.AcmePilote()
    from conformance.drivers.base import ActionNotSupported

    with pytest.raises(ActionNotSupported):
        driver.search_ror(None, None)
    assert f"socle-bench=={__version__}" in (project / "requirements.txt").read_text(encoding="utf-8")
    assert "--dui acme_dui.pilote:AcmePilote" in (project / "pytest.ini").read_text(encoding="utf-8")


def test_refuses_a_non_empty_folder_and_bad_names(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(["init-vendor", str(tmp_path / "x")]) == 2
    assert main(["init-vendor", str(tmp_path / "y"), "--package", "mon-dui"]) == 2
    assert main(["init-vendor", str(tmp_path / "z"), "--driver-class", "class"]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and "not a Python identifier" in err
    assert (tmp_path / "x" / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_templates_use_the_image_scheme_and_publish_every_port_on_loopback(tmp_path: Path) -> None:
    write_project(tmp_path / "p")
    gha = yaml.safe_load((tmp_path / "p/.github/workflows/socle-bench.yml").read_text(encoding="utf-8"))
    service = gha["jobs"]["conformance"]["services"]["socle-bench"]
    assert service["image"] == f"{IMAGE}:{__version__}"
    published = {int(p.split(":")[2]) for p in service["ports"] if p.startswith("127.0.0.1:")}
    assert published == set(DEFAULT_PORTS.values()) and len(service["ports"]) == len(published)
    gitlab = yaml.safe_load((tmp_path / "p/.gitlab-ci.yml").read_text(encoding="utf-8"))["socle-bench"]
    assert gitlab["services"][0]["name"] == f"{IMAGE}:{__version__}"
    junit = gitlab["artifacts"]["reports"]["junit"]
    assert any(fnmatch.fnmatch("out/junit.xml", junit) for _ in [0])


def _github_expressions(text: str) -> str:
    values = {"github.run_id": "4242", "github.run_attempt": "1", "secrets.SOCLE_BENCH_ADMIN_TOKEN": "jeton-ci"}
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: values[m.group(1)], text)


def _run_lines(lines: list[str], cwd: Path, env: dict[str, str]) -> None:
    for line in lines:
        if "pip install" in line:
            continue  # offline: socle-bench is already installed in this interpreter's venv
        command = line.replace("python -m pytest", f"{shlex.quote(sys.executable)} -m pytest")
        if "-m pytest" in command:
            command += " -m elise --dui reference -p no:xdist -p no:cacheprovider"
        proc = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"{line}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def _env(**extra: str) -> dict[str, str]:
    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**{k: v for k, v in os.environ.items() if not k.startswith("SOCLE_BENCH_")}, "PATH": path, **extra}


@pytest.fixture(scope="module")
def bench_for_templates(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("bench")
    cmd = [str(BIN / "socle-bench"), "serve", "--config", str(ephemeral_config(base)), "--data-dir", str(base / "data")]
    proc, admin, _lines = start_serve(cmd, base)
    yield admin
    stop_serve(proc)


def test_github_actions_steps_run_and_leave_the_junit_where_it_is_uploaded(tmp_path: Path, bench_for_templates: str) -> None:
    project = tmp_path / "p"
    write_project(project)
    job = yaml.safe_load(_github_expressions((project / ".github/workflows/socle-bench.yml").read_text(encoding="utf-8")))
    job = job["jobs"]["conformance"]
    env = _env(**{**{k: str(v) for k, v in job["env"].items()}, "SOCLE_BENCH_URL": bench_for_templates})
    _run_lines([step["run"] for step in job["steps"] if "run" in step], project, env)
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("mikepenz/action-junit-report"))
    reports = list(project.glob(upload["with"]["report_paths"]))
    assert {p.name for p in reports} >= {"junit.xml", "conformance-junit.xml"}
    conformance = ET.parse(project / "out" / "conformance-junit.xml").getroot()  # noqa: S314 - the junit file this test just wrote
    assert int(conformance.get("tests")) > 0 and conformance.get("failures") == "0"


def test_gitlab_script_runs_and_leaves_the_junit_where_it_is_reported(tmp_path: Path, bench_for_templates: str) -> None:
    project = tmp_path / "p"
    write_project(project)
    job = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))["socle-bench"]
    env = _env(**{**{k: str(v) for k, v in job["variables"].items()}, "SOCLE_BENCH_URL": bench_for_templates,
                  "CI_PIPELINE_ID": "77", "CI_JOB_ID": "5"})
    _run_lines(job["script"], project, env)
    assert (project / "out" / "junit.xml").exists() and list(project.glob(job["artifacts"]["reports"]["junit"]))


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_shell_recipe_serves_plays_and_stops(tmp_path: Path) -> None:
    project = tmp_path / "p"
    write_project(project)
    ports = dict(zip(DEFAULT_PORTS, _free_ports(len(DEFAULT_PORTS)), strict=True))
    config = tmp_path / "bench.toml"
    config.write_text("[ports]\n" + "\n".join(f"{k} = {v}" for k, v in ports.items()) + "\n", encoding="utf-8")
    env = _env(SOCLE_BENCH_CONFIG=str(config), SOCLE_BENCH_URL=f"http://127.0.0.1:{ports['admin']}",
               PYTHON=sys.executable)
    script = (project / "ci/run-conformance.sh").read_text(encoding="utf-8")
    (project / "ci/run-conformance.sh").write_text(script.replace("python3 -m pytest", f"{sys.executable} -m pytest"),
                                                   encoding="utf-8")
    proc = subprocess.run(["sh", "ci/run-conformance.sh", "-m", "elise", "--dui", "reference", "-p", "no:xdist"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (project / "out" / "junit.xml").exists() and (project / "out" / "conformance.html").exists()
    with socket.socket() as probe:  # the bench was stopped by the script's trap
        assert probe.connect_ex(("127.0.0.1", ports["admin"])) != 0
