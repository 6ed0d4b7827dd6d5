"""The benchmark's peers: programs doing the nearest equivalent work to a simulator, on this machine.

- WireMock (npm package `wiremock`, which ships the standalone jar; run with the machine's Java)
  answers the same HTTP/SOAP request with the same canned response: what a generic mock costs.
- MailDev (npm) receives the same mail over SMTP: what a generic mail sink costs.
- The floor: a minimal server on the bench's own stack (the bench's cheroot server, TLS as the bench
  does it; aiosmtpd for SMTP) returning a fixed answer — the practical limit for that stack.
- The same simulator behind gunicorn (two gthread workers with keep-alive, mutual TLS, journal on
  SQLite WAL, `simulators.wsgi`): what the multi-process set-up of the README gives on this machine.

npm packages are installed into `loadtests/.cache` (git-ignored) on first use. A peer that cannot be
installed or started is reported as unavailable with the reason; the benchmark goes on without it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loadtests.common import stop_process
from simulators.core.errors import BenchError
from simulators.core.lifecycle import WsgiServer, wait_for_port
from simulators.core import tls as bench_tls

CACHE = Path(__file__).with_name(".cache")
NPM_PACKAGES = {"wiremock": "wiremock", "maildev": "maildev@2.2.1"}  # maildev 3.0.0 misses a dependency


class PeerUnavailable(BenchError, RuntimeError):
    """The peer cannot run here (no Java, no npm, install failed); the message says why, in French."""


@dataclass(frozen=True)
class CannedResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class RunningPeer:
    name: str
    url: str  # http(s)://127.0.0.1:port (HTTP peers) or smtp://127.0.0.1:port
    tls: dict[str, Any] | None = None  # client TLS arguments for common.client_tls
    notes: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def npm_package(name: str, cache: Path = CACHE) -> Path:
    """Directory of an npm package installed under `cache`, installing it on first use."""
    directory = cache / "node_modules" / name
    if directory.is_dir():
        return directory
    npm = shutil.which("npm")
    if npm is None:
        raise PeerUnavailable("npm not found on this machine")
    cache.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(cache), NPM_PACKAGES[name]],
                          capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0 or not directory.is_dir():
        raise PeerUnavailable(f"npm install {NPM_PACKAGES[name]} failed: {proc.stderr.strip()[-300:]}")
    return directory


def wiremock_jar(cache: Path = CACHE) -> Path:
    jars = sorted(npm_package("wiremock", cache).rglob("wiremock-standalone-*.jar"))
    if not jars:
        raise PeerUnavailable("the wiremock npm package holds no wiremock-standalone jar")
    return jars[-1]


@contextmanager
def _process(cmd: list[str], port: int, name: str, timeout: float = 60.0) -> Iterator[subprocess.Popen]:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below, after the process
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        try:
            wait_for_port("127.0.0.1", port, timeout)
        except TimeoutError:
            log.seek(0)
            raise PeerUnavailable(f"{name} did not start within {timeout:.0f} s: "
                                  f"{log.read()[-400:].decode(errors='replace')}") from None
        yield proc
    finally:
        stop_process(proc, timeout=15)
        log.close()


@contextmanager
def wiremock(method: str, path: str, response: CannedResponse, *, https: bool = False) -> Iterator[RunningPeer]:
    """WireMock answering `method path` with `response` (HTTPS one-way with its own certificate)."""
    java = shutil.which("java")
    if java is None:
        raise PeerUnavailable("Java not found on this machine")
    jar = wiremock_jar()
    port, https_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="wiremock-") as root:
        cmd = [java, "-jar", str(jar), "--port", str(port), "--bind-address", "127.0.0.1", "--disable-banner",
               "--no-request-journal", "--root-dir", root]
        if https:
            cmd += ["--https-port", str(https_port)]
        with _process(cmd, https_port if https else port, "WireMock"):
            _wiremock_stub(port, method, path, response)
            url = f"https://127.0.0.1:{https_port}" if https else f"http://127.0.0.1:{port}"
            yield RunningPeer("wiremock", url, tls={"cafile": None} if https else None,
                              notes=["TLS without client certificate (WireMock)"] if https else [])


def _wiremock_stub(port: int, method: str, path: str, response: CannedResponse) -> None:
    import base64

    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "connection")}
    mapping = {"request": {"method": method, "urlPath": path},
               "response": {"status": response.status, "headers": headers,
                            "base64Body": base64.b64encode(response.body).decode("ascii")}}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/__admin/mappings", method="POST",
                                     data=json.dumps(mapping).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310 - loopback admin API
        if reply.status != 201:
            raise PeerUnavailable(f"WireMock refused the stub: HTTP {reply.status}")


@contextmanager
def maildev() -> Iterator[RunningPeer]:
    """MailDev receiving SMTP on loopback (no authentication, no STARTTLS: it has neither)."""
    node = shutil.which("node")
    if node is None:
        raise PeerUnavailable("node not found on this machine")
    package = npm_package("maildev")
    smtp, web = free_port(), free_port()
    cmd = [node, str(package / "bin" / "maildev"), "--smtp", str(smtp), "--web", str(web), "--ip", "127.0.0.1",
           "--silent"]
    with _process(cmd, smtp, "MailDev"):
        yield RunningPeer("maildev", f"smtp://127.0.0.1:{smtp}", notes=["plain SMTP, no authentication"])


def _fixed_app(response: CannedResponse):  # WSGI callable
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "connection")]
    headers.append(("Content-Length", str(len(response.body))))
    status = f"{response.status} {'OK' if response.status < 400 else 'Error'}"

    def app(environ, start_response):
        stream = environ["wsgi.input"]
        stream.read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(status, headers)
        return [response.body]

    return app


@contextmanager
def floor_http(response: CannedResponse, *, pki: Any = None, client_cert: str | None = None) -> Iterator[RunningPeer]:
    """The bench's own HTTP stack answering a fixed body; with `pki`, TLS exactly as the bench serves it
    (client certificate required when `client_cert` names the one the load presents)."""
    context: ssl.SSLContext | None = None
    tls = None
    if pki is not None:
        context = bench_tls.server_context(pki, "localhost", client_auth="required" if client_cert else "none")
        tls = {"cafile": str(pki.trust_path)}
        if client_cert:
            tls.update(certfile=str(pki.file(client_cert, "chain")), keyfile=str(pki.file(client_cert, "key")))
    with WsgiServer(_fixed_app(response), name="floor", ssl_context=context) as server:
        yield RunningPeer("floor", server.url.replace("localhost", "127.0.0.1"), tls=tls)


@contextmanager
def floor_smtp() -> Iterator[RunningPeer]:
    """aiosmtpd (the MSS simulator's stack) accepting and discarding every message."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, data_size_limit=10 * 1024 * 1024)
    controller.start()
    try:
        yield RunningPeer("floor", f"smtp://127.0.0.1:{port}", notes=["aiosmtpd without TLS or authentication"])
    finally:
        controller.stop()




@contextmanager
def gunicorn_service(factory_spec: str, pki: Any, *, client_cert: str | None, workers: int = 2,
                     threads: int = 4) -> Iterator[RunningPeer]:
    """The simulator `factory_spec` behind `workers` gunicorn gthread workers, TLS and trust from `pki`
    (which must live in a directory named `pki`: its parent is given as the bench's data directory)."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    if not Path(gunicorn).exists():
        raise PeerUnavailable("gunicorn not installed (pip install gunicorn)")
    server = pki.ensure_server("localhost", dns_names=("localhost",))
    with tempfile.TemporaryDirectory(prefix="bench-gunicorn-") as tmp:
        env = {**os.environ, "SOCLE_BENCH_SERVICE": factory_spec, "SOCLE_BENCH_TLS": "1",
               "SOCLE_BENCH_DATA_DIR": str(pki.directory.parent),  # the simulator trusts this very PKI
               "SOCLE_BENCH_DATABASE": f"sqlite:///{tmp}/bench.db",
               "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")])}
        log_path = Path(tmp) / "gunicorn.log"
        with log_path.open("w") as log:
            proc = subprocess.Popen(
                [gunicorn, "-w", str(workers), "-k", "gthread", "--threads", str(threads), "-b", "127.0.0.1:0",
                 "--preload", "--no-control-socket", "--keep-alive", "30",
                 "--certfile", str(pki.directory / server.files["chain"]),
                 "--keyfile", str(pki.directory / server.files["key"]), "--ca-certs", str(pki.trust_path),
                 "--cert-reqs", "2" if client_cert else "0", "simulators.wsgi:application"],
                env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                port = _listening_port(log_path, proc)
                tls = {"cafile": str(pki.trust_path)}
                if client_cert:
                    tls.update(certfile=str(pki.file(client_cert, "chain")), keyfile=str(pki.file(client_cert, "key")))
                yield RunningPeer(f"gunicorn x{workers}", f"https://127.0.0.1:{port}", tls=tls,
                                  notes=[f"{workers} gthread processes, keep-alive, SQLite WAL journal",
                                         "simulator's seed data, without the suite's preloading"])
            finally:
                proc.send_signal(2)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _listening_port(log_path: Path, proc: subprocess.Popen, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"Listening at: https?://[\d.]+:(\d+)", log_path.read_text(errors="replace"))
        if found:
            wait_for_port("127.0.0.1", int(found.group(1)), timeout)
            return int(found.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise PeerUnavailable(f"gunicorn did not start: {log_path.read_text(errors='replace')[-400:]}")
