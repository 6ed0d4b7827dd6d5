"""End-of-run summary of the seeded-defect suite: how many defects, caught with the right id, per service.

Imported by ``tests/conftest.py`` so that it runs in the process that prints the terminal summary
(the xdist controller too: ``user_properties`` travel with the reports). Written to
``test-artifacts/seeded-defects.json`` as well.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from tests.conformance.defects.harness import PROPERTY

_SEEN: list[dict[str, Any]] = []


def pytest_runtest_logreport(report: Any) -> None:
    if report.when != "call":
        return
    for name, value in getattr(report, "user_properties", ()):
        if name == PROPERTY:
            entry = json.loads(value)
            entry["test"] = report.nodeid
            _SEEN.append(entry)


def summarise(entries: list[dict[str, Any]]) -> dict[str, Any]:
    per_service: dict[str, dict[str, int]] = defaultdict(lambda: {"defects": 0, "caught": 0})
    for entry in entries:
        per_service[entry["service"]]["defects"] += 1
        per_service[entry["service"]]["caught"] += int(entry["caught"])
    total = sum(s["defects"] for s in per_service.values())
    caught = sum(s["caught"] for s in per_service.values())
    return {"defects": total, "caught": caught, "catch_rate": round(caught / total, 4) if total else None,
            "per_service": {k: {**v, "catch_rate": round(v["caught"] / v["defects"], 4)}
                            for k, v in sorted(per_service.items())},
            "missed": [e for e in entries if not e["caught"]]}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _SEEN:
        return
    summary = summarise(_SEEN)
    write = terminalreporter.write_line
    terminalreporter.section("défauts injectés (tests/conformance/defects)")
    for service, figures in summary["per_service"].items():
        write(f"{service:<10} {figures['caught']:>4}/{figures['defects']:<4} détectés avec la bonne exigence "
              f"({figures['catch_rate']:.0%})")
    write(f"{'total':<10} {summary['caught']:>4}/{summary['defects']:<4} ({summary['catch_rate']:.0%})")
    for missed in summary["missed"]:
        write(f"  manqué : {missed['service']} {missed['defect']} (attendu {missed['expected']}, "
              f"statut {missed['status']})")
    out = Path(str(terminalreporter.config.rootpath)) / "test-artifacts" / "seeded-defects.json"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({**summary, "entries": _SEEN}, ensure_ascii=False, indent=2), encoding="utf-8")
    except OSError:
        pass
