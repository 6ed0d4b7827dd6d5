"""`socle-bench serve` as a child process for crash tests: ephemeral ports, a given data dir and database,
the service URLs read from the admin API, and a real `kill -9`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
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
    raise AssertionError("no readiness line:\n" + "".join(lines))


def _drain(proc: subprocess.Popen) -> None:
    """Keep reading the child's output so a chatty server never blocks on a full pipe."""
    import threading

    def read() -> None:
        for _ in proc.stdout:  # type: ignore[union-attr]
            pass
    threading.Thread(target=read, daemon=True).start()
