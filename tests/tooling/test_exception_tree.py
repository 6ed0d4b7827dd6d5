"""Every deliberate exception of the project derives from simulators.core.errors.BenchError."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tooling.exception_tree import ALLOWED, stray_exceptions

ROOT = Path(__file__).resolve().parents[2]


def test_every_exception_of_the_project_is_a_bench_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "tests.tooling.exception_tree"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == [], "exceptions outside the BenchError tree"


def test_the_allow_list_names_existing_exceptions() -> None:
    for qualified in ALLOWED:
        module, _, name = qualified.rpartition(".")
        assert issubclass(getattr(importlib.import_module(module), name), Exception), qualified


def test_a_stray_exception_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "straybench"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "inner" / "__init__.py").write_text("", encoding="utf-8")
    (package / "inner" / "errors.py").write_text(
        "from simulators.core.errors import BenchError\n"
        "class Good(BenchError, ValueError):\n    pass\n"
        "class Stray(ValueError):\n    pass\n"
        "class NotAnError:\n    pass\n"
        "Reexported = KeyError\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert stray_exceptions(["straybench"]) == ["straybench.inner.errors.Stray"]
    finally:
        for name in [m for m in sys.modules if m.startswith("straybench")]:
            del sys.modules[name]
