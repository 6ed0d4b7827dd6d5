"""The import-linter contracts of .importlinter: kept by the project, and able to fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(config: Path, cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = None
    if pythonpath is not None:
        env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(config), "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_project_keeps_its_import_contracts() -> None:
    proc = _lint(ROOT / ".importlinter", ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.split("Contracts:")[-1].split(",")[0]


def test_a_codec_importing_the_runtime_breaks_the_contract(tmp_path: Path) -> None:
    """The same contract text, on a copy of the layout where simulators.fhir imports simulators.core."""
    fake = "fakesim"
    config = (ROOT / ".importlinter").read_text(encoding="utf-8")
    config = config.replace("simulators", fake).replace("    conformance\n", "").replace("    features\n", "")
    config = config.replace("    loadtests\n", "")
    (tmp_path / ".importlinter").write_text(config, encoding="utf-8")
    for package in ("", "core", "fhir", "codecs", "ins", "dmp", "mss", "annuaire", "psc", "ror",
                    "identities", "dashboard"):
        folder = tmp_path / fake / package
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / fake / "cli.py").write_text("", encoding="utf-8")
    (tmp_path / fake / "wsgi.py").write_text("", encoding="utf-8")
    (tmp_path / fake / "fhir" / "model.py").write_text(f"import {fake}.core\n", encoding="utf-8")
    proc = _lint(tmp_path / ".importlinter", tmp_path, pythonpath=tmp_path)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert f"{fake}.fhir.model -> {fake}.core" in proc.stdout
