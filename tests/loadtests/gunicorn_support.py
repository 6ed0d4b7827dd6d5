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

import requests

ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"Listening at: (http://[\d.]+:\d+)")


@contextmanager
def gunicorn_bench(database_url: str, *, workers: int = 2, service: str = "tests.support.echo:EchoSimulator",
                   log_path: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Yield the base URL of `workers` sync workers serving `service` over `database_url`."""
    env = {**os.environ, "SOCLE_BENCH_SERVICE": service, "SOCLE_BENCH_DATABASE": database_url,
           "SOCLE_BENCH_DATA_DIR": str(log_path.parent / "data"), "PYTHONPATH": str(ROOT),
           **(extra_env or {})}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = log_path.open("w+")
    proc = subprocess.Popen([str(gunicorn), "-w", str(workers), "-k", "sync", "-b", "127.0.0.1:0",
                             "--graceful-timeout", "5", "--chdir", str(ROOT), "simulators.wsgi:application"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = _wait_listening(log_path, proc)
        _wait_healthy(url)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
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


def _wait_healthy(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url + "/_bench/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} not healthy after {timeout}s")
        time.sleep(0.1)
