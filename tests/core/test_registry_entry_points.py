"""The simulators are the entry points of `socle_bench.simulators`: the shipped four, and a third party's."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from simulators import registry
from simulators.core.simulator import ENTRY_POINT_GROUP, ServiceDefinition
from simulators.registry import ServiceLoadError, UnknownServiceError, load_service, load_simulators

ROOT = Path(__file__).resolve().parents[2]


def _fake_distribution(where: Path, name: str, entry: str, module: str = "", source: str = "") -> None:
    info = where / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{entry}\n", encoding="utf-8")
    if module:
        (where / f"{module}.py").write_text(source, encoding="utf-8")


def test_the_shipped_services_are_declared_once_in_pyproject() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["entry-points"]
    assert declared[ENTRY_POINT_GROUP] == {s: f"simulators.{s}.factory:SERVICE" for s in ("ins", "dmp", "mss", "ror")}
    installed = registry.registered_services()
    for name in ("ins", "dmp", "mss", "ror"):
        assert installed[name].value == f"simulators.{name}.factory:SERVICE"
        service = load_service(name)
        assert isinstance(service, ServiceDefinition) and service.name == name
    assert registry.SHIPPED["ins"] == "simulators.ins.factory:SERVICE"  # the old name, a view of the entry points


def test_old_factory_paths_resolve_to_the_service() -> None:
    from simulators.dmp.simulator import DmpSimulator
    from simulators.ins.server import InsSimulator
    from simulators.ror.server import RorSimulator

    for old, name in ((InsSimulator, "ins"), (DmpSimulator, "dmp"), (RorSimulator, "ror")):
        assert old.name == name
        assert old() is load_service(name)  # `InsSimulator()`, as callers instantiated the class


def test_a_third_party_entry_point_is_picked_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_distribution(tmp_path, "socle_bench_echo", "echo3 = socle_bench_echo3:SERVICE", "socle_bench_echo3",
                       "from tests.support.echo import EchoSimulator\nSERVICE = EchoSimulator()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "echo3" in registry.registered_services()
    [factory] = load_simulators(("echo3",))
    assert factory.name == "echo"


def test_a_broken_entry_point_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_distribution(tmp_path, "socle_bench_broken", "cassé = socle_bench_absent:SERVICE")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ServiceLoadError, match=r"service cassé : le point d'entrée 'socle_bench_absent:SERVICE'"):
        load_service("cassé")


def test_an_unknown_service_is_refused_with_the_list() -> None:
    with pytest.raises(UnknownServiceError) as refused:
        load_simulators(("ins", "insee"))
    message = str(refused.value)
    assert "insee" in message and all(name in message for name in ("ins", "dmp", "mss", "ror"))
    with pytest.raises(UnknownServiceError, match=r"services installés : .*ror"):
        load_service("nope")
