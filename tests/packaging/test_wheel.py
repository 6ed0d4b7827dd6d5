"""The built wheel, installed in a fresh venv in an empty folder, serves, plays Élise and writes a JUnit report.

This is what `pip install socle-bench` gives a vendor: no checkout, no editable install. Every data file
(WSDL, value sets, features, dashboard assets, requirement catalogue) must travel in the wheel. The new
venv gets the dependencies from the project's own venv through a path entry (the tests run offline), and
the wheel itself with ``--no-deps``: so a file missing from the wheel fails here, not on a vendor's machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from tests.core.test_cli import ephemeral_config, start_serve, stop_serve

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _build_wheel(out: Path) -> Path:
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "--wheel-dir", str(out), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = list(out.glob("socle_bench-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(base / "dist")
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    purelib = Path(sysconfig.get_paths(vars={"base": str(env_dir), "platbase": str(env_dir)})["purelib"])
    # The project's venv provides the dependencies; its own editable finder (a .pth inside it) is not
    # processed from a plain path entry, so `simulators` can only come from the wheel.
    (purelib / "socle-bench-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"), "install",
                           "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return env_dir


def _run(env_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(env_dir / "bin" / "socle-bench"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


def test_wheel_carries_every_data_file() -> None:
    """Every non-Python file under the packages (but docs and ignore files) is in the wheel."""
    shipped = {p.relative_to(ROOT).as_posix() for top in ("simulators", "conformance", "features", "loadtests")
               for p in (ROOT / top).rglob("*") if p.is_file() and "__pycache__" not in p.parts
               and p.suffix not in (".py", ".pyc", ".md") and p.name != ".gitignore"
               and _tracked(p)}
    wheel = _build_wheel(Path(os.environ.get("TMPDIR", "/tmp")) / f"socle-wheel-{os.getpid()}")
    try:
        names = set(zipfile.ZipFile(wheel).namelist())
    finally:
        wheel.unlink()
    missing = sorted(shipped - names)
    assert not missing, f"data files missing from the wheel: {missing}"


def _tracked(path: Path) -> bool:
    proc = subprocess.run(["git", "ls-files", "--error-unmatch", str(path)], cwd=ROOT, capture_output=True)
    return proc.returncode == 0 or not (ROOT / ".git").exists()


def test_installed_wheel_serves_plays_elise_and_writes_junit(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "empty"
    work.mkdir()
    imported = subprocess.run([str(installed / "bin" / "python"), "-c", "import simulators; print(simulators.__file__)"],
                              cwd=work, capture_output=True, text=True, check=True).stdout
    assert str(installed) in imported, f"simulators imported from outside the wheel: {imported}"
    cfg = ephemeral_config(tmp_path)
    proc, admin, _lines = start_serve([str(installed / "bin" / "socle-bench"), "serve", "--config", str(cfg),
                                       "--data-dir", str(work / ".socle-bench")], work)
    try:
        played = _run(installed, work, "play", "elise", "--bench-url", admin,
                      "--bench-pki", str(work / ".socle-bench" / "pki"), "--session", "wheel-elise")
        assert played.returncode == 0, played.stdout[-4000:] + played.stderr[-4000:]
        junit = work / "out" / "report.xml"
        checked = _run(installed, work, "check", "--session", "wheel-elise", "--bench-url", admin,
                       "--junit", str(junit))
        assert checked.returncode == 0, checked.stdout[-4000:] + checked.stderr[-4000:]
    finally:
        out = stop_serve(proc)
    assert "Traceback" not in out
    suites = ET.parse(junit).getroot()  # noqa: S314 - the junit file this test just wrote
    assert int(suites.get("tests") or sum(int(s.get("tests", 0)) for s in suites)) > 0
