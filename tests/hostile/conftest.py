"""The hostile suite's target: one bench process with every simulator (TLS), driven from outside.

The bench runs in a child process so a crash is seen as a dead process and its memory (RSS) can be
read. Before the fuzzers run, the reference clients send one well-formed request per surface in a
`seed-<surface>` session; the journal gives back those raw requests, which the fuzzers mutate."""

from __future__ import annotations

import base64
import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from simulators.core.pki import Pki
from simulators.core.pki.testing import pki_fixture
from simulators.core.tls import client_context, requests_cert, requests_verify

ROOT = Path(__file__).resolve().parents[2]
pki = pki_fixture()


@dataclass
class Seed:
    """One recorded well-formed request of a surface."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: bytes


@dataclass
class Target:
    proc: subprocess.Popen
    urls: dict[str, str]
    pki: Pki
    seeds: dict[str, list[Seed]] = field(default_factory=dict)
    certs: dict[str, tuple[str, str] | None] = field(default_factory=dict)  # client certificate per surface

    def alive(self) -> bool:
        return self.proc.poll() is None

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def origin(self, name: str) -> tuple[str, int, bool]:
        parts = urlsplit(self.urls[name])
        return parts.hostname or "127.0.0.1", parts.port or 0, parts.scheme == "https"

    def tls_context(self, cert: str | None = "insi-auto") -> ssl.SSLContext:
        return client_context(self.pki, cert, check_hostname=False)

    def session(self, cert: str | tuple[str, str] | None = "insi-auto") -> requests.Session:
        s = requests.Session()
        s.trust_env = False
        s.verify = requests_verify(self.pki)
        if isinstance(cert, str):
            s.cert = requests_cert(self.pki, cert)
        elif cert:
            s.cert = cert
        return s


@pytest.fixture(scope="session")
def target(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    data = tmp_path_factory.mktemp("hostile-bench")
    proc = subprocess.Popen([sys.executable, "-m", "tests.hostile.serve", str(data), str(pki.directory)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line, "the hostile bench did not start"
        t = Target(proc, json.loads(line), pki)
        t.seeds = record_seeds(t)
        yield t
    finally:
        proc.kill()
        proc.wait(10)


def _base(url: str, session: str) -> str:
    """Insert the session prefix after the origin of a service URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/s/{session}{parts.path}"


def record_seeds(t: Target) -> dict[str, list[Seed]]:
    from simulators.dmp.client import DmpClient
    from simulators.dmp.journey import identity_for
    from simulators.identities.world import build_world
    from simulators.ins.client import cpx_client
    from simulators.ins.client import InsiClient
    from simulators.mss.client import get_token
    from simulators.ror.client import RorApiClient
    from tests.ins.helpers import ZOE

    verify = requests_verify(t.pki)
    InsiClient(_base(t.urls["ins"], "seed-ins"), cert=requests_cert(t.pki, "insi-auto"), verify=verify).send(ZOE)
    cpx_client(_base(t.urls["ins-cpx"], "seed-cpx"), t.pki).send(ZOE)
    world = build_world(20261122)
    identity = identity_for(t.pki, world, "medecin-elise")
    patient = world.person("elise")
    t.certs.update({"ins": requests_cert(t.pki, "insi-auto"), "cpx": None, "dmp": identity.tls_cert, "ror": None,
                    "annuaire": None, "psc": None, "admin": None})
    dmp = DmpClient(t.urls["dmp"], identity, verify=verify, session="seed-dmp")
    dmp.find_documents(patient.ins.value, patient.ins.oid)  # type: ignore[union-attr]
    dmp.test_existence(patient.ins.value, patient.ins.oid)  # type: ignore[union-attr]
    ror_origin = t.urls["ror"].split("/ws-diffusion-fhir")[0]
    ror = RorApiClient(f"{ror_origin}/s/seed-ror/ws-diffusion-fhir",
                       f"{ror_origin}/s/seed-ror/auth/realms/ror/protocol/openid-connect/token",
                       client_id="bench-profil-0", client_secret="secret-profil-0", verify=verify)
    ror.find_offers()
    psc = t.urls["psc"].split("/auth/")[0]
    from tests.mss.test_operator import ERGO

    get_token(psc + "/s/seed-psc", ERGO, verify=verify)
    annuaire = t.urls["annuaire"].rstrip("/")
    s = t.session(None)
    for path in ("/Practitioner?name=MARTIN", "/PractitionerRole?_include=PractitionerRole:practitioner",
                 "/Organization?identifier=1.2.250.1.71.4.2.2|10B0152872"):
        s.get(_base(annuaire, "seed-annuaire") + path, timeout=10)
    admin = t.urls["admin"].split("/_bench")[0]
    seeds: dict[str, list[Seed]] = {}
    for surface in ("ins", "cpx", "dmp", "ror", "annuaire", "psc"):
        page = requests.get(f"{admin}/_bench/exchanges", params={"session": f"seed-{surface}", "bodies": "1"},
                            timeout=10).json()["exchanges"]
        seeds[surface] = [Seed(e["method"], e["path"], e.get("request_headers") or {},
                               base64.b64decode(e.get("request_body") or "")) for e in page]
        assert seeds[surface], f"no seed request recorded for {surface}"
    return seeds
