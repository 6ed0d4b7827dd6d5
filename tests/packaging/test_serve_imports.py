"""`serve` does not load what it only needs on demand (its start time is a benchmark goal)."""

from __future__ import annotations

import subprocess
import sys


def test_serving_the_dashboard_does_not_import_pytest_nor_the_step_library() -> None:
    code = ("import sys\n"
            "from simulators.core.config import load_config\n"
            "from simulators.cli import load_simulators\n"
            "load_simulators(load_config(None).only)\n"
            "import simulators.dashboard, conformance.drivers.scenario_player, conformance.live\n"
            "print(sorted(m for m in sys.modules if m == 'pytest' or m.startswith(('features.steps', "
            "'conformance.drivers.stepper'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout
