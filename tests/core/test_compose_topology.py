"""compose.yaml played without a Docker engine: one process per service, each on its own loopback address
under its compose service name, with the environment compose gives it and one shared volume.

What a DUI container sees is checked: every service reached by name over TLS (the certificate names the
service), the CRL fetched at the distribution point the certificates carry (`pki`, an alias every bench
container answers to), and `check` writing its JUnit on the shared volume path.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import pytest
import requests
import yaml
from cryptography import x509

from simulators.cli import main
from simulators.core.pki import Pki
from tests.core.test_cli import stop_serve

ROOT = Path(__file__).resolve().parents[2]
VOLUME = "/var/lib/socle-bench"
pytestmark = pytest.mark.slow


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def _env_value(value: Any) -> str:
    """compose interpolation `${NAME:-default}` resolved against an empty host environment."""
    text = str(value)
    while "${" in text:
        start = text.index("${")
        end = text.index("}", start)
        inner = text[start + 2:end]
        text = text[:start] + (inner.split(":-", 1)[1] if ":-" in inner else "") + text[end + 1:]
    return text


def _image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").split(" AS runtime")[1].split(" AS full")[0] \
            .replace("\\\n", " ").splitlines():
        if line.startswith("ENV "):
            for pair in line[4:].split():
                key, _, value = pair.partition("=")
                if key.startswith("SOCLE_BENCH_"):
                    env[key] = value
    return env


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    compose = _compose()
    volume = tmp_path_factory.mktemp("volume")
    servers = {name: svc for name, svc in compose["services"].items()
               if svc.get("command", [""])[0] == "serve" and not svc.get("profiles")}
    addresses = {name: f"127.0.83.{i + 2}" for i, name in enumerate(sorted(servers))}
    aliases: dict[str, list[str]] = {}
    for name, svc in servers.items():
        for alias in (svc.get("networks", {}).get("default", {}) or {}).get("aliases", []):
            aliases.setdefault(alias, []).append(addresses[name])
    resolve = {**{name: [addr] for name, addr in addresses.items()}, **aliases}
    pki_cmd = [a.replace(VOLUME, str(volume)) for a in compose["services"]["pki"]["command"]]
    assert main(pki_cmd) == 0
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SOCLE_BENCH_")}
    procs = {}
    try:
        for name, svc in servers.items():
            env = {**base_env, **_image_env(), **{k: _env_value(v) for k, v in svc["environment"].items()},
                   "SOCLE_BENCH_DATA_DIR": str(volume), "SOCLE_BENCH_HOST": addresses[name], "PYTHONUNBUFFERED": "1"}
            env = {k: v for k, v in env.items() if v != ""}
            cmd = [sys.executable, "-m", "simulators.cli", *svc["command"]]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=volume, env=env)
            procs[name] = proc
        for proc in procs.values():
            _wait_ready(proc)
        yield {"volume": volume, "resolve": resolve, "services": servers, "compose": compose}
    finally:
        for proc in procs.values():
            stop_serve(proc) if proc.poll() is None else None


def _wait_ready(proc: subprocess.Popen) -> None:
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "ready in" in line:
            return
    raise AssertionError("a service did not start:\n" + "".join(lines))


@pytest.fixture
def by_name(topology: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Name resolution as the compose network does it (service names and aliases), for this test only."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host in topology["resolve"]:
            host = topology["resolve"][host][0]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return topology


def test_every_service_is_reached_by_its_name_over_tls(by_name: dict[str, Any]) -> None:
    pki = Pki.load(by_name["volume"] / "pki")
    context = ssl.create_default_context(cafile=str(pki.trust_path))
    context.load_cert_chain(pki.file("insi-auto", "chain"), pki.file("insi-auto", "key"))
    reached = set()
    for name in by_name["services"]:
        advertised = requests.get(f"http://{name}:8080/_bench/services", timeout=10).json()
        for endpoint in advertised:
            url = urllib.parse.urlsplit(endpoint["url"])
            if endpoint["service"] == "admin" or url.scheme not in ("https", "smtp", "imap", "smtps", "imaps"):
                continue
            assert url.hostname == name, endpoint  # URLs advertised on the compose name
            if url.scheme == "https":
                with socket.create_connection((name, url.port), timeout=10) as raw, \
                        context.wrap_socket(raw, server_hostname=name) as tls:
                    assert tls.version()  # hostname verified against the certificate
            else:
                with smtplib.SMTP(name, url.port, timeout=10) if url.scheme == "smtp" else _imap(name, url.port):
                    pass
            reached.add(endpoint["service"])
    assert {"ins", "dmp", "ror"} <= reached
    with smtplib.SMTP("mss", 8587, timeout=10) as smtp:  # STARTTLS verified on the name too
        smtp.starttls(context=ssl.create_default_context(cafile=str(pki.trust_path)))
        assert smtp.noop()[0] == 250


def _imap(name: str, port: int) -> Any:
    import imaplib

    return imaplib.IMAP4(name, port, timeout=10)


def test_crl_is_fetched_by_name_at_the_distribution_point(by_name: dict[str, Any]) -> None:
    pki = Pki.load(by_name["volume"] / "pki")
    cert = pki.certificate("insi-auto")
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    url = points[0].full_name[0].value
    assert urllib.parse.urlsplit(url).hostname == "pki"
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200
    crl = x509.load_der_x509_crl(answer.content)
    assert crl.issuer == cert.issuer


def test_check_writes_its_junit_on_the_shared_volume(by_name: dict[str, Any]) -> None:
    check = by_name["compose"]["services"]["check"]
    out = by_name["volume"] / "out"
    args = [a.replace("/out/", f"{out}/") for a in check["command"]]
    assert main(args) in (0, 1)  # judged (verdict depends on what was sent); 2 would be a usage or I/O error
    report = out / "report.xml"
    assert report.exists() and report.read_text(encoding="utf-8").startswith("<testsuites")
