"""The import-linter contracts of .importlinter: kept by the project, and able to fail."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(config: Path, cwd: Path, pythonpath: Path | None = None, *extra: str) -> subprocess.CompletedProcess[str]:
    env = None
    if pythonpath is not None:
        env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([str(LINT_IMPORTS), str(config), "--no-cache", *extra], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_project_keeps_its_import_contracts() -> None:
    proc = _lint(ROOT / ".importlinter", ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.split("Contracts:")[-1].split(",")[0]


# -- every contract of the layering, shown failing on a fake copy of the tree ---------------------------

FAKE_ROOTS = {"simulators": "fakesim", "conformance": "fakeconf", "loadtests": "fakeload", "features": "fakefeat"}
_ROOT_NAMES = re.compile(r"(?<![-:\w])(" + "|".join(FAKE_ROOTS) + r")(?![-\w])")  # not inside contract ids
_MODULE_OPTIONS = ("source_modules", "forbidden_modules", "modules", "ignore_imports")


def _fake_config() -> configparser.ConfigParser:
    text = _ROOT_NAMES.sub(lambda m: FAKE_ROOTS[m.group(1)], (ROOT / ".importlinter").read_text(encoding="utf-8"))
    parser = configparser.ConfigParser()
    parser.read_string(text)
    return parser


def _modules_named(config: configparser.ConfigParser) -> set[str]:
    """Every module a contract names (layers inside their containers, both ends of an ignored import)."""
    names: set[str] = set(config["importlinter"]["root_packages"].split())
    for section in config.sections():
        options = config[section]
        for option in _MODULE_OPTIONS:
            for line in options.get(option, "").split("\n"):
                names.update(part.strip() for part in line.split("->") if part.strip())
        for container in options.get("containers", "").split():
            for line in options.get("layers", "").split("\n"):
                names.update(f"{container}.{layer.strip()}" for layer in re.split(r"[|:]", line) if layer.strip())
    return names


@pytest.fixture(scope="module")
def fake_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, configparser.ConfigParser]:
    """A tree holding every module the contracts name, importing nothing but the one ignored import."""
    root = tmp_path_factory.mktemp("layers")
    config = _fake_config()
    with (root / ".importlinter").open("w", encoding="utf-8") as out:
        config.write(out)
    for module in _modules_named(config):
        folder = root.joinpath(*module.split("."))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").touch()
    for section in config.sections():
        for line in config[section].get("ignore_imports", "").split("\n"):
            if "->" in line:
                importer, imported = (part.strip() for part in line.split("->"))
                (root.joinpath(*importer.split(".")) / "__init__.py").write_text(f"import {imported}\n")
    return root, config


def _seeded(fake_tree: tuple[Path, configparser.ConfigParser], tmp_path: Path, importer: str,
            imported: str) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(fake_tree[0], root)
    (root.joinpath(*importer.split(".")) / "seeded.py").write_text(f"import {imported}\n", encoding="utf-8")
    return root


def test_the_fake_tree_keeps_every_contract(fake_tree: tuple[Path, configparser.ConfigParser]) -> None:
    root, config = fake_tree
    contracts = [s for s in config.sections() if s.startswith("importlinter:contract:")]
    assert len(contracts) >= 7
    proc = _lint(root / ".importlinter", root, pythonpath=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken" in proc.stdout


SEEDS = [
    ("simulators-layers", "fakesim.core", "fakesim.registry"),  # the runtime reaching up to the registry
    ("simulators-layers", "fakesim.identities", "fakesim.psc"),  # identities below the services
    ("simulators-layers", "fakesim.registry", "fakesim.dashboard"),  # registry below the apps
    ("services-independent", "fakesim.ins", "fakesim.dmp"),
    ("services-independent", "fakesim.annuaire", "fakesim.psc"),
    ("mss-composes-psc-annuaire-only", "fakesim.mss", "fakesim.ins"),  # the layers allow it (mss is above)
    ("codecs-pure", "fakesim.fhir", "fakesim.core"),
    ("codecs-pure", "fakesim.codecs", "fakesim.core"),
    ("codecs-pure", "fakesim.fhir", "fakeconf"),
    ("simulators-below-conformance", "fakesim.registry", "fakeconf"),
    ("simulators-below-conformance", "fakesim.core", "fakeload"),
    ("judges-below-drivers", "fakeconf.live", "fakeconf.drivers"),
    ("judges-below-drivers", "fakeconf.checks_dmp", "fakefeat"),
    ("drivers-steps-below-apps", "fakeconf.drivers", "fakeconf.pytest_plugin"),
    ("drivers-steps-below-apps", "fakefeat", "fakesim.cli"),
]


def test_every_contract_has_a_seeded_violation(fake_tree: tuple[Path, configparser.ConfigParser]) -> None:
    ids = {s.rpartition(":")[2] for s in fake_tree[1].sections() if s.startswith("importlinter:contract:")}
    assert ids == {contract for contract, _, _ in SEEDS}


@pytest.mark.parametrize(("contract", "importer", "imported"), SEEDS)
def test_each_contract_breaks_on_its_own_violation(fake_tree: tuple[Path, configparser.ConfigParser],
                                                   tmp_path: Path, contract: str, importer: str,
                                                   imported: str) -> None:
    root = _seeded(fake_tree, tmp_path, importer, imported)
    proc = _lint(root / ".importlinter", root, root, "--contract", contract)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "Contracts: 0 kept, 1 broken" in proc.stdout, proc.stdout + proc.stderr
    assert f"{importer}.seeded -> {imported}" in proc.stdout, proc.stdout


# -- the judges contract lists its modules by name: a new conformance module must be placed somewhere ---

NOT_JUDGES = {"conformance.cli", "conformance.pytest_plugin", "conformance.drivers", "conformance.vendor"}


def unplaced_conformance_modules(contract_text: str, modules: set[str]) -> set[str]:
    """Top-level conformance modules neither listed as judges in the contract nor known as drivers/apps."""
    section = contract_text.split("[importlinter:contract:judges-below-drivers]", 1)[1]
    sources = section.split("source_modules =", 1)[1].split("forbidden_modules =", 1)[0]
    judges = {line.strip() for line in sources.splitlines() if line.strip()}
    return modules - judges - NOT_JUDGES


def _conformance_modules() -> set[str]:
    root = Path(__file__).resolve().parents[2] / "conformance"
    found = {f"conformance.{p.stem}" for p in root.glob("*.py") if p.stem != "__init__"}
    return found | {f"conformance.{p.parent.name}" for p in root.glob("*/__init__.py")}


def test_every_conformance_module_is_placed_in_a_layer() -> None:
    text = (Path(__file__).resolve().parents[2] / ".importlinter").read_text(encoding="utf-8")
    assert unplaced_conformance_modules(text, _conformance_modules()) == set()


def test_a_new_conformance_module_left_out_of_the_contract_is_found() -> None:
    text = (Path(__file__).resolve().parents[2] / ".importlinter").read_text(encoding="utf-8")
    assert unplaced_conformance_modules(text, _conformance_modules() | {"conformance.checks_new"}) \
        == {"conformance.checks_new"}
