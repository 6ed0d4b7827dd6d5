"""`socle-bench serve` readiness: seconds from launching the command to the admin API answering.

`serve` is started as a user starts it (a new Python process running the CLI, every shipped service,
the dashboard, live checks, TLS), with a configuration file that only moves the ports to ephemeral
ones. The first start on an empty data directory is cold (it creates the test PKI); the next ones, on
the same directory, are warm. A warm start also finds the project's bytecode cache written (what Python
does on a first run, unless PYTHONDONTWRITEBYTECODE says not to, as some sandboxes and CI images do):
the suite writes it before the first start, as `make install` does. Measured: launch → `GET
/_bench/health` answering ok (what a user or a CI job waits for), and the "ready in X s" figure `serve`
prints itself (after its imports).

    python -m loadtests.bench serve
"""

from __future__ import annotations

import compileall
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from simulators.core.config import DEFAULT_PORTS, load_config

READY = re.compile(r"ready in ([\d.]+) s .*admin (http://[^\s/]+)")


def _config(directory: Path) -> Path:
    path = directory / "bench.toml"
    ports = "\n".join(f'"{name}" = 0' for name in DEFAULT_PORTS)
    path.write_text(f'data_dir = "{(directory / "data").as_posix()}"\n\n[ports]\n{ports}\n', encoding="utf-8")
    return path


def start_once(config: Path, timeout: float = 120.0) -> dict[str, Any]:
    """Launch `serve`, wait for its health endpoint, stop it; the timings in seconds."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "simulators.cli", "serve", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        own, admin, lines = None, None, []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            found = READY.search(line)
            if found:
                own, admin = float(found.group(1)), found.group(2)
                break
            if time.perf_counter() - t0 > timeout:
                break
        if admin is None:
            raise RuntimeError(f"serve did not get ready: {''.join(lines)[-400:]}")
        while True:
            try:
                with urllib.request.urlopen(f"{admin}/_bench/health", timeout=5) as reply:  # noqa: S310 - loopback
                    if json.loads(reply.read()).get("status") == "ok":
                        break
            except OSError:
                pass
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError("serve's health endpoint did not answer ok")
            time.sleep(0.01)
        return {"ready_s": round(time.perf_counter() - t0, 3), "serve_reported_s": own}
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


PROJECT_PACKAGES = ("simulators", "conformance", "features")


def write_bytecode_cache() -> bool:
    """Compile the project's packages into their __pycache__ (only what changed since); True when all compiled."""
    root = Path(__file__).resolve().parent.parent
    return all(compileall.compile_dir(root / name, quiet=1) for name in PROJECT_PACKAGES if (root / name).is_dir())


def facts(config_path: Path) -> dict[str, Any]:
    """What `serve` runs with under this configuration (it always installs the live checker)."""
    config = load_config(config_path)
    return {"live_checks": True, "journal_durable": config.journal.durable,
            "journal_keep_bodies": config.journal.keep_bodies, "journal_keep_secrets": config.journal.keep_secrets,
            "tls": config.tls, "database": config.database_url.split(":", 1)[0],
            "source": "configuration lue par serve (serve installe toujours les vérifications en direct)"}


def run(quick: bool = False) -> dict[str, Any]:
    warm_runs = 2 if quick else 5
    bytecode = write_bytecode_cache()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        config = _config(Path(tmp))
        cold = start_once(config)
        warm = [start_once(config) for _ in range(warm_runs)]
        described = facts(config)
    ready = sorted(w["ready_s"] for w in warm)
    return {"cold_ready_s": cold["ready_s"], "cold_serve_reported_s": cold["serve_reported_s"],
            "warm_ready_s": ready[len(ready) // 2], "warm_ready_min_s": ready[0],
            "warm_serve_reported_s": sorted(w["serve_reported_s"] for w in warm)[len(warm) // 2],
            "warm_runs": warm_runs, "facts": {**described, "bytecode_cache": bytecode}}


def table(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [("cold start (PKI created)", f"{result['cold_ready_s']} s to health ok "
                                         f"(serve says {result['cold_serve_reported_s']} s)"),
            ("warm start (median)", f"{result['warm_ready_s']} s to health ok (min {result['warm_ready_min_s']} s; "
                                    f"serve says {result['warm_serve_reported_s']} s, after its imports)")]
