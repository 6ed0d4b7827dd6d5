"""`socle-bench serve` as a child process for crash tests: ephemeral ports, a given data dir and database,
the service URLs read from the admin API, and a real `kill -9`."""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests

from simulators.core.config import DEFAULT_PORTS
from simulators.core.db import open_database

ROOT = Path(__file__).resolve().parents[2]


def database_url(kind: str, data_dir: Path, postgres_url: str = "", schema: str = "") -> str:
    """The URL `serve --database` gets: SQLite under the data dir, or a private PostgreSQL schema."""
    if kind == "sqlite":
        return f"sqlite:///{(data_dir / 'bench.db').as_posix()}"
    open_database(postgres_url, schema=schema).dispose()  # creates the schema
    return f"{postgres_url}?options={quote(f'-csearch_path={schema}')}"


@dataclass
class Served:
    proc: subprocess.Popen
    admin: str
    urls: dict[str, str]
    output: list[str]

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=20)


def serve(data_dir: Path, database: str, only: str, *, extra_config: str = "") -> Served:
    data_dir.mkdir(parents=True, exist_ok=True)
    cfg = data_dir.parent / f"{data_dir.name}.toml"
    ports = "\n".join(f"{name} = 0" for name in DEFAULT_PORTS)
    cfg.write_text(f"[ports]\n{ports}\n{extra_config}", encoding="utf-8")
    cmd = [sys.executable, "-m", "simulators.cli", "serve", "--config", str(cfg), "--data-dir", str(data_dir),
           "--database", database, "--only", only]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            break
        lines.append(line)
        match = re.search(r"admin (http://\S+)/_bench/health", line)
        if match:
            admin = match.group(1)
            services = requests.get(admin + "/_bench/services", timeout=10).json()
            _drain(proc)
            return Served(proc, admin, {s["service"]: s["url"] for s in services}, lines)
    proc.kill()
    proc.wait(timeout=20)
    proc.stdout.close()  # type: ignore[union-attr]
    raise AssertionError("no readiness line:\n" + "".join(lines))


def _drain(proc: subprocess.Popen) -> None:
    """Keep reading the child's output so a chatty server never blocks on a full pipe; the pipe is closed
    at its end (the child exited or was killed), not left to the garbage collector."""

    def read() -> None:
        with proc.stdout:  # type: ignore[union-attr]
            for _ in proc.stdout:  # type: ignore[union-attr]
                pass
    threading.Thread(target=read, daemon=True).start()


def kill_during_burst(served: Served, burst: Callable[[list[str], threading.Event], None], *,
                      at_least: int, workers: int = 4) -> list[str]:
    """Run `workers` threads of `burst(acknowledged, stop)` and `kill -9` the bench once `at_least` requests
    were acknowledged (the client holds the success answer); returns what was acknowledged."""
    acknowledged: list[str] = []
    stop = threading.Event()
    threads = [threading.Thread(target=burst, args=(acknowledged, stop)) for _ in range(workers)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 90
    while len(acknowledged) < at_least and time.monotonic() < deadline:
        time.sleep(0.01)
    served.kill9()
    stop.set()
    for thread in threads:
        thread.join(timeout=20)
    return acknowledged


def journaled_request_bodies(admin: str, session: str, service: str, status: int, **filters: str) -> bytes:
    """Every request body the journal holds for the session's exchanges answered with `status` (all pages)."""
    journaled, after = b"", None
    while True:
        params = {"session": session, "service": service, "bodies": "1", "limit": 500, **filters,
                  **({"after": after} if after else {})}
        page = requests.get(admin + "/_bench/exchanges", timeout=30, params=params).json()
        journaled += b"".join(base64.b64decode(ex.get("request_body") or "")
                              for ex in page["exchanges"] if ex["status"] == status)
        after = page["next_after"]
        if not after:
            return journaled
