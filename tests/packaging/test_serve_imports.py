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


def test_serve_answers_before_the_check_registry_is_imported_and_loads_it_after(tmp_path) -> None:
    """`serve` starts every service without the conformance registry (hundreds of milliseconds of imports);
    its live checker builds it once the bench answers. The background load is switched off here so the
    modules present at the end of the start can be seen; then the checker is built and judges."""
    code = ("import sys\n"
            "import simulators.core.bench as bench_module\n"
            "bench_module.load_soon = lambda checker: None\n"
            "from simulators.cli import build_parser, config_from_args, serve_bench\n"
            f"args = build_parser(extensions=False).parse_args(['serve', '--no-tls', '--data-dir', {str(tmp_path)!r}])\n"
            "bench = serve_bench(config_from_args(args).ephemeral()).start()\n"
            "early = sorted(m for m in sys.modules if m in ('conformance.live', 'conformance.registry', "
            "'conformance.evaluate', 'simulators.dmp.client'))\n"
            "checker = bench.live_checker\n"
            "state = checker.state\n"
            "checker.load()\n"
            "print(early, state, checker.state, 'conformance.registry' in sys.modules)\n"
            "bench.stop()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[] loading ready True", out.stdout
