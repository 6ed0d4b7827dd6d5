"""Run `simulators.wsgi` under gunicorn on an ephemeral port, for the multi-process tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from loadtests.common import stop_process
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"Listening at: (https?://[\d.]+:\d+)")


@contextmanager
def gunicorn_bench(database_url: str, *, workers: int = 2, service: str = "tests.support.echo:EchoSimulator",
                   log_path: Path, pki: Any = None) -> Iterator[str]:
    """Yield the base URL of `workers` sync workers serving `service` over `database_url`; with `pki`,
    gunicorn terminates mutual TLS with the bench's certificates (callers identified)."""
    env = {**os.environ, "SOCLE_BENCH_SERVICE": service, "SOCLE_BENCH_DATABASE": database_url,
           "SOCLE_BENCH_DATA_DIR": str(log_path.parent / "data"), "PYTHONPATH": str(ROOT)}
    tls: list[str] = []
    if pki is not None:
        server = pki.ensure_server("localhost", dns_names=("localhost",))
        tls = ["--certfile", str(pki.directory / server.files["chain"]),
               "--keyfile", str(pki.directory / server.files["key"]),
               "--ca-certs", str(pki.trust_path), "--cert-reqs", "1"]
        env["SOCLE_BENCH_TLS"] = "1"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = log_path.open("w+")
    proc = subprocess.Popen([str(gunicorn), "-w", str(workers), "-k", "sync", "-b", "127.0.0.1:0", *tls,
                             "--graceful-timeout", "5", "--preload", "--no-control-socket", "--chdir", str(ROOT),
                             "simulators.wsgi:application"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = _wait_listening(log_path, proc)
        if pki is not None:
            url = "https://localhost:" + url.rsplit(":", 1)[1]
        _wait_healthy(url, verify=str(pki.root_path) if pki is not None else True)
        yield url
    finally:
        stop_process(proc, timeout=15, interrupt=True)  # quick shutdown: workers still run their atexit
        log.close()


def _wait_listening(log_path: Path, proc: subprocess.Popen, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _LISTENING.search(log_path.read_text(errors="replace"))
        if found:
            return found.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"gunicorn did not start:\n{log_path.read_text(errors='replace')[-3000:]}")


def _wait_healthy(url: str, timeout: float = 30.0, verify: str | bool = True) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url + "/_bench/health", timeout=5, verify=verify).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} not healthy after {timeout}s")
        time.sleep(0.1)
