"""N `socle-bench serve` replicas over one PostgreSQL behind HAProxy, on one machine (docs/replicas.md).

Each replica listens on its own loopback address (127.0.0.2, 127.0.0.3...) with the same data directory
(the PKI its certificates come from, so a client trusts every replica through one root) and the same
database URL; HAProxy listens on 127.0.0.1. The first replica starts alone (it creates the PKI and the
tables), then the others. Used by tests/replicas and `socle-bench bench replicas`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from simulators.core.config import DEFAULT_PORTS

from .haproxy import SERVICES, Replica, render, running_haproxy
from simulators.core.pki import open_or_init

ROOT = Path(__file__).resolve().parents[1]
PORT_NAMES = ("admin", *SERVICES)


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    replicas: list[Replica]
    proxy: dict[str, int]  # HAProxy's port per service, on 127.0.0.1
    data_dir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def url(self, service: str, replica: int | None = None, *, scheme: str = "https") -> str:
        """The service through HAProxy (replica None) or straight on one replica."""
        if replica is None:
            return f"{scheme}://localhost:{self.proxy[service]}"
        r = self.replicas[replica]
        return f"{scheme}://{r.host}:{r.ports[service]}"

    def admin(self, replica: int | None = None) -> str:
        return self.url("admin", replica, scheme="http") + "/_bench"

    @property
    def root_ca(self) -> Path:
        return open_or_init(self.data_dir / "pki").root_path


def _config(path: Path, host: str, ports: dict[str, int], database_url: str, data_dir: Path) -> None:
    lines = [f'host = "{host}"', f'database = "{database_url}"', f'data_dir = "{data_dir}"',
             "[journal]", "durable = true", "[ports]", *(f'"{k}" = {v}' for k, v in ports.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _wait_ready(log: Path, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if " ready in " in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"replica exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)
    raise RuntimeError(f"replica not ready in {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def replica_cluster(database_url: str, work_dir: Path, *, count: int = 2, only: str = "",
                    start_timeout: float = 180.0) -> Iterator[Cluster]:
    """`count` replicas (127.0.0.2...) sharing `database_url`, HAProxy on 127.0.0.1 in front."""
    data_dir = work_dir / "data"
    replicas = []
    for i in range(count):
        host = f"127.0.0.{i + 2}"
        replicas.append(Replica(f"replica{i + 1}", host, {name: free_port(host) for name in PORT_NAMES}))
    proxy = {name: free_port("127.0.0.1") for name in PORT_NAMES}
    cluster = Cluster(replicas, proxy, data_dir)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    env.pop("SOCLE_BENCH_DATABASE", None)
    with ExitStack() as stack:
        for replica in replicas:
            config = work_dir / f"{replica.name}.toml"
            _config(config, replica.host, {k: replica.ports.get(k, 0) for k in DEFAULT_PORTS}, database_url, data_dir)
            log = work_dir / f"{replica.name}.log"
            out = stack.enter_context(log.open("w"))
            argv = [sys.executable, "-m", "simulators.cli", "serve", "--config", str(config)]
            if only:
                argv += ["--only", only]
            proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=str(ROOT))
            cluster.processes.append(proc)
            stack.callback(_stop, proc)
            _wait_ready(log, proc, start_timeout)  # one at a time: the first creates the PKI and tables
        haproxy_config = render(replicas, proxy, bind="127.0.0.1",
                        header="global\n    maxconn 4096\n\ndefaults\n    mode tcp\n    timeout connect 5s\n"
                               "    timeout client 120s\n    timeout server 120s\n")
        stack.enter_context(running_haproxy(haproxy_config, work_dir=work_dir))
        yield cluster
