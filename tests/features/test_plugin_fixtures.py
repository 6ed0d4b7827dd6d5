"""The plugin's fixtures as a vendor uses them in plain tests: the DUI, the world, the bench probe and
the conformance report of the session so far."""

from __future__ import annotations

from typing import Any

from conformance.drivers.base import DuiDriver


def test_fixtures_act_observe_and_judge(dui: DuiDriver, socle_world: Any, bench_probe: Any,
                                        conformance_report: Any) -> None:
    cursor = bench_probe.cursor()
    identity = dui.qualify_ins(socle_world.professional("aemo-secretaire"), socle_world.person("elliot"))
    assert identity.qualified and identity.ins == socle_world.person("elliot").ins.value
    [lookup] = bench_probe.exchanges(service="ins", after=cursor)
    assert lookup.session == bench_probe.session and lookup.summary["cr"] == "00"
    report = conformance_report(services=["ins"], after=cursor)
    assert report.services == ["ins"] and report.exit_code == 0
    assert [e.id for e in report.exchanges] == [lookup.id]
